// A scripted BGP peer over a real socket, built on our codec: it records every message it receives.
import net from 'node:net';
import {
  type BgpMessage,
  type Capability,
  DEFAULT_NEGOTIATED,
  Framer,
  KEEPALIVE,
  type Negotiated,
  type OpenMessage,
  decodeMessage,
  encodeMessage,
  makeOpen,
  negotiate,
} from '../../src/bgp/messages/index.js';

export interface Received {
  at: bigint;
  message: BgpMessage;
  bytes: Uint8Array;
}

/** Listens on an address, accepts one speaker, completes the OPEN exchange and records what arrives. */
export class RawPeer {
  readonly received: Received[] = [];
  private server: net.Server | undefined;
  socket: net.Socket | undefined;
  private framer = new Framer();
  private ctx: Negotiated = DEFAULT_NEGOTIATED;
  private sendCtx: Negotiated = DEFAULT_NEGOTIATED;
  readonly open: OpenMessage;
  /** Connections the speaker closed (FIN or reset), counted when each closes. */
  closes = 0;
  /** Called for each message as it arrives (benchmarks timestamp here). */
  onMessage: ((r: Received) => void) | undefined;

  /** `capabilities`: more to advertise after the usual ones (e.g. GRACEFUL_RESTART). */
  constructor(o: { asn: number; bgpId: string; holdTime?: number; enhancedRouteRefresh?: boolean; capabilities?: Capability[] }) {
    this.open = makeOpen({
      asn: o.asn,
      holdTime: o.holdTime ?? 180,
      bgpId: o.bgpId,
      capabilities: [
        { type: 'MULTIPROTOCOL', afi: 1, safi: 1 },
        { type: 'ROUTE_REFRESH' },
        ...(o.enhancedRouteRefresh ? [{ type: 'ENHANCED_ROUTE_REFRESH' as const }] : []),
        ...(o.capabilities ?? []),
      ],
    });
  }

  listen(host: string, port = 0): Promise<number> {
    const server = net.createServer((s) => this.attach(s));
    this.server = server;
    return new Promise((resolve) => server.listen({ host, port }, () => resolve((server.address() as net.AddressInfo).port)));
  }

  private attach(s: net.Socket): void {
    // Each connection starts clean: its own framer and the context before any OPEN.
    this.socket = s;
    this.framer = new Framer();
    this.ctx = DEFAULT_NEGOTIATED;
    this.sendCtx = DEFAULT_NEGOTIATED;
    s.setNoDelay(true);
    s.on('error', () => {});
    s.on('close', () => this.closes++);
    s.write(encodeMessage(this.open, DEFAULT_NEGOTIATED));
    s.on('data', (chunk: Buffer) => {
      const at = process.hrtime.bigint();
      this.framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
      for (let b = this.framer.next(); b; b = this.framer.next()) {
        const bytes = b.slice();
        const message = decodeMessage(bytes, this.ctx);
        if (message.type === 'OPEN') {
          this.ctx = negotiate(message, this.open);
          this.sendCtx = negotiate(this.open, message);
          s.write(encodeMessage(KEEPALIVE, DEFAULT_NEGOTIATED));
        }
        const r = { at, message, bytes };
        this.received.push(r);
        this.onMessage?.(r);
      }
    });
  }

  send(m: BgpMessage): void {
    this.socket?.write(encodeMessage(m, this.sendCtx));
  }

  /** Messages of one type received so far. */
  ofType<T extends BgpMessage['type']>(type: T): Extract<BgpMessage, { type: T }>[] {
    return this.received.map((r) => r.message).filter((m): m is Extract<BgpMessage, { type: T }> => m.type === type);
  }

  close(): Promise<void> {
    this.socket?.destroy();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
