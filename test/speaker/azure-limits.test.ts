// A real Speaker under the azure-route-server profile against scripted route servers: held + NLRI per UPDATE on the wire, refusals, 6/1.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../src/bgp/fsm/clock.js';
import type { PathAttribute, UpdateMessage } from '../../src/bgp/messages/index.js';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/types.js';
import { textOutput } from '../../src/control/format.js';
import { Speaker } from '../../src/daemon/speaker.js';
import type { StateBackend } from '../../src/daemon/store.js';
import { AzureCount } from '../helpers/azure-count.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { memoryLogger, until, waitState } from '../helpers/speakers.js';

const prefix = (i: number): string => `100.64.${i >> 8}.${i & 255}/32`;
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

interface Setup {
  /** Route servers on 127.0.0.2, 127.0.0.3...: each with a referee counting what it receives as Azure would. */
  peers: { address: string; rs: RawPeer; count: AzureCount; updates: Uint8Array[] }[];
  w: Speaker;
  lines: { level: string; obj: object; msg?: string }[];
  stop(): Promise<void>;
}

/** The watcher's YAML: neighbors with the profile (and `neighbor` extra keys), `routes` routes. */
function yaml(ports: number[], o: { routes: number; neighbor?: string }): string {
  const neighbors = ports
    .map((port, i) => `  - address: 127.0.0.${i + 2}\n    profile: azure-route-server\n    port: ${port}\n    connect-retry: 1\n${o.neighbor ?? ''}`)
    .join('');
  const routes = range(o.routes)
    .map((i) => `  - { prefix: ${prefix(i)}, next-hop: 10.10.0.4 }\n`)
    .join('');
  return `router-id: 10.10.0.7\nlocal-as: 65001\nlisten: false\nstate-file: false\nneighbors:\n${neighbors}${o.routes ? `routes:\n${routes}` : ''}`;
}

async function azureWatcher(o: {
  peers?: number;
  /** The limit the referees count against (the neighbor's max-routes-out). Default 1000. */
  limit?: number;
  routes: number;
  neighbor?: string;
  clock?: ManualClock;
  state?: StateBackend;
  reload?: (ports: number[]) => string;
}): Promise<Setup> {
  const peers: Setup['peers'] = [];
  const ports: number[] = [];
  for (const i of range(o.peers ?? 1)) {
    const address = `127.0.0.${i + 2}`;
    const rs = new RawPeer({ asn: 65515, bgpId: `10.10.1.${i + 4}` });
    ports.push(await rs.listen(address));
    const p = { address, rs, count: new AzureCount(o.limit ?? 1000), updates: [] as Uint8Array[] };
    rs.onMessage = (r) => {
      if (r.message.type !== 'UPDATE') return;
      p.updates.push(r.bytes);
      p.count.apply(r.message);
    };
    peers.push(p);
  }
  const config: Config = parseConfig(yaml(ports, o), 'watcher.yaml');
  const lines: Setup['lines'] = [];
  const w = new Speaker({
    config,
    log: memoryLogger(lines),
    random: () => 0.5,
    ...(o.clock ? { clock: o.clock } : {}),
    ...(o.state ? { state: o.state } : {}),
    ...(o.reload ? { reloadConfig: async () => parseConfig(o.reload!(ports), 'watcher.yaml') } : {}),
  });
  await w.start();
  for (const p of peers) {
    await waitState(w, p.address, 'Established');
    await until('End-of-RIB', () => p.rs.ofType('UPDATE').some((u) => u.nlri.length === 0 && u.withdrawn.length === 0 && u.attributes.length === 0));
  }
  return {
    peers,
    w,
    lines,
    stop: async () => {
      await w.stop();
      for (const p of peers) await p.rs.close();
    },
  };
}

const nextHopOf = (u: UpdateMessage): string | undefined => (u.attributes.find((a) => a.type === 'NEXT_HOP') as Extract<PathAttribute, { type: 'NEXT_HOP' }> | undefined)?.nextHop;

async function rejects(p: Promise<unknown>, code: string, text: string): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.is((e as { code?: string }).code, code);
    assert.ok((e as Error).message.includes(text), (e as Error).message);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

const Out = suite('max-routes-out on the wire');

