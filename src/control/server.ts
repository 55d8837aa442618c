// The control socket inside the daemon: a Unix socket's lifecycle; each client is a ControlConnection.
import { chmod, lstat, mkdir, readFile, unlink } from 'node:fs/promises';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { dirname } from 'node:path';
import { type Clock, type TimerHandle, realClock } from '../bgp/fsm/clock.js';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import { type ConnectionOptions, type ConnectionSettings, type ControlLogger, ControlConnection, connectionSettings } from './connection.js';

export interface ControlServerOptions extends ConnectionOptions {
  /** Unix socket path (config control.socket). */
  path: string;
  /** File mode set on the socket after listen (config control.mode). Default 0o660. */
  mode?: number;
  /** Grace for connections to finish at close() before they are destroyed. Default 1000 ms. */
  closeGraceMs?: number;
  /** Connections the kernel queues before we accept them. Default CONTROL_BACKLOG. */
  backlog?: number;
  /** Request arrival times (see ConnectionOptions), the close grace and the stale-socket probe's timeout. Default realClock. */
  clock?: Pick<Clock, 'now' | 'setTimer' | 'clearTimer'>;
}

/**
 * A Unix socket refuses a connect (EAGAIN) once this many wait to be accepted. Node's default is 511;
 * a health checker firing at many VIPs, or a fleet of scripts, opens thousands at once. Linux caps it
 * at net.core.somaxconn (4096 since 5.4; 128 before).
 */
export const CONTROL_BACKLOG = 4096;

export class ControlServer {
  readonly path: string;
  private readonly mode: number;
  private readonly log: ControlLogger;
  private readonly settings: ConnectionSettings;
  private readonly closeGraceMs: number;
  private readonly backlog: number;
  private readonly clock: Pick<Clock, 'now' | 'setTimer' | 'clearTimer'>;
  private server: Server | undefined;
  private readonly connections = new Set<ControlConnection>();
  private nextConnectionId = 1;

  constructor(o: ControlServerOptions) {
    this.path = o.path;
    this.mode = o.mode ?? 0o660;
    this.settings = connectionSettings(o);
    this.log = this.settings.log;
    this.closeGraceMs = o.closeGraceMs ?? 1000;
    this.backlog = o.backlog ?? CONTROL_BACKLOG;
    this.clock = o.clock ?? realClock;
  }

  /** Connections open now (for `show` and tests). */
  get connectionCount(): number {
    return this.connections.size;
  }

  /**
   * Listen on the socket path. A live socket there means another daemon: refuse. A dead one is what a
   * crash leaves behind: replace it. Throws TsbgpError(FILE).
   */
  async listen(): Promise<void> {
    if (this.server) throw new Error('ControlServer.listen() called twice');
    await this.clearStaleSocket();
    await mkdir(dirname(this.path), { recursive: true, mode: 0o755 });
    // Half-open: a client that shuts down its side after its last request still gets the replies.
    const server = createServer({ allowHalfOpen: true }, (socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      const failed = (e: NodeJS.ErrnoException) => reject(socketError(this.path, 'cannot listen on', e));
      server.once('error', failed);
      server.listen({ path: this.path, backlog: this.backlog }, () => {
        server.off('error', failed);
        resolve();
      });
    });
    server.on('error', (e) => this.log.error({ err: e, path: this.path }, 'control socket error'));
    this.server = server;
    try {
      await chmod(this.path, this.mode);
    } catch (e) {
      await this.close();
      throw socketError(this.path, 'cannot set the mode of', e as NodeJS.ErrnoException);
    }
    this.log.info({ path: this.path, mode: '0' + this.mode.toString(8), backlog: this.backlog }, 'control socket listening');
    const cap = await somaxconn();
    if (cap !== undefined && cap < this.backlog) {
      this.log.warn({ backlog: this.backlog, somaxconn: cap }, `the kernel caps the control socket's backlog at net.core.somaxconn = ${cap}: more clients connecting at once get EAGAIN`);
    }
  }

  private async clearStaleSocket(): Promise<void> {
    let isSocket: boolean;
    try {
      isSocket = (await lstat(this.path)).isSocket();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw socketError(this.path, 'cannot inspect', e as NodeJS.ErrnoException);
    }
    if (!isSocket) throw new TsbgpError(TsbgpErrorCode.FILE, `${this.path} exists and is not a socket; refusing to replace it`);
    const answer = await probe(this.path, this.clock);
    if (answer === 'listening') throw new TsbgpError(TsbgpErrorCode.FILE, `another tsbgpd is listening on ${this.path}`);
    if (answer !== 'ECONNREFUSED' && answer !== 'ENOENT') {
      throw new TsbgpError(TsbgpErrorCode.FILE, `cannot tell whether another tsbgpd is listening on ${this.path} (${answer}); refusing to replace it`);
    }
    this.log.info({ path: this.path }, 'removing stale control socket');
    await unlink(this.path).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw socketError(this.path, 'cannot remove the stale socket', e);
    });
  }

  private accept(socket: Socket): void {
    const c = new ControlConnection(socket, socket, this.settings, this.nextConnectionId++);
    this.connections.add(c);
    void c.closed.then(() => this.connections.delete(c));
  }

  /** Stop listening, end every connection (destroyed after a grace period), remove the socket file. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const c of this.connections) c.end();
    const grace = this.clock.setTimer(this.closeGraceMs, () => {
      for (const c of this.connections) c.destroy();
    });
    // Not unref'd: a caller awaiting close() (the daemon's shutdown) must see it finish, even when
    // the only connection left is idle (paused, its FIN sent) and holds nothing else open.
    holdProcess(grace);
    await stopped;
    this.clock.clearTimer(grace);
    await unlink(this.path).catch(() => {});
    this.log.info({ path: this.path }, 'control socket closed');
  }
}

/** realClock unrefs its timers; this one must keep the process alive until it fires (a manual clock's need nothing). */
function holdProcess(h: TimerHandle): void {
  if ('ref' in h) h.ref();
}

/** Linux's cap on a listen backlog, or undefined where it cannot be read. */
async function somaxconn(): Promise<number | undefined> {
  try {
    const n = Number((await readFile('/proc/sys/net/core/somaxconn', 'utf8')).trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

type ProbeAnswer = 'listening' | string;

/** Connect to a socket path: 'listening', or the error code that says why not. */
function probe(path: string, clock: Pick<Clock, 'setTimer' | 'clearTimer'>, timeoutMs = 1000): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    const s = connect(path);
    const timer = clock.setTimer(timeoutMs, () => {
      s.destroy();
      resolve('ETIMEDOUT');
    });
    s.once('connect', () => {
      clock.clearTimer(timer);
      s.destroy();
      resolve('listening');
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clock.clearTimer(timer);
      resolve(e.code ?? e.message);
    });
  });
}

function socketError(path: string, what: string, e: NodeJS.ErrnoException): TsbgpError {
  const why = e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'EADDRINUSE' ? 'address in use' : e.message;
  return new TsbgpError(TsbgpErrorCode.FILE, `${what} control socket ${path}: ${why}${e.code ? ` (${e.code})` : ''}`);
}
