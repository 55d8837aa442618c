// The read-only status page: GET / (one self-contained HTML page) and its WebSocket /events (snapshot, then live events).
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { NeighborInfo, SpeakerControl, SpeakerEvent, VipInfo } from '../control/types.js';
import { PAGE_HTML } from './page/page.js';

/** What the page needs of the HTTP listener (src/http/server.ts's HttpServer gives it; so does nodeHttpHost). */
export interface WebHost {
  route(method: string, path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  /** `handler` answers true when it took the upgrade request (then nobody else may touch the socket). */
  onUpgrade(handler: (req: IncomingMessage, socket: Duplex, head: Buffer) => boolean): void;
}

export type WebSpeaker = Pick<SpeakerControl, 'neighbors' | 'vips' | 'subscribe'>;

/** What one browser is sent, as JSON text frames. */
export type WebMessage =
  | { type: 'snapshot'; at: string; neighbors: NeighborInfo[]; vips: VipInfo[] }
  /** The read model again (once a second, only when it changed): counters, checks, a move's confirmation. */
  | { type: 'neighbors'; neighbors: NeighborInfo[] }
  | { type: 'vips'; vips: VipInfo[] }
  | { type: 'event'; event: SpeakerEvent }
  /** `count` events were not sent to this browser because it did not read them in time. */
  | { type: 'dropped'; count: number };

export interface WebOptions {
  /** Above this many bytes waiting to go to one browser, its events are dropped (and it is told). Default 1 MiB. */
  maxBufferedBytes?: number;
  /** Between two refreshes of the read model. Default 1000 ms. */
  refreshMs?: number;
}

export interface WebHandle {
  /** Browsers connected now. */
  clients(): number;
  /** Events dropped so far, over all browsers. */
  dropped(): number;
  /** Close every browser's WebSocket and stop listening to the speaker. */
  close(): void;
}

const DEFAULT_MAX_BUFFERED_BYTES = 1024 * 1024;
const DEFAULT_REFRESH_MS = 1000;
/** Browsers send nothing but pongs and closes. */
const MAX_INBOUND_BYTES = 1024;

interface Client {
  ws: WebSocket;
  /** Dropped since the last notice sent to this browser. */
  unreported: number;
}

/** Serve the page and its WebSocket on `host`; events reach browsers only, never wait on them. */
export function attachWeb(host: WebHost, speaker: WebSpeaker, opts: WebOptions = {}): WebHandle {
  const maxBufferedBytes = opts.maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
  const refreshMs = opts.refreshMs ?? DEFAULT_REFRESH_MS;
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_INBOUND_BYTES, perMessageDeflate: false });
  const clients = new Set<Client>();
  let droppedTotal = 0;
  let unsubscribe: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  let lastNeighbors = '';
  let lastVips = '';

  // A slow browser is dropped from, not waited for: ws buffers in memory, so bound it here.
  const send = (c: Client, text: string): void => {
    if (c.ws.readyState !== c.ws.OPEN) return;
    if (c.ws.bufferedAmount > maxBufferedBytes) {
      c.unreported++;
      droppedTotal++;
      return;
    }
    if (c.unreported > 0) {
      c.ws.send(JSON.stringify({ type: 'dropped', count: c.unreported } satisfies WebMessage));
      c.unreported = 0;
    }
    c.ws.send(text);
  };
  const broadcast = (m: WebMessage): void => {
    const text = JSON.stringify(m);
    for (const c of clients) send(c, text);
  };

  const refresh = (): void => {
    const n = JSON.stringify(speaker.neighbors());
    if (n !== lastNeighbors) {
      lastNeighbors = n;
      broadcast({ type: 'neighbors', neighbors: JSON.parse(n) as NeighborInfo[] });
    }
    const v = JSON.stringify(speaker.vips());
    if (v !== lastVips) {
      lastVips = v;
      broadcast({ type: 'vips', vips: JSON.parse(v) as VipInfo[] });
    }
  };

  // The speaker is listened to only while a browser is connected: no cost otherwise.
  const firstClient = (): void => {
    unsubscribe = speaker.subscribe((event) => broadcast({ type: 'event', event }));
    timer = setInterval(refresh, refreshMs);
    timer.unref();
  };
  const lastClientGone = (): void => {
    unsubscribe?.();
    unsubscribe = undefined;
    if (timer) clearInterval(timer);
    timer = undefined;
    lastNeighbors = lastVips = '';
  };

  wss.on('connection', (ws: WebSocket) => {
    const c: Client = { ws, unreported: 0 };
    if (clients.size === 0) firstClient();
    clients.add(c);
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      clients.delete(c);
      if (clients.size === 0) lastClientGone();
    });
    const neighbors = speaker.neighbors();
    const vips = speaker.vips();
    send(c, JSON.stringify({ type: 'snapshot', at: new Date().toISOString(), neighbors, vips } satisfies WebMessage));
  });

  host.route('GET', '/', (_req, res) => {
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      // Everything is inline; the page talks only to its own origin.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; img-src data:",
    });
    res.end(PAGE_HTML);
  });

  host.onUpgrade((req, socket, head) => {
    if (pathOf(req) !== '/events') return false;
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    return true;
  });

  return {
    clients: () => clients.size,
    dropped: () => droppedTotal,
    close: () => {
      for (const c of clients) c.ws.terminate();
      clients.clear();
      lastClientGone();
      wss.close();
    },
  };
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/**
 * A WebHost over a bare node:http server (tests, and until the shared HttpServer is wired): routes by
 * method and path, 404 otherwise; an upgrade nobody takes is refused.
 */
export function nodeHttpHost(server: Server): WebHost {
  const routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();
  const upgrades: ((req: IncomingMessage, socket: Duplex, head: Buffer) => boolean)[] = [];
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const handler = routes.get(`${req.method ?? 'GET'} ${pathOf(req)}`);
    if (handler) return handler(req, res);
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (upgrades.some((h) => h(req, socket, head))) return;
    socket.end('HTTP/1.1 404 Not Found\r\nconnection: close\r\n\r\n');
  });
  return {
    route: (method, path, handler) => void routes.set(`${method} ${path}`, handler),
    onUpgrade: (handler) => void upgrades.push(handler),
  };
}
