// The watcher on a manual clock: check scheduling, rise/fall, watch, failback, change window, all-down, freeze, manual moves.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../src/bgp/fsm/clock.js';
import type { VipConfig } from '../../src/config/types.js';
import type { SpeakerEvent, VipMove } from '../../src/control/types.js';
import type { Decision } from '../../src/health/decide.js';
import { HealthController, type Prober, type SavedVip } from '../../src/health/controller.js';

const VIP: VipConfig = {
  name: 'web',
  prefix: '100.64.0.1/32',
  candidates: [
    { name: 'ws1', nextHop: '10.10.0.4', check: { kind: 'tcp', host: '127.0.0.1', port: 1 } },
    { name: 'ws2', nextHop: '10.10.0.5', check: { kind: 'tcp', host: '127.0.0.1', port: 2 } },
  ],
  intervalMs: 100,
  timeoutMs: 80,
  rise: 3,
  fall: 2,
  watch: true,
  failback: { kind: 'sticky' },
  changeWindowMs: 30_000,
  allDown: 'keep',
  startWaitMs: 2000,
};

/** Candidates answer as `up` says; watches can be cut by hand; every check and decision is recorded. */
function rig(cfg: VipConfig = VIP, saved?: Map<string, SavedVip>, extra: boolean | (() => void) = false) {
  const waitPartner = extra === true;
  const started = typeof extra === 'function' ? extra : undefined;
  const clock = new ManualClock();
  const up: Record<string, boolean> = { ws1: true, ws2: true };
  const checks: { candidate: string; at: number }[] = [];
  const lost: Record<string, (detail: string) => void> = {};
  const applied: { d: Decision; at: number }[] = [];
  const events: SpeakerEvent[] = [];
  const prober: Prober = {
    check: (_v, c) => {
      checks.push({ candidate: c.name, at: clock.now() });
      return { done: Promise.resolve({ ok: up[c.name]!, latencyMs: 1, detail: up[c.name] ? 'connected' : 'connect ECONNREFUSED' }), cancel() {} };
    },
    watch: (_v, c, on) => {
      lost[c.name] = on.lost;
      return { start() {}, stop() {}, state: 'connected' as const };
    },
  };
  const h = new HealthController([cfg], {
    clock,
    random: () => 0.5,
    prober,
    apply: async (_v, d) => {
      applied.push({ d, at: clock.now() });
      return [{ neighbor: '10.10.1.4', micros: 50 }];
    },
    log: { info() {}, warn() {} },
    emit: (e) => events.push(e),
    changed() {},
    ...(saved ? { saved } : {}),
    ...(waitPartner ? { waitPartner } : {}),
    ...(started ? { started } : {}),
  });
  /** Advance the clock in 10 ms steps, letting each check's promise settle. */
  const run = async (ms: number): Promise<void> => {
    for (let t = 0; t < ms; t += 10) {
      clock.advance(10);
      await new Promise((r) => setImmediate(r));
    }
  };
  const moves = (): string[] => applied.map((a) => (a.d.type === 'announce' ? `${a.d.candidate}:${a.d.cause}` : `withdraw:${a.d.cause}`));
  return { clock, up, checks, lost, applied, events, h, run, moves };
}

const Start = suite('start');

Start('started: told once, when the first decision was handed to apply (End-of-RIB waits for it); also for all-down withdraw, with nothing to apply', async () => {
  const told: number[] = [];
  let r: ReturnType<typeof rig>;
  r = rig(VIP, undefined, () => told.push(r.applied.length));
  r.h.start();
  await r.run(1000);
  assert.equal(told, [1], 'once, and after the decision reached apply');
  assert.equal(r.moves(), ['ws1:start']);
  const withdrawn: number[] = [];
  const w = rig({ ...VIP, allDown: 'withdraw', startWaitMs: 300 }, undefined, () => withdrawn.push(w.clock.now()));
  w.up.ws1 = false;
  w.up.ws2 = false;
  w.h.start();
  await w.run(200);
  assert.equal(withdrawn, [], 'not before start-wait');
  await w.run(400);
  assert.equal([withdrawn, w.moves()], [[300], []]);
});

Start('checks are jittered and never overlap; the first announcement waits for rise on the preferred candidate', async () => {
  const r = rig();
  r.h.start();
  await r.run(1000);
  const ws1 = r.checks.filter((c) => c.candidate === 'ws1').map((c) => c.at);
  // random() = 0.5: first at 50 ms, then every 100 ms (0.9 + 0.2 * 0.5 = 1.0 x interval).
  assert.equal(ws1.slice(0, 4), [50, 150, 250, 350]);
  assert.equal(r.moves(), ['ws1:start']);
  assert.is(r.applied[0]!.at, 250, 'after rise = 3 passing checks');
  assert.equal(r.h.info()[0]!.current?.candidate, 'ws1');
});

