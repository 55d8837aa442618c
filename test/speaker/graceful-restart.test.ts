// Graceful restart with the real Speaker on loopback: our capability and stops, End-of-RIB after the VIP, and a peer's routes kept stale.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../src/bgp/fsm/clock.js';
import type { StopMode } from '../../src/bgp/fsm/types.js';
import { type Capability, type UpdateMessage, endOfRibFamily } from '../../src/bgp/messages/index.js';
import type { RibChange } from '../../src/bgp/rib/adj-rib-in.js';
import type { VipConfig } from '../../src/config/types.js';
import { fileBackend } from '../../src/daemon/store.js';
import { Speaker } from '../../src/daemon/speaker.js';
import type { CheckOutcome, Prober } from '../../src/health/controller.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { config, memoryLogger, neighbor, until, waitState } from '../helpers/speakers.js';

const VIP = '100.64.0.1/32';
const VIP2 = '100.64.0.2/32';

/** A peer's Graceful Restart capability: N as given, IPv4 unicast with F unless `families` says otherwise. */
const grCap = (o: { n?: boolean; restartTime?: number; families?: { afi: number; safi: number; flags: number }[] } = {}): Capability => ({
  type: 'GRACEFUL_RESTART',
  flags: o.n === false ? 0 : 0x4,
  restartTime: o.restartTime ?? 120,
  families: o.families ?? [],
});

const isEor = (u: UpdateMessage): boolean => endOfRibFamily(u) !== undefined;
const nextHopOf = (u: UpdateMessage): string | undefined => {
  const a = u.attributes.find((x) => x.type === 'NEXT_HOP');
  return a?.type === 'NEXT_HOP' ? a.nextHop : undefined;
};
/** One word per UPDATE: "prefix via hop", "withdraw prefix", or "EoR". */
const wire = (p: RawPeer): string[] =>
  p.ofType('UPDATE').map((u) => (isEor(u) ? 'EoR' : u.withdrawn.length ? `withdraw ${u.withdrawn.map((n) => n.prefix).join(',')}` : `${u.nlri.map((n) => n.prefix).join(',')} via ${nextHopOf(u)}`));

const Ours = suite('as the restarting speaker: capability and stops');

Ours('the OPEN: every configured family with F, our restart time, N; R on the first session only (RFC 4724 §4.1)', async () => {
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4', capabilities: [grCap()] });
  const port = await rs.listen('127.0.0.2');
  const w = new Speaker({
    config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port, families: ['ipv4-unicast', 'ipv6-unicast'], gracefulRestart: { restartTimeSeconds: 90, notification: true } })] }),
    log: memoryLogger(),
  });
  await w.start();
  try {
    await waitState(w, '127.0.0.2', 'Established');
    const gr = (i: number) => rs.ofType('OPEN')[i]!.capabilities.find((c) => c.type === 'GRACEFUL_RESTART');
    assert.equal(gr(0), { type: 'GRACEFUL_RESTART', flags: 0xc, restartTime: 90, families: [{ afi: 1, safi: 1, flags: 0x80 }, { afi: 2, safi: 1, flags: 0x80 }] });
    const info = w.neighbors()[0]!.gracefulRestart;
    assert.equal(info?.negotiated?.local, { restartTime: 90, restarted: true, notification: true, families: [{ family: 'ipv4-unicast', forwardingPreserved: true }, { family: 'ipv6-unicast', forwardingPreserved: true }] });
    assert.is(info?.negotiated?.notification, true);
    // The session fails (no NOTIFICATION): the next one is no restart of ours.
    rs.socket!.destroy();
    await until('the second OPEN', () => rs.ofType('OPEN').length === 2, 5000);
    assert.is((gr(1) as { flags: number }).flags, 0x4);
  } finally {
    await w.stop();
    await rs.close();
  }
});

Ours('graceful-restart: false: no capability (and so nothing negotiated)', async () => {
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4', capabilities: [grCap()] });
  const port = await rs.listen('127.0.0.2');
  const w = new Speaker({ config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port, gracefulRestart: false })] }), log: memoryLogger() });
  await w.start();
  try {
    await waitState(w, '127.0.0.2', 'Established');
    assert.not.ok(rs.ofType('OPEN')[0]!.capabilities.some((c) => c.type === 'GRACEFUL_RESTART'));
    assert.is(w.neighbors()[0]!.gracefulRestart, undefined);
  } finally {
    await w.stop();
    await rs.close();
  }
});

