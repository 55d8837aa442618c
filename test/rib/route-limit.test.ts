// max-routes-out in the planner: at the boundaries (limit - 1, limit, limit + 1), 501 re-advertised under 1000, withdrawals first, a fresh session.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_NEGOTIATED, type Negotiated, type UpdateMessage } from '../../src/bgp/messages/index.js';
import { AdjRibOut, type OutRoute } from '../../src/bgp/rib/adj-rib-out.js';
import { plan } from '../../src/bgp/rib/outbound.js';
import { packUpdates } from '../../src/bgp/rib/packer.js';
import { mostHeld, splitForLimit } from '../../src/bgp/rib/route-limit.js';
import { exportRoute } from '../../src/routes/export.js';
import type { RouteSpec } from '../../src/routes/local-routes.js';
import { AzureCount } from '../helpers/azure-count.js';

const CTX: Negotiated = { ...DEFAULT_NEGOTIATED, fourOctetAs: true, extendedMessage: true };
const EBGP = { localAs: 65001, external: true, send: CTX };
const LIMIT = 1000;

const prefix = (i: number): string => `100.64.${i >> 8}.${i & 255}/32`;
const route = (i: number, nextHop = '10.10.0.4'): RouteSpec => ({ prefix: prefix(i), nextHop });
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, k) => from + k);

/** A table of wanted routes, and a peer (Adj-RIB-Out plus its referee) that already holds `held` of them. */
function setup(held: number) {
  const want = new Map<string, OutRoute>();
  const out = new AdjRibOut();
  const peer = new AzureCount(LIMIT);
  const seed = range(0, held).map((i) => exportRoute(route(i), EBGP));
  for (const r of seed) want.set(r.prefix, r);
  out.commit({ announce: seed, withdraw: [] });
  for (const r of seed) peer.held.add(r.prefix);
  return {
    out,
    peer,
    set: (r: RouteSpec) => void want.set(r.prefix, exportRoute(r, EBGP)),
    drop: (p: string) => void want.delete(p),
    desired: (p: string) => want.get(p),
  };
}

const nlriCount = (us: readonly UpdateMessage[]): number[] => us.filter((u) => u.nlri.length).map((u) => u.nlri.length);

const Rule = suite('max-routes-out: held + NLRI <= limit for every UPDATE');

Rule('mostHeld: limit - 1, so that one route of headroom is left for a next-hop change', () => {
  assert.is(mostHeld(1000), 999);
  assert.is(mostHeld(2), 1);
});

Rule('limit - 1 held: the VIP next-hop change is one UPDATE of one prefix; held + N = limit exactly', () => {
  const t = setup(LIMIT - 1);
  t.set(route(0, '10.10.0.5'));
  const p = plan(t.out, [prefix(0)], t.desired, CTX, { limit: LIMIT });
  assert.equal(p.deferred, []);
  assert.equal(nlriCount(p.updates), [1]);
  t.peer.applyAll(p.updates);
  assert.equal(t.peer.violations, []);
  assert.is(t.peer.worst, LIMIT);
});

Rule('limit - 1 held: two next-hop changes go as two UPDATEs of one prefix (together they would count limit + 1)', () => {
  const t = setup(LIMIT - 1);
  t.set(route(0, '10.10.0.5'));
  t.set(route(1, '10.10.0.5'));
  const p = plan(t.out, [prefix(0), prefix(1)], t.desired, CTX, { limit: LIMIT });
  assert.equal(nlriCount(p.updates), [1, 1]);
  assert.equal(t.peer.applyAll(p.updates).violations, []);
  // Without the limit the packer puts both in one UPDATE, which Azure would count as 1001.
  const naive = new AzureCount(LIMIT);
  for (const x of t.out.prefixes()) naive.held.add(x);
  naive.applyAll(plan(t.out, [prefix(0), prefix(1)], t.desired, CTX).updates);
  assert.equal(naive.violations, [`held 999 + 2 in one UPDATE = 1001 > 1000`]);
});

