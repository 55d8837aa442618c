// Adj-RIB-In: the numeric IPv4 store, families and path ids kept apart, and next hops that are ignored (RFC 4271 §5.1.3, §6.3).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IPV4_UNICAST, IPV6_UNICAST, familyKey } from '../../src/bgp/iana.js';
import { DEFAULT_NEGOTIATED, Framer, type PathAttribute, type UpdateMessage, decodeMessage, encodeMessage } from '../../src/bgp/messages/index.js';
import { AdjRibIn, type IgnoredRoutes } from '../../src/bgp/rib/adj-rib-in.js';
import { concat } from '../helpers/build.js';

const IPV4_MULTICAST = familyKey(1, 2);
const BASE: PathAttribute[] = [
  { type: 'ORIGIN', origin: 0 },
  { type: 'AS_PATH', segments: [{ segmentType: 2, asns: [65515] }] },
];

const announce = (prefixes: string[], nextHop: string, extra: PathAttribute[] = []): UpdateMessage => ({
  type: 'UPDATE',
  withdrawn: [],
  attributes: [...BASE, { type: 'NEXT_HOP', nextHop }, ...extra],
  nlri: prefixes.map((prefix) => ({ prefix })),
});
const withdraw = (prefixes: string[]): UpdateMessage => ({ type: 'UPDATE', withdrawn: prefixes.map((prefix) => ({ prefix })), attributes: [], nlri: [] });
const mpAnnounce = (afi: number, safi: number, nextHops: string[], prefixes: string[]): UpdateMessage => ({
  type: 'UPDATE',
  withdrawn: [],
  attributes: [{ type: 'MP_REACH_NLRI', afi, safi, nextHops, nlri: prefixes.map((prefix) => ({ prefix })) }, ...BASE],
  nlri: [],
});
const rows = (rib: AdjRibIn): [string, number, string][] => [...rib.all()].map((r) => [r.prefix, r.family, r.attrs.nextHop]);
const NONE: IgnoredRoutes = { nextHopZero: 0, nextHopMulticast: 0, nextHopReserved: 0, nextHopOwnAddress: 0, asPathLoop: 0 };

// ---------------------------------------------------------------------------------------------

const Store = suite('AdjRibIn: the store');

