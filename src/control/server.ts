// The control socket inside the daemon: JSON lines over a Unix socket, one ordered queue per connection.
import { chmod, lstat, mkdir, unlink } from 'node:fs/promises';
import { type Server, type Socket, connect, createServer } from 'node:net';
import { dirname } from 'node:path';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import { type HandlerContext, dispatch, tsbgpVersion } from './handlers.js';
import { type ErrorReply, type EventLine, type LineItem, type Reply, LineSplitter, MAX_LINE_BYTES, encodeLine, errorReply, eventLine, parseRequest } from './protocol.js';
import type { SpeakerControl, SpeakerEvent } from './types.js';

/** pino-compatible: `log.warn({ path }, 'message')`. */
export interface ControlLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

const SILENT: ControlLogger = { info() {}, warn() {}, error() {}, debug() {} };

export interface ControlServerOptions {
  /** Unix socket path (config control.socket). */
  path: string;
  /** File mode set on the socket after listen (config control.mode). Default 0o660. */
  mode?: number;
  speaker: SpeakerControl;
  logger?: ControlLogger;
  /** Reported by `ping`. Default: package.json's version. */
  version?: string;
  /** Longest request line. Default 64 KiB. */
  maxLineBytes?: number;
  /**
   * Bytes a connection may leave unread before it is dropped. Default 1 MiB. Reached by a monitor
   * subscriber that stops reading (events cannot wait); requests are flow-controlled well below it.
   */
  maxPendingBytes?: number;
  /** Grace for connections to finish at close() before they are destroyed. Default 1000 ms. */
  closeGraceMs?: number;
}

/** Requests read ahead of the one being handled before the connection stops reading. */
const MAX_QUEUED_REQUESTS = 64;
/** Unread reply bytes above which a connection's next request waits for the client to read. */
const LOW_WATER_BYTES = 64 * 1024;

export class ControlServer {
  readonly path: string;
  private readonly mode: number;
  private readonly log: ControlLogger;
  private readonly shared: Shared;
  private readonly closeGraceMs: number;
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;

