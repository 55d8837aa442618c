// The outbound planner over the Adj-RIB-Out (no withdraw on a next-hop change, only changed prefixes looked at), export, the packer.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_NEGOTIATED, type Negotiated, encodeMessage, messageLength } from '../../src/bgp/messages/index.js';
import { AdjRibOut, type OutRoute } from '../../src/bgp/rib/adj-rib-out.js';
import { allPrefixes, plan } from '../../src/bgp/rib/outbound.js';
import { packUpdates } from '../../src/bgp/rib/packer.js';
import { exportRoute } from '../../src/routes/export.js';
import type { RouteSpec } from '../../src/routes/local-routes.js';

const CTX: Negotiated = { ...DEFAULT_NEGOTIATED, fourOctetAs: true };
const EBGP = { localAs: 65001, external: true, send: CTX };

/** A desired-route lookup over a table, counting the prefixes it was asked about. */
function table(routes: RouteSpec[]): { desired: (p: string) => OutRoute | undefined; asked: string[]; set(r: RouteSpec): void; drop(p: string): void } {
  const m = new Map(routes.map((r) => [r.prefix, exportRoute(r, EBGP)]));
  const asked: string[] = [];
  return {
    asked,
    desired: (p) => {
      asked.push(p);
      return m.get(p);
    },
    set: (r) => void m.set(r.prefix, exportRoute(r, EBGP)),
    drop: (p) => void m.delete(p),
  };
}

const Plan = suite('plan');

Plan('a next-hop change is one UPDATE announcing the prefix with the new NEXT_HOP, never a withdraw', () => {
  const out = new AdjRibOut();
  const t = table([{ prefix: '100.64.0.1/32', nextHop: '10.10.0.4' }]);
  plan(out, ['100.64.0.1/32'], t.desired, CTX).commit();
  t.set({ prefix: '100.64.0.1/32', nextHop: '10.10.0.5' });
  const p = plan(out, ['100.64.0.1/32'], t.desired, CTX);
  assert.equal(p.changes.withdraw, []);
  assert.is(p.updates.length, 1);
  const u = p.updates[0]!;
  assert.equal(u.withdrawn, []);
  assert.equal(u.nlri, [{ prefix: '100.64.0.1/32' }]);
  assert.equal(u.attributes.find((a) => a.type === 'NEXT_HOP'), { type: 'NEXT_HOP', nextHop: '10.10.0.5' });
  // Not committed yet: the Adj-RIB-Out still says what the peer holds.
  assert.equal(out.get('100.64.0.1/32')!.attributes.find((a) => a.type === 'NEXT_HOP'), { type: 'NEXT_HOP', nextHop: '10.10.0.4' });
  p.commit();
  assert.equal(out.get('100.64.0.1/32')!.attributes.find((a) => a.type === 'NEXT_HOP'), { type: 'NEXT_HOP', nextHop: '10.10.0.5' });
});

Plan('an identical route sends nothing; a route no longer wanted is withdrawn', () => {
  const out = new AdjRibOut();
  const t = table([{ prefix: '100.64.0.1/32', nextHop: '10.10.0.4', med: 10 }]);
  plan(out, ['100.64.0.1/32'], t.desired, CTX).commit();
  t.set({ prefix: '100.64.0.1/32', nextHop: '10.10.0.4', med: 10 });
  const same = plan(out, ['100.64.0.1/32'], t.desired, CTX);
  assert.equal(same.changes, { announce: [], withdraw: [] });
  assert.equal(same.updates, []);
  t.drop('100.64.0.1/32');
  const gone = plan(out, ['100.64.0.1/32'], t.desired, CTX);
  assert.equal(gone.changes.withdraw, ['100.64.0.1/32']);
  assert.equal(gone.updates.map((u) => u.withdrawn), [[{ prefix: '100.64.0.1/32' }]]);
});

Plan('only the changed prefixes are looked at, whatever the size of the table', () => {
  const routes = Array.from({ length: 10_000 }, (_, i): RouteSpec => ({ prefix: `10.${i >> 8}.${i & 255}.1/32`, nextHop: '10.10.0.4' }));
  const out = new AdjRibOut();
  const t = table(routes);
  plan(out, allPrefixes(routes.map((r) => r.prefix), out), t.desired, CTX).commit();
  assert.is(out.size, 10_000);
  t.asked.length = 0;
  t.set({ prefix: '10.0.7.1/32', nextHop: '10.10.0.5' });
  const p = plan(out, ['10.0.7.1/32'], t.desired, CTX);
  assert.equal(t.asked, ['10.0.7.1/32']);
  assert.is(p.updates.length, 1);
});

Plan('queued changes go out together: one UPDATE per attribute set, duplicates planned once', () => {
  const out = new AdjRibOut();
  const t = table([]);
  const prefixes = Array.from({ length: 100 }, (_, i) => `100.64.1.${i}/32`);
  for (const prefix of prefixes) t.set({ prefix, nextHop: '10.10.0.5' });
  const p = plan(out, [...prefixes, ...prefixes], t.desired, CTX);
  assert.is(p.updates.length, 1);
  assert.is(p.updates[0]!.nlri.length, 100);
});

Plan('pending prefixes: marked while the peer is behind, taken once, cleared by a commit', () => {
  const out = new AdjRibOut();
  const t = table([{ prefix: '100.64.0.1/32', nextHop: '10.10.0.4' }]);
  plan(out, ['100.64.0.1/32'], t.desired, CTX).commit();
  out.markPending(['100.64.0.1/32']);
  assert.ok(out.isPending('100.64.0.1/32'));
  assert.is(out.pendingCount, 1);
  t.set({ prefix: '100.64.0.1/32', nextHop: '10.10.0.5' });
  const todo = out.takePending();
  assert.equal(todo, ['100.64.0.1/32']);
  out.markPending(todo);
  plan(out, todo, t.desired, CTX).commit();
  assert.not.ok(out.isPending('100.64.0.1/32'));
});

Plan.run();

const Export = suite('exportRoute');

Export('exportRoute: our AS prepended, MED, communities; AS_TRANS + AS4_PATH towards a 2-octet peer', () => {
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

Export.run();

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

