// Every attribute and capability module both ways: value -> bytes -> value, bytes -> value -> bytes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AttrType, CapabilityCode, IPV4_UNICAST, IPV6_UNICAST, familyKey } from '../../src/bgp/iana.js';
import {
  ATTRIBUTE_BY_CODE,
  ATTRIBUTE_BY_NAME,
  CAPABILITY_BY_CODE,
  CAPABILITY_BY_NAME,
  type Capability,
  DEFAULT_NEGOTIATED,
  type KnownAttribute,
  type Negotiated,
  type OpenMessage,
  type PathAttribute,
  Reader,
  type UpdateMessage,
  Writer,
  attributeCode,
  capabilityLength,
  decodeCapability,
  decodeMessage,
  encodeCapability,
  encodeMessage,
  makeOpen,
  negotiate,
} from '../../src/bgp/messages/index.js';
import { attributeLength, encodeAttribute } from '../../src/bgp/messages/attributes/index.js';
import { attr, cap, capParam, openBody, updateBody } from '../helpers/build.js';
import { fromHex, hex, message } from '../helpers/hex.js';

const CTX = DEFAULT_NEGOTIATED;
const AS4: Negotiated = { ...DEFAULT_NEGOTIATED, fourOctetAs: true };
const ADDPATH6: Negotiated = { ...DEFAULT_NEGOTIATED, addPath: new Set([IPV6_UNICAST]) };

const V6_NH = '20010db8000000000000000000000001';
const V6_LL = 'fe800000000000000000000000000001';
const ORIGIN: PathAttribute = { type: 'ORIGIN', origin: 0 };
const AS_PATH: PathAttribute = { type: 'AS_PATH', segments: [{ segmentType: 2, asns: [65001] }] };

interface AttrFixture {
  name: string;
  /** Without flags: the codec's default flags apply. */
  value: Exclude<PathAttribute, { type: 'UNKNOWN' }>;
  /** The whole attribute: flags, type, length, value. */
  wire: string;
  ctx: Negotiated;
}

// RFC 8205 §3: Secure_Path (65001 then 65002, pCount 1) and a Signature_Block of suite 1 with one (short) signature per segment.
const BGPSEC_BLOCK_HEX = '0037' + '01' + 'aa'.repeat(20) + '0004' + 'deadbeef' + 'bb'.repeat(20) + '0004' + 'cafef00d';
const BGPSEC_HEX = '000e' + '01000000fde9' + '01000000fdea' + BGPSEC_BLOCK_HEX;
const BGPSEC_VALUE = {
  type: 'BGPSEC_PATH' as const,
  segments: [{ pCount: 1, flags: 0, asn: 65001 }, { pCount: 1, flags: 0, asn: 65002 }],
  signatureBlocks: [{ algorithmSuite: 1, signatures: [{ ski: fromHex('aa'.repeat(20)), signature: fromHex('deadbeef') }, { ski: fromHex('bb'.repeat(20)), signature: fromHex('cafef00d') }] }],
};

