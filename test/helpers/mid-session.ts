// Captures as if started mid-session: a real capture with each TCP direction's SYN and OPENs cut out.
import type { CapturedPacket } from '../../src/pcap/capture.js';
import { parseTcp } from '../../src/pcap/tcp.js';

/**
 * Drop every packet of a TCP direction until the first one whose payload starts a BGP message
 * other than OPEN (so the cut falls on a message boundary); SYNs and empty segments go too.
 */
export function withoutOpens(packets: readonly CapturedPacket[]): CapturedPacket[] {
  const started = new Set<string>();
  return packets.filter((p) => {
    const s = parseTcp(p);
    if (!s) return false;
    const dir = `${s.src} ${s.srcPort} ${s.dst} ${s.dstPort}`;
    if (started.has(dir)) return true;
    const b = s.payload;
    if (s.syn || b.length < 19 || !b.subarray(0, 16).every((x) => x === 0xff) || b[18] === 1) return false;
    started.add(dir);
    return true;
  });
}

/** A little-endian, microsecond pcap of the packets (all of one link type). */
export function writePcap(packets: readonly CapturedPacket[]): Uint8Array {
  const size = 24 + packets.reduce((n, p) => n + 16 + p.data.length, 0);
  const b = new Uint8Array(size);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 262144, true);
  v.setUint32(20, packets[0]?.linkType ?? 1, true);
  let pos = 24;
  for (const p of packets) {
    const seconds = Math.floor(p.time);
    v.setUint32(pos, seconds, true);
    v.setUint32(pos + 4, Math.round((p.time - seconds) * 1e6), true);
    v.setUint32(pos + 8, p.data.length, true);
    v.setUint32(pos + 12, p.data.length, true);
    b.set(p.data, pos + 16);
    pos += 16 + p.data.length;
  }
  return b;
}
