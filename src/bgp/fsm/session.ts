// The driver of one peer: its connections around the pure FSMs (fsm.ts, peer-fsm.ts); runs the actions they return and carries out collision decisions.
import type net from 'node:net';
import { type BgpMessage, type Negotiated, type NotificationMessage, type UpdateMessage, encodeMessage } from '../messages/index.js';
import type { Clock } from './clock.js';
import { Connection, type PeerEndpoint, type SocketEvents, refuseSocket } from './connection.js';
import { countMessage, zeroCounts } from './counts.js';
import { createSession, describeDownReason, step } from './fsm.js';
import { type Role, candidateEstablished, createCandidate, incomingConnection, openCollision, promote } from './peer-fsm.js';
import { announcedFamily } from './prefix-limit.js';
import { type Receiver, onData } from './receive.js';
import { type Action, type DownReason, type Event, type MessageCounts, type Session, type SessionConfig, type SessionNegotiated, type State, type StopMode, TIMER_EXPIRES } from './types.js';

export type { PeerEndpoint } from './connection.js';
export { RECEIVE_SLICE_OCTETS } from './receive.js';

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** What the speaker wants to hear from a peer. */
export interface PeerHooks {
  stateChange(peer: PeerDriver, from: State, to: State, reason: string): void;
  /** Established: send the Adj-RIB-Out and End-of-RIB. */
  up(peer: PeerDriver, n: SessionNegotiated): void;
  /** Left Established: forget its Adj-RIB-In and Adj-RIB-Out (or keep them stale, RFC 4724, by `reason`); `n`: the session that ended. */
  down(peer: PeerDriver, reason: DownReason, n: SessionNegotiated): void;
  update(peer: PeerDriver, u: UpdateMessage): void;
  /** The peer asked for our routes again. */
  refresh(peer: PeerDriver, afi: number, safi: number): void;
  /** The socket drained after back-pressure: anything held back can go now. */
  drained(peer: PeerDriver): void;
  notification(peer: PeerDriver, direction: 'sent' | 'received', n: NotificationMessage): void;
}

/** Above this many octets waiting in the socket, UPDATEs wait for 'drain' (the peer is not reading). */
export const WRITE_HIGH_WATER = 256 * 1024;

/** Log text for a refused connection. */
const REFUSED = {
  'admin-down': 'the neighbor is administratively down',
  established: 'connection collision with an established session',
  'collision-pending': 'a collision is already being resolved',
} as const;

/**
 * One peer: its main connection (and a candidate during a collision), each with its FSM. Socket
 * events become FSM events; the actions step() returns become writes, timers and hook calls.
 */
export class PeerDriver {
  private main: Connection;
  /** A second connection during a collision (RFC 4271 §6.8). */
  private other: Connection | undefined;
  readonly received: MessageCounts = zeroCounts();
  readonly sent: MessageCounts = zeroCounts();
  /** Wall time (clock.wall()) of the last state change of the main connection. */
  since: number;
  /** Wall time the session reached Established; undefined when it is not. */
  establishedAt: number | undefined;
  /** Times the peer's prefix count went above max-prefixes-in (with `cease`, each one ended a session). */
  prefixLimitExceeded = 0;
  /**
   * Why the last TCP connection failed below BGP (`bind EADDRNOTAVAIL 10.10.0.7`, `connect
   * ECONNREFUSED 10.10.1.4:179`), kept until the session is Established; `at` is wall time (ms).
   */
  connectError: { text: string; at: number } | undefined;
  private closeWaiters: (() => void)[] = [];
  /** Events waiting for the current step's actions to finish (see feed). */
  private readonly pending: [Connection, Event][] = [];
  private stepping = false;
  /** What the receive path (receive.ts) hands back: events, counts, collisions, NOTIFICATIONs. */
  private readonly receiver: Receiver = {
    log: { warn: (obj, msg) => this.log.warn(obj, msg) },
    received: this.received,
    feed: (c, e) => this.feed(c, e),
    collision: (c, peerId) => this.collision(c, peerId),
    notified: (c, m) => {
      if (c === this.main) this.hooks.notification(this, 'received', m);
    },
  };
  private readonly socketEvents: SocketEvents = {
    data: (c, socket, chunk) => onData(c, socket, chunk, this.receiver),
    drain: (c, socket) => this.drained(c, socket),
    error: (c, socket, err) => {
      if (c.socket === socket) this.socketError(c, err);
    },
    close: (c, socket) => this.onClose(c, socket),
  };

