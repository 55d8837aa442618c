// Test helpers for the control socket: a raw JSON-lines client, a recording logger, bounded waits, cleanup after each test.
import { type Socket, createConnection } from 'node:net';
import type { ControlLogger } from '../../src/control/connection.js';
import { LineSplitter } from '../../src/control/lines.js';

/** What a test opened; closed after each test, passed or failed, so that a failure cannot hang the run. */
export const opened: (() => unknown)[] = [];
export async function cleanup(): Promise<void> {
  for (const close of opened.splice(0).reverse()) await within(3000, Promise.resolve(close()), 'cleanup').catch(() => {});
}

/** Reject after `ms`: every wait in these tests is bounded. */
export function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

/** Wait for a condition, checked once per event-loop turn; gives up (and stops checking) after `ms`. */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

export const line = (o: object): string => JSON.stringify(o) + '\n';

/** A raw connection that writes bytes and reads parsed lines, for what ControlClient would never send. */
export class Raw {
  readonly socket: Socket;
  private readonly lines: unknown[] = [];
  private waiting: (() => void) | undefined;
  private readonly splitter = new LineSplitter(Number.MAX_SAFE_INTEGER);
  readonly closed: Promise<void>;
  /** Lines received so far, whether or not read() has taken them. */
  received = 0;
  /** Called with each line as it arrives. */
  onLine: ((value: any) => void) | undefined;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (b: Buffer) => {
      for (const item of this.splitter.push(b)) {
        if (item.kind !== 'line') continue;
        const value: unknown = JSON.parse(item.line);
        this.lines.push(value);
        this.received++;
        this.onLine?.(value);
      }
      this.waiting?.();
    });
    socket.on('error', () => {});
    this.closed = new Promise((r) => socket.once('close', () => r()));
  }

  static open(path: string, o: { allowHalfOpen?: boolean } = {}): Promise<Raw> {
    return new Promise((resolve, reject) => {
      const s = createConnection({ path, ...o });
      s.once('connect', () => {
        opened.push(() => s.destroy());
        resolve(new Raw(s));
      });
      s.once('error', reject);
    });
  }

  write(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** The next `count` lines. */
  async read(count = 1, ms = 2000): Promise<any[]> {
    await within(
      ms,
      new Promise<void>((resolve) => {
        const check = () => {
          if (this.lines.length >= count) {
            this.waiting = undefined;
            resolve();
          }
        };
        this.waiting = check;
        check();
      }),
      `${count} lines`,
    );
    return this.lines.splice(0, count);
  }

  get buffered(): number {
    return this.lines.length;
  }
}

export type LogEntry = { level: keyof ControlLogger; obj: object; msg: string };
export function recordingLogger(): ControlLogger & { entries: LogEntry[]; next(msg: string): Promise<LogEntry> } {
  const entries: LogEntry[] = [];
  const waiters: { msg: string; resolve: (e: LogEntry) => void }[] = [];
  const at = (level: keyof ControlLogger) => (obj: object, msg: string) => {
    const e = { level, obj, msg };
    entries.push(e);
    for (const w of waiters.splice(0)) (w.msg === msg ? w.resolve(e) : waiters.push(w));
  };
  /** The next entry with this message. */
  const next = (msg: string) => new Promise<LogEntry>((resolve) => waiters.push({ msg, resolve }));
  return { entries, next, info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}