const ATTRS: AttrFixture[] = [
  { name: 'ORIGIN', value: { type: 'ORIGIN', origin: 2 }, wire: attr(0x40, 1, '02'), ctx: CTX },
  {
    name: 'AS_PATH, 2-octet',
    value: { type: 'AS_PATH', segments: [{ segmentType: 2, asns: [65001, 65002] }, { segmentType: 1, asns: [65010, 65020] }] },
    wire: attr(0x40, 2, '0202fde9fdea' + '0102fdf2fdfc'),
    ctx: CTX,
  },
  {
    name: 'AS_PATH, 4-octet',
    value: { type: 'AS_PATH', segments: [{ segmentType: 2, asns: [4200000000, 65001] }, { segmentType: 3, asns: [64512] }] },
    wire: attr(0x40, 2, '0202fa56ea000000fde9' + '03010000fc00'),
    ctx: AS4,
  },
  { name: 'AS_PATH, empty (iBGP origination)', value: { type: 'AS_PATH', segments: [] }, wire: attr(0x40, 2, ''), ctx: CTX },
  { name: 'NEXT_HOP', value: { type: 'NEXT_HOP', nextHop: '192.0.2.1' }, wire: attr(0x40, 3, 'c0000201'), ctx: CTX },
  { name: 'MULTI_EXIT_DISC', value: { type: 'MULTI_EXIT_DISC', med: 4294967295 }, wire: attr(0x80, 4, 'ffffffff'), ctx: CTX },
  { name: 'LOCAL_PREF', value: { type: 'LOCAL_PREF', localPref: 200 }, wire: attr(0x40, 5, '000000c8'), ctx: CTX },
  { name: 'ATOMIC_AGGREGATE', value: { type: 'ATOMIC_AGGREGATE' }, wire: attr(0x40, 6, ''), ctx: CTX },
  { name: 'AGGREGATOR, 2-octet', value: { type: 'AGGREGATOR', asn: 65001, address: '192.0.2.1' }, wire: attr(0xc0, 7, 'fde9c0000201'), ctx: CTX },
  { name: 'AGGREGATOR, 4-octet', value: { type: 'AGGREGATOR', asn: 4200000000, address: '192.0.2.1' }, wire: attr(0xc0, 7, 'fa56ea00c0000201'), ctx: AS4 },
  { name: 'COMMUNITIES', value: { type: 'COMMUNITIES', communities: [0xfde90064, 0xffffff01] }, wire: attr(0xc0, 8, 'fde90064ffffff01'), ctx: CTX },
  { name: 'ORIGINATOR_ID', value: { type: 'ORIGINATOR_ID', originatorId: '10.0.0.9' }, wire: attr(0x80, 9, '0a000009'), ctx: CTX },
  { name: 'CLUSTER_LIST', value: { type: 'CLUSTER_LIST', clusterIds: ['10.0.0.10', '10.0.0.11'] }, wire: attr(0x80, 10, '0a00000a0a00000b'), ctx: CTX },
  {
    name: 'MP_REACH_NLRI, IPv6 unicast',
    value: { type: 'MP_REACH_NLRI', afi: 2, safi: 1, nextHops: ['2001:db8::1'], nlri: [{ prefix: '2001:db8:1::/48' }, { prefix: '::/0' }] },
    wire: attr(0x80, 14, '000201' + '10' + V6_NH + '00' + '3020010db80001' + '00'),
    ctx: CTX,
  },
  {
    name: 'MP_REACH_NLRI, IPv6 global + link-local next hop',
    value: { type: 'MP_REACH_NLRI', afi: 2, safi: 1, nextHops: ['2001:db8::1', 'fe80::1'], nlri: [{ prefix: '2001:db8::/32' }] },
    wire: attr(0x80, 14, '000201' + '20' + V6_NH + V6_LL + '00' + '2020010db8'),
    ctx: CTX,
  },
  {
    name: 'MP_REACH_NLRI, IPv4 multicast',
    value: { type: 'MP_REACH_NLRI', afi: 1, safi: 2, nextHops: ['192.0.2.1'], nlri: [{ prefix: '10.0.0.0/8' }] },
    wire: attr(0x80, 14, '000102' + '04' + 'c0000201' + '00' + '080a'),
    ctx: CTX,
  },
  {
    name: 'MP_REACH_NLRI, IPv6 with ADD-PATH',
    value: { type: 'MP_REACH_NLRI', afi: 2, safi: 1, nextHops: ['2001:db8::1'], nlri: [{ prefix: '2001:db8::/32', pathId: 5 }] },
    wire: attr(0x80, 14, '000201' + '10' + V6_NH + '00' + '00000005' + '2020010db8'),
    ctx: ADDPATH6,
  },
  {
    name: 'MP_REACH_NLRI, undecoded family kept opaque (L2VPN EVPN)',
    value: { type: 'MP_REACH_NLRI', afi: 25, safi: 70, nextHops: [], nlri: [], opaque: fromHex('04c0000201000203') },
    wire: attr(0x80, 14, '001946' + '04c0000201000203'),
    ctx: CTX,
  },
  {
    name: 'MP_UNREACH_NLRI, IPv6 unicast',
    value: { type: 'MP_UNREACH_NLRI', afi: 2, safi: 1, withdrawn: [{ prefix: '2001:db8::/32' }, { prefix: '2001:db8::1/128' }] },
    wire: attr(0x80, 15, '000201' + '2020010db8' + '80' + V6_NH),
    ctx: CTX,
  },
  {
    name: 'MP_UNREACH_NLRI, IPv6 with ADD-PATH',
    value: { type: 'MP_UNREACH_NLRI', afi: 2, safi: 1, withdrawn: [{ prefix: '2001:db8::/32', pathId: 9 }] },
    wire: attr(0x80, 15, '000201' + '00000009' + '2020010db8'),
    ctx: ADDPATH6,
  },
  {
    name: 'MP_UNREACH_NLRI, undecoded family kept opaque',
    value: { type: 'MP_UNREACH_NLRI', afi: 25, safi: 70, withdrawn: [], opaque: fromHex('0102') },
    wire: attr(0x80, 15, '001946' + '0102'),
    ctx: CTX,
  },
  {
    name: 'EXTENDED_COMMUNITIES',
    value: { type: 'EXTENDED_COMMUNITIES', communities: ['0002fde900000064', '010300000a000001'] },
    wire: attr(0xc0, 16, '0002fde900000064' + '010300000a000001'),
    ctx: CTX,
  },
  {
    name: 'AS4_PATH',
    value: { type: 'AS4_PATH', segments: [{ segmentType: 2, asns: [4200000000, 4200000001] }, { segmentType: 1, asns: [65001] }] },
    wire: attr(0xc0, 17, '0202fa56ea00fa56ea01' + '01010000fde9'),
    ctx: CTX,
  },
  { name: 'AS4_AGGREGATOR', value: { type: 'AS4_AGGREGATOR', asn: 4200000000, address: '192.0.2.1' }, wire: attr(0xc0, 18, 'fa56ea00c0000201'), ctx: CTX },
  {
    name: 'LARGE_COMMUNITY',
    value: { type: 'LARGE_COMMUNITY', communities: [[4200000000, 1, 2], [65001, 4294967295, 0]] },
    wire: attr(0xc0, 32, 'fa56ea000000000100000002' + '0000fde9ffffffff00000000'),
    ctx: CTX,
  },
  { name: 'ONLY_TO_CUSTOMER', value: { type: 'ONLY_TO_CUSTOMER', asn: 4200000000 }, wire: attr(0xc0, 35, 'fa56ea00'), ctx: CTX },
  { name: 'ONLY_TO_CUSTOMER, 2-octet AS in a 4-octet field', value: { type: 'ONLY_TO_CUSTOMER', asn: 65001 }, wire: attr(0xc0, 35, '0000fde9'), ctx: CTX },
  { name: 'BGPSEC_PATH, two segments, one Signature_Block', value: BGPSEC_VALUE, wire: attr(0x80, 33, BGPSEC_HEX), ctx: CTX },
  {
    name: 'BGPSEC_PATH, two Signature_Blocks (an algorithm suite rollover, RFC 8205 §3.2)',
    value: { ...BGPSEC_VALUE, signatureBlocks: [BGPSEC_VALUE.signatureBlocks[0]!, { ...BGPSEC_VALUE.signatureBlocks[0]!, algorithmSuite: 2 }] },
    wire: attr(0x80, 33, BGPSEC_HEX + BGPSEC_BLOCK_HEX.replace(/^003701/, '003702')),
    ctx: CTX,
  },
];