/** A watcher with one neighbor per peer (127.0.0.2, .3 ...), each Established with its End-of-RIB in. */
async function watcher(peers: RawPeer[], extra: { shutdown?: (m: StopMode) => void } = {}) {
  const hosts = peers.map((_, i) => `127.0.0.${i + 2}`);
  const ports = await Promise.all(peers.map((p, i) => p.listen(hosts[i]!)));
  const w = new Speaker({
    config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: hosts.map((h, i) => neighbor(h, 65515, { port: ports[i]! })), routes: [{ prefix: VIP, nextHop: '10.10.0.4' }] }),
    log: memoryLogger(),
    ...extra,
  });
  await w.start();
  for (const h of hosts) await waitState(w, h, 'Established');
  await until('End-of-RIB at every peer', () => peers.every((p) => p.ofType('UPDATE').some(isEor)));
  return w;
}

Ours('a graceful stop: Cease / Administrative Shutdown where N is on both sides, nothing but the close where the peer lacks N', async () => {
  const withN = new RawPeer({ asn: 65515, bgpId: '10.10.1.4', capabilities: [grCap()] });
  const withoutN = new RawPeer({ asn: 65515, bgpId: '10.10.1.5', capabilities: [grCap({ n: false })] });
  const w = await watcher([withN, withoutN]);
  try {
    await w.stop('graceful', 'upgrade');
    await until('both connections closed', () => withN.closes === 1 && withoutN.closes === 1);
    const n = withN.ofType('NOTIFICATION');
    assert.equal(n.map((m) => [m.code, m.subcode]), [[6, 2]]);
    assert.equal(withoutN.ofType('NOTIFICATION'), [], 'a NOTIFICATION would make a peer without N flush our routes');
    assert.not.ok([...wire(withN), ...wire(withoutN)].some((x) => x.startsWith('withdraw')));
  } finally {
    await withN.close();
    await withoutN.close();
  }
});

Ours('shutdown("hard") answers what each peer gets, then the stop sends Cease / Hard Reset carrying the Cease (RFC 8538)', async () => {
  const withN = new RawPeer({ asn: 65515, bgpId: '10.10.1.4', capabilities: [grCap()] });
  const noGr = new RawPeer({ asn: 65515, bgpId: '10.10.1.5' });
  let asked: StopMode | undefined;
  const w = await watcher([withN, noGr], { shutdown: (m) => (asked = m) });
  try {
    const r = w.shutdown('hard');
    assert.equal(r, {
      mode: 'hard',
      peers: [
        { neighbor: '127.0.0.2', state: 'Established', sends: 'hard-reset', keepsRoutes: false },
        { neighbor: '127.0.0.3', state: 'Established', sends: 'cease', keepsRoutes: false },
      ],
    });
    assert.is(asked, 'hard');
    assert.throws(() => w.shutdown('graceful'), (e: Error & { code?: string }) => e.code === 'TSBGP_ERR_STOPPING', 'a second request is refused (tsbgpd would take a second stop for a second signal)');
    await w.stop('hard', 'decommissioned');
    await until('both NOTIFICATIONs', () => withN.ofType('NOTIFICATION').length === 1 && noGr.ofType('NOTIFICATION').length === 1);
    const hard = withN.ofType('NOTIFICATION')[0]!;
    assert.equal([hard.code, hard.subcode], [6, 9]);
    assert.equal(Buffer.from(hard.data).toString('hex'), '0602' + '0e' + Buffer.from('decommissioned').toString('hex'));
    const cease = noGr.ofType('NOTIFICATION')[0]!;
    assert.equal([cease.code, cease.subcode], [6, 2]);
    assert.throws(() => w.shutdown('graceful'), (e: Error & { code?: string }) => e.code === 'TSBGP_ERR_STOPPING');
  } finally {
    await withN.close();
    await noGr.close();
  }
});

Ours('shutdown() is refused by a speaker that nobody can stop that way', async () => {
  const w = new Speaker({ config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [] }), log: memoryLogger() });
  assert.throws(() => w.shutdown('graceful'), (e: Error & { code?: string }) => e.code === 'TSBGP_ERR_STOPPING' && /another program/.test(e.message));
});

Ours.run();

// ---- End-of-RIB after the table: a restart with a VIP ----

/** Checks that answer what `health(candidate)` says, once `gate` opens. */
function prober(health: (candidate: string) => boolean, gate: Promise<void> = Promise.resolve()): Prober {
  return {
    check: (_v, c) => ({ done: gate.then((): CheckOutcome => ({ ok: health(c.name), latencyMs: 1, detail: health(c.name) ? 'ok' : 'refused' })), cancel: () => {} }),
    watch: () => undefined,
  };
}

