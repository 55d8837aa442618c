// The capture reader and TCP reassembly on synthetic captures: link types, byte orders, pcapng, reordering.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type CapturedPacket, CaptureError, readCapture } from '../../src/pcap/capture.js';
import { bgpCapture, bgpMessages } from '../../src/pcap/bgp-streams.js';
import { parseTcp } from '../../src/pcap/tcp.js';
import { decodeFile } from '../../src/cli/decode.js';
import { hex, message } from '../helpers/hex.js';
import { ipv4Tcp, ipv6Tcp, pcap, pcapng } from '../helpers/pcap.js';

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

const MACS = [0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2];
const vlan = (id: number, next: number): number[] => [id >> 8, id & 255, next >> 8, next & 255];
const label = (n: number, bottom: boolean): number[] => [n >> 12, (n >> 4) & 255, ((n & 15) << 4) | (bottom ? 1 : 0), 64];

Capture('Ethernet with 802.1Q, QinQ and MPLS labels; raw IPv4 (228), IPv6 (229) and OpenBSD raw (12)', () => {
  const cases: [string, number, number[], Uint8Array][] = [
    ['802.1Q', 1, [...MACS, 0x81, 0x00, ...vlan(100, 0x0800)], ipv4Tcp({ seq: 1, payload: KA })],
    ['QinQ 88a8+8100', 1, [...MACS, 0x88, 0xa8, ...vlan(10, 0x8100), ...vlan(20, 0x0800)], ipv4Tcp({ seq: 1, payload: KA })],
    ['MPLS two labels', 1, [...MACS, 0x88, 0x47, ...label(16, false), ...label(17, true)], ipv4Tcp({ seq: 1, payload: KA })],
    ['VLAN then MPLS over IPv6', 1, [...MACS, 0x81, 0x00, ...vlan(5, 0x8847), ...label(3, true)], ipv6Tcp({ seq: 1, payload: KA })],
    ['SLL with a VLAN tag', 113, [0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0, 0x81, 0x00, ...vlan(7, 0x86dd)], ipv6Tcp({ seq: 1, payload: KA })],
    ['SLL2 over IPv6', 276, [0x86, 0xdd, 0, 0, 0, 0, 0, 1, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0, 0, 0], ipv6Tcp({ seq: 1, payload: KA })],
    ['raw IPv4', 228, [], ipv4Tcp({ seq: 1, payload: KA })],
    ['raw IPv6', 229, [], ipv6Tcp({ seq: 1, payload: KA })],
    ['OpenBSD raw', 12, [], ipv4Tcp({ seq: 1, payload: KA })],
  ];
  for (const [name, linkType, header, frame] of cases) {
    const s = parseTcp(readCapture(pcap(linkType, [frame], true, false, new Uint8Array(header)))[0]!);
    assert.ok(s, name);
    assert.is(s!.dstPort, 179, name);
    assert.match(s!.src, /^(127\.0\.0\.1|::1)$/, name);
    assert.is(hex(s!.payload), hex(KA), name);
  }
});

Capture('frames that carry no IP are skipped: ARP, an MPLS stack over something else, a label stack with no bottom', () => {
  const ip = ipv4Tcp({ seq: 1, payload: KA });
  const notIp = ip.map((b, i) => (i === 0 ? 0 : b)); // version nibble 0: an Ethernet pseudowire, say
  const cases: [string, number[], Uint8Array][] = [
    ['ARP', [...MACS, 0x08, 0x06], ip],
    ['MPLS over something other than IP', [...MACS, 0x88, 0x47, ...label(16, true)], notIp],
    ['no bottom of stack', [...MACS, 0x88, 0x47, ...label(16, false), ...label(17, false)], new Uint8Array(0)],
  ];
  for (const [name, header, data] of cases) {
    assert.is(parseTcp(readCapture(pcap(1, [data], true, false, new Uint8Array(header)))[0]!), undefined, name);
  }
  // The same IP segment behind a proper bottom label is read: the cases above fail for their header alone.
  assert.ok(parseTcp(readCapture(pcap(1, [ip], true, false, new Uint8Array([...MACS, 0x88, 0x47, ...label(16, true)])))[0]!));
});

