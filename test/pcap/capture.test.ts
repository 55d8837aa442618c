// The capture reader and TCP reassembly on synthetic captures: link types, byte orders, pcapng, reordering.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type CapturedPacket, CaptureError, readCapture } from '../../src/pcap/capture.js';
import { bgpMessages } from '../../src/pcap/bgp-streams.js';
import { parseTcp } from '../../src/pcap/tcp.js';
import { hex, message } from '../helpers/hex.js';

interface Seg {
  src?: [number[], number];
  dst?: [number[], number];
  seq: number;
  flags?: number;
  payload?: Uint8Array;
}

function ipv4Tcp(s: Seg): Uint8Array {
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

const LINK_HEADERS: Record<number, Uint8Array> = {
  1: new Uint8Array([0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 0x08, 0x00]), // Ethernet
  113: new Uint8Array([0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0x00]), // SLL
  276: new Uint8Array([0x08, 0x00, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0]), // SLL2
  101: new Uint8Array(0), // raw IP
};

function pcap(linkType: number, frames: Uint8Array[], littleEndian = true, nano = false): Uint8Array {
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
    const data = [...LINK_HEADERS[linkType]!, ...f];
    u32(1700000000 + i);
    u32(nano ? 500_000_000 : 500_000);
    u32(data.length);
    u32(data.length);
    parts.push(...data);
  });
  return new Uint8Array(parts);
}

function pcapng(frames: Uint8Array[]): Uint8Array {
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

const KA = message(4, '');
const UPD = message(2, '0000 0014 40010100 400206 0201 0000fde9 400304 0a0a0005 20 64400001');

const Capture = suite('readCapture');

Capture('link types Ethernet, SLL, SLL2 and raw IP, both byte orders, µs and ns', () => {
  for (const linkType of [1, 113, 276, 101]) {
    for (const le of [true, false]) {
      for (const nano of [false, true]) {
        const packets = readCapture(pcap(linkType, [ipv4Tcp({ seq: 1000, payload: KA })], le, nano));
        assert.is(packets.length, 1);
        assert.is(packets[0]!.linkType, linkType);
        assert.is(packets[0]!.time, 1700000000.5);
        const s = parseTcp(packets[0]!);
        assert.ok(s, `link type ${linkType}`);
        assert.is(s!.src, '127.0.0.1');
        assert.is(s!.dstPort, 179);
        assert.is(hex(s!.payload), hex(KA));
      }
    }
  }
});

Capture('pcapng with nanosecond interface resolution', () => {
  const packets = readCapture(pcapng([ipv4Tcp({ seq: 1, payload: KA }), ipv4Tcp({ seq: 20, payload: UPD })]));
  assert.equal(packets.map((p: CapturedPacket) => p.frame), [1, 2]);
  assert.is(packets[0]!.time, 1700000000.5);
  assert.equal(bgpMessages(packets).map((m) => (m.result.ok ? m.result.message.type : 'error')), ['KEEPALIVE', 'UPDATE']);
});

Capture('unreadable captures throw CaptureError naming the problem', () => {
  assert.throws(() => readCapture(new Uint8Array([1, 2, 3, 4, 5])), (e: unknown) => e instanceof CaptureError && /unknown magic/.test((e as Error).message));
  const good = pcap(1, [ipv4Tcp({ seq: 1, payload: KA })]);
  assert.throws(() => readCapture(good.subarray(0, good.length - 3)), (e: unknown) => e instanceof CaptureError && /truncated/.test((e as Error).message));
});

Capture.run();

const Reassembly = suite('TCP reassembly');

Reassembly('a message across segments, several per segment, out of order and retransmitted', () => {
  const stream = new Uint8Array([...UPD, ...KA, ...KA]);
  const isn = 0xfffffff0; // sequence numbers wrap around during the stream
  const at = (off: number) => (isn + 1 + off) >>> 0;
  const frames = [
    ipv4Tcp({ seq: isn, flags: 0x02 }), // SYN
    ipv4Tcp({ seq: at(0), payload: stream.subarray(0, 30) }),
    ipv4Tcp({ seq: at(50), payload: stream.subarray(50) }), // ahead of a gap
    ipv4Tcp({ seq: at(0), payload: stream.subarray(0, 30) }), // retransmission
    ipv4Tcp({ seq: at(20), payload: stream.subarray(20, 50) }), // fills the gap, overlapping
  ];
  const msgs = bgpMessages(readCapture(pcap(1, frames)));
  assert.equal(msgs.map((m) => hex(m.bytes)), [hex(UPD), hex(KA), hex(KA)]);
  assert.equal(msgs.map((m) => m.frame), [5, 5, 5]);
  assert.ok(msgs.every((m) => m.result.ok));
});

Reassembly('a stream that is not BGP is ignored; a BGP stream that breaks reports the header error', () => {
  const http = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  const broken = new Uint8Array([...KA, ...new Uint8Array(19)]);
  const msgs = bgpMessages(
    readCapture(
      pcap(1, [
        ipv4Tcp({ seq: 1, src: [[127, 0, 0, 1], 5000], dst: [[127, 0, 0, 2], 80], payload: http }),
        ipv4Tcp({ seq: 1, payload: broken }),
      ]),
    ),
  );
  assert.is(msgs.length, 2);
  assert.ok(msgs[0]!.result.ok);
  const second = msgs[1]!.result;
  assert.ok(!second.ok && second.error.code === 1 && second.error.subcode === 1);
});

Reassembly.run();