const vip = (startWaitMs: number): VipConfig => ({
  name: 'web',
  prefix: VIP,
  candidates: [
    { name: 'ws1', nextHop: '10.10.0.4', check: { kind: 'tcp', host: '127.0.0.1', port: 9 } },
    { name: 'ws2', nextHop: '10.10.0.5', check: { kind: 'tcp', host: '127.0.0.1', port: 9 } },
  ],
  intervalMs: 50,
  timeoutMs: 40,
  rise: 1,
  fall: 1,
  watch: false,
  failback: { kind: 'sticky' },
  changeWindowMs: 0,
  allDown: 'keep',
  startWaitMs,
});

/** A first run that moves the VIP to ws2 (ws1 fails) and stops gracefully; its state file is what the test restarts from. */
async function firstRun(dir: string, port: number, rs: RawPeer, routes: { prefix: string; nextHop: string }[] = []) {
  const cfg = (startWaitMs: number) => config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port })], vips: [vip(startWaitMs)], routes });
  const state = fileBackend(join(dir, 'state.json'));
  const opts = { state, vipStatePath: join(dir, 'state.json.vips'), log: memoryLogger() };
  const first = new Speaker({ config: cfg(2000), ...opts, prober: prober((c) => c === 'ws2') });
  await first.start();
  await until('the VIP via ws2 in the first run', () => wire(rs).includes(`${VIP} via 10.10.0.5`));
  await first.stop('graceful');
  return { cfg, opts };
}

const Eor = suite('End-of-RIB after a restart');

Eor('restored from the state file: nothing is sent before the VIP\'s first decision; then the VIP, then End-of-RIB', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbgp-gr-'));
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4', capabilities: [grCap()] });
  const port = await rs.listen('127.0.0.2');
  try {
    const { cfg, opts } = await firstRun(dir, port, rs);
    const mark = rs.ofType('UPDATE').length;
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const second = new Speaker({ config: cfg(2000), ...opts, prober: prober(() => true, gate) });
    await second.start();
    try {
      await waitState(second, '127.0.0.2', 'Established');
      await new Promise((r) => setTimeout(r, 200)); // what the session's start sends has arrived by now
      assert.equal(wire(rs).slice(mark), [], 'an empty table and an End-of-RIB would make the peer drop the VIP');
      open();
      await until('End-of-RIB', () => rs.ofType('UPDATE').slice(mark).some(isEor));
      // The candidate before the restart passes its check: restored there, no move.
      assert.equal(wire(rs).slice(mark), [`${VIP} via 10.10.0.5`, 'EoR']);
    } finally {
      await second.stop();
    }
  } finally {
    await rs.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

Eor('the table as it is goes at once, the VIP when decided, End-of-RIB last; and checks that never answer hold End-of-RIB only until start-wait', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbgp-gr-'));
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4', capabilities: [grCap()] });
  const port = await rs.listen('127.0.0.2');
  try {
    const { cfg, opts } = await firstRun(dir, port, rs, [{ prefix: '100.64.0.9/32', nextHop: '10.10.0.4' }]);
    const mark = rs.ofType('UPDATE').length;
    const t0 = Date.now();
    // Checks that never answer: start-wait (600 ms) ends the wait; all-down keep announces the saved candidate.
    const second = new Speaker({ config: cfg(600), ...opts, prober: prober(() => true, new Promise(() => {})) });
    await second.start();
    try {
      await until('End-of-RIB', () => rs.ofType('UPDATE').slice(mark).some(isEor), 5000);
      const ms = Date.now() - t0;
      assert.equal(wire(rs).slice(mark), ['100.64.0.9/32 via 10.10.0.4', `${VIP} via 10.10.0.5`, 'EoR']);
      assert.ok(ms >= 550 && ms < 3000, `End-of-RIB ${ms} ms after the start`);
    } finally {
      await second.stop();
    }
  } finally {
    await rs.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

Eor.run();

// ---- As the receiving speaker: two tsbgp speakers, one restarts ----

/** A route server (B, passive on 127.0.0.2) and a watcher (A, from 127.0.0.1) announcing `routes`. */
async function pair(routes: { prefix: string; nextHop: string }[]) {
  const b = new Speaker({
    config: config({ routerId: '10.10.1.4', localAs: 65515, listen: { address: '127.0.0.2', port: 0 }, neighbors: [neighbor('127.0.0.1', 65001, { passive: true })] }),
    log: memoryLogger(),
  });
  await b.start();
  const changes: RibChange[] = [];
  b.onReceived((_n, c) => changes.push(...c));
  const watcherOn = (r: { prefix: string; nextHop: string }[]) =>
    new Speaker({ config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port: b.listenAddress!.port, localAddress: '127.0.0.1' })], routes: r }), log: memoryLogger() });
  const a = watcherOn(routes);
  await a.start();
  await until('the routes at B', () => [...b.routes('received')].length === routes.length);
  const received = () => [...b.routes('received')].map((r) => `${r.prefix} via ${r.nextHop}${r.stale ? ' stale' : ''}`);
  return { a, b, changes, received, watcherOn };
}