Capture('another link type is a clear error naming its number and name', async () => {
  const wifi = pcap(105, [ipv4Tcp({ seq: 1, payload: KA })]);
  assert.throws(() => bgpMessages(readCapture(wifi)), (e: unknown) => e instanceof CaptureError && /^link type 105 \(IEEE802_11 \(Wi-Fi\)\) is not supported: expected one of 0 NULL/.test((e as Error).message));
  assert.throws(() => bgpMessages(readCapture(pcap(4242, [ipv4Tcp({ seq: 1, payload: KA })]))), (e: unknown) => e instanceof CaptureError && /link type 4242 \(unknown\)/.test((e as Error).message));
  // Through bgpctl decode: an input error naming the file.
  const file = join(mkdtempSync(join(tmpdir(), 'tsbgp-link-')), 'wifi.pcap');
  writeFileSync(file, wifi);
  try {
    await decodeFile(file, {}, () => {});
    assert.unreachable('decoded a Wi-Fi capture');
  } catch (e) {
    assert.match((e as Error).message, /wifi\.pcap: link type 105 \(IEEE802_11/);
  }
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

Reassembly('data on a SYN starts at ISN+1 (RFC 9293 §3.4): its first octet is the marker', () => {
  const isn = 5000;
  // The SYN carries the first KEEPALIVE; the next segment follows it at ISN+1+19.
  const frames = [ipv4Tcp({ seq: isn, flags: 0x02, payload: KA }), ipv4Tcp({ seq: isn + 1 + KA.length, payload: UPD })];
  const { messages, warnings } = bgpCapture(readCapture(pcap(1, frames)));
  assert.equal(messages.map((m) => hex(m.bytes)), [hex(KA), hex(UPD)]);
  assert.equal(warnings, []);
  // Rejecting side: data filed one octet late (at ISN+2) leaves octet ISN+1 missing, and says so.
  const late = bgpCapture(readCapture(pcap(1, [ipv4Tcp({ seq: isn, flags: 0x02 }), ipv4Tcp({ seq: isn + 2, payload: KA.subarray(1) }), ipv4Tcp({ seq: isn + 1 + KA.length, payload: UPD })])));
  assert.equal(late.messages.map((m) => hex(m.bytes)), [hex(UPD)]);
  assert.equal(late.warnings.map((w) => [w.offset, w.text.split(';')[0]]), [[0, '1 octets missing'], [19, 'unsynchronised: resumed at the marker at offset 19 (after the gap)']]);
});

Reassembly('a missing segment is reported with its offset and framing resumes at the next marker', () => {
  const stream = new Uint8Array([...KA, ...UPD, ...KA, ...UPD]);
  const isn = 100;
  const at = (off: number) => isn + 1 + off;
  const frames = [
    ipv4Tcp({ seq: isn, flags: 0x02 }),
    ipv4Tcp({ seq: at(0), payload: stream.subarray(0, 25) }), // KA and 6 octets of the UPDATE
    // octets 25..39 never captured
    ipv4Tcp({ seq: at(40), payload: stream.subarray(40) }), // rest of the UPDATE, KA, UPDATE
  ];
  const { messages, warnings } = bgpCapture(readCapture(pcap(1, frames)));
  assert.equal(messages.map((m) => hex(m.bytes)), [hex(KA), hex(KA), hex(UPD)]);
  assert.is(warnings.length, 2);
  assert.is(warnings[0]!.offset, 25);
  assert.match(warnings[0]!.text, /^15 octets missing; 6 octets of an unfinished message dropped/);
  assert.is(warnings[0]!.connection, 0);
  assert.is(warnings[0]!.src.port, 40000);
  assert.is(warnings[1]!.offset, KA.length + UPD.length);
  assert.is(warnings[0]!.after, 1);
  // Octets lost just before the FIN are a gap too, though nothing follows them.
  const beforeFin = bgpCapture(readCapture(pcap(1, [frames[0]!, ipv4Tcp({ seq: at(0), payload: KA }), ipv4Tcp({ seq: at(KA.length * 2), flags: 0x11 })])));
  assert.equal(beforeFin.warnings.map((w) => [w.offset, w.text.split(';')[0]]), [[KA.length, `${KA.length} octets missing`]]);
  assert.is(bgpCapture(readCapture(pcap(1, [frames[0]!, ipv4Tcp({ seq: at(0), payload: KA }), ipv4Tcp({ seq: at(KA.length), flags: 0x11 })]))).warnings.length, 0);
  // Without the gap, nothing is reported and all four messages come out.
  const whole = bgpCapture(readCapture(pcap(1, [frames[0]!, ipv4Tcp({ seq: at(0), payload: stream })])));
  assert.is(whole.messages.length, 4);
  assert.equal(whole.warnings, []);
});

Reassembly('a capture begun mid-stream on port 179 says where it synchronised, or that it never did', () => {
  const tail = new Uint8Array([...UPD.subarray(30), ...KA]);
  const { messages, warnings } = bgpCapture(readCapture(pcap(1, [ipv4Tcp({ seq: 7, payload: tail })])));
  assert.equal(messages.map((m) => hex(m.bytes)), [hex(KA)]);
  assert.equal(warnings.map((w) => w.offset), [UPD.length - 30]);
  assert.match(warnings[0]!.text, /unsynchronised.*at the start/);
  const none = bgpCapture(readCapture(pcap(1, [ipv4Tcp({ seq: 7, payload: UPD.subarray(30) })])));
  assert.is(none.messages.length, 0);
  assert.match(none.warnings[0]!.text, /no BGP marker found/);
  // A stream beginning with a marker needs no warning.
  assert.equal(bgpCapture(readCapture(pcap(1, [ipv4Tcp({ seq: 7, payload: KA })]))).warnings, []);
});

Reassembly.run();
