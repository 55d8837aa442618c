// Synthetic captures for tests: IPv4/TCP segments wrapped in pcap or pcapng with a chosen link type.

export interface Seg {
  src?: [number[], number];
  dst?: [number[], number];
  seq: number;
  flags?: number;
  payload?: Uint8Array;
}

export function ipv4Tcp(s: Seg): Uint8Array {
  const payload = s.payload ?? new Uint8Array(0);
  const [srcIp, srcPort] = s.src ?? [[127, 0, 0, 1], 40000];
  const [dstIp, dstPort] = s.dst ?? [[127, 0, 0, 2], 179];
  const b = new Uint8Array(20 + 20 + payload.length);
  const v = new DataView(b.buffer);
  b[0] = 0x45;
  v.setUint16(2, b.length);
  b[8] = 64;
  b[9] = 6;
  b.set(srcIp, 12);
  b.set(dstIp, 16);
  v.setUint16(20, srcPort);
  v.setUint16(22, dstPort);
  v.setUint32(24, s.seq >>> 0);
  b[32] = 5 << 4;
  b[33] = s.flags ?? 0x18;
  b.set(payload, 40);
  return b;
}

/** The same segment over IPv6 (::1 -> ::2 unless given 16-octet addresses). */
export function ipv6Tcp(s: Seg): Uint8Array {
  const v4 = ipv4Tcp(s);
  const tcp = v4.subarray(20);
  const b = new Uint8Array(40 + tcp.length);
  const v = new DataView(b.buffer);
  b[0] = 0x60;
  v.setUint16(4, tcp.length);
  b[6] = 6;
  b[7] = 64;
  b.set(s.src && s.src[0].length === 16 ? s.src[0] : [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 8);
  b.set(s.dst && s.dst[0].length === 16 ? s.dst[0] : [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2], 24);
  b.set(tcp, 40);
  return b;
}

export const LINK_HEADERS: Record<number, Uint8Array> = {
  1: new Uint8Array([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0x08, 0x00]), // Ethernet
  113: new Uint8Array([0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00]), // SLL
  276: new Uint8Array([0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0]), // SLL2
  101: new Uint8Array(0), // raw IP
};

/** A pcap file; each frame gets `header` (by default the usual one of the link type) in front. */
export function pcap(linkType: number, frames: Uint8Array[], littleEndian = true, nano = false, header: Uint8Array = LINK_HEADERS[linkType] ?? new Uint8Array(0)): Uint8Array {
  const parts: number[] = [];
  const u32 = (n: number): void => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, n, littleEndian);
    parts.push(...b);
  };
  const u16 = (n: number): void => {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, n, littleEndian);
    parts.push(...b);
  };
  u32(nano ? 0xa1b23c4d : 0xa1b2c3d4);
  u16(2);
  u16(4);
  u32(0);
  u32(0);
  u32(65535);
  u32(linkType);
  frames.forEach((f, i) => {
    const data = [...header, ...f];
    u32(1700000000 + i);
    u32(nano ? 500_000_000 : 500_000);
    u32(data.length);
    u32(data.length);
    parts.push(...data);
  });
  return new Uint8Array(parts);
}

export function pcapng(frames: Uint8Array[]): Uint8Array {
  const blocks: number[] = [];
  const block = (type: number, body: number[]): void => {
    while (body.length % 4) body.push(0);
    const len = body.length + 12;
    const b = new Uint8Array(len);
    const v = new DataView(b.buffer);
    v.setUint32(0, type, true);
    v.setUint32(4, len, true);
    b.set(body, 8);
    v.setUint32(len - 4, len, true);
    blocks.push(...b);
  };
  const le32 = (n: number): number[] => [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24];
  const le16 = (n: number): number[] => [n & 255, n >>> 8];
  block(0x0a0d0d0a, [...le32(0x1a2b3c4d), ...le16(1), ...le16(0), ...le32(0xffffffff), ...le32(0xffffffff)]);
  // Interface: Ethernet, if_tsresol = 9 (nanoseconds).
  block(1, [...le16(1), 0, 0, ...le32(65535), ...le16(9), ...le16(1), 9, 0, 0, 0, 0, 0, 0, 0]);
  for (const f of frames) {
    const data = [...LINK_HEADERS[1]!, ...f];
    const ts = 1_700_000_000_500_000_000n;
    block(6, [...le32(0), ...le32(Number(ts >> 32n)), ...le32(Number(ts & 0xffffffffn)), ...le32(data.length), ...le32(data.length), ...data]);
  }
  return new Uint8Array(blocks);
}