Start('a restart with a saved candidate announces it on its first passing check, even when a preferred one is up (no needless move)', async () => {
  const r = rig(VIP, new Map([['web', { current: 'ws2', history: [] }]]));
  r.h.start();
  await r.run(200);
  assert.equal(r.moves(), ['ws2:restore']);
  assert.is(r.applied[0]!.at, 50);
});

Start('a saved candidate that is dead now: the preferred healthy one is announced instead, once', async () => {
  const r = rig(VIP, new Map([['web', { current: 'ws2', history: [] }]]));
  r.up.ws2 = false;
  r.h.start();
  await r.run(1000);
  assert.equal(r.moves(), ['ws1:start']);
});

Start.run();

const Failover = suite('failover');

async function established() {
  const r = rig();
  r.h.start();
  await r.run(300);
  assert.equal(r.moves(), ['ws1:start']);
  return r;
}

Failover('fall = 2 failed checks move the VIP to the next healthy candidate, with the failure time recorded', async () => {
  const r = await established();
  r.up.ws1 = false;
  await r.run(300);
  assert.equal(r.moves(), ['ws1:start', 'ws2:health']);
  const move = r.h.history('web').at(-1) as VipMove;
  assert.is(move.from, 'ws1');
  assert.is(move.to, 'ws2');
  assert.ok(move.failureSeenAt && Date.parse(move.failureSeenAt) < Date.parse(move.at), 'failure seen before the decision');
  assert.equal(move.wire, [{ neighbor: '10.10.1.4', micros: 50 }]);
});

Failover('one lost check does nothing (fall 2): no flapping on a single lost probe', async () => {
  const r = await established();
  r.up.ws1 = false;
  await r.run(100);
  r.up.ws1 = true;
  await r.run(1000);
  assert.equal(r.moves(), ['ws1:start']);
});

Failover('a reset on the watch connection fails over at once, without waiting for fall', async () => {
  const r = await established();
  const before = r.clock.now();
  r.lost.ws1!('reset by peer');
  await new Promise((res) => setImmediate(res));
  assert.equal(r.moves(), ['ws1:start', 'ws2:watch']);
  assert.is(r.applied.at(-1)!.at, before, 'decided in the same instant');
});

Failover('sticky failback: ws1 comes back, nothing moves', async () => {
  const r = await established();
  r.lost.ws1!('closed by peer (FIN)');
  r.up.ws1 = false;
  await r.run(300);
  r.up.ws1 = true;
  await r.run(5000);
  assert.equal(r.moves(), ['ws1:start', 'ws2:watch']);
});

Failover('preferred-after: ws1 back and healthy for the time given, one move back', async () => {
  const r = rig({ ...VIP, failback: { kind: 'preferred-after', ms: 2000 } });
  r.h.start();
  await r.run(300);
  r.lost.ws1!('reset by peer');
  r.up.ws1 = false;
  await r.run(300);
  r.up.ws1 = true;
  await r.run(1500);
  assert.equal(r.moves(), ['ws1:start', 'ws2:watch'], 'not before 2 s of health');
  await r.run(1500);
  assert.equal(r.moves(), ['ws1:start', 'ws2:watch', 'ws1:failback']);
});

Failover('the change window: a move inside it is still sent at once, reported as taking effect at its end', async () => {
  const r = await established();
  const [start] = r.h.history('web') as [VipMove];
  r.lost.ws1!('reset by peer');
  await r.run(500);
  r.lost.ws2!('reset by peer');
  await new Promise((res) => setImmediate(res));
  const [first, second] = r.h.history('web').slice(-2) as [VipMove, VipMove];
  // The start's announcement was a change too: the failover 50 ms later takes effect 30 s after it.
  assert.is(Date.parse(first.effectiveAt) - Date.parse(start.at), 30_000);
  assert.is(second.to, 'ws1');
  assert.is(Date.parse(second.effectiveAt) - Date.parse(first.at), 30_000);
  // After a quiet window a move takes effect at once.
  r.up.ws1 = true;
  await r.run(31_000);
  const m = await r.h.move('web', 'ws2');
  assert.is(m.effectiveAt, m.at);
});

Failover('all down, keep: the last next hop stays; withdraw: the VIP is withdrawn, and announced again when one is back', async () => {
  const keep = await established();
  keep.up.ws2 = false;
  await keep.run(300);
  keep.up.ws1 = false;
  await keep.run(1000);
  assert.equal(keep.moves(), ['ws1:start'], 'nowhere better to go: the last next hop stays');
  assert.equal(keep.h.info()[0]!.candidates.map((c) => c.health), ['down', 'down']);
  const w = rig({ ...VIP, allDown: 'withdraw' });
  w.h.start();
  await w.run(300);
  w.up.ws2 = false;
  await w.run(300);
  w.up.ws1 = false;
  await w.run(1000);
  assert.equal(w.moves(), ['ws1:start', 'withdraw:all-down']);
  w.up.ws2 = true;
  await w.run(1000);
  assert.equal(w.moves(), ['ws1:start', 'withdraw:all-down', 'ws2:recovered']);
});