Out('limit 10, 9 routes: the table, a mass change and a route refresh each keep held + NLRI <= 10; the 10th route is refused', async () => {
  const s = await azureWatcher({ routes: 9, neighbor: '    max-routes-out: 10\n', limit: 10 });
  const [{ rs, count }] = s.peers as [Setup['peers'][0]];
  try {
    // Session up: counted as if the peer still held the table, so one prefix per UPDATE.
    assert.equal(count.sizes, range(9).map(() => 1));
    assert.equal(count.violations, []);
    assert.is(count.held.size, 9);

    await rejects(s.w.announce({ prefix: prefix(100), nextHop: '10.10.0.4' }), 'TSBGP_ERR_MAX_ROUTES_OUT', 'neighbor 127.0.0.2 would hold 10 routes; max-routes-out 10 leaves room for 9');
    assert.is(s.w.summary().localRoutes, 9, 'a refused announce changes no intent');

    // Nine next-hop changes in one synchronous run: planned together, split to one prefix each.
    const results = await Promise.all(range(9).map((i) => s.w.announce({ prefix: prefix(i), nextHop: '10.10.0.5' })));
    assert.ok(results.every((r) => r.changed));
    await until('nine replacements', () => count.sizes.length === 18);
    assert.equal(count.sizes.slice(9), range(9).map(() => 1));
    assert.ok(rs.ofType('UPDATE').slice(-9).every((u) => nextHopOf(u) === '10.10.0.5'));

    // A ROUTE-REFRESH: the whole Adj-RIB-Out again, each route one the peer holds.
    rs.send({ type: 'ROUTE_REFRESH', afi: 1, safi: 1, subtype: 0 });
    await until('the refreshed table', () => count.sizes.length === 27);
    assert.equal(count.violations, []);
    assert.is(count.worst, 10);

    // A withdrawal makes room for one new prefix.
    await s.w.withdraw(prefix(0));
    const added = await s.w.announce({ prefix: prefix(100), nextHop: '10.10.0.4' });
    assert.ok(added.changed);
    await until('the new route', () => count.held.has(prefix(100)));
    assert.equal(count.violations, []);
    assert.is(count.held.size, 9);

    const n = s.w.neighbors()[0]!;
    assert.equal(n.limits, { routesOut: { limit: 10, most: 9, held: 9 } });
    assert.is(n.profile, 'azure-route-server');
    assert.match(textOutput().neighbors({ neighbors: [n] }), /\n {2}Limits \(profile azure-route-server\):\n {4}max-routes-out 10 \(held \+ in one UPDATE\): 9 held, at most 9\n/);
  } finally {
    await s.stop();
  }
});

Out('two instances, 501 routes under the default 1000: byte-identical UPDATEs, 499 + 2 at start and on refresh, never 1,002', async () => {
  const s = await azureWatcher({ peers: 2, routes: 501 });
  const [a, b] = s.peers as [Setup['peers'][0], Setup['peers'][0]];
  try {
    for (const p of [a, b]) {
      assert.equal(p.count.sizes, [499, 2], p.address);
      assert.equal(p.count.violations, []);
    }
    assert.equal(
      a.updates.map((u) => Buffer.from(u).toString('hex')),
      b.updates.map((u) => Buffer.from(u).toString('hex')),
    );
    a.rs.send({ type: 'ROUTE_REFRESH', afi: 1, safi: 1, subtype: 0 });
    await until('the refreshed table', () => a.count.sizes.length === 4);
    assert.equal(a.count.sizes, [499, 2, 499, 2]);
    assert.equal(a.count.violations, []);
    assert.is(a.count.worst, 1000);
    // A next-hop change reaches both identically.
    const [na, nb] = [a.updates.length, b.updates.length];
    await s.w.announce({ prefix: prefix(7), nextHop: '10.10.0.5' });
    await until('the change at both', () => a.updates.length === na + 1 && b.updates.length === nb + 1);
    assert.equal(Buffer.from(a.updates.at(-1)!).toString('hex'), Buffer.from(b.updates.at(-1)!).toString('hex'));
  } finally {
    await s.stop();
  }
});

