// One TCP connection of a peer and the FSM that runs it: its socket (connected, wired, closed or aborted), framer and timers.
import net from 'node:net';
import { ErrorCode } from '../iana.js';
import { DEFAULT_NEGOTIATED, Framer, type Negotiated, encodeMessage, makeNotification } from '../messages/index.js';
import type { Clock, TimerHandle } from './clock.js';
import type { ConnectionView } from './peer-fsm.js';
import type { Session, TimerName } from './types.js';

export interface PeerEndpoint {
  address: string;
  port: number;
  localAddress?: string;
}

/** How long a closing socket may take to flush before it is destroyed. */
const SOCKET_DROP_MS = 2000;

/** What the driver does with a connection's socket events; each names the socket it came from, which may be an old one. */
export interface SocketEvents {
  data(c: Connection, socket: net.Socket, chunk: Buffer): void;
  drain(c: Connection, socket: net.Socket): void;
  error(c: Connection, socket: net.Socket, err: Error): void;
  close(c: Connection, socket: net.Socket): void;
}

/** One TCP connection and the FSM instance that runs it (two exist only during a collision). */
export class Connection {
  socket: net.Socket | undefined;
  /** Replaced with every new TCP connection: nothing buffered from an old one may leak into it. */
  framer = new Framer();
  private readonly timers = new Map<TimerName, TimerHandle>();
  /** Received messages are being worked through over several turns: the socket is paused meanwhile. */
  slicing = false;
  /** Octets of received messages handled in the current event-loop turn. */
  spent = 0;

  constructor(
    readonly fsm: Session,
    /** We initiated it (for collision resolution). */
    public outgoing: boolean,
    private readonly clock: Clock,
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

  /** Make `socket` the connection's, with a fresh framer; events of a socket it no longer holds are the driver's to ignore. */
  attach(socket: net.Socket, on: SocketEvents): void {
    this.socket = socket;
    this.framer = new Framer();
    this.slicing = false;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => on.data(this, socket, chunk));
    socket.on('drain', () => on.drain(this, socket));
    socket.on('error', (err) => on.error(this, socket, err));
    socket.on('close', () => on.close(this, socket));
  }

  /** Connect out to the peer on a new socket, attached; returns it (its 'connect' is the caller's). */
  connect(endpoint: PeerEndpoint, on: SocketEvents): net.Socket {
    const socket = net.connect({
      host: endpoint.address,
      port: endpoint.port,
      ...(endpoint.localAddress ? { localAddress: endpoint.localAddress } : {}),
    });
    this.outgoing = true;
    this.attach(socket, on);
    return socket;
  }

  /** Close the socket after what was written is flushed; `closed` runs once it is. */
  drop(closed: () => void): void {
    const s = this.socket;
    if (!s) return;
    this.socket = undefined;
    // Read on (and ignore) what still comes, so a socket paused mid-slice can see the peer's FIN.
    s.resume();
    s.end();
    // A peer that never reads would keep the socket half-open forever.
    const t = this.clock.setTimer(SOCKET_DROP_MS, () => s.destroy());
    s.once('close', () => {
      this.clock.clearTimer(t);
      closed();
    });
  }

  /** Close the socket at once, dropping what is unsent (RFC 9687: it would never flush); `closed` runs once it is. */
  abort(closed: () => void): void {
    const s = this.socket;
    if (!s) return;
    this.socket = undefined;
    s.once('close', closed);
    s.destroy();
  }

  /** Arm `timer` for `ms` (replacing a running one); `fire` runs when it expires. */
  startTimer(timer: TimerName, ms: number, fire: () => void): void {
    const old = this.timers.get(timer);
    if (old) this.clock.clearTimer(old);
    this.timers.set(
      timer,
      this.clock.setTimer(ms, () => {
        this.timers.delete(timer);
        fire();
      }),
    );
  }

  stopTimer(timer: TimerName): void {
    const old = this.timers.get(timer);
    if (old) this.clock.clearTimer(old);
    this.timers.delete(timer);
  }

  clearTimers(): void {
    for (const h of this.timers.values()) this.clock.clearTimer(h);
    this.timers.clear();
  }
}

/** Refuse a connection: a Cease NOTIFICATION, then close (at once if it cannot be flushed). */
export function refuseSocket(socket: net.Socket, subcode: number, clock: Clock): void {
  socket.on('error', () => {});
  socket.end(encodeMessage(makeNotification(ErrorCode.CEASE, subcode), DEFAULT_NEGOTIATED));
  const t = clock.setTimer(SOCKET_DROP_MS, () => socket.destroy());
  socket.once('close', () => clock.clearTimer(t));
}
