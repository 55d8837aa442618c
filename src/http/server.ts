// The HTTP listener for /metrics and the status page: node:http, a route table, upgrade hooks, a clean close.
import http from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST';
export type RouteHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;
/** Returns true when it took the socket (a WebSocket handshake for its path); false lets the next hook look. */
export type UpgradeHook = (req: http.IncomingMessage, socket: Duplex, head: Buffer) => boolean;

export interface HttpServerLogger {
  warn(obj: object, msg?: string): void;
}

export interface HttpServerOptions {
  address: string;
  /** 0: any free port (tests); `port` says which after listen(). */
  port: number;
  log: HttpServerLogger;
}

/** Read-only by design: what it serves is the daemon's state, and nothing on it changes that state. */
export class HttpServer {
  private readonly routes = new Map<string, RouteHandler>();
  private readonly upgrades: UpgradeHook[] = [];
  private readonly sockets = new Set<net.Socket>();
  private readonly server: http.Server;

  constructor(private readonly opts: HttpServerOptions) {
    this.server = http.createServer((req, res) => this.handle(req, res));
    // Each request is small; a client that trickles its headers is dropped instead of holding a socket.
    this.server.headersTimeout = 10_000;
    this.server.requestTimeout = 30_000;
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    this.server.on('upgrade', (req, socket, head) => {
      for (const hook of this.upgrades) if (hook(req, socket, head)) return;
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
  }

  /** `HEAD` is answered by the `GET` route of the same path (node:http sends no body for it). */
  route(method: HttpMethod, path: string, handler: RouteHandler): void {
    this.routes.set(`${method} ${path}`, handler);
  }

  onUpgrade(hook: UpgradeHook): void {
    this.upgrades.push(hook);
  }

  /** The bound port (the configured one, or the one chosen for port 0). */
  get port(): number {
    const a = this.server.address();
    return a !== null && typeof a === 'object' ? a.port : this.opts.port;
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (e: NodeJS.ErrnoException): void =>
        reject(new TsbgpError(TsbgpErrorCode.HTTP_LISTEN, `http: cannot listen on ${this.opts.address}:${this.opts.port}: ${e.code ?? e.message}`));
      this.server.once('error', onError);
      this.server.listen({ host: this.opts.address, port: this.opts.port }, () => {
        this.server.off('error', onError);
        this.server.on('error', (e) => this.opts.log.warn({ err: e.message }, 'http listener error'));
        resolve();
      });
    });
  }

  /** Stops accepting, ends every open connection (WebSockets included), resolves when the listener is closed. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      for (const s of this.sockets) s.destroy();
    });
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    const handler = this.routes.get(`${method} ${path}`);
    if (!handler) {
      const known = [...this.routes.keys()].some((k) => k.endsWith(` ${path}`));
      res.writeHead(known ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8' }).end(known ? 'method not allowed\n' : 'not found\n');
      return;
    }
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((e: unknown) => {
        this.opts.log.warn({ err: e instanceof Error ? e.message : String(e), path }, 'http handler failed');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('internal error\n');
      });
  }
}