const withFlags = (a: PathAttribute, flags: number): PathAttribute => ({ ...a, flags }) as PathAttribute;
const flagsOf = (wire: string): number => parseInt(wire.slice(0, 2), 16);
const updateWith = (attributes: PathAttribute[]): UpdateMessage => ({ type: 'UPDATE', withdrawn: [], attributes, nlri: [] });
/** MP_REACH_NLRI needs ORIGIN and AS_PATH beside it to be a clean UPDATE (RFC 7606 §3 d). */
const context = (a: PathAttribute): PathAttribute[] => (a.type === 'MP_REACH_NLRI' ? [ORIGIN, AS_PATH] : []);

function decodeUpdate(bytes: Uint8Array, ctx: Negotiated): UpdateMessage {
  const m = decodeMessage(bytes, ctx);
  if (m.type !== 'UPDATE') throw new Error(`expected an UPDATE, got ${m.type}`);
  return m;
}

/** The attribute module alone: decode the value in `wire` through the table row for its code. */
function codecDecode(wire: string, ctx: Negotiated): KnownAttribute {
  const b = fromHex(wire);
  const flags = b[0]!;
  const header = flags & 0x10 ? 4 : 3;
  const len = b.length - header;
  const codec = ATTRIBUTE_BY_CODE[b[1]!];
  if (!codec) throw new Error(`no codec for ${b[1]}`);
  const r = new Reader(b, header, b.length, 3, 5);
  const a = codec.decode(r, len, flags, ctx);
  assert.is(r.pos, b.length, 'decode consumes the whole value');
  return a;
}

/** Sized exactly from attributeLength: the Writer throws if encode writes more than length() said. */
function encodeAt(a: PathAttribute, ctx: Negotiated, offset: number): string {
  const w = new Writer(offset + attributeLength(a, ctx));
  for (let i = 0; i < offset; i++) w.u8(0xee);
  encodeAttribute(w, a, ctx);
  return hex(w.result().subarray(offset));
}

const Attributes = suite('attribute modules: both ways');