Out('requests run together are each checked in order: a withdraw makes room for the announce after it, the one beyond is refused', async () => {
  const s = await azureWatcher({ routes: 8, neighbor: '    max-routes-out: 10\n', limit: 10 });
  const [{ count }] = s.peers as [Setup['peers'][0]];
  try {
    const sent = count.sizes.length;
    const results = await Promise.allSettled([
      s.w.announce({ prefix: prefix(50), nextHop: '10.10.0.4' }),
      s.w.announce({ prefix: prefix(51), nextHop: '10.10.0.4' }),
      s.w.withdraw(prefix(0)),
      s.w.announce({ prefix: prefix(52), nextHop: '10.10.0.4' }),
    ]);
    assert.equal(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    assert.is(((results[1] as PromiseRejectedResult).reason as { code: string }).code, 'TSBGP_ERR_MAX_ROUTES_OUT');
    await until('the group on the wire', () => count.held.has(prefix(52)));
    assert.equal(count.violations, []);
    assert.ok(count.held.has(prefix(50)) && !count.held.has(prefix(51)) && !count.held.has(prefix(0)));
    assert.is(count.held.size, 9);
    assert.ok(count.sizes.length > sent);
  } finally {
    await s.stop();
  }
});

Out('a reload that would exceed the limit is refused whole: no intent, no neighbor, no route changes', async () => {
  const edited = (ports: number[]) => yaml(ports, { routes: 9, neighbor: '    max-routes-out: 10\n' });
  const s = await azureWatcher({ routes: 8, neighbor: '    max-routes-out: 10\n', reload: edited });
  const [{ rs }] = s.peers as [Setup['peers'][0]];
  try {
    const before = rs.ofType('UPDATE').length;
    await s.w.announce({ prefix: prefix(200), nextHop: '10.10.0.4' });
    await until('the operator route', () => rs.ofType('UPDATE').length === before + 1);
    const updates = before + 1;
    await rejects(s.w.reload(), 'TSBGP_ERR_MAX_ROUTES_OUT', 'reload refused, nothing changed: neighbor 127.0.0.2 would hold 10 routes');
    assert.is(s.w.summary().localRoutes, 9);
    assert.ok(![...s.w.routes('local')].some((r) => r.prefix === prefix(8)));
    await new Promise((r) => setTimeout(r, 100));
    assert.is(rs.ofType('UPDATE').length, updates, 'nothing was sent');
    assert.is(rs.ofType('OPEN').length, 1, 'the session was not reset');
  } finally {
    await s.stop();
  }
});

Out('restored operator routes that no longer fit are dropped newest first, and saved so; one over a config route is kept', async () => {
  const writes: string[][] = [];
  const state: StateBackend = {
    path: '/mem/state.json',
    read: async () => ({
      intents: [
        { owner: 'operator', intent: { kind: 'announce', route: { prefix: prefix(300), nextHop: '10.10.0.4' } } },
        { owner: 'operator', intent: { kind: 'announce', route: { prefix: prefix(301), nextHop: '10.10.0.4' } } },
        { owner: 'operator', intent: { kind: 'announce', route: { prefix: prefix(302), nextHop: '10.10.0.4' } } },
        { owner: 'operator', intent: { kind: 'announce', route: { prefix: prefix(0), nextHop: '10.10.0.5' } } },
      ],
    }),
    write: async (intents) => void writes.push(intents.map((o) => (o.intent.kind === 'announce' ? o.intent.route.prefix : o.intent.prefix))),
  };
  const s = await azureWatcher({ routes: 8, neighbor: '    max-routes-out: 10\n', state });
  try {
    const local = [...s.w.routes('local')].map((r) => `${r.prefix} ${r.nextHop} ${r.owner}`);
    assert.ok(local.includes(`${prefix(300)} 10.10.0.4 operator`));
    assert.ok(!local.some((l) => l.startsWith(prefix(301)) || l.startsWith(prefix(302))));
    assert.ok(local.includes(`${prefix(0)} 10.10.0.5 operator`));
    assert.is(local.length, 9);
    const err = s.lines.find((l) => l.level === 'error' && /restored operator routes dropped/.test(l.msg ?? ''));
    assert.ok(err, 'the drop is logged as an error');
    assert.equal((err!.obj as { prefixes: string[] }).prefixes, [prefix(302), prefix(301)]);
    assert.is(s.peers[0]!.rs.ofType('UPDATE').flatMap((u) => u.nlri).length, 9);
    await until('the state saved', () => writes.length > 0);
    assert.equal(writes.at(-1), [prefix(300), prefix(0)]);
  } finally {
    await s.stop();
  }
});

Out.run();

const In = suite('max-prefixes-in on the wire');

/** An UPDATE from the route server announcing `n` prefixes 198.51.x.y/32 from `from`. */
function announce(from: number, n: number): UpdateMessage {
  return {
    type: 'UPDATE',
    withdrawn: [],
    attributes: [
      { type: 'ORIGIN', origin: 0 },
      { type: 'AS_PATH', segments: [{ segmentType: 2, asns: [65515] }] },
      { type: 'NEXT_HOP', nextHop: '127.0.0.2' },
    ],
    nlri: range(n).map((i) => ({ prefix: `198.51.${(from + i) >> 8}.${(from + i) & 255}/32` })),
  };
}

In('cease: one prefix above the limit gets Cease 6/1 with AFI 1, SAFI 1 and the limit; the session comes back after the back-off', async () => {
  const clock = new ManualClock();
  const s = await azureWatcher({ routes: 1, neighbor: '    max-prefixes-in: 5\n', clock });
  const [{ rs, address }] = s.peers as [Setup['peers'][0]];
  try {
    rs.send(announce(0, 5));
    await until('five received', () => s.w.neighbors()[0]!.prefixes.received === 5);
    assert.is(rs.ofType('NOTIFICATION').length, 0);
    rs.send(announce(5, 1));
    await until('the NOTIFICATION', () => rs.ofType('NOTIFICATION').length === 1);
    const n = rs.ofType('NOTIFICATION')[0]!;
    assert.equal([n.code, n.subcode, Buffer.from(n.data).toString('hex')], [6, 1, '00010100000005']);
    assert.is(s.w.stateOf(address), 'Idle');
    const info = s.w.neighbors()[0]!;
    assert.equal(info.limits?.prefixesIn, { limit: 5, action: 'cease', held: 0, over: false, exceeded: 1 });
    assert.equal([info.lastError?.code, info.lastError?.subcode], [6, 1]);
    // The IdleHold back-off (1 s), then a new session.
    clock.advance(1000);
    await waitState(s.w, address, 'Established');
    assert.is(rs.ofType('OPEN').length, 2);
  } finally {
    await s.stop();
  }
});

In('warn: logged once above the limit and once back under it, counted, the session stays', async () => {
  const s = await azureWatcher({ routes: 1, neighbor: '    max-prefixes-in: { limit: 5, action: warn }\n' });
  const [{ rs, address }] = s.peers as [Setup['peers'][0]];
  const warnings = () => s.lines.filter((l) => /max-prefixes-in exceeded/.test(l.msg ?? ''));
  try {
    rs.send(announce(0, 6));
    await until('six received', () => s.w.neighbors()[0]!.prefixes.received === 6);
    rs.send(announce(6, 1));
    await until('seven received', () => s.w.neighbors()[0]!.prefixes.received === 7);
    assert.is(warnings().length, 1);
    assert.is(warnings()[0]!.level, 'warn');
    assert.equal(s.w.neighbors()[0]!.limits?.prefixesIn, { limit: 5, action: 'warn', held: 7, over: true, exceeded: 1 });
    assert.match(textOutput().neighbors({ neighbors: s.w.neighbors() }), /max-prefixes-in 5 \(warn\): 7 received, ABOVE the limit, exceeded 1 time\n/);
    rs.send({ type: 'UPDATE', withdrawn: range(3).map((i) => ({ prefix: `198.51.0.${i}/32` })), attributes: [], nlri: [] });
    await until('four left', () => s.w.neighbors()[0]!.prefixes.received === 4);
    assert.ok(s.lines.some((l) => l.level === 'info' && /back within max-prefixes-in/.test(l.msg ?? '')));
    assert.equal(s.w.neighbors()[0]!.limits?.prefixesIn?.over, false);
    assert.is(s.w.stateOf(address), 'Established');
    assert.is(rs.ofType('NOTIFICATION').length, 0);
  } finally {
    await s.stop();
  }
});

In.run();
