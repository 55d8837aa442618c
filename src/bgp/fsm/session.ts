// The driver of one peer: sockets, framer and timers around the pure FSMs (fsm.ts, peer-fsm.ts); runs the actions they return.
import net from 'node:net';
import { BgpError, notificationName } from '../errors.js';
import { ErrorCode, OpenSubcode } from '../iana.js';
import {
  type BgpMessage,
  DEFAULT_NEGOTIATED,
  Framer,
  type Negotiated,
  type NotificationMessage,
  type UpdateMessage,
  decodeMessage,
  encodeMessage,
  makeNotification,
  maxMessageLength,
  shutdownCommunication,
} from '../messages/index.js';
import type { Clock, TimerHandle } from './clock.js';
import { createSession, describeDownReason, step } from './fsm.js';
import { type ConnectionView, type Role, candidateEstablished, createCandidate, incomingConnection, openCollision, promote } from './peer-fsm.js';
import { type Action, type DownReason, type Event, type MessageCounts, type Session, type SessionConfig, type SessionNegotiated, type State, TIMER_EXPIRES, type TimerName } from './types.js';

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
  /** Left Established: forget its Adj-RIB-In and Adj-RIB-Out (or keep them stale, RFC 4724, by `reason`). */
  down(peer: PeerDriver, reason: DownReason): void;
  update(peer: PeerDriver, u: UpdateMessage): void;
  /** The peer asked for our routes again. */
  refresh(peer: PeerDriver, afi: number, safi: number): void;
  /** The socket drained after back-pressure: anything held back can go now. */
  drained(peer: PeerDriver): void;
  notification(peer: PeerDriver, direction: 'sent' | 'received', n: NotificationMessage): void;
}

export interface PeerEndpoint {
  address: string;
  port: number;
  localAddress?: string;
}

type Counted = 'open' | 'update' | 'notification' | 'keepalive' | 'routeRefresh';
const COUNT_KEY: Record<BgpMessage['type'], Counted> = {
  OPEN: 'open',
  UPDATE: 'update',
  NOTIFICATION: 'notification',
  KEEPALIVE: 'keepalive',
  ROUTE_REFRESH: 'routeRefresh',
};

const zero = (): MessageCounts => ({ open: 0, update: 0, notification: 0, keepalive: 0, routeRefresh: 0, total: 0 });

/** Above this many octets waiting in the socket, UPDATEs wait for 'drain' (the peer is not reading). */
export const WRITE_HIGH_WATER = 256 * 1024;

/** Log text for a refused connection. */
const REFUSED = {
  'admin-down': 'the neighbor is administratively down',
  established: 'connection collision with an established session',
  'collision-pending': 'a collision is already being resolved',
} as const;

/**
 * Octets of received messages handled in one event-loop turn before the rest waits (about four
 * full UPDATEs, some 4,000 IPv4 prefixes). A single larger message (RFC 8654) is still handled whole.
 */
export const RECEIVE_SLICE_OCTETS = 16 * 1024;

/** How long a closing socket may take to flush before it is destroyed. */
const SOCKET_DROP_MS = 2000;

/** One TCP connection and the FSM instance that runs it (two exist only during a collision). */
class Connection {
  socket: net.Socket | undefined;
  /** Replaced with every new TCP connection: nothing buffered from an old one may leak into it. */
  framer = new Framer();
  readonly timers = new Map<TimerName, TimerHandle>();
  /** Received messages are being worked through over several turns: the socket is paused meanwhile. */
  slicing = false;
  /** Octets of received messages handled in the current event-loop turn. */
  spent = 0;

  constructor(
    readonly fsm: Session,
    /** We initiated it (for collision resolution). */
    public outgoing: boolean,
  ) {}

  get receive(): Negotiated {
    return this.fsm.negotiated?.receive ?? DEFAULT_NEGOTIATED;
  }

  get send(): Negotiated {
    return this.fsm.negotiated?.send ?? DEFAULT_NEGOTIATED;
  }

  get view(): ConnectionView {
    return { state: this.fsm.state, outgoing: this.outgoing };
  }
}

/**
 * One peer: its main connection (and a candidate during a collision), each with its FSM. Socket
 * events become FSM events; the actions step() returns become writes, timers and hook calls.
 */
export class PeerDriver {
  private main: Connection;
  /** A second connection during a collision (RFC 4271 §6.8). */
  private other: Connection | undefined;
  readonly received: MessageCounts = zero();
  readonly sent: MessageCounts = zero();
  /** Wall time (clock.wall()) of the last state change of the main connection. */
  since: number;
  /** Wall time the session reached Established; undefined when it is not. */
  establishedAt: number | undefined;
  private closeWaiters: (() => void)[] = [];
  /** Events waiting for the current step's actions to finish (see feed). */
  private readonly pending: [Connection, Event][] = [];
  private stepping = false;