for (const f of ATTRS) {
  Attributes(`${f.name}: value -> bytes -> value`, () => {
    assert.is(attributeLength(f.value, f.ctx), f.wire.length / 2, 'attributeLength');
    assert.is(encodeAt(f.value, f.ctx, 0), f.wire);
    assert.is(encodeAt(f.value, f.ctx, 5), f.wire, 'encoded at a non-zero offset');
    assert.equal(codecDecode(f.wire, f.ctx), withFlags(f.value, flagsOf(f.wire)));
  });

  Attributes(`${f.name}: bytes -> value -> bytes`, () => {
    const decoded = codecDecode(f.wire, f.ctx);
    assert.is(encodeAt(decoded, f.ctx, 0), f.wire);
    assert.is(attributeCode(decoded), parseInt(f.wire.slice(2, 4), 16));
  });

  Attributes(`${f.name}: through encodeMessage / decodeMessage in a full UPDATE`, () => {
    const attrs = [...context(f.value), f.value];
    const bytes = encodeMessage(updateWith(attrs), f.ctx);
    const lead = attrs.slice(0, -1).map((a) => encodeAt(a, f.ctx, 0)).join('');
    assert.is(hex(bytes), hex(message(2, updateBody('', lead + f.wire))));
    const u = decodeUpdate(bytes, f.ctx);
    assert.is(u.problems, undefined);
    assert.equal(u.attributes[u.attributes.length - 1], withFlags(f.value, flagsOf(f.wire)));
    assert.is(hex(encodeMessage(u, f.ctx)), hex(bytes));
  });
}

Attributes('UNKNOWN: kept with its flags and data, both ways', () => {
  const value: PathAttribute = { type: 'UNKNOWN', code: 99, flags: 0xc0, data: fromHex('0102') };
  const wire = attr(0xc0, 99, '0102');
  assert.is(encodeAt(value, CTX, 0), wire);
  const bytes = message(2, updateBody('', wire));
  assert.equal(decodeUpdate(bytes, CTX).attributes, [value]);
  assert.is(hex(encodeMessage(updateWith([value]), CTX)), hex(bytes));
});

Attributes.run();

// ---------------------------------------------------------------------------------------------

const Flags = suite('encodeAttribute: flags');

Flags('the Extended Length flag as received is kept on a short attribute', () => {
  const bytes = message(2, updateBody('', attr(0x40, 1, '00') + attr(0x50, 2, '0202fde9fdea') + attr(0xd0, 8, 'fde90064')));
  const u = decodeUpdate(bytes, CTX);
  assert.is(u.attributes[1]?.flags, 0x50);
  assert.is(u.attributes[2]?.flags, 0xd0);
  assert.is(hex(encodeMessage(u, CTX)), hex(bytes));
});

Flags('the Partial bit as received is kept', () => {
  const bytes = message(2, updateBody('', attr(0xe0, 8, 'fde90064') + attr(0xe0, 32, 'fa56ea000000000100000002') + attr(0xe0, 7, 'fde9c0000201')));
  const u = decodeUpdate(bytes, CTX);
  assert.equal(u.attributes.map((a) => a.flags), [0xe0, 0xe0, 0xe0]);
  assert.is(hex(encodeMessage(u, CTX)), hex(bytes));
});

Flags('an attribute over 255 octets gets the Extended Length flag when flags are not given', () => {
  const list = Array.from({ length: 70 }, (_, i) => 0xfde90000 + i);
  const value: PathAttribute = { type: 'COMMUNITIES', communities: list };
  const wire = attr(0xd0, 8, list.map((c) => c.toString(16)).join(''));
  assert.is(wire.slice(0, 8), 'd0080118');
  assert.is(encodeAt(value, CTX, 0), wire);
  const bytes = encodeMessage(updateWith([value]), CTX);
  assert.is(hex(bytes), hex(message(2, updateBody('', wire))));
  assert.equal(decodeUpdate(bytes, CTX).attributes, [{ ...value, flags: 0xd0 }]);
});

Flags('an attribute over 255 octets gets the Extended Length flag even when given flags lack it', () => {
  const value: PathAttribute = { type: 'UNKNOWN', code: 99, flags: 0xc0, data: new Uint8Array(300).fill(7) };
  assert.is(encodeAt(value, CTX, 0).slice(0, 8), 'd063012c');
});

Flags('exactly 255 octets stays a 1-octet length; 256 does not', () => {
  const at = (n: number): string => encodeAt({ type: 'UNKNOWN', code: 99, flags: 0xc0, data: new Uint8Array(n) }, CTX, 0);
  assert.is(at(255).slice(0, 6), 'c063ff');
  assert.is(at(255).length / 2, 3 + 255);
  assert.is(at(256).slice(0, 8), 'd0630100');
  assert.is(at(256).length / 2, 4 + 256);
});

