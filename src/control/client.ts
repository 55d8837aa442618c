// The control client: what bgpctl and scripts use to talk to tsbgpd over its Unix socket.
import { type Socket, createConnection } from 'node:net';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import { LineSplitter } from './lines.js';
import { type CommandArgs, type CommandName, type CommandResults, type Reply, type Request, encodeLine, parseServerLine } from './protocol.js';
import type { SpeakerEvent } from './types.js';

export const DEFAULT_SOCKET = '/run/tsbgp/tsbgpd.sock';

/** The socket bgpctl uses when not told: $TSBGP_SOCKET, else the default path. */
export function defaultSocketPath(env: NodeJS.ProcessEnv = process.env): string {
  return env['TSBGP_SOCKET'] || DEFAULT_SOCKET;
}

/** Commands whose args may be left out. */
type OptionalArgs<C extends CommandName> = Record<never, never> extends CommandArgs[C] ? [args?: CommandArgs[C]] : [args: CommandArgs[C]];

interface Pending {
  resolve: (result: unknown) => void;
  reject: (e: TsbgpError) => void;
}

export interface ConnectOptions {
  /** Give up connecting after this long. Default 5000 ms. */
  timeoutMs?: number;
}

export class ControlClient {
  private readonly splitter = new LineSplitter(Number.MAX_SAFE_INTEGER);
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private listener: ((e: SpeakerEvent) => void) | undefined;
  private closedByUs = false;
  private ended: TsbgpError | undefined;
  private readonly whenClosed: Promise<void>;

  private constructor(
    readonly path: string,
    private readonly socket: Socket,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {}); // 'close' follows and says what happened to the callers
    this.whenClosed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.once('close', () => this.onClose());
  }

  /** Connect to tsbgpd; throws TsbgpError(UNREACHABLE) saying why it could not. */
  static connect(path: string, o: ConnectOptions = {}): Promise<ControlClient> {
    return new Promise((resolve, reject) => {
      const socket = createConnection(path);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(unreachable(path, 'ETIMEDOUT'));
      }, o.timeoutMs ?? 5000);
      socket.once('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(unreachable(path, e.code ?? e.message));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new ControlClient(path, socket));
      });
    });
  }

  /** Send one command; resolves to its result, throws TsbgpError with the reply's code. */
  request<C extends CommandName>(command: C, ...rest: OptionalArgs<C>): Promise<CommandResults[C]> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    const line = encodeLine({ v: 1, id, command, args: rest[0] ?? {} } as Request);
    return new Promise<CommandResults[C]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      this.socket.write(line);
    });
  }

  /**
   * Stream the daemon's events to `onEvent`. Resolves when close() is called; throws
   * TsbgpError(UNREACHABLE) when the daemon closes the connection.
   */
  async monitor(onEvent: (e: SpeakerEvent) => void): Promise<void> {
    this.listener = onEvent;
    await this.request('monitor');
    await this.whenClosed;
    if (!this.closedByUs) throw this.ended ?? lost(this.path);
  }

  close(): void {
    this.closedByUs = true;
    this.socket.end();
    // A daemon that does not read cannot hold us up.
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private onData(chunk: Buffer): void {
    for (const item of this.splitter.push(chunk)) {
      if (item.kind !== 'line') continue;
      let msg;
      try {
        msg = parseServerLine(item.line);
      } catch (e) {
        this.fail(e as TsbgpError);
        this.socket.destroy();
        return;
      }
      if (msg.kind === 'event') this.listener?.(msg.event);
      else this.settle(msg.reply);
    }
  }

  private settle(reply: Reply): void {
    const p = typeof reply.id === 'number' ? this.pending.get(reply.id) : undefined;
    if (!p) {
      // An error without an id answers a line the daemon could not read: ours, the oldest waiting.
      if (!reply.ok && reply.id === null) {
        const oldest = this.pending.entries().next().value;
        if (oldest) {
          this.pending.delete(oldest[0]);
          oldest[1].reject(new TsbgpError(reply.error.code, reply.error.message));
        }
      }
      return;
    }
    this.pending.delete(reply.id as number);
    if (reply.ok) p.resolve(reply.result);
    else p.reject(new TsbgpError(reply.error.code, reply.error.message));
  }

  private fail(e: TsbgpError): void {
    this.ended ??= e;
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  private onClose(): void {
    this.fail(this.closedByUs ? new TsbgpError(TsbgpErrorCode.UNREACHABLE, 'connection closed') : lost(this.path));
  }
}

function lost(path: string): TsbgpError {
  return new TsbgpError(TsbgpErrorCode.UNREACHABLE, `tsbgpd at ${path} closed the connection`);
}

const ELSEWHERE = 'if it listens elsewhere, use --socket or TSBGP_SOCKET';

function unreachable(path: string, code: string): TsbgpError {
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? `permission denied (${code}); run as root or as a member of the socket's group, or use --socket or TSBGP_SOCKET for another socket`
      : code === 'ECONNREFUSED'
        ? `nothing is listening there; is it running? (${code}); ${ELSEWHERE}`
        : code === 'ETIMEDOUT'
          ? `no answer (${code}); is it hung?`
          : `is it running? (${code}); ${ELSEWHERE}`;
  return new TsbgpError(TsbgpErrorCode.UNREACHABLE, `cannot reach tsbgpd at ${path}: ${why}`);
}