Failover.run();

const Operator = suite('freeze and manual moves');

Operator('frozen: no automatic moves; unfrozen: the decision runs again', async () => {
  const r = await established();
  r.h.freeze('web', true);
  r.up.ws1 = false;
  await r.run(1000);
  assert.equal(r.moves(), ['ws1:start']);
  assert.is(r.h.info('web')[0]!.mode, 'frozen');
  r.h.freeze('web', false);
  await new Promise((res) => setImmediate(res));
  assert.equal(r.moves(), ['ws1:start', 'ws2:health']);
});

Operator('vip move: recorded as the operator, to the named candidate; an unknown one is refused', async () => {
  const r = await established();
  const m = await r.h.move('web', 'ws2');
  assert.equal([m.from, m.to, m.cause], ['ws1', 'ws2', 'operator']);
  assert.equal(r.moves(), ['ws1:start', 'ws2:operator']);
  try {
    await r.h.move('web', 'ws9');
    assert.unreachable('must refuse');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'TSBGP_ERR_UNKNOWN_VIP');
  }
  assert.ok(r.events.some((e) => e.type === 'vip' && e.cause === 'operator'));
  assert.ok(r.events.some((e) => e.type === 'health'));
});

Operator.run();

const Pair = suite('one of a pair of watchers');

Pair("follow: the partner's candidate is a move of cause partner; no automatic move meanwhile; unfollow: our checks decide from it", async () => {
  const r = await established();
  const m = await r.h.follow('web', 'ws2');
  assert.equal([m?.from, m?.to, m?.cause], ['ws1', 'ws2', 'partner']);
  assert.equal(r.h.info('web')[0]!.current?.candidate, 'ws2');
  r.up.ws2 = false;
  await r.run(1000);
  assert.equal(r.moves(), ['ws1:start', 'ws2:partner'], 'following: ws2 down by our checks moves nothing');
  assert.is(r.h.candidatesOf('web')[1]!.health, 'down');
  r.h.unfollow('web');
  await new Promise((res) => setImmediate(res));
  assert.equal(r.moves(), ['ws1:start', 'ws2:partner', 'ws1:health'], 'the followed candidate is down: our checks move it');
});

Pair('unfollow with the followed candidate healthy, failback sticky: it stays (no change at takeover)', async () => {
  const r = await established();
  await r.h.follow('web', 'ws2');
  await r.run(500);
  r.h.unfollow('web');
  await r.run(1000);
  assert.equal(r.moves(), ['ws1:start', 'ws2:partner']);
  assert.equal([r.h.following('web'), r.h.info('web')[0]!.current?.candidate], [false, 'ws2']);
});

Pair('following the candidate already announced: no move recorded', async () => {
  const r = await established();
  assert.is(r.h.follow('web', 'ws1'), undefined);
  assert.equal([r.moves(), r.h.following('web')], [['ws1:start'], true]);
});

Pair('a manual move is refused while following: the primary decides', async () => {
  const r = await established();
  await r.h.follow('web', 'ws2');
  try {
    await r.h.move('web', 'ws1');
    assert.unreachable('must refuse');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'TSBGP_ERR_OWNED');
  }
  assert.equal(r.moves(), ['ws1:start', 'ws2:partner']);
});

Pair("the first decision waits for the partner's table; its candidate is preferred over the state file's (a returning primary does not move the VIP)", async () => {
  const r = rig(VIP, new Map([['web', { current: 'ws1', history: [] }]]), true);
  r.h.start();
  await r.run(500);
  assert.equal(r.moves(), [], "ws1 passed its check at 50 ms, but the partner's table is not in");
  r.h.partner('web', 'ws2', false);
  await r.run(10);
  assert.equal(r.moves(), [], 'a route of the partner, its table not complete yet');
  r.h.partner('web', 'ws2', true);
  await r.run(10);
  assert.equal(r.moves(), ['ws2:restore']);
  assert.ok(r.applied[0]!.d.detail.includes("the partner watcher's candidate"), r.applied[0]!.d.detail);
  r.h.partner('web', 'ws1', true);
  await r.run(500);
  assert.equal(r.moves(), ['ws2:restore'], 'after the first decision the partner changes nothing here');
});

Pair("no partner table by start-wait: the state file's candidate, at start-wait", async () => {
  const r = rig(VIP, new Map([['web', { current: 'ws2', history: [] }]]), true);
  r.h.start();
  await r.run(2500);
  assert.equal(r.moves(), ['ws2:restore']);
  assert.is(r.applied[0]!.at, 2000);
});

Pair("the partner's candidate is down by our checks: our best one", async () => {
  const r = rig(VIP, undefined, true);
  r.up.ws2 = false;
  r.h.start();
  await r.run(300);
  r.h.partner('web', 'ws2', true);
  await r.run(10);
  assert.equal(r.moves(), ['ws1:start']);
});

Pair.run();