Flags.run();

// ---------------------------------------------------------------------------------------------

interface CapFixture {
  name: string;
  value: Capability;
  wire: string;
}

const CAPS: CapFixture[] = [
  { name: 'MULTIPROTOCOL', value: { type: 'MULTIPROTOCOL', afi: 2, safi: 1 }, wire: cap(1, '00020001') },
  { name: 'ROUTE_REFRESH', value: { type: 'ROUTE_REFRESH' }, wire: cap(2) },
  {
    name: 'EXTENDED_NEXT_HOP',
    value: { type: 'EXTENDED_NEXT_HOP', entries: [{ afi: 1, safi: 1, nextHopAfi: 2 }, { afi: 1, safi: 128, nextHopAfi: 2 }] },
    wire: cap(5, '000100010002' + '000100800002'),
  },
  { name: 'EXTENDED_MESSAGE', value: { type: 'EXTENDED_MESSAGE' }, wire: cap(6) },
  {
    name: 'OUTBOUND_ROUTE_FILTERING',
    value: { type: 'OUTBOUND_ROUTE_FILTERING', families: [{ afi: 1, safi: 1, orfs: [{ orfType: 64, sendReceive: 3 }] }, { afi: 2, safi: 1, orfs: [{ orfType: 64, sendReceive: 1 }, { orfType: 128, sendReceive: 2 }] }] },
    wire: cap(3, '0001000101' + '4003' + '0002000102' + '4001' + '8002'),
  },
  { name: 'BGPSEC, send IPv4', value: { type: 'BGPSEC', version: 0, send: true, afi: 1 }, wire: cap(7, '080001') },
  { name: 'BGPSEC, receive IPv6', value: { type: 'BGPSEC', version: 0, send: false, afi: 2 }, wire: cap(7, '000002') },
  { name: 'BGP_ROLE', value: { type: 'BGP_ROLE', role: 3 }, wire: cap(9, '03') },
  {
    name: 'GRACEFUL_RESTART',
    value: { type: 'GRACEFUL_RESTART', flags: 8, restartTime: 120, families: [{ afi: 1, safi: 1, flags: 0x80 }, { afi: 2, safi: 1, flags: 0 }] },
    wire: cap(64, '8078' + '00010180' + '00020100'),
  },
  { name: 'GRACEFUL_RESTART, no families', value: { type: 'GRACEFUL_RESTART', flags: 0, restartTime: 4095, families: [] }, wire: cap(64, '0fff') },
  { name: 'FOUR_OCTET_AS', value: { type: 'FOUR_OCTET_AS', asn: 4200000000 }, wire: cap(65, 'fa56ea00') },
  {
    name: 'ADD_PATH',
    value: { type: 'ADD_PATH', families: [{ afi: 1, safi: 1, sendReceive: 3 }, { afi: 2, safi: 1, sendReceive: 1 }] },
    wire: cap(69, '00010103' + '00020101'),
  },
  { name: 'ENHANCED_ROUTE_REFRESH', value: { type: 'ENHANCED_ROUTE_REFRESH' }, wire: cap(70) },
  {
    name: 'LONG_LIVED_GRACEFUL_RESTART',
    value: { type: 'LONG_LIVED_GRACEFUL_RESTART', families: [{ afi: 1, safi: 1, flags: 0x80, staleTime: 3600 }, { afi: 2, safi: 1, flags: 0, staleTime: 0xffffff }] },
    wire: cap(71, '0001018000' + '0e10' + '00020100ffffff'),
  },
  {
    name: 'FQDN',
    value: { type: 'FQDN', hostname: 'rs1', domain: 'example.net' },
    wire: cap(73, '03' + '727331' + '0b' + '6578616d706c652e6e6574'),
  },
  { name: 'FQDN, empty domain', value: { type: 'FQDN', hostname: 'rs1', domain: '' }, wire: cap(73, '03' + '727331' + '00') },
  { name: 'UNKNOWN', value: { type: 'UNKNOWN', code: 240, data: fromHex('c0ffee') }, wire: cap(240, 'c0ffee') },
];

const openWith = (capabilities: Capability[]): OpenMessage => ({ type: 'OPEN', version: 4, myAs: 65001, holdTime: 90, bgpId: '10.0.0.1', capabilities });

function decodeOpen(bytes: Uint8Array): OpenMessage {
  const m = decodeMessage(bytes, CTX);
  if (m.type !== 'OPEN') throw new Error(`expected an OPEN, got ${m.type}`);
  return m;
}