const Helper = suite('as the receiving speaker');

Helper('A stops gracefully: B keeps its routes stale; A is back: what it sends again is fresh, the rest goes at its End-of-RIB', async () => {
  const { a, b, changes, received, watcherOn } = await pair([
    { prefix: VIP, nextHop: '10.10.0.4' },
    { prefix: VIP2, nextHop: '10.10.0.4' },
  ]);
  let a2: Speaker | undefined;
  try {
    await a.stop('graceful');
    await until('B to see the session end', () => b.stateOf('127.0.0.1') !== 'Established');
    assert.equal(received(), [`${VIP} via 10.10.0.4 stale`, `${VIP2} via 10.10.0.4 stale`]);
    assert.equal(b.neighbors()[0]!.gracefulRestart?.stale, { phase: 'restarting', families: ['ipv4-unicast'], routes: 2 });
    const mark = changes.length;
    // Back with the VIP moved and VIP2 gone from its table.
    a2 = watcherOn([{ prefix: VIP, nextHop: '10.10.0.5' }]);
    await a2.start();
    await until('the stale routes settled', () => b.neighbors()[0]!.gracefulRestart?.stale === undefined && b.stateOf('127.0.0.1') === 'Established');
    assert.equal(received(), [`${VIP} via 10.10.0.5`]);
    assert.equal(changes.slice(mark), [
      { action: 'announce', prefix: VIP, nextHop: '10.10.0.5' },
      { action: 'withdraw', prefix: VIP2 },
    ]);
    assert.not.ok(changes.some((c) => c.action === 'withdraw' && c.prefix === VIP), 'the VIP never left B');
  } finally {
    await a2?.stop();
    await b.stop();
  }
});

Helper('A stops hard (Hard Reset): B flushes its routes at once, told as withdrawals', async () => {
  const { a, b, changes, received } = await pair([{ prefix: VIP, nextHop: '10.10.0.4' }]);
  try {
    await a.stop('hard', 'decommissioned');
    await until('B to flush', () => received().length === 0);
    assert.equal(b.neighbors()[0]!.lastError && [b.neighbors()[0]!.lastError!.code, b.neighbors()[0]!.lastError!.subcode], [6, 9]);
    assert.equal(changes.at(-1), { action: 'withdraw', prefix: VIP });
    assert.is(b.neighbors()[0]!.gracefulRestart?.stale, undefined);
  } finally {
    await b.stop();
  }
});

Helper('a peer whose connection just drops (kill -9): its routes stale for its restart time, then flushed (manual clock)', async () => {
  const clock = new ManualClock();
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4', capabilities: [grCap({ n: false, restartTime: 30, families: [{ afi: 1, safi: 1, flags: 0x80 }] })] });
  const port = await rs.listen('127.0.0.2');
  const w = new Speaker({ config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port })] }), log: memoryLogger(), clock });
  await w.start();
  try {
    await waitState(w, '127.0.0.2', 'Established');
    rs.send({ type: 'UPDATE', withdrawn: [], attributes: [{ type: 'ORIGIN', origin: 0 }, { type: 'AS_PATH', segments: [{ segmentType: 2, asns: [65515] }] }, { type: 'NEXT_HOP', nextHop: '10.10.1.4' }], nlri: [{ prefix: '10.20.0.0/16' }] });
    await until('the route', () => [...w.routes('received')].length === 1);
    // The peer is gone for good: its listener too, so that nothing comes back.
    await rs.close();
    await until('the session down', () => w.stateOf('127.0.0.2') !== 'Established');
    assert.equal([...w.routes('received')].map((r) => [r.prefix, r.stale]), [['10.20.0.0/16', true]]);
    clock.advance(29_999);
    assert.is([...w.routes('received')].length, 1, 'kept until the restart time is over');
    clock.advance(1);
    assert.equal([...w.routes('received')], []);
  } finally {
    await w.stop();
  }
});

Helper.run();
