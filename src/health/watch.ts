// A held TCP connection to one candidate: the reset or close its kernel sends when the server process dies is seen at once.
//
// What counts as lost. onLost(detail) means "a connection we had is gone and the server is not there any more"; it is
// called at most once per connection, and never for a host that did not accept in the first place (the interval
// checks judge those; a watch that never connected says nothing).
//   - A reset (ECONNRESET) or another socket error on an established connection: lost, at once.
//   - A clean close (FIN): healthy servers send one too, so it is confirmed by one reconnect, started at once. Refused
//     (the listener died with the process) or failed: lost, ~1 RTT after the FIN. Accepted: the server is still there,
//     nothing is reported, and the new connection is watched.
//
// Why the confirmation, and not an HTTP request to keep the connection busy. A healthy server closes connections on
// its own: node:http closes one that sent no request at headersTimeout (60 s by default, checked every 30 s) and an
// idle keep-alive one at keepAliveTimeout (5 s); nginx and Apache at their header / keep-alive timeouts, and a busy
// keep-alive connection after 1000 / 100 requests; any of them on a graceful reload. A watch that sent requests to
// stay busy would still meet all but the first, and would also need to speak TLS to an https candidate and know
// nothing of a tcp check's protocol, and would fill access logs. A process that dies, on the other hand, takes its
// listening socket with it, so the reconnect tells the two apart for any protocol, for the price of one round trip
// on a real crash. The watch sends nothing; it reads and discards whatever the server sends (a banner).
//
// A connection closed by FIN before it lived retryMs is reconnected only after retryMs, still as a confirmation: a
// server that accepts and closes at once must not turn the watch into a connect loop.
import net from 'node:net';
import type { Clock, TimerHandle } from '../bgp/fsm/clock.js';
import { errorDetail } from './checks.js';

/** 'stopped' before start() and after stop(); 'lost' while waiting retryMs to connect again. */
export type WatchState = 'stopped' | 'connecting' | 'connected' | 'lost';

export interface WatchTarget {
  host: string;
  port: number;
}

export interface WatchOptions {
  clock: Clock;
  /** After a loss or a failed connect, wait this long before connecting again. */
  retryMs: number;
  /** A connect not done by then is abandoned (and retried after retryMs). Default DEFAULT_CONNECT_TIMEOUT_MS. */
  connectTimeoutMs?: number;
  /** A connection we had died and the server is gone (see the file's head): at most once per connection. */
  onLost(detail: string): void;
  /** A connection is established (each time, including after a confirmed clean close). */
  onConnected(): void;
  /** Every change of state, with why (for status and logs); '' while connected. */
  onState?(state: WatchState, detail: string): void;
}

/**
 * Without it, a SYN to a host that dropped it is retried by the kernel for about two minutes, at growing gaps: a
 * host that comes back would be found only at the next retransmission, up to a minute later.
 */
export const DEFAULT_CONNECT_TIMEOUT_MS = 2000;
/**
 * TCP keepalive after this much silence: keeps the flow alive in stateful middleboxes (whose idle timeout may be as
 * short as 4 minutes, after which a dying server's FIN would be dropped), and a rebooted host answers it with a reset.
 */
const KEEPALIVE_IDLE_MS = 15_000;

export class Watch {
  private st: WatchState = 'stopped';
  private why = 'not started';
  private socket: net.Socket | null = null;
  /** The connect timeout while connecting, the retry while lost or waiting to confirm; never both. */
  private timer: TimerHandle | null = null;
  /** clock.now() when the current connection was established. */
  private since = 0;
  /** Why the last connection ended, while a reconnect decides whether that was a loss (FIN). */
  private unconfirmed: string | null = null;

  constructor(
    readonly target: WatchTarget,
    private readonly o: WatchOptions,
  ) {}

  get state(): WatchState {
    return this.st;
  }

  /** Why it is not connected (the last loss or connect failure); '' while connected. */
  get detail(): string {
    return this.why;
  }

  start(): void {
    if (this.st !== 'stopped') return;
    this.connect();
  }

  /** Closes the connection; onLost is not called, and nothing more is. */
  stop(): void {
    this.disarm();
    const s = this.socket;
    this.socket = null;
    s?.destroy();
    this.unconfirmed = null;
    this.set('stopped', 'stopped');
  }

  private connect(): void {
    this.disarm();
    let s: net.Socket;
    try {
      s = net.connect({ host: this.target.host, port: this.target.port });
    } catch (e) {
      // A target node refuses outright (a bad port): a connect that failed, retried like any other.
      this.down(false, errorDetail(e));
      return;
    }
    this.socket = s;
    let up = false;
    const ms = this.o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    this.timer = this.o.clock.setTimer(ms, () => {
      this.timer = null;
      this.ended(s, false, `connect timed out after ${ms} ms`);
    });
    this.set('connecting', this.st === 'stopped' ? '' : (this.unconfirmed ?? this.why));
    s.once('connect', () => {
      if (this.socket !== s) return;
      this.disarm();
      up = true;
      this.since = this.o.clock.now();
      this.unconfirmed = null;
      s.setNoDelay(true);
      s.setKeepAlive(true, KEEPALIVE_IDLE_MS);
      this.set('connected', '');
      // Unless onState stopped it.
      if (this.socket === s) this.o.onConnected();
    });
    // Read and discard: a paused socket would not see the FIN behind unread bytes.
    s.on('data', () => {});
    s.on('end', () => this.ended(s, up, 'closed by peer (FIN)', true));
    s.on('error', (e: NodeJS.ErrnoException) => this.ended(s, up, up && e.code === 'ECONNRESET' ? 'reset by peer' : errorDetail(e)));
    s.on('close', () => this.ended(s, up, 'connection closed'));
  }

  /** The first of end/error/close/timeout for socket `s` (the others, and anything of an old socket, are ignored). */
  private ended(s: net.Socket, wasUp: boolean, detail: string, clean = false): void {
    if (this.socket !== s) return;
    this.socket = null;
    this.disarm();
    s.destroy();
    if (wasUp && clean) {
      // Confirm by reconnecting (see the file's head); the loss, if it is one, is reported when the reconnect fails.
      this.unconfirmed = detail;
      if (this.o.clock.now() - this.since >= this.o.retryMs) this.connect();
      else {
        this.timer = this.o.clock.setTimer(this.o.retryMs, () => {
          this.timer = null;
          this.connect();
        });
        this.set('connecting', detail);
      }
      return;
    }
    this.down(wasUp, detail);
  }

  /** No connection now: an established one died (`wasUp`), or a connect failed. Retry after retryMs. */
  private down(wasUp: boolean, detail: string): void {
    // A connect that failed after a clean close confirms the loss; one that failed with no connection before does not.
    const lost = wasUp ? detail : this.unconfirmed !== null ? `${this.unconfirmed}; reconnect: ${detail}` : null;
    this.unconfirmed = null;
    this.timer = this.o.clock.setTimer(this.o.retryMs, () => {
      this.timer = null;
      this.connect();
    });
    // State first, so a callback that reads it, or calls stop(), sees where the watch is.
    this.set('lost', lost ?? detail);
    if (lost !== null && this.st === 'lost') this.o.onLost(lost);
  }

  private disarm(): void {
    if (this.timer !== null) this.o.clock.clearTimer(this.timer);
    this.timer = null;
  }

  private set(state: WatchState, detail: string): void {
    const changed = state !== this.st || detail !== this.why;
    this.st = state;
    this.why = detail;
    if (changed) this.o.onState?.(state, detail);
  }
}
