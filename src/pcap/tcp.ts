// Link layer -> IPv4/IPv6 -> TCP segments, and per-direction TCP stream reassembly.
import { formatIpv4, formatIpv6 } from '../bgp/messages/nlri.js';
import { type CapturedPacket, CaptureError } from './capture.js';

export interface TcpSegment {
  frame: number;
  time: number;
  src: string;
  srcPort: number;
  dst: string;
  dstPort: number;
  seq: number;
  syn: boolean;
  fin: boolean;
  rst: boolean;
  payload: Uint8Array;
}

/** Link types we read (LINKTYPE_* numbers of the tcpdump.org registry) and their names. */
export const LINK_TYPES: Readonly<Record<number, string>> = {
  0: 'NULL (BSD loopback)',
  1: 'ETHERNET',
  12: 'RAW (IP, OpenBSD numbering)',
  101: 'RAW (IP)',
  108: 'LOOP (OpenBSD loopback)',
  113: 'LINUX_SLL (Linux cooked v1)',
  228: 'IPV4',
  229: 'IPV6',
  276: 'LINUX_SLL2 (Linux cooked v2)',
};

/** Names of link types we do not read, for the error message. */
const OTHER_LINK_TYPES: Readonly<Record<number, string>> = {
  6: 'IEEE802_5 (Token Ring)',
  9: 'PPP',
  10: 'FDDI',
  50: 'PPP_HDLC',
  104: 'C_HDLC',
  105: 'IEEE802_11 (Wi-Fi)',
  109: 'ENC (OpenBSD IPsec)',
  119: 'PRISM_HEADER',
  127: 'IEEE802_11_RADIOTAP',
  147: 'USER0',
  192: 'PPI',
  195: 'IEEE802_15_4',
  220: 'USB_LINUX_MMAPPED',
  249: 'NETLINK',
  253: 'NFLOG',
  263: 'PKTAP',
};

export function linkTypeName(linkType: number): string {
  return LINK_TYPES[linkType] ?? OTHER_LINK_TYPES[linkType] ?? 'unknown';
}

const ETHERTYPE_IPV4 = 0x0800;
const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = [0x8100, 0x88a8, 0x9100]; // 802.1Q, 802.1ad (QinQ), the older QinQ tag
const ETHERTYPE_MPLS = [0x8847, 0x8848]; // unicast, multicast
/** Bound on stacked VLAN tags and MPLS labels, so a malformed frame cannot loop long. */
const MAX_STACKED = 16;

/**
 * Offset of the IP header behind the EtherType at `typeAt` whose payload starts at `payloadAt`:
 * through any 802.1Q/QinQ tags and MPLS label stack (RFC 3032: the S bit marks the last label; the
 * IP version nibble says what the stack carries). Undefined when it carries no IP.
 */
function afterEtherType(d: Uint8Array, typeAt: number, payloadAt: number): number | undefined {
  const u16 = (at: number): number => (d[at]! << 8) | d[at + 1]!;
  let etherType = u16(typeAt);
  let pos = payloadAt;
  for (let i = 0; i < MAX_STACKED && ETHERTYPE_VLAN.includes(etherType); i++) {
    etherType = u16(pos + 2); // a tag is 2 octets of priority and VLAN id, then the next EtherType
    pos += 4;
  }
  if (etherType === ETHERTYPE_IPV4 || etherType === ETHERTYPE_IPV6) return pos;
  if (!ETHERTYPE_MPLS.includes(etherType)) return undefined;
  for (let i = 0; i < MAX_STACKED && pos + 4 <= d.length; i++, pos += 4) {
    if ((d[pos + 2]! & 0x01) === 0) continue; // not the bottom of the stack
    const version = (d[pos + 4] ?? 0) >> 4;
    return version === 4 || version === 6 ? pos + 4 : undefined;
  }
  return undefined;
}

/** Offset of the IP header in a link-layer frame, or undefined if it carries no IP. */
function ipStart(linkType: number, d: Uint8Array): number | undefined {
  switch (linkType) {
    case 0: // BSD loopback: 4-octet address family in host order
    case 108: // OpenBSD loopback: the same in network order
      return 4;
    case 1: // Ethernet: destination, source, EtherType
      return afterEtherType(d, 12, 14);
    case 12:
    case 101:
    case 228:
    case 229:
      return 0;
    case 113: // Linux cooked v1: protocol (EtherType) at 14, payload at 16
      return afterEtherType(d, 14, 16);
    case 276: // Linux cooked v2: protocol at 0, 20-octet header
      return afterEtherType(d, 0, 20);
    default:
      throw new CaptureError(`link type ${linkType} (${linkTypeName(linkType)}) is not supported: expected one of ${Object.entries(LINK_TYPES).map(([n, name]) => `${n} ${name}`).join(', ')}`);
  }
}