Rule('501 held and all re-advertised under 1000: 499 then 2, never 1,002', () => {
  const t = setup(501);
  for (const i of range(0, 501)) t.set(route(i, '10.10.0.5'));
  const p = plan(t.out, range(0, 501).map(prefix), t.desired, CTX, { limit: LIMIT });
  assert.equal(nlriCount(p.updates), [499, 2]);
  t.peer.applyAll(p.updates);
  assert.equal(t.peer.violations, []);
  assert.is(t.peer.worst, 1000);
  p.commit();
  assert.is(t.out.size, 501);
  // The naive plan (no limit): one UPDATE of 501, counted 1,002.
  const naive = new AzureCount(LIMIT);
  for (const i of range(0, 501)) naive.held.add(prefix(i));
  const again = setup(501);
  for (const i of range(0, 501)) again.set(route(i, '10.10.0.5'));
  naive.applyAll(plan(again.out, range(0, 501).map(prefix), again.desired, CTX).updates);
  assert.equal(naive.violations, ['held 501 + 501 in one UPDATE = 1002 > 1000']);
});

Rule('500 held and all re-advertised: one UPDATE of 500 (500 + 500 = 1000 is allowed)', () => {
  const t = setup(500);
  for (const i of range(0, 500)) t.set(route(i, '10.10.0.5'));
  const p = plan(t.out, range(0, 500).map(prefix), t.desired, CTX, { limit: LIMIT });
  assert.equal(nlriCount(p.updates), [500]);
  assert.equal(t.peer.applyAll(p.updates).violations, []);
});

Rule('boundary on what may be held: ending at limit - 1 is planned; at limit or limit + 1 the new prefixes beyond are deferred', () => {
  for (const [target, deferred] of [
    [LIMIT - 1, 0],
    [LIMIT, 1],
    [LIMIT + 1, 2],
  ] as const) {
    const t = setup(LIMIT - 3);
    for (const i of range(LIMIT - 3, target)) t.set(route(i));
    const p = plan(t.out, range(LIMIT - 3, target).map(prefix), t.desired, CTX, { limit: LIMIT });
    assert.equal(p.deferred, range(LIMIT - 1, target).map(prefix), `target ${target}`);
    assert.is(p.deferred.length, deferred);
    t.peer.applyAll(p.updates);
    assert.equal(t.peer.violations, [], `target ${target}`);
    p.commit();
    assert.is(t.out.size, LIMIT - 1, `target ${target}`);
  }
});

Rule('at limit - 1 a deferred new prefix does not hold back a next-hop change planned with it', () => {
  const t = setup(LIMIT - 1);
  t.set(route(LIMIT + 5));
  t.set(route(7, '10.10.0.5'));
  const p = plan(t.out, [prefix(LIMIT + 5), prefix(7)], t.desired, CTX, { limit: LIMIT });
  assert.equal(p.deferred, [prefix(LIMIT + 5)]);
  assert.equal(p.updates.flatMap((u) => u.nlri.map((n) => n.prefix)), [prefix(7)]);
});

Rule('withdrawals go first and make room: 10 out, 10 new in, at limit - 1', () => {
  const t = setup(LIMIT - 1);
  const todo: string[] = [];
  for (const i of range(0, 10)) {
    t.drop(prefix(i));
    todo.push(prefix(i));
  }
  for (const i of range(2000, 2010)) {
    t.set(route(i));
    todo.push(prefix(i));
  }
  const p = plan(t.out, todo, t.desired, CTX, { limit: LIMIT });
  assert.equal(p.deferred, []);
  assert.ok(p.updates[0]!.withdrawn.length === 10 && p.updates[0]!.nlri.length === 0, 'withdrawals first, alone');
  t.peer.applyAll(p.updates);
  assert.equal(t.peer.violations, []);
  assert.is(t.peer.held.size, LIMIT - 1);
});

