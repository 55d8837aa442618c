// One client of the control API over any pair of streams (a socket, a child's stdio): its requests in order, with back-pressure.
import type { Readable, Writable } from 'node:stream';
import { TsbgpErrorCode } from '../errors.js';
import { type Clock, realClock } from '../bgp/fsm/clock.js';
import { type HandlerContext, dispatch, errorReplyFor, tsbgpVersion } from './handlers.js';
import { type LineItem, LineSplitter, MAX_LINE_BYTES } from './lines.js';
import { type ErrorReply, type EventLine, type Reply, type RequestId, encodeLine, errorReply, eventLine, okReply } from './protocol.js';
import { parseRequest } from './requests.js';
import { isJsonLine, runApiLine } from '../exabgp/dispatch.js';
import { RoutesReply } from './routes-reply.js';
import type { SpeakerControl, SpeakerEvent } from './types.js';

/** pino-compatible: `log.warn({ path }, 'message')`. */
export interface ControlLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  debug(obj: object, msg: string): void;
}

const SILENT: ControlLogger = { info() {}, warn() {}, error() {}, debug() {} };

export interface ConnectionOptions {
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
  /** The clock a request's arrival is read from: the speaker's, which measures from it. Default realClock. */
  clock?: Pick<Clock, 'now'>;
}

/** ConnectionOptions with every default filled in: resolved once, shared by every connection of a server. */
export interface ConnectionSettings {
  speaker: SpeakerControl;
  log: ControlLogger;
  ctx: HandlerContext;
  maxLineBytes: number;
  maxPendingBytes: number;
  /** Unread reply bytes above which the next request waits for the client to read. */
  lowWaterBytes: number;
  clock: Pick<Clock, 'now'>;
}

/** A line as it was read, with the clock time it arrived: where the times the speaker reports start. */
interface Queued {
  item: LineItem;
  at: number;
}

/** What writes a reply once its turn in the connection's order comes. */
type Finish = () => Promise<void> | void;

/**
 * Route changes for distinct prefixes that a client had already queued are started together, in
 * one synchronous run, so that the daemon plans them as one batch (one UPDATE per attribute set,
 * not one per request). A prefix seen twice ends the group: each request keeps its own outcome.
 * Bounded so that one client's group costs a few ms of a turn.
 */
const MAX_GROUP = 128;

/** Requests read ahead of the one being handled before the connection stops reading. */
const MAX_QUEUED_REQUESTS = 256;
/** Unread reply bytes above which a connection's next request waits for the client to read. */
const LOW_WATER_BYTES = 64 * 1024;

/** Rows of a streamed reply encoded per turn of the event loop: ~1-2 ms of JSON.stringify. */
const ROWS_PER_TURN = 1000;

/** Resolves in the event loop's next check phase, after pending I/O and timers have run. */
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function connectionSettings(o: ConnectionOptions): ConnectionSettings {
  const maxPendingBytes = o.maxPendingBytes ?? 1024 * 1024;
  return {
    speaker: o.speaker,
    log: o.logger ?? SILENT,
    ctx: { version: o.version ?? tsbgpVersion() },
    maxLineBytes: o.maxLineBytes ?? MAX_LINE_BYTES,
    maxPendingBytes,
    lowWaterBytes: Math.min(LOW_WATER_BYTES, maxPendingBytes / 2),
    clock: o.clock ?? realClock,
  };
}

/**
 * One client: requests are read from `input` and answered on `output` one after another, in the
 * order they arrived. A socket is both streams; a child process gives its stdout and its stdin.
 */
