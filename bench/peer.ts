// A BGP peer for benchmarks: listens on loopback, keeps its session alive, counts what arrives from the wire bytes, sends pre-encoded bytes with back-pressure.
import net from 'node:net';
import { DEFAULT_NEGOTIATED, encodeMessage, makeOpen } from '../src/bgp/messages/index.js';
import { nowMs } from './harness.js';

const KEEPALIVE_BYTES = Buffer.from('ffffffffffffffffffffffffffffffff001304', 'hex');
const OPEN = 1;
const UPDATE = 2;
const NOTIFICATION = 3;
const KEEPALIVE = 4;

/** Prefixes in an IPv4 NLRI field (RFC 4271 §4.3): one octet of length, then ceil(len/8) octets. */
function countPrefixes(b: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i += 1 + ((b[i]! + 7) >> 3)) n++;
  return n;
}

/**
 * One passive BGP speaker on an address of its own. Counts are taken from the wire (no decoder on
 * the receive path, so the codec under test is not also the judge); UPDATE timestamps are kept.
 * It sends a KEEPALIVE every hold/3 s and records the longest silence of the speaker under test.
 */
export class BenchPeer {
  private server: net.Server | undefined;
  socket: net.Socket | undefined;
  private buf: Buffer = Buffer.alloc(0);
  private keepalive: NodeJS.Timeout | undefined;
  private readonly open: Uint8Array;

  /** Connections accepted (more than one: the session was reset). */
  connections = 0;
  /** hrtime ms of the KEEPALIVE that confirmed our OPEN (Established), per connection; the last. */
  establishedAt: number | undefined;
  updates = 0;
  /** UPDATEs with NLRI or withdrawals (End-of-RIB excluded). */
  routeUpdates = 0;
  announced = 0;
  withdrawn = 0;
  /** The speaker's End-of-RIB on the current connection. */
  endOfRibAt: number | undefined;
  /** hrtime ms of the last UPDATE that carried routes. */
  lastUpdateAt: number | undefined;
  /** When `announced` first reached `target` (see expect()). */
  targetAt: number | undefined;
  private target = Infinity;
  notifications: { code: number; subcode: number; at: number }[] = [];
  closedAt: number | undefined;
  /** Longest time between two messages from the speaker while Established, ms. */
  maxSilence = 0;
  private lastHeard: number | undefined;
  /** Called with each UPDATE's arrival time and its counts. */
  onUpdate: ((at: number, announced: number, withdrawn: number) => void) | undefined;

  constructor(readonly o: { asn: number; bgpId: string; holdTime: number; name: string }) {
    this.open = encodeMessage(
      makeOpen({
        asn: o.asn,
        holdTime: o.holdTime,
        bgpId: o.bgpId,
        capabilities: [{ type: 'MULTIPROTOCOL', afi: 1, safi: 1 }, { type: 'ROUTE_REFRESH' }],
      }),
      DEFAULT_NEGOTIATED,
    );
  }

  listen(host: string, port = 0): Promise<number> {
    const server = net.createServer((s) => this.attach(s));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host, port }, () => resolve((server.address() as net.AddressInfo).port));
    });
  }

  /** Note when `announced` reaches `n` (counted from now). */
  expect(n: number): void {
    this.target = n;
    this.targetAt = this.announced >= n ? nowMs() : undefined;
  }

  get established(): boolean {
    return this.establishedAt !== undefined && this.closedAt === undefined;
  }

  private attach(s: net.Socket): void {
    if (this.socket && !this.socket.destroyed) {
      s.destroy(); // one session at a time
      return;
    }
    this.socket = s;
    this.connections++;
    this.buf = Buffer.alloc(0);
    this.establishedAt = undefined;
    this.closedAt = undefined;
    this.lastHeard = undefined;
    this.endOfRibAt = undefined;
    s.setNoDelay(true);
    s.on('error', () => {});
    s.on('close', () => {
      this.closedAt = nowMs();
      clearInterval(this.keepalive);
    });
    s.write(this.open);
    s.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  private onData(chunk: Buffer): void {
    const at = nowMs();
    if (this.establishedAt !== undefined && this.lastHeard !== undefined) this.maxSilence = Math.max(this.maxSilence, at - this.lastHeard);
    this.lastHeard = at;
    let b = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    let pos = 0;
    while (b.length - pos >= 19) {
      const len = b.readUInt16BE(pos + 16);
      if (b.length - pos < len) break;
      this.message(b, pos, len, at);
      pos += len;
    }
    this.buf = pos < b.length ? Buffer.from(b.subarray(pos)) : Buffer.alloc(0);
    b = this.buf;
  }

  private message(b: Buffer, pos: number, len: number, at: number): void {
    const type = b[pos + 18];
    if (type === OPEN) {
      this.socket!.write(KEEPALIVE_BYTES);
    } else if (type === KEEPALIVE) {
      if (this.establishedAt === undefined) {
        this.establishedAt = at;
        const every = Math.max(1, Math.floor(this.o.holdTime / 3)) * 1000;
        this.keepalive = setInterval(() => this.socket?.write(KEEPALIVE_BYTES), every);
      }
    } else if (type === UPDATE) {
      this.updates++;
      const wl = b.readUInt16BE(pos + 19);
      const al = b.readUInt16BE(pos + 21 + wl);
      const w = countPrefixes(b, pos + 21, pos + 21 + wl);
      const a = countPrefixes(b, pos + 23 + wl + al, pos + len);
      if (wl === 0 && al === 0 && a === 0) {
        this.endOfRibAt ??= at;
        return;
      }
      this.routeUpdates++;
      this.announced += a;
      this.withdrawn += w;
      this.lastUpdateAt = at;
      if (this.targetAt === undefined && this.announced >= this.target) this.targetAt = at;
      this.onUpdate?.(at, a, w);
    } else if (type === NOTIFICATION) {
      this.notifications.push({ code: b[pos + 19]!, subcode: b[pos + 20]!, at });
    }
  }

  /** Forget the counts (not the session). */
  resetCounts(): void {
    this.updates = this.routeUpdates = this.announced = this.withdrawn = 0;
    this.lastUpdateAt = this.targetAt = undefined;
    this.maxSilence = 0;
    this.target = Infinity;
  }

  /** Write bytes, waiting for the socket to drain when the kernel buffer is full. */
  async send(bytes: Uint8Array): Promise<void> {
    const s = this.socket;
    if (!s || s.destroyed) throw new Error(`${this.o.name}: no session`);
    if (!s.write(bytes)) await new Promise<void>((resolve) => {
      const done = (): void => {
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
    });
  }

  /** Leave: close the session (no NOTIFICATION: a peer that goes away) and stop listening. */
  close(): Promise<void> {
    clearInterval(this.keepalive);
    this.socket?.destroy();
    const server = this.server;
    this.server = undefined;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}