function capDecode(wire: string): Capability {
  const b = fromHex(wire);
  const r = new Reader(b, 0, b.length, 2, 0);
  const c = decodeCapability(r);
  assert.is(r.pos, b.length, 'decode consumes the whole capability');
  return c;
}

function capEncode(c: Capability, offset = 0): string {
  const w = new Writer(offset + capabilityLength(c));
  for (let i = 0; i < offset; i++) w.u8(0xee);
  encodeCapability(w, c);
  return hex(w.result().subarray(offset));
}

const Capabilities = suite('capability modules: both ways');

for (const f of CAPS) {
  Capabilities(`${f.name}: value -> bytes -> value`, () => {
    assert.is(capabilityLength(f.value), f.wire.length / 2, 'capabilityLength');
    assert.is(capEncode(f.value), f.wire);
    assert.is(capEncode(f.value, 3), f.wire, 'encoded at a non-zero offset');
    assert.equal(capDecode(f.wire), f.value);
  });

  Capabilities(`${f.name}: bytes -> value -> bytes`, () => {
    assert.is(capEncode(capDecode(f.wire)), f.wire);
  });

  Capabilities(`${f.name}: through encodeMessage / decodeMessage in a full OPEN`, () => {
    const open = openWith([{ type: 'FOUR_OCTET_AS', asn: 65001 }, f.value]);
    const bytes = encodeMessage(open, CTX);
    assert.is(hex(bytes), hex(message(1, openBody(capParam(cap(65, '0000fde9'), f.wire)))));
    assert.equal(decodeOpen(bytes), open);
  });
}

Capabilities('FQDN: hostname octets that are not UTF-8, or start with a BOM, come back byte-identical', () => {
  // The hostname is text to an operator but octets on the wire; re-encoding must not rewrite them.
  for (const host of ['ff', 'c328', '72ff7331', 'efbbbf727331']) {
    const wire = cap(73, (host.length / 2).toString(16).padStart(2, '0') + host + '00');
    assert.is(capEncode(capDecode(wire)), wire, host);
    const bytes = message(1, openBody(capParam(wire)));
    assert.is(hex(encodeMessage(decodeOpen(bytes), CTX)), hex(bytes), host);
  }
});

Capabilities('FQDN: a hostname of 100 octets that are not UTF-8 still re-encodes (it decoded, so it must encode)', () => {
  const bytes = message(1, openBody(capParam(cap(73, '64' + 'ff'.repeat(100) + '00'))));
  assert.is(hex(encodeMessage(decodeOpen(bytes), CTX)), hex(bytes));
});

Capabilities.run();

// ---------------------------------------------------------------------------------------------

const Complete = suite('the codec tables: every row has a both-way fixture');

Complete('every attribute row (ATTRIBUTE_BY_CODE) has a fixture above', () => {
  const rows = ATTRIBUTE_BY_CODE.filter((c) => c !== undefined);
  assert.is(rows.length, Object.keys(ATTRIBUTE_BY_NAME).length, 'one code per row');
  const missing = rows.filter((c) => !ATTRS.some((f) => f.value.type === c.type)).map((c) => `${c.type} (${c.code})`);
  assert.equal(missing, []);
});

Complete('every capability row (CAPABILITY_BY_CODE) has a fixture above', () => {
  const rows = [...CAPABILITY_BY_CODE.values()];
  assert.is(rows.length, Object.keys(CAPABILITY_BY_NAME).length, 'one code per row');
  const missing = rows.filter((c) => !CAPS.some((f) => f.value.type === c.type)).map((c) => `${c.type} (${c.code})`);
  assert.equal(missing, []);
});

Complete('each row sits at its IANA code, and the by-code index is the by-name table', () => {
  for (const [name, codec] of Object.entries(ATTRIBUTE_BY_NAME)) {
    assert.is(codec.type, name);
    assert.is(codec.code, AttrType[name as keyof typeof AttrType], name);
    assert.is(ATTRIBUTE_BY_CODE[codec.code], codec, name);
  }
  for (const [name, codec] of Object.entries(CAPABILITY_BY_NAME)) {
    assert.is(codec.type, name);
    assert.is(codec.code, CapabilityCode[name as keyof typeof CapabilityCode], name);
    assert.is(CAPABILITY_BY_CODE.get(codec.code), codec, name);
  }
});

Complete.run();

// ---------------------------------------------------------------------------------------------

const Open = suite('OPEN: both ways');

Open('an OPEN without capabilities', () => {
  const open = openWith([]);
  const bytes = encodeMessage(open, CTX);
  assert.is(hex(bytes), hex(message(1, openBody(''))));
  assert.equal(decodeOpen(bytes), open);
});