  constructor(o: ControlServerOptions) {
    this.path = o.path;
    this.mode = o.mode ?? 0o660;
    this.log = o.logger ?? SILENT;
    this.shared = {
      speaker: o.speaker,
      log: this.log,
      ctx: { version: o.version ?? tsbgpVersion() },
      maxLineBytes: o.maxLineBytes ?? MAX_LINE_BYTES,
      maxPendingBytes: o.maxPendingBytes ?? 1024 * 1024,
      lowWaterBytes: Math.min(LOW_WATER_BYTES, (o.maxPendingBytes ?? 1024 * 1024) / 2),
    };
    this.closeGraceMs = o.closeGraceMs ?? 1000;
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
    const server = createServer((socket) => this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      const failed = (e: NodeJS.ErrnoException) => reject(socketError(this.path, 'cannot listen on', e));
      server.once('error', failed);
      server.listen(this.path, () => {
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
    this.log.info({ path: this.path, mode: '0' + this.mode.toString(8) }, 'control socket listening');
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
    const answer = await probe(this.path);
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
    const c = new Connection(this.nextConnectionId++, socket, this.shared);
    this.connections.add(c);
    socket.once('close', () => {
      c.closed();
      this.connections.delete(c);
    });
  }

  /** Stop listening, end every connection (destroyed after a grace period), remove the socket file. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const c of this.connections) c.end();
    // Not unref'd: a caller awaiting close() (the daemon's shutdown) must see it finish.
    const grace = setTimeout(() => {
      for (const c of this.connections) c.destroy();
    }, this.closeGraceMs);
    await stopped;
    clearTimeout(grace);
    await unlink(this.path).catch(() => {});
    this.log.info({ path: this.path }, 'control socket closed');
  }
}

/** What every connection of one server shares. */
interface Shared {
  speaker: SpeakerControl;
  log: ControlLogger;
  ctx: HandlerContext;
  maxLineBytes: number;
  maxPendingBytes: number;
  /** Unread reply bytes above which the next request waits for the client to read. */
  lowWaterBytes: number;
}

/** One client: its requests are handled one after another, in the order they arrived. */
class Connection {
  private readonly splitter: LineSplitter;
  private readonly queue: LineItem[] = [];
  private busy = false;
  private paused = false;
  private gone = false;
  private unsubscribe: (() => void) | undefined;
  private readonly log: ControlLogger;

  constructor(
    readonly id: number,
    private readonly socket: Socket,
    private readonly shared: Shared,
  ) {
    this.splitter = new LineSplitter(shared.maxLineBytes);
    this.log = shared.log;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    // A client that goes away mid-reply is not the daemon's problem: note it and let 'close' clean up.
    socket.on('error', (e: NodeJS.ErrnoException) => this.log.debug({ conn: id, err: e.code ?? e.message }, 'control connection error'));
    this.log.debug({ conn: id }, 'control connection opened');
  }

  private onData(chunk: Buffer): void {
    for (const item of this.splitter.push(chunk)) this.queue.push(item);
    if (this.queue.length > MAX_QUEUED_REQUESTS && !this.paused) {
      // A client pipelining faster than we answer waits in its own socket buffer, not in our memory.
      this.paused = true;
      this.socket.pause();
    }
    if (!this.busy) void this.pump();
  }

  private async pump(): Promise<void> {
    this.busy = true;
    try {
      for (let item = this.queue.shift(); item && !this.gone; item = this.queue.shift()) {
        await this.handle(item);
        if (this.socket.writableLength > this.shared.lowWaterBytes && !this.gone) {
          // Flow control: the next reply waits until the client has read this one. A client that
          // pipelines and reads slowly is slowed down; one that never reads costs us one reply.
          this.log.debug({ conn: this.id, pending: this.socket.writableLength }, 'control client is slow to read; waiting before the next request');
          await this.flushed();
        }
        if (this.paused && this.queue.length <= MAX_QUEUED_REQUESTS / 2 && !this.gone) {
          this.paused = false;
          this.socket.resume();
        }
      }
    } finally {
      this.busy = false;
    }
  }

  /** Resolves once everything written has gone to the kernel, or the connection is gone. */
  private flushed(): Promise<void> {
    return new Promise((resolve) => {
      if (this.gone || this.socket.writableLength === 0) return resolve();
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  private async handle(item: LineItem): Promise<void> {
    if (item.kind === 'overflow') {
      this.send(errorReply(null, TsbgpErrorCode.BAD_REQUEST, `request line of ${item.bytes} bytes is longer than the limit of ${this.shared.maxLineBytes}`));
      return;
    }
    const parsed = parseRequest(item.line);
    if (!parsed.ok) {
      this.log.debug({ conn: this.id, error: parsed.reply.error }, 'bad control request');
      this.send(parsed.reply);
      return;
    }
    const request = parsed.request;
    this.log.debug({ conn: this.id, id: request.id, command: request.command }, 'control request');
    const reply = await dispatch(this.shared.speaker, request, this.shared.ctx);
    if (!reply.ok && reply.error.code === TsbgpErrorCode.INTERNAL) {
      this.log.error({ conn: this.id, command: request.command, error: reply.error.message }, 'control command failed');
    }
    if (!this.send(reply)) return;
    if (request.command === 'monitor' && reply.ok && !this.unsubscribe) {
      // Subscribed in the same tick as the reply is written: no event falls between the two.
      this.unsubscribe = this.shared.speaker.subscribe((e) => this.onEvent(e));
    }
  }

  private onEvent(e: SpeakerEvent): void {
    // Called from inside the speaker: it must never throw back there.
    try {
      this.send(eventLine(e));
    } catch (err) {
      this.log.error({ conn: this.id, err }, 'cannot send a monitor event');
    }
  }

  /** Write one line unless the client has left too much unread; then drop it. False when not written. */
  private send(value: Reply | ErrorReply | EventLine): boolean {
    if (this.gone || this.socket.destroyed || !this.socket.writable) return false;
    const pending = this.socket.writableLength;
    if (pending >= this.shared.maxPendingBytes) {
      this.log.warn(
        { conn: this.id, pending, limit: this.shared.maxPendingBytes, monitor: this.unsubscribe !== undefined },
        this.unsubscribe ? 'monitor subscriber is not reading; dropping it' : 'control client is not reading its replies; closing the connection',
      );
      this.destroy();
      return false;
    }
    let text: string;
    try {
      text = encodeLine(value);
    } catch (e) {
      // A result that cannot be serialised (a bug in the speaker) still gets an answer.
      const id = 'id' in value ? value.id : null;
      text = encodeLine(errorReply(id, TsbgpErrorCode.INTERNAL, `cannot encode the reply: ${(e as Error).message}`));
    }
    this.socket.write(text);
    return true;
  }

  /** The socket closed (either side). */
  closed(): void {
    this.gone = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.queue.length = 0;
    this.log.debug({ conn: this.id }, 'control connection closed');
  }

  end(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.socket.end();
  }

  destroy(): void {
    this.gone = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.socket.destroy();
  }
}

type ProbeAnswer = 'listening' | string;

/** Connect to a socket path: 'listening', or the error code that says why not. */
function probe(path: string, timeoutMs = 1000): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    const s = connect(path);
    const timer = setTimeout(() => {
      s.destroy();
      resolve('ETIMEDOUT');
    }, timeoutMs);
    s.once('connect', () => {
      clearTimeout(timer);
      s.destroy();
      resolve('listening');
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve(e.code ?? e.message);
    });
  });
}

function socketError(path: string, what: string, e: NodeJS.ErrnoException): TsbgpError {
  const why = e.code === 'EACCES' || e.code === 'EPERM' ? 'permission denied' : e.code === 'EADDRINUSE' ? 'address in use' : e.message;
  return new TsbgpError(TsbgpErrorCode.FILE, `${what} control socket ${path}: ${why}${e.code ? ` (${e.code})` : ''}`);
}