  constructor(
    readonly endpoint: PeerEndpoint,
    private readonly config: SessionConfig,
    private readonly clock: Clock,
    readonly log: Logger,
    private readonly hooks: PeerHooks,
  ) {
    this.main = new Connection(createSession(config), true, clock);
    this.since = clock.wall();
  }

  get state(): State {
    return this.main.fsm.state;
  }

  get session(): Session {
    return this.main.fsm;
  }

  get negotiated(): SessionNegotiated | undefined {
    return this.main.fsm.negotiated;
  }

  /** The context for what we send, once established. */
  get sendContext(): Negotiated {
    return this.main.send;
  }

  get established(): boolean {
    return this.main.fsm.state === 'Established';
  }

  /** Octets waiting in the kernel-bound buffer of the established connection. */
  get pendingWrite(): number {
    return this.main.socket?.writableLength ?? 0;
  }

  start(): void {
    this.feed(this.main, { type: 'ManualStart' });
  }

  /**
   * Stop the session with a communication (RFC 9003): `hard` (the default) makes the peer flush our
   * routes, `graceful` lets a graceful-restart peer keep them (see StopMode). Resolves when the
   * connection is closed.
   */
  stop(communication?: string, mode: StopMode = 'hard'): Promise<void> {
    const done = new Promise<void>((resolve) => {
      if (!this.main.socket && !this.other?.socket) resolve();
      else this.closeWaiters.push(resolve);
    });
    const e: Event = { type: 'ManualStop', mode, ...(communication === undefined ? {} : { communication }) };
    if (this.other) this.feed(this.other, e);
    this.feed(this.main, e);
    return done;
  }

  /**
   * The speaker applied `u` from the peer and its Adj-RIB-In now holds `prefixes`: the FSM decides
   * about max-prefixes-in (prefix-limit.ts). Called from the update hook; without a limit, a no-op.
   */
  prefixesHeld(u: UpdateMessage, prefixes: number): void {
    if (!this.config.maxPrefixesIn || !this.established) return;
    this.feed(this.main, { type: 'PrefixCount', ...announcedFamily(u), prefixes });
  }

  /** Ask the peer to re-send its routes (RFC 2918). */
  requestRefresh(afi: number, safi: number): boolean {
    if (!this.established || !this.main.send.routeRefresh) return false;
    this.write(this.main, [{ type: 'ROUTE_REFRESH', afi, safi, subtype: 0 }]);
    return true;
  }

  /**
   * Write messages to the established connection in one corked batch. Resolves with the time
   * (clock ms) the batch was handed to the kernel, or undefined when not established.
   */
  sendBatch(messages: BgpMessage[]): Promise<number> | undefined {
    if (!this.established || !this.main.socket) return undefined;
    return this.write(this.main, messages);
  }

  /** An incoming connection from this peer's address: peer-fsm.ts decides, this carries it out. */
  accept(socket: net.Socket): void {
    const m = this.main;
    const d = incomingConnection({
      main: m.view,
      candidate: this.other !== undefined,
      adminDown: m.fsm.adminDown,
      gracefulRestart: m.fsm.negotiated?.gracefulRestart !== undefined,
    });
    switch (d.type) {
      case 'refuse':
        this.log.info({ remote: socket.remoteAddress, why: d.why }, `connection refused (${REFUSED[d.why]})`);
        refuseSocket(socket, d.subcode, this.clock);
        return;
      case 'take-over':
        if (d.restart) {
          this.log.info({}, 'new connection from an established peer with graceful restart: it restarted');
          this.feed(m, { type: 'TcpConnectionFails' });
        }
        this.takeOver(m, socket);
        return;
      case 'candidate': {
        const c = new Connection(createCandidate(this.config), false, this.clock);
        c.fsm.restarting = m.fsm.restarting;
        this.other = c;
        this.takeOver(c, socket);
        return;
      }
      default: {
        const never: never = d;
        throw new Error(`unknown decision ${JSON.stringify(never)}`);
      }
    }
  }

  /** Run `c` on the peer's connection `socket` from now on: whatever it had is dropped. */
  private takeOver(c: Connection, socket: net.Socket): void {
    this.dropSocket(c);
    c.outgoing = false;
    c.attach(socket, this.socketEvents);
    this.feed(c, { type: 'TcpConnectionConfirmed' });
  }

