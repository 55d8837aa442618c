// Adj-RIB-In interning and RFC 7606 outcomes; Adj-RIB-Out diffs (no withdraw on a next-hop change); the packer.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_NEGOTIATED, type Negotiated, type UpdateMessage, encodeMessage, messageLength } from '../../src/bgp/messages/index.js';
import { AdjRibIn } from '../../src/bgp/rib/adj-rib-in.js';
import { AdjRibOut } from '../../src/bgp/rib/adj-rib-out.js';
import { exportRoute } from '../../src/routes/export.js';
import { LocalRoutes } from '../../src/routes/local-routes.js';
import { packUpdates } from '../../src/bgp/rib/packer.js';

const CTX: Negotiated = { ...DEFAULT_NEGOTIATED, fourOctetAs: true };
const EBGP = { localAs: 65001, external: true, send: CTX };

const update = (nlri: string[], nextHop: string, extra: Partial<UpdateMessage> = {}): UpdateMessage => ({
  type: 'UPDATE',
  withdrawn: [],
  attributes: [
    { type: 'ORIGIN', origin: 0 },
    { type: 'AS_PATH', segments: [{ segmentType: 2, asns: [65515] }] },
    { type: 'NEXT_HOP', nextHop },
  ],
  nlri: nlri.map((prefix) => ({ prefix })),
  ...extra,
});

const RibIn = suite('AdjRibIn');

RibIn('prefixes with the same attributes share one interned set, released when gone', () => {
  const rib = new AdjRibIn();
  const changes = rib.apply(update(['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16'], '10.10.1.4'));
  assert.is(changes.length, 3);
  assert.is(rib.size, 3);
  assert.is(rib.attributeSets, 1);
  rib.apply(update(['10.3.0.0/16'], '10.10.1.5'));
  assert.is(rib.attributeSets, 2);
  rib.apply({ type: 'UPDATE', withdrawn: [{ prefix: '10.3.0.0/16' }], attributes: [], nlri: [] });
  assert.is(rib.attributeSets, 1);
  assert.equal([...rib.all()].map((r) => r.prefix), ['10.1.0.0/16', '10.2.0.0/16']);
});

RibIn('the same route again changes nothing', () => {
  const rib = new AdjRibIn();
  rib.apply(update(['10.1.0.0/16'], '10.10.1.4'));
  assert.equal(rib.apply(update(['10.1.0.0/16'], '10.10.1.4')), []);
});

RibIn('treat-as-withdraw removes every prefix the UPDATE names (RFC 7606 §2)', () => {
  const rib = new AdjRibIn();
  rib.apply(update(['10.1.0.0/16', '10.2.0.0/16'], '10.10.1.4'));
  const bad = update(['10.1.0.0/16'], '10.10.1.4', { problems: [{ action: 'treat-as-withdraw', attrType: 1, subcode: 6, reason: 'ORIGIN value 3' }] });
  assert.equal(rib.apply(bad), [{ action: 'withdraw', prefix: '10.1.0.0/16' }]);
  assert.equal([...rib.all()].map((r) => r.prefix), ['10.2.0.0/16']);
});

RibIn('IPv6 from MP_REACH/MP_UNREACH, ADD-PATH ids kept apart', () => {
  const rib = new AdjRibIn();
  rib.apply({
    type: 'UPDATE',
    withdrawn: [],
    attributes: [
      { type: 'MP_REACH_NLRI', afi: 2, safi: 1, nextHops: ['2001:db8::1'], nlri: [{ prefix: '2001:db8:1::/48', pathId: 1 }, { prefix: '2001:db8:1::/48', pathId: 2 }] },
      { type: 'ORIGIN', origin: 0 },
      { type: 'AS_PATH', segments: [] },
    ],
    nlri: [],
  });
  assert.is(rib.size, 2);
  assert.equal([...rib.all()].map((r) => r.attrs.nextHop), ['2001:db8::1', '2001:db8::1']);
  rib.apply({ type: 'UPDATE', withdrawn: [], attributes: [{ type: 'MP_UNREACH_NLRI', afi: 2, safi: 1, withdrawn: [{ prefix: '2001:db8:1::/48', pathId: 1 }] }], nlri: [] });
  assert.equal([...rib.all()].map((r) => r.pathId), [2]);
});

RibIn.run();

const RibOut = suite('AdjRibOut');

RibOut('a next-hop change is an announcement of the prefix, never a withdraw', () => {
  const out = new AdjRibOut();
  const first = out.diff([exportRoute({ prefix: '100.64.0.1/32', nextHop: '10.10.0.4' }, EBGP)]);
  out.commit(first);
  const change = out.diff([exportRoute({ prefix: '100.64.0.1/32', nextHop: '10.10.0.5' }, EBGP)]);
  assert.equal(change.withdraw, []);
  assert.equal(change.announce.map((r) => r.prefix), ['100.64.0.1/32']);
  const updates = packUpdates(change, CTX);
  assert.is(updates.length, 1);
  const u = updates[0]!;
  assert.equal(u.withdrawn, []);
  assert.equal(u.nlri, [{ prefix: '100.64.0.1/32' }]);
  assert.equal(u.attributes.find((a) => a.type === 'NEXT_HOP'), { type: 'NEXT_HOP', nextHop: '10.10.0.5' });
});