  constructor(
    readonly endpoint: PeerEndpoint,
    private readonly config: SessionConfig,
    private readonly clock: Clock,
    readonly log: Logger,
    private readonly hooks: PeerHooks,
  ) {
    this.main = new Connection(createSession(config), true);
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

  /** Cease / Administrative Shutdown with a communication; resolves when the connection is closed. */
  stop(communication?: string): Promise<void> {
    const done = new Promise<void>((resolve) => {
      if (!this.main.socket && !this.other?.socket) resolve();
      else this.closeWaiters.push(resolve);
    });
    if (this.other) this.feed(this.other, { type: 'ManualStop', ...(communication === undefined ? {} : { communication }) });
    this.feed(this.main, { type: 'ManualStop', ...(communication === undefined ? {} : { communication }) });
    return done;
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
        this.rejectSocket(socket, d.subcode);
        return;
      case 'take-over':
        if (d.restart) {
          this.log.info({}, 'new connection from an established peer with graceful restart: it restarted');
          this.feed(m, { type: 'TcpConnectionFails' });
        }
        this.takeOver(m, socket);
        return;
      case 'candidate': {
        const c = new Connection(createCandidate(this.config), false);
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
    this.attach(c, socket);
    this.feed(c, { type: 'TcpConnectionConfirmed' });
  }

  /** Make `socket` the connection's, with a fresh framer; events of a socket it no longer holds are ignored. */
  private attach(c: Connection, socket: net.Socket): void {
    c.socket = socket;
    c.framer = new Framer();
    c.slicing = false;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(c, socket, chunk));
    socket.on('drain', () => this.drained(c, socket));
    socket.on('error', (err) => {
      if (c.socket === socket) this.log.debug({ err: err.message }, 'socket error');
    });
    socket.on('close', () => this.onClose(c, socket));
  }

  private connect(c: Connection): void {
    const socket = net.connect({
      host: this.endpoint.address,
      port: this.endpoint.port,
      ...(this.endpoint.localAddress ? { localAddress: this.endpoint.localAddress } : {}),
    });
    c.outgoing = true;
    this.attach(c, socket);
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
      this.clearTimers(c);
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
    const s = c.socket;
    if (!s) return;
    c.socket = undefined;
    // Read on (and ignore) what still comes, so a socket paused mid-slice can see the peer's FIN.
    s.resume();
    s.end();
    // A peer that never reads would keep the socket half-open forever.
    const t = this.clock.setTimer(SOCKET_DROP_MS, () => s.destroy());
    s.once('close', () => {
      this.clock.clearTimer(t);
      this.settleClose();
    });
  }

  /** Refuse a connection: a Cease NOTIFICATION, then close (at once if it cannot be flushed). */
  private rejectSocket(socket: net.Socket, subcode: number): void {
    socket.on('error', () => {});
    socket.end(encodeMessage(makeNotification(ErrorCode.CEASE, subcode), DEFAULT_NEGOTIATED));
    const t = this.clock.setTimer(SOCKET_DROP_MS, () => socket.destroy());
    socket.once('close', () => this.clock.clearTimer(t));
  }

  /** Close a connection's socket at once, dropping what is unsent (RFC 9687: it would never flush). */
  private abortSocket(c: Connection): void {
    const s = c.socket;
    if (!s) return;
    c.socket = undefined;
    this.log.error(
      { unsent: s.writableLength, sendHoldTime: this.config.sendHoldTime, error: c.fsm.lastError?.text },
      'the peer has read nothing for the send hold time: connection dropped (RFC 9687)',
    );
    s.once('close', () => this.settleClose());
    s.destroy();
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

  /** Bytes from `socket`: ignored unless it is still the connection's socket (an old one may still talk). */
  private onData(c: Connection, socket: net.Socket, chunk: Buffer): void {
    if (c.socket !== socket) return;
    c.framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (!c.slicing) this.receive(c, socket);
  }

  /**
   * Work through the framed messages, at most RECEIVE_SLICE_OCTETS of them per event-loop turn
   * however many chunks the turn brings: beyond that the socket is paused and the rest waits for
   * setImmediate, so a table load never holds up timers or the control socket for long
   * (ARCHITECTURE: work is bounded per turn). The socket reads again once the backlog is done; a
   * connection torn down meanwhile stops at once.
   */
  private receive(c: Connection, socket: net.Socket): void {
    while (c.socket === socket) {
      if (c.spent >= RECEIVE_SLICE_OCTETS) {
        if (!c.slicing) {
          c.slicing = true;
          socket.pause();
        }
        setImmediate(() => this.receive(c, socket));
        return;
      }
      let bytes: Uint8Array | undefined;
      try {
        bytes = c.framer.next();
      } catch (e) {
        if (!(e instanceof BgpError)) throw e;
        this.feed(c, { type: 'BGPHeaderErr', error: e });
        return;
      }
      if (!bytes) {
        if (c.slicing) {
          c.slicing = false;
          socket.resume();
        }
        return;
      }
      // The turn's share starts with its first message and is given back when the turn is over
      // (this immediate is queued before any continuation of the same turn).
      if (c.spent === 0) setImmediate(() => (c.spent = 0));
      c.spent += bytes.length;
      this.onMessage(c, bytes);
    }
  }

  private onMessage(c: Connection, bytes: Uint8Array): void {
    const type = bytes[18];
    // An UPDATE before Established is an FSM error whatever its content; do not decode it.
    if (type === 2 && c.fsm.state !== 'Established') {
      this.count(this.received, 'UPDATE');
      this.feed(c, { type: 'UpdateMsg', update: { type: 'UPDATE', withdrawn: [], attributes: [], nlri: [] } });
      return;
    }
    let m: BgpMessage;
    try {
      m = decodeMessage(bytes, c.receive);
    } catch (e) {
      if (!(e instanceof BgpError)) throw e;
      const event: Event =
        e.code === ErrorCode.MESSAGE_HEADER
          ? { type: 'BGPHeaderErr', error: e }
          : e.code === ErrorCode.OPEN_MESSAGE
            ? { type: 'BGPOpenMsgErr', error: e }
            : { type: 'UpdateMsgErr', error: e };
      this.log.warn({ code: e.code, subcode: e.subcode, detail: e.message }, 'malformed message from peer');
      this.feed(c, event);
      return;
    }
    this.count(this.received, m.type);
    switch (m.type) {
      case 'OPEN':
        if (this.collision(c, m.bgpId)) return;
        this.feed(c, { type: 'BGPOpen', open: m });
        if (c.fsm.negotiated) c.framer.maxLength = maxMessageLength(c.fsm.negotiated.receive.extendedMessage);
        return;
      case 'KEEPALIVE':
        this.feed(c, { type: 'KeepAliveMsg' });
        return;
      case 'UPDATE':
        if (m.problems) this.log.warn({ problems: m.problems }, 'UPDATE with malformed attributes (RFC 7606)');
        this.feed(c, { type: 'UpdateMsg', update: m });
        return;
      case 'NOTIFICATION': {
        const comm = shutdownCommunication(m);
        this.log.warn(
          { code: m.code, subcode: m.subcode, ...(comm && 'text' in comm ? { communication: comm.text } : {}) },
          `NOTIFICATION received: ${notificationName(m.code, m.subcode)}`,
        );
        if (c === this.main) this.hooks.notification(this, 'received', m);
        const version = m.code === ErrorCode.OPEN_MESSAGE && m.subcode === OpenSubcode.UNSUPPORTED_VERSION_NUMBER;
        this.feed(c, version ? { type: 'NotifMsgVerErr', notification: m } : { type: 'NotifMsg', notification: m });
        return;
      }
      case 'ROUTE_REFRESH':
        // RFC 7313: BoRR/EoRR from the peer frame its re-advertisement; unknown subtypes are ignored.
        if (m.subtype === 0) this.feed(c, { type: 'RouteRefreshMsg', refresh: m });
        return;
      default: {
        const never: never = m;
        throw new Error(`unknown message ${String(never)}`);
      }
    }
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
    this.clearTimers(lost);
    this.feed(lost, { type: 'OpenCollisionDump' });
  }

  private clearTimers(c: Connection): void {
    for (const h of c.timers.values()) this.clock.clearTimer(h);
    c.timers.clear();
  }

  private count(to: MessageCounts, type: BgpMessage['type']): void {
    to[COUNT_KEY[type]]++;
    to.total++;
  }

  private write(c: Connection, messages: BgpMessage[]): Promise<number> {
    const socket = c.socket!;
    return new Promise((resolve) => {
      socket.cork();
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i]!;
        const bytes = encodeMessage(m, c.send);
        this.count(this.sent, m.type);
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
      case 'StartTimer': {
        const old = c.timers.get(a.timer);
        if (old) this.clock.clearTimer(old);
        c.timers.set(
          a.timer,
          this.clock.setTimer(a.seconds * 1000, () => {
            c.timers.delete(a.timer);
            this.feed(c, TIMER_EXPIRES[a.timer]);
          }),
        );
        return;
      }
      case 'StopTimer': {
        const old = c.timers.get(a.timer);
        if (old) this.clock.clearTimer(old);
        c.timers.delete(a.timer);
        return;
      }
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
              this.clearTimers(c);
              if (this.other === c) this.other = undefined;
            }
            return;
          }
        }
        this.since = this.clock.wall();
        if (a.to === 'Established') this.establishedAt = this.since;
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
        this.hooks.down(this, a.reason);
        return;
      case 'ApplyUpdate':
        if (isMain) this.hooks.update(this, a.update);
        return;
      case 'ResendAdjRibOut':
        if (isMain) this.hooks.refresh(this, a.afi, a.safi);
        return;
      default: {
        const never: never = a;
        throw new Error(`unknown action ${JSON.stringify(never)}`);
      }
    }
  }
}

/** The old name, kept while the daemon moves to PeerDriver. */
export { PeerDriver as Peer };