  /**
   * A socket error: at warn once per change of reason (each retry with the same reason is debug), so
   * that the real cause of a session that does not come up is seen at the default level.
   */
  private socketError(c: Connection, err: Error): void {
    const text = err.message;
    if (c.fsm.state === 'Established' || this.connectError?.text === text) {
      this.log.debug({ err: text }, 'socket error');
    } else {
      // Not `err`: pino-pretty would print that on lines of its own.
      this.log.warn({ cause: text }, `${c.outgoing ? 'connection to the peer failed' : 'connection failed'}: ${text}`);
    }
    if (c.fsm.state !== 'Established') this.connectError = { text, at: this.clock.wall() };
  }

  private connect(c: Connection): void {
    const socket = c.connect(this.endpoint, this.socketEvents);
    socket.once('connect', () => {
      if (c.socket === socket) this.feed(c, { type: 'Tcp_CR_Acked' });
    });
  }

  private onClose(c: Connection, socket: net.Socket): void {
    if (c.socket !== socket) return;
    c.socket = undefined;
    if (c.fsm.state !== 'Idle') this.feed(c, { type: 'TcpConnectionFails' });
    // A candidate lives as long as its connection: it never connects out (OpenSent would go to Active).
    if (c === this.other) {
      this.other = undefined;
      c.clearTimers();
    }
    this.settleClose();
  }

  private settleClose(): void {
    if (this.main.socket || this.other?.socket) return;
    const waiters = this.closeWaiters;
    this.closeWaiters = [];
    for (const w of waiters) w();
  }

  /** Close a connection's socket after what was written is flushed. */
  private dropSocket(c: Connection): void {
    c.drop(() => this.settleClose());
  }

  /** Close a connection's socket at once, dropping what is unsent (RFC 9687: it would never flush). */
  private abortSocket(c: Connection): void {
    const s = c.socket;
    if (!s) return;
    this.log.error(
      { unsent: s.writableLength, sendHoldTime: this.config.sendHoldTime, error: c.fsm.lastError?.text },
      'the peer has read nothing for the send hold time: connection dropped (RFC 9687)',
    );
    c.abort(() => this.settleClose());
  }

  /** The socket wrote everything it held: progress for the SendHoldTimer, and room for held-back UPDATEs. */
  private drained(c: Connection, socket: net.Socket): void {
    this.progressed(c, socket);
    if (c === this.main) this.hooks.drained(this);
  }

  /**
   * RFC 9687: a write completed or the socket drained. While the SendHoldTimer runs (a backlog was
   * reported), the FSM hears what still waits; otherwise there is nothing to tell it.
   */
  private progressed(c: Connection, socket: net.Socket): void {
    if (c.socket !== socket || !c.fsm.sendHoldTimerRunning) return;
    this.feed(c, { type: 'WriteProgress', pending: socket.writableLength });
  }

  /**
   * RFC 4271 §6.8: an OPEN on `c` while the peer has two connections may settle which survives.
   * Returns true when `c` itself was dropped (its OPEN must not be processed).
   */
  private collision(c: Connection, peerId: string): boolean {
    const on: Role = c === this.main ? 'main' : 'candidate';
    const d = openCollision({
      on,
      main: this.main.view,
      candidate: this.other?.view,
      local: { bgpId: this.config.bgpId, asn: this.config.localAs },
      peer: { bgpId: peerId, asn: this.config.peerAs },
    });
    if (d.type === 'none') return false;
    this.log.info({ dropped: d.loser === on ? 'this' : 'other', rule: d.rule, ...(d.rule === 'identifier' ? { keepOutgoing: d.keepOutgoing } : {}) }, 'connection collision resolved');
    this.dump(d.loser);
    return d.loser === on;
  }

  /**
   * Drop the connection that lost a collision (Cease 6/7); when that is main, the candidate carries
   * the session on. The loser is detached first, so its FSM never restarts or reconnects.
   */
  private dump(loser: Role): void {
    const candidate = this.other!;
    const lost = loser === 'main' ? this.main : candidate;
    this.other = undefined;
    if (loser === 'main') {
      promote(candidate.fsm, this.main.fsm);
      this.main = candidate;
    }
    lost.clearTimers();
    this.feed(lost, { type: 'OpenCollisionDump' });
  }