Rule('new routes grow the count UPDATE by UPDATE: each attribute set is fitted to what is left', () => {
  // 900 held; 99 new routes in three attribute sets (33 each, three next hops), and 900 replaced.
  const t = setup(900);
  const todo: string[] = [];
  for (const i of range(0, 900)) {
    t.set(route(i, '10.10.0.6'));
    todo.push(prefix(i));
  }
  for (const i of range(900, 999)) {
    t.set(route(i, ['10.10.0.4', '10.10.0.5', '10.10.0.6'][i % 3]!));
    todo.push(prefix(i));
  }
  const p = plan(t.out, todo, t.desired, CTX, { limit: LIMIT });
  t.peer.applyAll(p.updates);
  assert.equal(t.peer.violations, []);
  assert.is(t.peer.held.size, 999);
  assert.is(nlriCount(p.updates).reduce((a, b) => a + b, 0), 999);
});

Rule('a fresh session (the whole table) is counted as if the peer still held it: 999 routes go one per UPDATE', () => {
  const t = setup(0);
  for (const i of range(0, 999)) t.set(route(i));
  const p = plan(t.out, range(0, 999).map(prefix), t.desired, CTX, { limit: LIMIT, fresh: true });
  assert.is(p.updates.length, 999);
  // A peer that kept all 999 as stale (graceful restart) is not pushed over either.
  const stale = new AzureCount(LIMIT);
  for (const i of range(0, 999)) stale.held.add(prefix(i));
  assert.equal(stale.applyAll(p.updates).violations, []);
  // A smaller table goes in as few UPDATEs as the rule allows: 400 routes, at most 600 per UPDATE.
  const small = setup(0);
  for (const i of range(0, 400)) small.set(route(i));
  assert.equal(nlriCount(plan(small.out, range(0, 400).map(prefix), small.desired, CTX, { limit: LIMIT, fresh: true }).updates), [400]);
});

Rule('unlimited: nothing deferred, nothing split beyond what the message size asks', () => {
  const t = setup(999);
  for (const i of range(0, 999)) t.set(route(i, '10.10.0.5'));
  const p = plan(t.out, range(0, 999).map(prefix), t.desired, CTX);
  assert.equal(p.deferred, []);
  assert.equal(nlriCount(p.updates), [999]);
});

Rule.run();

const Split = suite('splitForLimit');

Split('IPv6 (MP_REACH_NLRI) is split the same way, attributes kept', () => {
  const v6 = (i: number): OutRoute => exportRoute({ prefix: `2001:db8:${i.toString(16)}::/48`, nextHop: '2001:db8::4' }, EBGP);
  const routes = range(0, 5).map(v6);
  const packed = packUpdates({ announce: routes, withdraw: [] }, CTX);
  assert.is(packed.length, 1);
  const split = splitForLimit(packed, { limit: 6, held: 4, adds: () => false })!;
  const mp = split.map((u) => u.attributes.find((a) => a.type === 'MP_REACH_NLRI'));
  assert.equal(mp.map((a) => (a?.type === 'MP_REACH_NLRI' ? a.nlri.length : -1)), [2, 2, 1]);
  assert.ok(mp.every((a) => a?.type === 'MP_REACH_NLRI' && a.nextHops[0] === '2001:db8::4'));
  const peer = new AzureCount(6);
  for (const r of routes.slice(0, 4)) peer.held.add(r.prefix);
  assert.equal(peer.applyAll(split).violations, []);
});

Split('no room at all before an UPDATE: undefined (the caller must never get there)', () => {
  const packed = packUpdates({ announce: [exportRoute(route(1), EBGP)], withdraw: [] }, CTX);
  assert.is(splitForLimit(packed, { limit: 5, held: 5, adds: () => false }), undefined);
  assert.is(splitForLimit(packed, { limit: 5, held: 4, adds: () => false })!.length, 1);
});

Split.run();