Open('makeOpen adds the 4-octet AS capability and AS_TRANS for a 4-octet AS', () => {
  const open = makeOpen({ asn: 4200000000, holdTime: 90, bgpId: '10.0.0.1', capabilities: [{ type: 'ROUTE_REFRESH' }] });
  assert.is(open.myAs, 23456);
  const bytes = encodeMessage(open, CTX);
  assert.is(hex(bytes), hex(message(1, openBody(capParam(cap(2), cap(65, 'fa56ea00')), { myAs: 23456 }))));
  assert.equal(decodeOpen(bytes), open);
});

Open('parameters over 255 octets are sent in RFC 9072 form and read back', () => {
  const caps: Capability[] = Array.from({ length: 70 }, (_, i) => ({ type: 'UNKNOWN', code: 240, data: new Uint8Array([i, 0]) }));
  const bytes = encodeMessage(openWith(caps), CTX);
  assert.is(hex(bytes.subarray(28, 30)), 'ffff', 'Non-Ext OP Len 255, Non-Ext OP Type 255');
  assert.is(hex(bytes.subarray(30, 35)), '011b' + '02' + '0118', 'Ext OP Len 283, then Capabilities with a 2-octet length of 280');
  const back = decodeOpen(bytes);
  assert.equal(back.capabilities, caps);
  assert.is(back.extendedParams, true);
  assert.is(hex(encodeMessage(back, CTX)), hex(bytes));
});

Open('a capability value over 255 octets cannot be encoded: encodeMessage throws instead of wrapping the length', () => {
  const tooLong: Capability[] = [
    { type: 'ADD_PATH', families: Array.from({ length: 64 }, (_, i) => ({ afi: 1, safi: i + 1, sendReceive: 3 })) }, // 256 octets
    { type: 'UNKNOWN', code: 240, data: new Uint8Array(256) },
    { type: 'FQDN', hostname: 'h'.repeat(256), domain: '' },
  ];
  const accepted: string[] = [];
  for (const c of tooLong) {
    try {
      const bytes = encodeMessage(openWith([c]), CTX);
      accepted.push(`${c.type}: ${capabilityLength(c) - 2}-octet value encoded as ${hex(bytes.subarray(35, 38))}...`);
    } catch {
      // refused: what we want
    }
  }
  assert.equal(accepted, []);
});

Open.run();

// ---------------------------------------------------------------------------------------------

const Negotiate = suite('negotiate');

const open = (capabilities: Capability[]): OpenMessage => openWith(capabilities);
const mp = (afi: number, safi: number): Capability => ({ type: 'MULTIPROTOCOL', afi, safi });
const as4 = (asn: number): Capability => ({ type: 'FOUR_OCTET_AS', asn });
const addPath = (afi: number, safi: number, sendReceive: number): Capability => ({ type: 'ADD_PATH', families: [{ afi, safi, sendReceive }] });
const sorted = (s: ReadonlySet<number>): number[] => [...s].sort((a, b) => a - b);

Negotiate('4-octet AS when both sides advertise it; not when only one does', () => {
  assert.is(negotiate(open([as4(65001)]), open([as4(65002)])).fourOctetAs, true);
  assert.is(negotiate(open([as4(65001)]), open([])).fourOctetAs, false);
  assert.is(negotiate(open([]), open([as4(65002)])).fourOctetAs, false);
});

Negotiate('ADD-PATH ids where the sender may send and the receiver receive (RFC 7911 §4)', () => {
  const cases: [number, number, boolean][] = [
    [2, 1, true], // send -> receive
    [3, 1, true],
    [2, 3, true],
    [3, 3, true],
    [1, 3, false], // the sender only receives
    [2, 2, false], // the receiver only sends
    [3, 0, false],
  ];
  for (const [s, r, expected] of cases) {
    const sender = open([addPath(1, 1, s)]);
    const receiver = open(r === 0 ? [] : [addPath(1, 1, r)]);
    assert.is(negotiate(sender, receiver).addPath.has(IPV4_UNICAST), expected, `sender ${s} receiver ${r}`);
  }
});