/** The TCP segment in a captured packet, or undefined when it holds something else. */
export function parseTcp(p: CapturedPacket): TcpSegment | undefined {
  const d = p.data;
  const ip = ipStart(p.linkType, d);
  if (ip === undefined || ip >= d.length) return undefined;
  const version = d[ip]! >> 4;
  let tcp: number;
  let end: number;
  let src: string;
  let dst: string;
  if (version === 4) {
    const ihl = (d[ip]! & 0x0f) * 4;
    const total = (d[ip + 2]! << 8) | d[ip + 3]!;
    const fragment = ((d[ip + 6]! & 0x1f) << 8) | d[ip + 7]!;
    if (d[ip + 9] !== 6 || fragment !== 0 || ip + 20 > d.length) return undefined;
    src = formatIpv4(d, ip + 12);
    dst = formatIpv4(d, ip + 16);
    tcp = ip + ihl;
    end = Math.min(ip + total, d.length); // the IP length, not the frame: Ethernet pads short frames
  } else if (version === 6) {
    if (ip + 40 > d.length) return undefined;
    let next = d[ip + 6]!;
    const payloadLen = (d[ip + 4]! << 8) | d[ip + 5]!;
    src = formatIpv6(d, ip + 8);
    dst = formatIpv6(d, ip + 24);
    tcp = ip + 40;
    end = Math.min(ip + 40 + payloadLen, d.length);
    // Skip hop-by-hop, routing and destination options headers.
    while ((next === 0 || next === 43 || next === 60) && tcp + 2 <= end) {
      next = d[tcp]!;
      tcp += (d[tcp + 1]! + 1) * 8;
    }
    if (next !== 6) return undefined;
  } else {
    return undefined;
  }
  if (tcp + 20 > end) return undefined;
  const dataOffset = (d[tcp + 12]! >> 4) * 4;
  const flags = d[tcp + 13]!;
  const view = new DataView(d.buffer, d.byteOffset, d.byteLength);
  return {
    frame: p.frame,
    time: p.time,
    src,
    srcPort: (d[tcp]! << 8) | d[tcp + 1]!,
    dst,
    dstPort: (d[tcp + 2]! << 8) | d[tcp + 3]!,
    seq: view.getUint32(tcp + 4),
    syn: (flags & 0x02) !== 0,
    fin: (flags & 0x01) !== 0,
    rst: (flags & 0x04) !== 0,
    payload: d.subarray(Math.min(tcp + dataOffset, end), end),
  };
}

/** What a direction delivers: in-order bytes, or a hole in the stream that will never be filled. */
export type StreamEvent =
  | { kind: 'data'; frame: number; time: number; /** Stream offset of the first octet (0 = first data octet). */ offset: number; bytes: Uint8Array }
  | { kind: 'gap'; frame: number; time: number; offset: number; /** Octets missing. */ missing: number };

/** Segments held ahead of a gap before the gap is declared lost (bounds memory on a lossy capture). */
const MAX_PENDING_SEGMENTS = 256;

/** One direction of a TCP connection, delivering bytes in sequence order. */
export class TcpDirection {
  private next: number | undefined;
  /** Sequence number of stream offset 0: ISN+1 after a SYN, else the first data seen. */
  private base = 0;
  /** A SYN was seen, so offset 0 is the real start of the stream. */
  synSeen = false;
  /** Segments that arrived ahead of a gap, by the sequence number of their first data octet. */
  private pending = new Map<number, { frame: number; time: number; payload: Uint8Array }>();

  /**
   * Add a segment; returns the in-order chunks it makes deliverable, all attributed to this
   * segment's frame (the one that completed them). Retransmitted bytes are dropped. Data on a SYN
   * starts at ISN+1: the SYN itself occupies the ISN (RFC 9293 §3.4). A FIN or RST with data
   * still missing declares the gap: what follows it is delivered after a 'gap' event.
   */
  add(s: TcpSegment): StreamEvent[] {
    let dataSeq = s.seq;
    if (s.syn) {
      dataSeq = (s.seq + 1) >>> 0;
      if (!this.synSeen || this.next !== dataSeq) {
        this.next = dataSeq;
        this.base = dataSeq;
        this.pending.clear();
      }
      this.synSeen = true;
    }
    const out: StreamEvent[] = [];
    if (s.payload.length > 0) {
      if (this.next === undefined) {
        this.next = dataSeq; // capture began mid-connection
        this.base = dataSeq;
      }
      this.pending.set(dataSeq, { frame: s.frame, time: s.time, payload: s.payload });
      this.deliver(s, out);
    }
    if (this.pending.size > 0 && (s.fin || s.rst || this.pending.size > MAX_PENDING_SEGMENTS)) out.push(...this.flush(s.frame, s.time));
    if (s.fin && this.next !== undefined && this.pending.size === 0) {
      // The FIN sits right after the last data octet: anything between is lost.
      const missing = ((dataSeq + s.payload.length) - this.next) | 0;
      if (missing > 0) {
        out.push({ kind: 'gap', frame: s.frame, time: s.time, offset: this.offset(), missing });
        this.next = (this.next + missing) >>> 0;
      }
    }
    return out;
  }

  /** Declare every hole lost and deliver what is held beyond it (end of capture, FIN, RST). */
  flush(frame: number, time: number): StreamEvent[] {
    const out: StreamEvent[] = [];
    while (this.pending.size > 0) {
      let nearest = Infinity;
      for (const seq of this.pending.keys()) nearest = Math.min(nearest, (seq - this.next!) | 0);
      if (nearest > 0) {
        out.push({ kind: 'gap', frame, time, offset: this.offset(), missing: nearest });
        this.next = (this.next! + nearest) >>> 0;
      }
      this.deliver({ frame, time }, out);
    }
    return out;
  }

  private offset(): number {
    return (this.next! - this.base) >>> 0;
  }

  private deliver(by: { frame: number; time: number }, out: StreamEvent[]): void {
    for (let progress = true; progress; ) {
      progress = false;
      for (const [seq, seg] of this.pending) {
        const ahead: number = (seq - this.next!) | 0; // 32-bit sequence arithmetic
        if (ahead > 0) continue;
        this.pending.delete(seq);
        const skip: number = -ahead;
        if (skip < seg.payload.length) {
          out.push({ kind: 'data', frame: by.frame, time: by.time, offset: this.offset(), bytes: seg.payload.subarray(skip) });
          this.next = (this.next! + seg.payload.length - skip) >>> 0;
          progress = true;
        }
      }
    }
  }
}
