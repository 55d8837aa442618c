// Loopback servers and event queues for the health tests: real sockets on 127.0.0.1, awaited by event, never by sleeping.
import { stat } from 'node:fs/promises';
import net from 'node:net';

export const HOST = '127.0.0.1';

const open = new WeakMap<net.Server, Set<net.Socket>>();

/** Listens on 127.0.0.1 (port 0: any free one) and gives the port; the server's connections are tracked for shut(). */
export function listen(server: net.Server, port = 0): Promise<number> {
  if (!open.has(server)) {
    const sockets = new Set<net.Socket>();
    open.set(server, sockets);
    server.on('connection', (s: net.Socket) => {
      sockets.add(s);
      s.once('close', () => sockets.delete(s));
    });
  }
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, HOST, () => {
      server.off('error', reject);
      // A failed test that leaves its server listening must not keep the test process alive.
      server.unref();
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** Stops listening and destroys every connection still open (each gets a FIN, as when a process exits). */
export function shut(server: net.Server): Promise<void> {
  const done = new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
  });
  for (const s of open.get(server) ?? []) s.destroy();
  return within(done, 'the server to close');
}

/** A port on 127.0.0.1 where nothing listens (it was free a moment ago): connecting to it is refused. */
export async function refusingPort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await shut(s);
  return port;
}

/**
 * Turns a hang into a failure: the await fails after `ms` of real time if `p` has not settled. A guard, not a wait:
 * nothing a test checks is made to happen by it.
 */
export function within<T>(p: Promise<T>, what: string, ms = 5000): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`still waiting after ${ms} ms for ${what}`)), ms);
  });
  return Promise.race([p, limit]).finally(() => clearTimeout(t));
}

/** A queue of events: take() consumes them in order, waiting (by event) for one not yet seen. */
export class Events<T> {
  readonly seen: T[] = [];
  private cursor = 0;
  private waiter: { pred: (e: T) => boolean; resolve: (e: T) => void } | null = null;

  push(e: T): void {
    this.seen.push(e);
    this.serve();
  }

  /** The next event (after the last one taken) that `pred` accepts; those before it are passed over. */
  take(what: string, pred: (e: T) => boolean = () => true): Promise<T> {
    if (this.waiter) throw new Error('one take() at a time');
    const p = new Promise<T>((resolve) => (this.waiter = { pred, resolve }));
    this.serve();
    return within(p, what).finally(() => (this.waiter = null));
  }

  count(pred: (e: T) => boolean): number {
    return this.seen.filter(pred).length;
  }

  private serve(): void {
    const w = this.waiter;
    if (!w) return;
    while (this.cursor < this.seen.length) {
      const e = this.seen[this.cursor++]!;
      if (w.pred(e)) {
        this.waiter = null;
        w.resolve(e);
        return;
      }
    }
  }
}

/** A TCP server on loopback that records its connections and the lines each sends, and answers nothing unless told to. */
export async function tcpServer(onConnection: (s: net.Socket) => void = () => {}): Promise<{ server: net.Server; port: number; connections: Events<net.Socket>; lines(s: net.Socket): Events<string> }> {
  const connections = new Events<net.Socket>();
  const heard = new Map<net.Socket, Events<string>>();
  const server = net.createServer((s) => {
    s.on('error', () => {});
    const lines = new Events<string>();
    heard.set(s, lines);
    let text = '';
    // Always reading, so the server sees the other side's FIN (a paused socket with unread bytes never does).
    s.on('data', (b: Buffer) => {
      text += b.toString('latin1');
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n')) {
        lines.push(text.slice(0, i));
        text = text.slice(i + 1);
      }
    });
    connections.push(s);
    onConnection(s);
  });
  const port = await listen(server);
  return { server, port, connections, lines: (s) => heard.get(s)! };
}

/** Resolves when the socket is closed (either side). */
export function closed(s: net.Socket): Promise<void> {
  return s.closed ? Promise.resolve() : new Promise((r) => s.once('close', () => r()));
}

/** Lets pending I/O callbacks run: a few turns of the event loop (no timer). */
export async function turns(n = 5): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
}

/**
 * Resolves once /proc has no entry for `pid`: the process is not just dead but reaped (a zombie keeps its entry).
 * Polled by turns of the event loop on real file-system calls, never by a timer.
 */
export async function reaped(pid: number): Promise<void> {
  const gone = async (): Promise<void> => {
    for (;;) {
      try {
        await stat(`/proc/${pid}`);
      } catch {
        return;
      }
      await turns(1);
    }
  };
  return within(gone(), `process ${pid} to be reaped`);
}
