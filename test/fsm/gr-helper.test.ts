// The receiving speaker's decisions (RFC 4724 §4.2, RFC 8538 §4), pure: which downs keep routes, and each event's actions.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type GrInfo, type GracefulRestartNegotiated, type HelperAction, type HelperState, STALE_ROUTES_SECONDS, helperStep, retainsRoutes } from '../../src/bgp/fsm/graceful-restart.js';
import type { DownReason } from '../../src/bgp/fsm/types.js';

const V4 = 0x0101;
const V6 = 0x0201;

const side = (o: Partial<GrInfo> = {}): GrInfo => ({
  restartTime: 120,
  restarted: false,
  notification: true,
  families: [
    { afi: 1, safi: 1, forwardingPreserved: true },
    { afi: 2, safi: 1, forwardingPreserved: true },
  ],
  ...o,
});
/** Both sides with N; the peer restarts IPv4 and IPv6 unicast in 120 s. */
const gr = (peer: Partial<GrInfo> = {}, local: Partial<GrInfo> = {}): GracefulRestartNegotiated => ({ local: side({ families: [], ...local }), peer: side(peer) });

const DOWNS: Record<string, DownReason> = {
  tcp: { type: 'tcp-failure' },
  hold: { type: 'hold-timer-expired' },
  sendHold: { type: 'send-hold-timer-expired' },
  sentError: { type: 'notification-sent', code: 3, subcode: 1 },
  cease: { type: 'notification-received', code: 6, subcode: 2 },
  hardReset: { type: 'notification-received', code: 6, subcode: 9 },
  hardResetSent: { type: 'notification-sent', code: 6, subcode: 9 },
  adminHard: { type: 'admin-stop' },
  adminGraceful: { type: 'admin-stop', graceful: true },
  collision: { type: 'collision' },
};

const Retains = suite('retainsRoutes');

Retains('N on both sides: every way down keeps the routes but a Hard Reset, a hard stop and a collision (RFC 8538 §4)', () => {
  const kept = Object.entries(DOWNS)
    .filter(([, r]) => retainsRoutes(gr(), r))
    .map(([k]) => k);
  assert.equal(kept, ['tcp', 'hold', 'sendHold', 'sentError', 'cease', 'adminGraceful']);
});

Retains('N on one side only: only a session that ended without a NOTIFICATION (RFC 4724 §4.2)', () => {
  for (const g of [gr({ notification: false }), gr({}, { notification: false })]) {
    const kept = Object.entries(DOWNS)
      .filter(([, r]) => retainsRoutes(g, r))
      .map(([k]) => k);
    assert.equal(kept, ['tcp', 'adminGraceful']);
  }
});

Retains('no graceful restart, or a peer that only helps (no families): nothing kept', () => {
  assert.is(retainsRoutes(undefined, DOWNS.tcp!), false);
  assert.is(retainsRoutes(gr({ families: [] }), DOWNS.tcp!), false);
});

Retains.run();

const NONE: HelperState = { phase: 'none' };
const down = (reason: DownReason, g?: GracefulRestartNegotiated) => ({ type: 'SessionDown' as const, reason, negotiated: g ? { gracefulRestart: g } : {} });
const up = (g?: GracefulRestartNegotiated) => ({ type: 'SessionUp' as const, negotiated: g ? { gracefulRestart: g } : {} });
const lines = (actions: readonly HelperAction[]): string[] =>
  actions.map((a) => {
    switch (a.type) {
      case 'Flush':
        return `Flush keep=[${a.keep.map((f) => f.toString(16)).join(',')}]`;
      case 'MarkStale':
      case 'Sweep':
        return `${a.type} [${a.families.map((f) => f.toString(16)).join(',')}]`;
      case 'StartTimer':
        return `StartTimer ${a.timer} ${a.seconds}`;
      case 'StopTimer':
        return `StopTimer ${a.timer}`;
    }
  });

const Step = suite('helperStep');

Step('a graceful down: other families flushed, the peer\'s families marked stale, its restart time started', () => {
  const r = helperStep(NONE, down(DOWNS.tcp!, gr({ restartTime: 90, families: [{ afi: 1, safi: 1, forwardingPreserved: false }] })));
  assert.equal(r.state, { phase: 'restarting', families: [V4] });
  // The F bit of the session that ended does not matter (§4.2: families "previously received").
  assert.equal(lines(r.actions), ['Flush keep=[101]', 'MarkStale [101]', 'StartTimer RestartTimer 90']);
});