Negotiate('ADD-PATH decides whether path ids are on the wire in that direction', () => {
  const a = open([addPath(1, 1, 2)]); // a sends
  const b = open([addPath(1, 1, 1)]); // b receives
  const aToB = negotiate(a, b);
  const bToA = negotiate(b, a);
  const u: UpdateMessage = {
    type: 'UPDATE',
    withdrawn: [],
    attributes: [{ type: 'ORIGIN', origin: 0 }, { type: 'AS_PATH', segments: [] }, { type: 'NEXT_HOP', nextHop: '192.0.2.1' }],
    nlri: [{ prefix: '198.51.100.0/24', pathId: 7 }],
  };
  const withIds = encodeMessage(u, aToB);
  assert.ok(hex(withIds).endsWith('00000007' + '18c63364'), hex(withIds));
  assert.equal(decodeUpdate(withIds, aToB).nlri, [{ prefix: '198.51.100.0/24', pathId: 7 }]);
  const without = encodeMessage(u, bToA);
  assert.ok(hex(without).endsWith('4003' + '04c0000201' + '18c63364'), hex(without));
  assert.equal(decodeUpdate(without, bToA).nlri, [{ prefix: '198.51.100.0/24' }]);
});

Negotiate('families: the intersection of both sides', () => {
  const n = negotiate(open([mp(1, 1), mp(2, 1), mp(1, 2)]), open([mp(2, 1), mp(1, 2), mp(25, 70)]));
  assert.equal(sorted(n.families), sorted(new Set([IPV6_UNICAST, familyKey(1, 2)])));
});

Negotiate('no multiprotocol capability means IPv4 unicast (RFC 4760 §8)', () => {
  assert.equal(sorted(negotiate(open([]), open([])).families), [IPV4_UNICAST]);
  assert.equal(sorted(negotiate(open([as4(1)]), open([mp(1, 1), mp(2, 1)])).families), [IPV4_UNICAST]);
  assert.equal(sorted(negotiate(open([mp(2, 1)]), open([])).families), []);
});

Negotiate('extended message, route refresh and enhanced route refresh need both sides', () => {
  const all: Capability[] = [{ type: 'EXTENDED_MESSAGE' }, { type: 'ROUTE_REFRESH' }, { type: 'ENHANCED_ROUTE_REFRESH' }];
  const both = negotiate(open(all), open(all));
  assert.equal([both.extendedMessage, both.routeRefresh, both.enhancedRouteRefresh], [true, true, true]);
  const one = negotiate(open(all), open([]));
  assert.equal([one.extendedMessage, one.routeRefresh, one.enhancedRouteRefresh], [false, false, false]);
});

Negotiate('ORF in ROUTE-REFRESH where some ORF type and family is sent by the sender and received by the receiver (RFC 5291 §4)', () => {
  const orf = (afi: number, orfType: number, sendReceive: number): Capability => ({ type: 'OUTBOUND_ROUTE_FILTERING', families: [{ afi, safi: 1, orfs: [{ orfType, sendReceive }] }] });
  assert.is(negotiate(open([orf(1, 64, 2)]), open([orf(1, 64, 1)])).orf, true);
  assert.is(negotiate(open([orf(1, 64, 3)]), open([orf(1, 64, 3)])).orf, true);
  assert.is(negotiate(open([orf(1, 64, 1)]), open([orf(1, 64, 2)])).orf, false, 'the sender only receives');
  assert.is(negotiate(open([orf(1, 64, 2)]), open([orf(1, 128, 1)])).orf, false, 'another ORF type');
  assert.is(negotiate(open([orf(1, 64, 2)]), open([orf(2, 64, 1)])).orf, false, 'another family');
  assert.is(negotiate(open([orf(1, 64, 3)]), open([])).orf, false, 'one side only');
});

Negotiate('BGPsec where the sender sends, the receiver receives, version 0, and 4-octet AS both ways (RFC 8205 §2.2)', () => {
  const sec = (send: boolean, afi = 1, version = 0): Capability => ({ type: 'BGPSEC', version, send, afi });
  assert.is(negotiate(open([as4(1), sec(true)]), open([as4(2), sec(false)])).bgpsec, true);
  assert.is(negotiate(open([as4(1), sec(false)]), open([as4(2), sec(true)])).bgpsec, false, 'the other direction');
  assert.is(negotiate(open([sec(true)]), open([sec(false)])).bgpsec, false, 'no 4-octet AS');
  assert.is(negotiate(open([as4(1), sec(true, 1)]), open([as4(2), sec(false, 2)])).bgpsec, false, 'another AFI');
  assert.is(negotiate(open([as4(1), sec(true, 1, 1)]), open([as4(2), sec(false, 1, 1)])).bgpsec, false, 'version 1');
  assert.is(negotiate(open([as4(1), sec(true)]), open([as4(2)])).bgpsec, false, 'one side only');
});

Negotiate('external is carried through when given', () => {
  assert.is(negotiate(open([]), open([]), true).external, true);
  assert.is(negotiate(open([]), open([]), false).external, false);
  assert.is(negotiate(open([]), open([])).external, undefined);
});

Negotiate.run();