  private write(c: Connection, messages: BgpMessage[]): Promise<number> {
    const socket = c.socket!;
    return new Promise((resolve) => {
      socket.cork();
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i]!;
        const bytes = encodeMessage(m, c.send);
        countMessage(this.sent, m.type);
        if (m.type === 'NOTIFICATION' && c === this.main) this.hooks.notification(this, 'sent', m);
        if (i === messages.length - 1) {
          socket.write(bytes, (err) => {
            resolve(this.clock.now());
            if (!err) this.progressed(c, socket);
          });
        } else {
          socket.write(bytes);
        }
      }
      socket.uncork();
      // What the kernel would not take waits for the peer to read it: the SendHoldTimer's business.
      if (socket.writableLength > 0) this.feed(c, { type: 'WriteBlocked' });
    });
  }

  /**
   * Step the FSM of one connection and carry out its actions. An event raised while actions run (a
   * write that blocks, a hook that sends) waits until they are done, so each step sees the
   * session as the one before left it.
   */
  private feed(c: Connection, e: Event): void {
    this.pending.push([c, e]);
    if (this.stepping) return;
    this.stepping = true;
    try {
      for (let next = this.pending.shift(); next; next = this.pending.shift()) {
        const [conn, event] = next;
        for (const a of step(conn.fsm, event, this.clock.wall())) this.run(conn, a);
      }
    } finally {
      this.stepping = false;
      this.pending.length = 0;
    }
  }

  private run(c: Connection, a: Action): void {
    const isMain = c === this.main;
    // A connection detached by a collision may still send its NOTIFICATION and close, nothing more.
    if (!isMain && c !== this.other && (a.type === 'StartTimer' || a.type === 'Connect')) return;
    switch (a.type) {
      case 'Connect':
        this.dropSocket(c);
        this.connect(c);
        return;
      case 'Disconnect':
        if (a.abort) this.abortSocket(c);
        else this.dropSocket(c);
        return;
      case 'Send':
        if (!c.socket) return;
        // A KEEPALIVE behind this much would not be read before the peer's hold timer anyway; the
        // SendHoldTimer (RFC 9687) is what ends a session whose peer reads nothing.
        if (a.message.type === 'KEEPALIVE' && c.socket.writableLength > WRITE_HIGH_WATER) return;
        void this.write(c, [a.message]);
        return;
      case 'StartTimer':
        c.startTimer(a.timer, a.seconds * 1000, () => this.feed(c, TIMER_EXPIRES[a.timer]));
        return;
      case 'StopTimer':
        c.stopTimer(a.timer);
        return;
      case 'StateChange':
        if (!isMain) {
          if (c === this.other && a.to === 'Established') {
            // The candidate got there first: it becomes main (then reported as main's change) or goes.
            const d = candidateEstablished(this.main.view);
            this.log.info({ dropped: d.loser === 'main' ? 'other' : 'this', rule: d.rule }, 'connection collision resolved');
            this.dump(d.loser);
            if (c !== this.main) return;
          } else {
            // A collision candidate that fails, or a loser that finished, just goes away.
            if (a.to === 'Idle') {
              c.clearTimers();
              if (this.other === c) this.other = undefined;
            }
            return;
          }
        }
        this.since = this.clock.wall();
        if (a.to === 'Established') {
          this.establishedAt = this.since;
          this.connectError = undefined;
        }
        if (a.from === 'Established') this.establishedAt = undefined;
        this.log.info({ from: a.from, to: a.to, reason: a.reason }, `${a.from} -> ${a.to}`);
        this.hooks.stateChange(this, a.from, a.to, a.reason);
        return;
      case 'SessionUp':
        if (isMain) this.hooks.up(this, a.negotiated);
        return;
      case 'SessionDown':
        if (!isMain) return;
        this.log.warn({ reason: a.reason }, `session down: ${describeDownReason(a.reason)}`);
        this.hooks.down(this, a.reason, a.negotiated);
        return;
      case 'ApplyUpdate':
        if (isMain) this.hooks.update(this, a.update);
        return;
      case 'ResendAdjRibOut':
        if (isMain) this.hooks.refresh(this, a.afi, a.safi);
        return;
      case 'PrefixLimit': {
        if (!isMain) return;
        const what = { prefixes: a.prefixes, maxPrefixesIn: a.limit.limit, action: a.limit.action };
        if (!a.exceeded) this.log.info(what, 'prefixes received back within max-prefixes-in');
        else {
          this.prefixLimitExceeded++;
          this.log.warn(what, a.limit.action === 'cease' ? 'max-prefixes-in exceeded: Cease 6/1 sent' : 'max-prefixes-in exceeded (warn only: the session stays)');
        }
        return;
      }
      default: {
        const never: never = a;
        throw new Error(`unknown action ${JSON.stringify(never)}`);
      }
    }
  }
}

/** The old name, kept while the daemon moves to PeerDriver. */
export { PeerDriver as Peer };