export class ControlConnection {
  private readonly splitter: LineSplitter;
  private readonly queue: Queued[] = [];
  private busy = false;
  private paused = false;
  private gone = false;
  /** The client has sent its last request (a half-close, or the end of a child's output). */
  private inputEnded = false;
  private unsubscribe: (() => void) | undefined;
  /** Monitor events that came while a reply was streaming: written after its line, never inside it. */
  private held: { lines: string[]; bytes: number } | undefined;
  private readonly log: ControlLogger;
  /** A socket: input and output are one stream. */
  private readonly duplex: boolean;
  /** Resolves once the connection is over (the output closed, or it was destroyed). */
  readonly closed: Promise<void>;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly settings: ConnectionSettings,
    readonly id = 0,
  ) {
    this.splitter = new LineSplitter(settings.maxLineBytes);
    this.log = settings.log;
    this.duplex = (input as object) === output;
    input.on('data', (chunk: Buffer) => this.onData(chunk));
    input.on('end', () => this.onEnd());
    // A client that goes away mid-reply is not the daemon's problem: note it and let 'close' clean up.
    const onError = (e: NodeJS.ErrnoException) => this.log.debug({ conn: id, err: e.code ?? e.message }, 'control connection error');
    input.on('error', onError);
    if (!this.duplex) output.on('error', onError);
    this.closed = new Promise((resolve) =>
      output.once('close', () => {
        this.onClosed();
        resolve();
      }),
    );
    this.log.debug({ conn: id }, 'control connection opened');
  }

  private onData(chunk: Buffer): void {
    const at = this.settings.clock.now();
    for (const item of this.splitter.push(chunk)) this.queue.push({ item, at });
    if (this.queue.length > MAX_QUEUED_REQUESTS && !this.paused) {
      // A client pipelining faster than we answer waits in its own buffer, not in our memory.
      this.paused = true;
      this.input.pause();
    }
    if (!this.busy) void this.pump();
  }

  /**
   * `printf '{...}\n' | nc -U -q1 SOCK` half-closes once its request is written: every request that
   * came before is still answered, and then our side ends too. A monitor subscription ends with it:
   * on a Unix socket a client that exits looks the same as one that half-closes, and a subscriber
   * kept for a client that is gone would be found only by the next event's failed write.
   */
  private onEnd(): void {
    this.inputEnded = true;
    const at = this.settings.clock.now();
    for (const item of this.splitter.end()) this.queue.push({ item, at });
    this.log.debug({ conn: this.id, queued: this.queue.length }, 'control client finished sending; answering what it sent');
    if (!this.busy) void this.pump();
  }

  private async pump(): Promise<void> {
    this.busy = true;
    try {
      while (this.queue.length > 0 && !this.gone) {
        for (const finish of this.startGroup()) {
          await (await finish)();
          if (this.gone) break;
        }
        if (this.gone) break;
        if (this.paused && this.queue.length <= MAX_QUEUED_REQUESTS / 2) {
          this.paused = false;
          this.input.resume();
        }
        if (this.output.writableLength > this.settings.lowWaterBytes) {
          // Flow control: the next reply waits until the client has read this one. A client that
          // pipelines and reads slowly is slowed down; one that never reads costs us one reply.
          this.log.debug({ conn: this.id, pending: this.output.writableLength }, 'control client is slow to read; waiting before the next request');
          await this.flushed();
        } else if (this.queue.length > 0) {
          // One group per turn of the event loop: a command that settles without I/O would
          // otherwise run the whole queue on promise continuations while keepalives, hold timers
          // and every other client wait.
          await nextTurn();
        }
      }
    } finally {
      this.busy = false;
    }
    if (this.inputEnded && this.queue.length === 0 && !this.gone) this.end();
  }

  /**
   * Start the next request, or a group of route changes for distinct prefixes (MAX_GROUP), all in
   * this synchronous run; each gives back what writes its reply, in the order they came.
   */
  private startGroup(): Promise<Finish>[] {
    const started: Promise<Finish>[] = [];
    const prefixes = new Set<string>();
    while (this.queue.length > 0 && started.length < MAX_GROUP) {
      const next = this.queue[0]!;
      if (next.item.kind === 'line' && !isJsonLine(next.item.line)) {
        // An ExaBGP text line: answered in text, on its own (its prefixes are batched by the dispatcher).
        if (started.length > 0) break;
        this.queue.shift();
        started.push(this.startText(next.item.line, next.at));
        break;
      }
      const parsed = next.item.kind === 'line' ? parseRequest(next.item.line) : undefined;
      const r = parsed?.ok ? parsed.request : undefined;
      const prefix = r && (r.command === 'announce' || r.command === 'withdraw') ? r.args.prefix : undefined;
      if (started.length > 0 && (prefix === undefined || prefixes.has(prefix))) break;
      this.queue.shift();
      started.push(this.start(next.item, next.at, parsed));
      if (prefix === undefined) break;
      prefixes.add(prefix);
    }
    return started;
  }

  /** Resolves once everything written has gone to the kernel, or the connection is gone. */
  private flushed(): Promise<void> {
    return new Promise((resolve) => {
      if (this.gone || this.output.writableLength === 0) return resolve();
      const done = () => {
        this.output.off('drain', done);
        this.output.off('close', done);
        resolve();
      };
      this.output.on('drain', done);
      this.output.on('close', done);
    });
  }

  /** Parse and dispatch one request now; what it resolves to writes the reply when its turn comes. */
  private async start(item: LineItem, receivedAt: number, parsed: ReturnType<typeof parseRequest> | undefined): Promise<Finish> {
    if (item.kind === 'overflow' || !parsed) {
      const bytes = item.kind === 'overflow' ? item.bytes : 0;
      return () => void this.send(errorReply(null, TsbgpErrorCode.BAD_REQUEST, `request line of ${bytes} bytes is longer than the limit of ${this.settings.maxLineBytes}`));
    }
    if (!parsed.ok) {
      this.log.debug({ conn: this.id, error: parsed.reply.error }, 'bad control request');
      return () => void this.send(parsed.reply);
    }
    const request = parsed.request;
    this.log.debug({ conn: this.id, id: request.id, command: request.command }, 'control request');
    const reply = await dispatch(this.settings.speaker, request, { ...this.settings.ctx, receivedAt });
    return () => this.finish(request.command, reply);
  }

  /** Run one ExaBGP text line; its answer (output lines, then `done` or `error`) is written as text. */
  private async startText(line: string, receivedAt: number): Promise<Finish> {
    const answer = await runApiLine(this.settings.speaker, line, { kind: 'control', receivedAt, version: this.settings.ctx.version });
    if (answer.status === 'error') this.log.warn({ conn: this.id, line, reason: answer.reason, code: answer.code }, `exabgp command: error: ${answer.reason ?? ''}`);
    else if (answer.reason) this.log.warn({ conn: this.id, line, warning: answer.reason }, `exabgp command: done (${answer.reason})`);
    else this.log.debug({ conn: this.id, line }, 'exabgp command: done');
    return () => void this.sendText(answer.lines);
  }

  /** Write text lines unless the client has left too much unread (then drop it, as send() does). */
  private sendText(lines: string[]): boolean {
    if (!lines.length || this.gone || this.output.destroyed || !this.output.writable) return false;
    if (this.output.writableLength >= this.settings.maxPendingBytes) {
      this.log.warn({ conn: this.id, pending: this.output.writableLength, limit: this.settings.maxPendingBytes }, 'control client is not reading its replies; closing the connection');
      this.destroy();
      return false;
    }
    this.output.write(lines.join('\n') + '\n');
    return true;
  }

  private finish(command: string, reply: Reply): Promise<void> | void {
    if (!reply.ok && reply.error.code === TsbgpErrorCode.INTERNAL) {
      this.log.error({ conn: this.id, command, error: reply.error.message }, 'control command failed');
    }
    if (reply.ok && reply.result instanceof RoutesReply) return this.stream(reply.id, reply.result);
    if (!this.send(reply)) return;
    if (command === 'monitor' && reply.ok && !this.unsubscribe) {
      // Subscribed in the same tick as the reply is written: no event falls between the two.
      this.unsubscribe = this.settings.speaker.subscribe((e) => this.onEvent(e));
    }
  }

  /**
   * Write a large reply as it is read: the same line encodeLine() would give, in chunks of
   * ROWS_PER_TURN rows, yielding between chunks and waiting for the client to read when its buffer
   * is past the low-water mark. Other clients, timers and keepalives run in between; memory is
   * about one chunk, not the whole table.
   */
  private async stream(id: RequestId, rows: RoutesReply): Promise<void> {
    if (this.gone || !this.output.writable) return rows.close();
    this.held = { lines: [], bytes: 0 };
    let written = false;
    try {
      // `{"v":1,"id":..,"ok":true,"result":{..,"routes":[]}}` without its `]}}`: the head up to the rows.
      let text = JSON.stringify(okReply(id, { ...rows.head, routes: [] })).slice(0, -3);
      let first = true;
      for (;;) {
        let done = false;
        for (let n = 0; n < ROWS_PER_TURN; n++) {
          const row = rows.next();
          if (!row) {
            done = true;
            break;
          }
          text += (first ? '' : ',') + JSON.stringify(row);
          first = false;
        }
        if (done) break;
        this.output.write(text);
        written = true;
        text = '';
        if (this.output.writableLength > this.settings.lowWaterBytes) await this.flushed();
        else await nextTurn();
        if (this.gone || !this.output.writable) return rows.close();
      }
      this.output.write(text + ']' + (rows.truncated ? ',"truncated":true' : '') + '}}\n');
    } catch (e) {
      rows.close();
      if (!written) {
        this.send(errorReplyFor(id, 'show-routes', e));
        return;
      }
      // Part of the line is out: it can no longer become an error reply. Cut the connection, so
      // that the client sees a failure rather than a short table.
      this.log.error({ conn: this.id, err: (e as Error).message }, 'show-routes failed while its reply was streaming; closing the connection');
      this.destroy();
    } finally {
      const held = this.held;
      this.held = undefined;
      if (!this.gone && this.output.writable) for (const text of held.lines) this.output.write(text);
    }
  }

  private onEvent(e: SpeakerEvent): void {
    // Called from inside the speaker: it must never throw back there.
    try {
      if (this.held) return this.hold(encodeLine(eventLine(e)));
      this.send(eventLine(e));
    } catch (err) {
      this.log.error({ conn: this.id, err }, 'cannot send a monitor event');
    }
  }

  private hold(text: string): void {
    const held = this.held!;
    held.bytes += Buffer.byteLength(text);
    if (this.output.writableLength + held.bytes >= this.settings.maxPendingBytes) {
      this.log.warn({ conn: this.id, pending: this.output.writableLength + held.bytes, limit: this.settings.maxPendingBytes, monitor: true }, 'monitor subscriber is not reading; dropping it');
      this.destroy();
      return;
    }
    held.lines.push(text);
  }

  /** Write one line unless the client has left too much unread; then drop it. False when not written. */
  private send(value: Reply | ErrorReply | EventLine): boolean {
    if (this.gone || this.output.destroyed || !this.output.writable) return false;
    const pending = this.output.writableLength;
    if (pending >= this.settings.maxPendingBytes) {
      this.log.warn(
        { conn: this.id, pending, limit: this.settings.maxPendingBytes, monitor: this.unsubscribe !== undefined },
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
    this.output.write(text);
    return true;
  }

  private onClosed(): void {
    this.gone = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.queue.length = 0;
    this.log.debug({ conn: this.id }, 'control connection closed');
  }

  /** Stop events and end our side (the client is done, or the server is closing). */
  end(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.output.end();
  }

  destroy(): void {
    this.gone = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.output.destroy();
    if (!this.duplex) this.input.destroy();
  }
}