Store('IPv4 prefixes of every length from /0 to /32 are held and listed back in their text form', () => {
  const rib = new AdjRibIn();
  // 192.168.255.255 cut to each length: 0.0.0.0/0, 128.0.0.0/1, 192.0.0.0/2 ... 192.168.255.255/32.
  const prefixes = Array.from({ length: 33 }, (_, len) => {
    const v = len === 0 ? 0 : (0xc0a8ffff & (0xffffffff << (32 - len))) >>> 0;
    return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}/${len}`;
  });
  assert.is(new Set(prefixes).size, 33);
  const changes = rib.apply(announce(prefixes, '10.10.1.4'));
  assert.is(changes.length, 33);
  assert.is(rib.size, 33);
  assert.equal([...rib.all()].map((r) => r.prefix).sort(), [...prefixes].sort());
  for (const r of rib.all()) {
    assert.equal(Object.keys(r).sort(), ['attrs', 'family', 'prefix'], 'no pathId key on a route without one');
    assert.is(r.family, IPV4_UNICAST);
  }
  rib.apply(withdraw(prefixes));
  assert.is(rib.size, 0);
  assert.is(rib.attributeSets, 0);
});

Store('the top address bit does not make a different key: 255.255.255.255/32 and 128.0.0.0/1 round-trip', () => {
  const rib = new AdjRibIn();
  rib.apply(announce(['255.255.255.255/32', '128.0.0.0/1', '192.0.2.0/24'], '10.10.1.4'));
  assert.equal(rows(rib).map((r) => r[0]).sort(), ['128.0.0.0/1', '192.0.2.0/24', '255.255.255.255/32']);
  assert.equal(rib.apply(withdraw(['255.255.255.255/32'])), [{ action: 'withdraw', prefix: '255.255.255.255/32' }]);
  assert.equal(rib.apply(withdraw(['255.255.255.255/32'])), [], 'already gone');
  assert.is(rib.size, 2);
});

Store('an announcement with new attributes replaces the route in place: one announce, the old set released', () => {
  const rib = new AdjRibIn();
  rib.apply(announce(['10.1.0.0/16', '10.2.0.0/16'], '10.10.1.4'));
  assert.equal(rib.apply(announce(['10.1.0.0/16'], '10.10.1.5')), [{ action: 'announce', prefix: '10.1.0.0/16', nextHop: '10.10.1.5' }]);
  assert.is(rib.size, 2);
  assert.is(rib.attributeSets, 2);
  rib.apply(announce(['10.2.0.0/16'], '10.10.1.5'));
  assert.is(rib.attributeSets, 1, 'the 10.10.1.4 set went with its last route');
  assert.equal(rows(rib), [['10.1.0.0/16', IPV4_UNICAST, '10.10.1.5'], ['10.2.0.0/16', IPV4_UNICAST, '10.10.1.5']]);
});

Store('attribute sets are interned by value: the same attributes from two UPDATEs are one set', () => {
  const rib = new AdjRibIn();
  const communities: PathAttribute = { type: 'COMMUNITIES', communities: [0xfde90064] };
  rib.apply(announce(['10.1.0.0/16'], '10.10.1.4', [communities]));
  rib.apply(announce(['10.2.0.0/16'], '10.10.1.4', [{ type: 'COMMUNITIES', communities: [0xfde90064] }]));
  rib.apply(announce(['10.3.0.0/16'], '10.10.1.4', [{ type: 'UNKNOWN', code: 99, flags: 0xc0, data: new Uint8Array([1, 2]) }]));
  rib.apply(announce(['10.4.0.0/16'], '10.10.1.4', [{ type: 'UNKNOWN', code: 99, flags: 0xc0, data: new Uint8Array([1, 3]) }]));
  assert.is(rib.attributeSets, 3);
  const [a, b] = [...rib.all()];
  assert.is(a!.attrs, b!.attrs);
});

Store('the same prefix in IPv4 unicast, IPv4 multicast and with ADD-PATH ids are different routes', () => {
  const rib = new AdjRibIn();
  rib.apply(announce(['10.0.0.0/8'], '10.10.1.4'));
  rib.apply(mpAnnounce(1, 2, ['10.10.1.5'], ['10.0.0.0/8']));
  rib.apply({ ...announce([], '10.10.1.6'), nlri: [{ prefix: '10.0.0.0/8', pathId: 1 }, { prefix: '10.0.0.0/8', pathId: 2 }] });
  assert.is(rib.size, 4);
  const all = [...rib.all()].map((r) => [r.prefix, r.family, r.pathId, r.attrs.nextHop]);
  assert.equal(all, [
    ['10.0.0.0/8', IPV4_UNICAST, undefined, '10.10.1.4'],
    ['10.0.0.0/8', IPV4_MULTICAST, undefined, '10.10.1.5'],
    ['10.0.0.0/8', IPV4_UNICAST, 1, '10.10.1.6'],
    ['10.0.0.0/8', IPV4_UNICAST, 2, '10.10.1.6'],
  ]);
  // Withdrawing the unicast route leaves the multicast one, and the reverse.
  assert.equal(rib.apply(withdraw(['10.0.0.0/8'])), [{ action: 'withdraw', prefix: '10.0.0.0/8' }]);
  rib.apply({ type: 'UPDATE', withdrawn: [], attributes: [{ type: 'MP_UNREACH_NLRI', afi: 1, safi: 2, withdrawn: [{ prefix: '10.0.0.0/8' }] }], nlri: [] });
  assert.equal([...rib.all()].map((r) => r.pathId), [1, 2]);
});

Store('clear() empties every store; the RIB is usable afterwards', () => {
  const rib = new AdjRibIn();
  rib.apply(announce(['10.1.0.0/16'], '10.10.1.4'));
  rib.apply(mpAnnounce(2, 1, ['2001:db8::1'], ['2001:db8:1::/48']));
  assert.is(rib.size, 2);
  rib.clear();
  assert.is(rib.size, 0);
  assert.is(rib.attributeSets, 0);
  assert.equal([...rib.all()], []);
  rib.apply(announce(['10.1.0.0/16'], '10.10.1.4'));
  assert.equal(rows(rib), [['10.1.0.0/16', IPV4_UNICAST, '10.10.1.4']]);
});

Store('a route keeps no view of the received bytes (a framed message is a view of a whole socket read)', () => {
  const u = announce(['10.1.0.0/16'], '10.10.1.4', [{ type: 'UNKNOWN', code: 99, flags: 0xc0, data: new Uint8Array([0xab, 0xcd]) }]);
  const read = concat(encodeMessage(u, DEFAULT_NEGOTIATED), new Uint8Array(65536 - 100));
  const f = new Framer();
  f.push(read.subarray(0, encodeMessage(u, DEFAULT_NEGOTIATED).length));
  const m = f.next()!;
  assert.is(m.buffer, read.buffer);
  const rib = new AdjRibIn();
  rib.apply(decodeMessage(m, DEFAULT_NEGOTIATED) as UpdateMessage);
  const kept = [...rib.all()][0]!.attrs.attributes.find((a) => a.type === 'UNKNOWN');
  assert.ok(kept?.type === 'UNKNOWN' && kept.data.length === 2);
  assert.is.not(kept.data.buffer, read.buffer);
});

Store.run();

// ---------------------------------------------------------------------------------------------

const NextHop = suite('AdjRibIn: next hops that cannot be used are ignored and counted (RFC 4271 §6.3)');

NextHop('0.0.0.0/8, multicast, 240.0.0.0/4 and the limited broadcast are not installed', () => {
  const rib = new AdjRibIn();
  const cases: [string, keyof IgnoredRoutes][] = [
    ['0.0.0.0', 'nextHopZero'],
    ['0.1.2.3', 'nextHopZero'],
    ['224.0.0.5', 'nextHopMulticast'],
    ['239.255.255.255', 'nextHopMulticast'],
    ['240.0.0.1', 'nextHopReserved'],
    ['255.255.255.255', 'nextHopReserved'],
  ];
  for (const [hop] of cases) assert.equal(rib.apply(announce(['10.1.0.0/16', '10.2.0.0/16'], hop)), [], hop);
  assert.is(rib.size, 0);
  assert.is(rib.attributeSets, 0, 'no set is interned for an ignored route');
  assert.equal(rib.ignored, { ...NONE, nextHopZero: 4, nextHopMulticast: 4, nextHopReserved: 4 });
});

NextHop('the addresses next to those ranges are fine, and so is loopback (two speakers on one host)', () => {
  const rib = new AdjRibIn({ ownAddresses: ['10.10.0.7'] });
  for (const hop of ['1.0.0.0', '223.255.255.255', '127.0.0.2', '10.10.0.8']) rib.apply(announce([`10.${hop.split('.')[0]}.0.0/16`], hop));
  assert.is(rib.size, 4);
  assert.equal(rib.ignored, NONE);
});

NextHop('our own address as next hop is ignored (RFC 4271 §5.1.3)', () => {
  const rib = new AdjRibIn({ ownAddresses: ['10.10.0.7', '2001:DB8:0::7'] });
  assert.equal(rib.apply(announce(['100.64.0.1/32'], '10.10.0.7')), []);
  assert.equal(rib.apply(mpAnnounce(2, 1, ['2001:db8::7'], ['2001:db8:1::/48'])), [], 'IPv6 own address given in another text form');
  assert.is(rib.size, 0);
  assert.equal(rib.ignored, { ...NONE, nextHopOwnAddress: 2 });
});

NextHop('an own address given as IPv4-mapped IPv6 (a dual-stack socket) matches the IPv4 next hop', () => {
  const rib = new AdjRibIn({ ownAddresses: ['::ffff:10.10.0.7'] });
  rib.apply(announce(['100.64.0.1/32'], '10.10.0.7'));
  assert.equal(rib.ignored, { ...NONE, nextHopOwnAddress: 1 });
});

NextHop('setOwnAddresses replaces the list for the UPDATEs that follow; bad text throws', () => {
  const rib = new AdjRibIn();
  rib.apply(announce(['10.1.0.0/16'], '10.10.0.7'));
  assert.is(rib.size, 1);
  rib.setOwnAddresses(['10.10.0.7']);
  rib.apply(announce(['10.2.0.0/16'], '10.10.0.7'));
  assert.equal(rows(rib).map((r) => r[0]), ['10.1.0.0/16']);
  assert.throws(() => rib.setOwnAddresses(['10.10.0.300']), (e: unknown) => e instanceof TypeError);
  assert.throws(() => new AdjRibIn({ ownAddresses: ['vip'] }), (e: unknown) => e instanceof TypeError);
});

NextHop('an implicit replace with an unusable next hop withdraws the route it replaces', () => {
  // Keeping the old route would keep a path the peer no longer has; FRR does the same
  // (bgp_update: "martian or self next-hop" -> filtered -> the existing path is removed).
  const rib = new AdjRibIn({ ownAddresses: ['10.10.0.7'] });
  rib.apply(announce(['100.64.0.1/32', '10.9.0.0/16'], '10.10.1.4'));
  assert.equal(rib.apply(announce(['100.64.0.1/32', '10.8.0.0/16'], '10.10.0.7')), [{ action: 'withdraw', prefix: '100.64.0.1/32' }]);
  assert.equal(rows(rib), [['10.9.0.0/16', IPV4_UNICAST, '10.10.1.4']]);
  assert.is(rib.attributeSets, 1);
  assert.equal(rib.ignored, { ...NONE, nextHopOwnAddress: 2 });
});

NextHop('IPv6: ::, ff00::/8 ignored; a global :: followed by a link-local next hop uses the link-local one; link-local alone is kept', () => {
  const rib = new AdjRibIn();
  assert.equal(rib.apply(mpAnnounce(2, 1, ['::'], ['2001:db8:1::/48'])), []);
  assert.equal(rib.apply(mpAnnounce(2, 1, ['ff02::1'], ['2001:db8:2::/48'])), []);
  rib.apply(mpAnnounce(2, 1, ['::', 'fe80::1'], ['2001:db8:3::/48']));
  rib.apply(mpAnnounce(2, 1, ['fe80::2'], ['2001:db8:4::/48']));
  rib.apply(mpAnnounce(2, 1, ['2001:db8::1', 'fe80::1'], ['2001:db8:5::/48']));
  assert.equal(rows(rib), [
    ['2001:db8:3::/48', IPV6_UNICAST, 'fe80::1'],
    ['2001:db8:4::/48', IPV6_UNICAST, 'fe80::2'],
    ['2001:db8:5::/48', IPV6_UNICAST, '2001:db8::1'],
  ]);
  assert.equal(rib.ignored, { ...NONE, nextHopZero: 1, nextHopMulticast: 1 });
});

NextHop('the NEXT_HOP decides for the NLRI field only; MP_REACH routes in the same UPDATE go by their own next hop', () => {
  const rib = new AdjRibIn();
  const u = mpAnnounce(2, 1, ['2001:db8::1'], ['2001:db8:1::/48']);
  u.attributes.push({ type: 'NEXT_HOP', nextHop: '0.0.0.0' });
  u.nlri = [{ prefix: '10.1.0.0/16' }];
  assert.equal(rib.apply(u), [{ action: 'announce', prefix: '2001:db8:1::/48', nextHop: '2001:db8::1' }]);
  assert.equal(rib.ignored, { ...NONE, nextHopZero: 1 });
});

NextHop('counters survive clear(), and the getter hands out a copy', () => {
  const rib = new AdjRibIn();
  rib.apply(announce(['10.1.0.0/16'], '0.0.0.0'));
  rib.clear();
  const seen = rib.ignored as IgnoredRoutes;
  assert.equal(seen, { ...NONE, nextHopZero: 1 });
  seen.nextHopZero = 99;
  assert.is(rib.ignored.nextHopZero, 1);
});

NextHop('treat-as-withdraw wins over an unusable next hop: the prefixes are withdrawn, not counted as ignored', () => {
  const rib = new AdjRibIn();
  rib.apply(announce(['10.1.0.0/16'], '10.10.1.4'));
  const bad = { ...announce(['10.1.0.0/16'], '0.0.0.0'), problems: [{ action: 'treat-as-withdraw' as const, attrType: 1, subcode: 6, reason: 'ORIGIN value 3' }] };
  assert.equal(rib.apply(bad), [{ action: 'withdraw', prefix: '10.1.0.0/16' }]);
  assert.equal(rib.ignored, NONE);
});

NextHop('our AS anywhere in the AS path (a sequence, a set, or AS4_PATH behind AS_TRANS) is a loop: not installed, counted, the old route goes', () => {
  const rib = new AdjRibIn({ localAs: 4200000001 });
  const path = (segments: { segmentType: number; asns: number[] }[]): PathAttribute[] => [{ type: 'AS_PATH', segments }];
  rib.apply(announce(['10.1.0.0/16', '10.2.0.0/16'], '10.10.1.4'));
  assert.is(rib.size, 2);
  const loop = (attrs: PathAttribute[], prefix: string): UpdateMessage => ({ type: 'UPDATE', withdrawn: [], attributes: [{ type: 'ORIGIN', origin: 0 }, ...attrs, { type: 'NEXT_HOP', nextHop: '10.10.1.4' }], nlri: [{ prefix }] });
  assert.equal(rib.apply(loop(path([{ segmentType: 2, asns: [65515, 4200000001] }]), '10.1.0.0/16')), [{ action: 'withdraw', prefix: '10.1.0.0/16' }]);
  rib.apply(loop(path([{ segmentType: 2, asns: [65515] }, { segmentType: 1, asns: [65010, 4200000001] }]), '10.3.0.0/16'));
  rib.apply(loop([...path([{ segmentType: 2, asns: [65515, 23456] }]), { type: 'AS4_PATH', segments: [{ segmentType: 2, asns: [65515, 4200000001] }] }], '10.4.0.0/16'));
  rib.apply(loop(path([{ segmentType: 2, asns: [65515, 65001] }]), '10.5.0.0/16'));
  assert.equal(rows(rib).map((r) => r[0]).sort(), ['10.2.0.0/16', '10.5.0.0/16']);
  assert.equal(rib.ignored, { ...NONE, asPathLoop: 3 });
  assert.is(rib.attributeSets, 2, 'no attribute set is kept for a loop');
});

NextHop.run();

// ---------------------------------------------------------------------------------------------

const Stale = suite('AdjRibIn: stale routes (RFC 4724 §4.2)');

const staleRows = (rib: AdjRibIn): [string, boolean][] => [...rib.all()].map((r) => [r.prefix, r.attrs.stale]);

Stale('markStale marks the routes of the families named, through a stale twin of each set (no object per route)', () => {
  const rib = new AdjRibIn();
  rib.apply(announce(['10.1.0.0/16', '10.2.0.0/16'], '192.0.2.1'));
  rib.apply(mpAnnounce(2, 1, ['2001:db8::1'], ['2001:db8:1::/48']));
  const sets = rib.attributeSets;
  assert.is(rib.markStale(new Set([IPV4_UNICAST])), 2);
  assert.equal(staleRows(rib), [
    ['10.1.0.0/16', true],
    ['10.2.0.0/16', true],
    ['2001:db8:1::/48', false],
  ]);
  assert.is(rib.staleCount, 2);
  assert.is(rib.attributeSets, sets, 'the shared set was swapped for one twin, not copied per route');
  assert.is(rib.markStale(new Set([IPV4_UNICAST])), 0, 'marking again marks nothing');
  assert.equal(rows(rib)[0], ['10.1.0.0/16', IPV4_UNICAST, '192.0.2.1'], 'a stale route keeps its next hop');
});

Stale('a route sent again loses the mark; a withdrawn stale route leaves the count', () => {
  const rib = new AdjRibIn();
  rib.apply(announce(['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16'], '192.0.2.1'));
  rib.markStale(new Set([IPV4_UNICAST]));
  assert.equal(rib.apply(announce(['10.1.0.0/16'], '192.0.2.1')), [{ action: 'announce', prefix: '10.1.0.0/16', nextHop: '192.0.2.1' }]);
  rib.apply(withdraw(['10.2.0.0/16']));
  assert.equal(staleRows(rib), [
    ['10.1.0.0/16', false],
    ['10.3.0.0/16', true],
  ]);
  assert.is(rib.staleCount, 1);
});

Stale('drop: only the stale routes of a family (a sweep), or every route but some families (a flush), told as withdrawals', () => {
  const rib = new AdjRibIn();
  rib.apply(announce(['10.1.0.0/16', '10.2.0.0/16'], '192.0.2.1'));
  rib.apply(mpAnnounce(2, 1, ['2001:db8::1'], ['2001:db8:1::/48']));
  rib.apply(mpAnnounce(1, 2, ['192.0.2.1'], ['224.1.0.0/16']));
  rib.markStale(new Set([IPV4_UNICAST, IPV6_UNICAST]));
  rib.apply(announce(['10.2.0.0/16'], '192.0.2.2'));
  assert.equal(rib.drop((f) => f === IPV4_UNICAST, true), [{ action: 'withdraw', prefix: '10.1.0.0/16' }]);
  assert.equal(rib.drop((f) => f !== IPV6_UNICAST, false), [
    { action: 'withdraw', prefix: '10.2.0.0/16' },
    { action: 'withdraw', prefix: '224.1.0.0/16' },
  ]);
  assert.equal(staleRows(rib), [['2001:db8:1::/48', true]]);
  assert.is(rib.staleCount, 1);
  assert.equal(rib.drop(() => true, true), [{ action: 'withdraw', prefix: '2001:db8:1::/48' }]);
  assert.equal([rib.size, rib.staleCount, rib.attributeSets], [0, 0, 0], 'nothing left behind');
});

Stale.run();
