// A watcher pair on loopback: two real Speakers (primary, standby) peering over iBGP, each with a scripted route server; the standby follows.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../src/bgp/fsm/clock.js';
import { type UpdateMessage, endOfRibFamily } from '../../src/bgp/messages/index.js';
import type { PairConfig, VipConfig } from '../../src/config/types.js';
import type { VipPairInfo } from '../../src/control/types.js';
import { Speaker } from '../../src/daemon/speaker.js';
import type { StateBackend } from '../../src/daemon/store.js';
import type { Prober } from '../../src/health/controller.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { config, freePort, memoryLogger, neighbor } from '../helpers/speakers.js';

const VIP = '100.64.0.1/32';
const WS1 = '10.10.0.4';
const WS2 = '10.10.0.5';
const AS = 65001;
/** The watchers' own addresses (the partner session runs between them) and their route servers'. */
const PRIMARY = { address: '127.0.0.10', routerId: '10.10.0.7', rs: '127.0.0.2' };
const STANDBY = { address: '127.0.0.11', routerId: '10.10.0.8', rs: '127.0.0.3' };

const VIP_CONFIG: VipConfig = {
  name: 'web',
  prefix: VIP,
  candidates: [
    { name: 'ws1', nextHop: WS1, check: { kind: 'tcp', host: '127.0.0.1', port: 1 } },
    { name: 'ws2', nextHop: WS2, check: { kind: 'tcp', host: '127.0.0.1', port: 2 } },
  ],
  intervalMs: 100,
  timeoutMs: 80,
  rise: 1,
  fall: 1,
  watch: false,
  failback: { kind: 'sticky' },
  changeWindowMs: 0,
  allDown: 'keep',
  startWaitMs: 500,
};

/** Each candidate passes or fails its check at once, as `up` says now. */
function fakeProber(up: Record<string, boolean>): Prober {
  return {
    check: (_v, c) => ({ done: Promise.resolve({ ok: up[c.name] === true, latencyMs: 1, detail: up[c.name] ? 'connected' : 'connect ECONNREFUSED' }), cancel() {} }),
    watch: () => undefined,
  };
}

/** Both watchers and their route servers share one manual clock: checks and timers run only when a test moves it. */
const clock = new ManualClock();