RibOut('re-announcing an identical route sends nothing; removing one withdraws it', () => {
  const out = new AdjRibOut();
  const r = exportRoute({ prefix: '100.64.0.1/32', nextHop: '10.10.0.4', med: 10 }, EBGP);
  out.commit(out.diff([r]));
  const same = out.diff([exportRoute({ prefix: '100.64.0.1/32', nextHop: '10.10.0.4', med: 10 }, EBGP)]);
  assert.equal(same, { announce: [], withdraw: [] });
  assert.equal(out.diff([]), { announce: [], withdraw: ['100.64.0.1/32'] });
});

RibOut('export: our AS prepended, MED, communities; AS_TRANS + AS4_PATH towards a 2-octet peer', () => {
  const r = exportRoute({ prefix: '100.64.0.1/32', nextHop: '10.10.0.4', med: 5, communities: [0xfde90064], largeCommunities: [[65001, 1, 2]], asPathPrepend: 2 }, EBGP);
  assert.equal(r.attributes.map((a) => a.type), ['ORIGIN', 'AS_PATH', 'NEXT_HOP', 'MULTI_EXIT_DISC', 'COMMUNITIES', 'LARGE_COMMUNITY']);
  assert.equal(r.attributes[1], { type: 'AS_PATH', segments: [{ segmentType: 2, asns: [65001, 65001, 65001] }] });
  const wide = exportRoute({ prefix: '100.64.0.1/32', nextHop: '10.10.0.4' }, { localAs: 4200000001, external: true, send: DEFAULT_NEGOTIATED });
  assert.equal(wide.attributes.find((a) => a.type === 'AS_PATH'), { type: 'AS_PATH', segments: [{ segmentType: 2, asns: [23456] }] });
  assert.equal(wide.attributes.find((a) => a.type === 'AS4_PATH'), { type: 'AS4_PATH', segments: [{ segmentType: 2, asns: [4200000001] }] });
  const ibgp = exportRoute({ prefix: '100.64.0.1/32', nextHop: '10.10.0.4' }, { localAs: 65001, external: false, send: CTX });
  assert.equal(ibgp.attributes.find((a) => a.type === 'AS_PATH'), { type: 'AS_PATH', segments: [] });
  assert.equal(ibgp.attributes.find((a) => a.type === 'LOCAL_PREF'), { type: 'LOCAL_PREF', localPref: 100 });
});

RibOut.run();

const Packer = suite('packUpdates');

Packer('prefixes sharing attributes go in one UPDATE; IPv6 in MP_REACH; withdrawals first', () => {
  const routes = ['100.64.0.1/32', '100.64.0.2/32', '2001:db8::1/128'].map((prefix) =>
    exportRoute({ prefix, nextHop: prefix.includes(':') ? '2001:db8::a' : '10.10.0.4' }, EBGP),
  );
  const updates = packUpdates({ announce: routes, withdraw: ['100.64.0.9/32', '2001:db8::9/128'] }, CTX);
  assert.is(updates.length, 4);
  assert.equal(updates[0]!.withdrawn, [{ prefix: '100.64.0.9/32' }]);
  assert.equal(updates[1]!.attributes, [{ type: 'MP_UNREACH_NLRI', afi: 2, safi: 1, withdrawn: [{ prefix: '2001:db8::9/128' }] }]);
  assert.equal(updates[2]!.nlri.map((n) => n.prefix), ['100.64.0.1/32', '100.64.0.2/32']);
  const mp = updates[3]!.attributes[0]!;
  assert.ok(mp.type === 'MP_REACH_NLRI' && mp.nlri.length === 1 && mp.nextHops[0] === '2001:db8::a');
  for (const u of updates) encodeMessage(u, CTX);
});

Packer('a table larger than one message is split, every UPDATE within 4096 octets', () => {
  const routes = Array.from({ length: 3000 }, (_, i) => exportRoute({ prefix: `10.${i >> 8}.${i & 255}.0/24`, nextHop: '10.10.0.4' }, EBGP));
  const updates = packUpdates({ announce: routes, withdraw: [] }, CTX);
  assert.ok(updates.length > 1);
  assert.is(updates.reduce((n, u) => n + u.nlri.length, 0), 3000);
  for (const u of updates) assert.ok(messageLength(u, CTX) <= 4096, `${messageLength(u, CTX)} octets`);
  const v6 = Array.from({ length: 600 }, (_, i) => exportRoute({ prefix: `2001:db8:${i.toString(16)}::/48`, nextHop: '2001:db8::a' }, EBGP));
  for (const u of packUpdates({ announce: v6, withdraw: [] }, CTX)) assert.ok(messageLength(u, CTX) <= 4096);
});

Packer.run();

const Local = suite('LocalRoutes');

Local('set reports whether anything changed; replaceAll names the changed prefixes', () => {
  const l = new LocalRoutes();
  assert.ok(l.set({ prefix: '100.64.0.1/32', nextHop: '10.10.0.4' }));
  assert.not.ok(l.set({ prefix: '100.64.0.1/32', nextHop: '10.10.0.4' }));
  assert.ok(l.set({ prefix: '100.64.0.1/32', nextHop: '10.10.0.4', communities: [1] }));
  assert.equal(l.replaceAll([{ prefix: '100.64.0.1/32', nextHop: '10.10.0.4', communities: [1] }, { prefix: '100.64.0.2/32', nextHop: '10.10.0.4' }]), ['100.64.0.2/32']);
});

Local.run();