Step('any other down, and a restart time of 0: everything flushed, nothing kept', () => {
  for (const [reason, g] of [
    [DOWNS.hardReset!, gr()],
    [DOWNS.tcp!, undefined],
    [DOWNS.tcp!, gr({ restartTime: 0 })],
  ] as const) {
    const r = helperStep(NONE, down(reason, g));
    assert.equal(r.state, NONE);
    assert.equal(lines(r.actions), ['Flush keep=[]']);
  }
});

Step('back in time with F set for both: the RestartTimer stops, the StaleTimer bounds the wait for End-of-RIB', () => {
  const r = helperStep({ phase: 'restarting', families: [V4, V6] }, up(gr({ restarted: true })));
  assert.equal(r.state, { phase: 'refreshing', families: [V4, V6] });
  assert.equal(lines(r.actions), ['StopTimer RestartTimer', `StartTimer StaleTimer ${STALE_ROUTES_SECONDS}`]);
});

Step('back with a family missing or its F bit clear: that family\'s stale routes go at once (§4.2)', () => {
  const r = helperStep({ phase: 'restarting', families: [V4, V6] }, up(gr({ families: [{ afi: 2, safi: 1, forwardingPreserved: false }] })));
  assert.equal(r.state, NONE);
  assert.equal(lines(r.actions), ['StopTimer RestartTimer', 'Sweep [101,201]']);
  const some = helperStep({ phase: 'restarting', families: [V4, V6] }, up(gr({ families: [{ afi: 2, safi: 1, forwardingPreserved: true }] })), 30);
  assert.equal(some.state, { phase: 'refreshing', families: [V6] });
  assert.equal(lines(some.actions), ['StopTimer RestartTimer', 'Sweep [101]', 'StartTimer StaleTimer 30']);
});

Step('back without graceful restart at all: every stale route goes', () => {
  const r = helperStep({ phase: 'restarting', families: [V4, V6] }, up(undefined));
  assert.equal(r.state, NONE);
  assert.equal(lines(r.actions), ['StopTimer RestartTimer', 'Sweep [101,201]']);
});

Step('End-of-RIB sweeps its family; the last one stops the StaleTimer; one for another family, or twice, does nothing', () => {
  let s: HelperState = { phase: 'refreshing', families: [V4, V6] };
  let r = helperStep(s, { type: 'EndOfRib', family: V6 });
  assert.equal([r.state, lines(r.actions)], [{ phase: 'refreshing', families: [V4] }, ['Sweep [201]']]);
  s = r.state;
  r = helperStep(s, { type: 'EndOfRib', family: V6 });
  assert.equal([r.state, lines(r.actions)], [s, []]);
  r = helperStep(s, { type: 'EndOfRib', family: V4 });
  assert.equal([r.state, lines(r.actions)], [NONE, ['Sweep [101]', 'StopTimer StaleTimer']]);
  assert.equal(helperStep({ phase: 'restarting', families: [V4] }, { type: 'EndOfRib', family: V4 }).actions, [], 'no End-of-RIB counts before the session is back');
});

Step('the RestartTimer (not back in time) and the StaleTimer (no End-of-RIB) sweep what is stale; a late expiry does nothing', () => {
  assert.equal(lines(helperStep({ phase: 'restarting', families: [V4, V6] }, { type: 'RestartTimer_Expires' }).actions), ['Sweep [101,201]']);
  assert.equal(lines(helperStep({ phase: 'refreshing', families: [V6] }, { type: 'StaleTimer_Expires' }).actions), ['Sweep [201]']);
  assert.equal(helperStep({ phase: 'refreshing', families: [V6] }, { type: 'RestartTimer_Expires' }).actions, []);
  assert.equal(helperStep(NONE, { type: 'StaleTimer_Expires' }).actions, []);
});

Step('down again while refreshing: the StaleTimer stops, what is held is stale again, a new restart time runs', () => {
  const r = helperStep({ phase: 'refreshing', families: [V4] }, down(DOWNS.hold!, gr()));
  assert.equal(r.state, { phase: 'restarting', families: [V4, V6] });
  assert.equal(lines(r.actions), ['StopTimer StaleTimer', 'Flush keep=[101,201]', 'MarkStale [101,201]', 'StartTimer RestartTimer 120']);
  const hard = helperStep({ phase: 'refreshing', families: [V4] }, down(DOWNS.hardReset!, gr()));
  assert.equal([hard.state, lines(hard.actions)], [NONE, ['StopTimer StaleTimer', 'Flush keep=[]']]);
});

Step.run();