/** Move the clock 10 ms at a time, letting the sockets work between steps, until `cond` holds (bounded in both clocks). */
async function settle(what: string, cond: () => boolean, simMs = 5000): Promise<void> {
  const end = Date.now() + 10_000;
  for (let t = 0; !cond(); t += 10) {
    if (t > simMs || Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    clock.advance(10);
    await new Promise((r) => setTimeout(r, 1));
  }
}

const run = (simMs: number): Promise<void> => settle('nothing', () => false, simMs).catch(() => undefined);

interface Watcher {
  speaker: Speaker;
  rs: RawPeer;
  up: Record<string, boolean>;
  logs: { level: string; obj: object; msg?: string }[];
}

const ports = { primary: 0, standby: 0 };
const opened: (() => Promise<unknown>)[] = [];

async function watcher(role: PairConfig['role'], up: Record<string, boolean>, state?: StateBackend): Promise<Watcher> {
  const me = role === 'primary' ? PRIMARY : STANDBY;
  const other = role === 'primary' ? STANDBY : PRIMARY;
  const rs = new RawPeer({ asn: 65515, bgpId: role === 'primary' ? '10.10.1.4' : '10.10.1.5' });
  const rsPort = await rs.listen(me.rs);
  opened.push(() => rs.close());
  const logs: Watcher['logs'] = [];
  const speaker = new Speaker({
    config: config({
      routerId: me.routerId,
      localAs: AS,
      listen: { address: me.address, port: ports[role] },
      neighbors: [neighbor(me.rs, 65515, { port: rsPort, localAddress: me.address }), neighbor(other.address, AS, { port: ports[role === 'primary' ? 'standby' : 'primary'], localAddress: me.address })],
      vips: [VIP_CONFIG],
      pair: { role, partner: other.address, prepend: role === 'standby' ? 2 : 0 },
    }),
    log: memoryLogger(logs),
    clock,
    random: () => 0.5,
    prober: fakeProber(up),
    ...(state ? { state } : {}),
  });
  await speaker.start();
  opened.push(() => speaker.stop());
  return { speaker, rs, up, logs };
}

const vipUpdates = (rs: RawPeer): UpdateMessage[] => rs.ofType('UPDATE').filter((u) => u.nlri.some((n) => n.prefix === VIP));
const hopOf = (u: UpdateMessage): string | undefined => u.attributes.flatMap((a) => (a.type === 'NEXT_HOP' ? [a.nextHop] : []))[0];
const pathOf = (u: UpdateMessage): number[] => u.attributes.flatMap((a) => (a.type === 'AS_PATH' ? a.segments.flatMap((s) => s.asns) : []));
const pairOf = (w: Watcher): VipPairInfo => w.speaker.vips('web')[0]!.pair!;
const currentOf = (w: Watcher): string | undefined => w.speaker.vips('web')[0]!.current?.candidate;

/**
 * The primary alone first (its checks call ws1 down: it announces ws2 after start-wait, having no
 * partner table), then the standby, whose own checks would pick ws1: it follows the primary's ws2.
 */
async function pair(): Promise<{ primary: Watcher; standby: Watcher }> {
  ports.primary = await freePort(PRIMARY.address);
  ports.standby = await freePort(STANDBY.address);
  const primary = await watcher('primary', { ws1: false, ws2: true });
  await settle('the primary to announce ws2', () => vipUpdates(primary.rs).length === 1);
  const standby = await watcher('standby', { ws1: true, ws2: true });
  await settle('the standby to follow', () => standby.speaker.stateOf(PRIMARY.address) === 'Established' && vipUpdates(standby.rs).length === 1 && pairOf(primary).partnerRoute !== undefined);
  // End-of-RIB waits for the VIP's first decision (graceful restart): the table is complete once it is in.
  await settle("the standby's End-of-RIB to its route server", () => standby.rs.ofType('UPDATE').some((u) => endOfRibFamily(u) !== undefined));
  return { primary, standby };
}

async function cleanup(): Promise<void> {
  for (const close of opened.splice(0).reverse()) await close();
}

const Follow = suite('a watcher pair on loopback');
Follow.after.each(cleanup);

Follow("the standby announces the primary's next hop with a longer AS path; between the two, iBGP: LOCAL_PREF, no AS path, the next hop unchanged", async () => {
  const { primary, standby } = await pair();
  const [p] = vipUpdates(primary.rs);
  assert.equal([hopOf(p!), pathOf(p!)], [WS2, [AS]]);
  const [s] = vipUpdates(standby.rs);
  assert.equal([hopOf(s!), pathOf(s!)], [WS2, [AS, AS, AS]], 'the standby: the next hop of the primary, its AS prepended twice');
  assert.not.ok(standby.rs.ofType('UPDATE').some((u) => u.withdrawn.length > 0));

  // Each sees the other's route as iBGP sends it: no AS, LOCAL_PREF 100, the web server's next hop.
  const fromPrimary = [...standby.speaker.routes('received', PRIMARY.address)].filter((r) => r.prefix === VIP);
  assert.equal(fromPrimary.map((r) => [r.nextHop, r.asPath, r.localPref]), [[WS2, '', 100]]);
  await settle("the standby's route at the primary", () => [...primary.speaker.routes('received', STANDBY.address)].some((r) => r.prefix === VIP));
  const fromStandby = [...primary.speaker.routes('received', STANDBY.address)].filter((r) => r.prefix === VIP);
  assert.equal(fromStandby.map((r) => [r.nextHop, r.asPath, r.localPref]), [[WS2, '', 100]], 'no prepend toward the partner');
  const caps = standby.speaker.neighbors(PRIMARY.address)[0]!.capabilities!;
  assert.equal([caps.fourOctetAs, caps.routeRefresh, caps.families], [true, true, ['ipv4-unicast']]);

  const local = [...standby.speaker.routes('local')].find((r) => r.prefix === VIP)!;
  assert.equal([local.nextHop, local.owner], [WS2, 'peer']);
  assert.equal(pairOf(standby), { role: 'standby', partner: PRIMARY.address, partnerState: 'Established', partnerRoute: { nextHop: WS2, candidate: 'ws2', stale: false }, following: true, agreement: 'agree', disagreements: 0 });
  assert.equal(pairOf(primary), { role: 'primary', partner: STANDBY.address, partnerState: 'Established', partnerRoute: { nextHop: WS2, candidate: 'ws2', stale: false }, following: false, agreement: 'agree', disagreements: 0 });
  assert.equal(standby.speaker.vipHistory('web').map((m) => [m.to, m.cause]), [['ws2', 'partner']], "the standby's first announcement was the partner's");

  for (const attempt of [() => standby.speaker.vipMove('web', 'ws1'), () => standby.speaker.announce({ prefix: VIP, nextHop: WS1 })]) {
    try {
      await attempt();
      assert.unreachable('the standby must refuse to move a VIP it follows');
    } catch (e) {
      assert.is((e as { code?: string }).code, 'TSBGP_ERR_OWNED');
    }
  }
});

Follow('a vip move on the primary: the standby follows it with one UPDATE to its route server, no withdraw', async () => {
  const { primary, standby } = await pair();
  primary.up.ws1 = true;
  const before = vipUpdates(standby.rs).length;
  await primary.speaker.vipMove('web', 'ws1');
  await settle('the standby to follow the move', () => vipUpdates(standby.rs).length > before);
  await run(1000);
  const after = vipUpdates(standby.rs).slice(before);
  assert.is(after.length, 1, `${after.length} UPDATEs`);
  assert.equal([hopOf(after[0]!), pathOf(after[0]!)], [WS1, [AS, AS, AS]]);
  assert.not.ok(standby.rs.ofType('UPDATE').some((u) => u.withdrawn.length > 0));
  assert.equal(standby.speaker.vipHistory('web').at(-1)!.cause, 'partner');
  assert.is(pairOf(standby).agreement, 'agree');
});

Follow("the primary restarts (graceful stop): the standby keeps following its stale route, no UPDATE", async () => {
  const { primary, standby } = await pair();
  const before = standby.rs.ofType('UPDATE').length;
  await primary.speaker.stop('graceful');
  await settle('the partner session down', () => standby.speaker.stateOf(PRIMARY.address) !== 'Established');
  await run(1000);
  assert.equal([pairOf(standby).following, pairOf(standby).partnerRoute], [true, { nextHop: WS2, candidate: 'ws2', stale: true }]);
  assert.is(standby.rs.ofType('UPDATE').length, before, 'nothing sent while the partner restarts');
  const local = [...standby.speaker.routes('local')].find((r) => r.prefix === VIP)!;
  assert.equal([local.nextHop, local.owner], [WS2, 'peer']);
});

Follow("the primary stops for good (hard): the standby's own checks decide, and keep the followed candidate, healthy: no UPDATE", async () => {
  const { primary, standby } = await pair();
  const before = standby.rs.ofType('UPDATE').length;
  await primary.speaker.stop('hard');
  await settle('the partner session down', () => standby.speaker.stateOf(PRIMARY.address) !== 'Established' && !pairOf(standby).following);
  await run(1000);
  assert.is(standby.rs.ofType('UPDATE').length, before, 'no UPDATE at takeover (neither a new next hop nor a withdraw)');
  assert.is(currentOf(standby), 'ws2', 'sticky: the followed candidate stays, although ws1 is preferred and up');
  const local = [...standby.speaker.routes('local')].find((r) => r.prefix === VIP)!;
  assert.equal([local.nextHop, local.owner], [WS2, 'health']);
  assert.equal([pairOf(standby).agreement, pairOf(standby).partnerRoute], ['unknown', undefined]);
});

Follow('the standby calls the followed candidate down: it keeps following, the disagreement logged once and counted; when the primary stops, it moves', async () => {
  const { primary, standby } = await pair();
  const before = vipUpdates(standby.rs).length;
  standby.up.ws2 = false;
  await settle('the disagreement', () => pairOf(standby).agreement === 'disagree');
  await run(1000);
  assert.is(vipUpdates(standby.rs).length, before, 'the primary decides: nothing moves');
  assert.equal([pairOf(standby).following, pairOf(standby).disagreements], [true, 1]);
  const warns = standby.logs.filter((l) => l.level === 'warn' && (l.msg ?? '').includes('disagree'));
  assert.is(warns.length, 1, 'once per episode');
  assert.ok(warns[0]!.msg!.includes('which our own checks call down'), warns[0]!.msg);
  await primary.speaker.stop();
  await settle('the takeover move', () => vipUpdates(standby.rs).length > before);
  await run(500);
  const after = vipUpdates(standby.rs).slice(before);
  assert.equal(after.map(hopOf), [WS1], 'one UPDATE, to the candidate its own checks call up');
  assert.equal(standby.speaker.vipHistory('web').at(-1)!.cause, 'health');
});

Follow("a returning primary takes the standby's candidate, not the one in its state file", async () => {
  ports.primary = await freePort(PRIMARY.address);
  ports.standby = await freePort(STANDBY.address);
  const standby = await watcher('standby', { ws1: false, ws2: true });
  await settle('the standby alone to announce ws2', () => vipUpdates(standby.rs).length === 1);
  assert.equal(hopOf(vipUpdates(standby.rs)[0]!), WS2);
  const saved: StateBackend = {
    path: '/nonexistent/state.json',
    read: async () => ({ intents: [{ owner: 'health', intent: { kind: 'announce', route: { prefix: VIP, nextHop: WS1 } } }] }),
    write: async () => {},
  };
  const primary = await watcher('primary', { ws1: true, ws2: true }, saved);
  await settle("the primary's first announcement", () => vipUpdates(primary.rs).length === 1);
  await run(1000);
  assert.equal(vipUpdates(primary.rs).map(hopOf), [WS2], 'ws1 (the state file) was never announced');
  assert.ok(primary.speaker.vipHistory('web')[0]!.detail.includes("partner watcher's candidate"), primary.speaker.vipHistory('web')[0]!.detail);
  assert.equal(vipUpdates(standby.rs).map(hopOf), [WS2], 'the standby follows without a change');
  assert.equal([pairOf(standby).following, pairOf(primary).agreement, pairOf(primary).disagreements], [true, 'agree', 0]);
});

Follow.run();
