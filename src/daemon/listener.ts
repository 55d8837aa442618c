// The BGP listener: accepts TCP connections and hands each to its configured neighbor, or closes it.
import net from 'node:net';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';

export interface ListenerLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** IPv4-mapped IPv6 (::ffff:a.b.c.d) as the plain IPv4 address, as configured. */
export function plainAddress(a: string | undefined): string {
  return a?.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : (a ?? '');
}

/** Who takes an incoming connection; returns why it was refused, or undefined when taken. */
export type Accept = (socket: net.Socket, remote: string, local: string) => string | undefined;

export class BgpListener {
  private server: net.Server | undefined;

  constructor(private readonly log: ListenerLogger) {}

  /** The address bound (tests listen on port 0). */
  get address(): net.AddressInfo | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a : undefined;
  }

  listen(address: string, port: number, accept: Accept): Promise<void> {
    const server = net.createServer((socket) => {
      socket.on('error', () => {});
      const remote = plainAddress(socket.remoteAddress);
      const why = accept(socket, remote, plainAddress(socket.localAddress));
      if (why !== undefined) {
        this.log.warn({ remote, port: socket.remotePort, local: socket.localAddress }, `connection refused: ${why}`);
        socket.destroy();
      }
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new TsbgpError(TsbgpErrorCode.CONFIG, `cannot listen on ${address}:${port}: ${err.code === 'EACCES' ? 'permission denied (port < 1024 needs root or CAP_NET_BIND_SERVICE)' : err.message}`)),
      );
      server.listen({ host: address, port }, () => {
        server.removeAllListeners('error');
        server.on('error', (err) => this.log.error({ err: err.message }, 'BGP listener error'));
        this.log.info({ address, port: this.address?.port }, 'listening for BGP connections');
        resolve();
      });
    });
  }

  close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    return new Promise((resolve) => (s ? s.close(() => resolve()) : resolve()));
  }
}
