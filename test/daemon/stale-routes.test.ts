// StaleRoutes on a manual clock: a real Adj-RIB-In kept stale through a peer's restart, swept by End-of-RIB or the timers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../src/bgp/fsm/clock.js';
import type { GrInfo, GracefulRestartNegotiated } from '../../src/bgp/fsm/graceful-restart.js';
import type { DownReason } from '../../src/bgp/fsm/types.js';
import { IPV4_UNICAST, IPV6_UNICAST } from '../../src/bgp/iana.js';
import type { PathAttribute, UpdateMessage } from '../../src/bgp/messages/index.js';
import { AdjRibIn, type RibChange } from '../../src/bgp/rib/adj-rib-in.js';
import { StaleRoutes } from '../../src/daemon/stale-routes.js';

const ATTRS: PathAttribute[] = [
  { type: 'ORIGIN', origin: 0 },
  { type: 'AS_PATH', segments: [{ segmentType: 2, asns: [65002] }] },
];
const v4 = (prefixes: string[], nextHop = '192.0.2.2'): UpdateMessage => ({ type: 'UPDATE', withdrawn: [], attributes: [...ATTRS, { type: 'NEXT_HOP', nextHop }], nlri: prefixes.map((prefix) => ({ prefix })) });
const v6 = (prefixes: string[]): UpdateMessage => ({
  type: 'UPDATE',
  withdrawn: [],
  attributes: [{ type: 'MP_REACH_NLRI', afi: 2, safi: 1, nextHops: ['2001:db8::2'], nlri: prefixes.map((prefix) => ({ prefix })) }, ...ATTRS],
  nlri: [],
});

const peer = (o: Partial<GrInfo> = {}): GrInfo => ({
  restartTime: 120,
  restarted: false,
  notification: false,
  families: [
    { afi: 1, safi: 1, forwardingPreserved: true },
    { afi: 2, safi: 1, forwardingPreserved: true },
  ],
  ...o,
});
const negotiated = (p: Partial<GrInfo> = {}): { gracefulRestart: GracefulRestartNegotiated } => ({ gracefulRestart: { local: peer({ families: [] }), peer: peer(p) } });
const TCP: DownReason = { type: 'tcp-failure' };

function setup(staleSeconds?: number) {
  const clock = new ManualClock();
  const ribIn = new AdjRibIn();
  const gone: RibChange[][] = [];
  const logs: string[] = [];
  const stale = new StaleRoutes({
    ribIn,
    clock,
    log: { info: (_o, m) => logs.push(m ?? '') },
    gone: (c) => gone.push([...c]),
    listening: () => true,
    ...(staleSeconds === undefined ? {} : { staleSeconds }),
  });
  ribIn.apply(v4(['10.20.0.0/16', '10.21.0.0/16']));
  ribIn.apply(v6(['2001:db8:20::/48']));
  const table = (): string[] => [...ribIn.all()].map((r) => `${r.prefix}${r.attrs.stale ? ' stale' : ''}`);
  return { clock, ribIn, gone, logs, stale, table };
}

const Restart = suite('StaleRoutes: a peer restarts');

Restart('kept stale across the restart; what it sends again is fresh; its End-of-RIB sweeps the rest of that family', () => {
  const t = setup();
  t.stale.feed({ type: 'SessionDown', reason: TCP, negotiated: negotiated() });
  assert.equal(t.table(), ['10.20.0.0/16 stale', '10.21.0.0/16 stale', '2001:db8:20::/48 stale']);
  assert.equal(t.gone, [], 'nothing goes while the peer restarts');
  t.clock.advance(119_000);
  t.stale.feed({ type: 'SessionUp', negotiated: negotiated({ restarted: true }) });
  assert.is(t.stale.state.phase, 'refreshing');
  t.ribIn.apply(v4(['10.20.0.0/16']));
  assert.equal(t.table(), ['10.20.0.0/16', '10.21.0.0/16 stale', '2001:db8:20::/48 stale']);
  t.stale.feed({ type: 'EndOfRib', family: IPV4_UNICAST });
  assert.equal(t.gone, [[{ action: 'withdraw', prefix: '10.21.0.0/16' }]], 'the sweep is told as a withdrawal');
  assert.equal(t.table(), ['10.20.0.0/16', '2001:db8:20::/48 stale']);
  t.stale.feed({ type: 'EndOfRib', family: IPV6_UNICAST });
  assert.equal(t.table(), ['10.20.0.0/16']);
  assert.is(t.stale.state.phase, 'none');
  assert.is(t.clock.armed, 0, 'no timer left');
});

Restart('not back within its restart time: every stale route goes when the RestartTimer fires, not a moment before', () => {
  const t = setup();
  t.stale.feed({ type: 'SessionDown', reason: TCP, negotiated: negotiated({ restartTime: 9 }) });
  t.clock.advance(8_999);
  assert.is(t.ribIn.size, 3);
  t.clock.advance(1);
  assert.is(t.ribIn.size, 0);
  assert.equal(t.gone.flat().map((c) => c.prefix).sort(), ['10.20.0.0/16', '10.21.0.0/16', '2001:db8:20::/48']);
  assert.is(t.stale.state.phase, 'none');
});

Restart('back, but no End-of-RIB: the StaleTimer sweeps at its bound', () => {
  const t = setup(360);
  t.stale.feed({ type: 'SessionDown', reason: TCP, negotiated: negotiated() });
  t.stale.feed({ type: 'SessionUp', negotiated: negotiated() });
  t.ribIn.apply(v4(['10.21.0.0/16']));
  t.clock.advance(359_999);
  assert.is(t.ribIn.staleCount, 2);
  t.clock.advance(1);
  assert.equal(t.table(), ['10.21.0.0/16']);
  assert.is(t.clock.armed, 0);
});

Restart('back with the F bit clear for IPv6: its stale routes go at once, IPv4 waits for its End-of-RIB', () => {
  const t = setup();
  t.stale.feed({ type: 'SessionDown', reason: TCP, negotiated: negotiated() });
  t.stale.feed({ type: 'SessionUp', negotiated: negotiated({ families: [{ afi: 1, safi: 1, forwardingPreserved: true }, { afi: 2, safi: 1, forwardingPreserved: false }] }) });
  assert.equal(t.table(), ['10.20.0.0/16 stale', '10.21.0.0/16 stale']);
  assert.equal(t.gone, [[{ action: 'withdraw', prefix: '2001:db8:20::/48' }]]);
});

Restart('a Hard Reset: everything flushed at once, told as withdrawals; nobody listening: just cleared', () => {
  const t = setup();
  t.stale.feed({ type: 'SessionDown', reason: { type: 'notification-received', code: 6, subcode: 9 }, negotiated: negotiated({ notification: true }) });
  assert.is(t.ribIn.size, 0);
  assert.is(t.gone.flat().length, 3);
  const quiet = new AdjRibIn();
  quiet.apply(v4(['10.20.0.0/16']));
  let told = 0;
  new StaleRoutes({ ribIn: quiet, clock: new ManualClock(), log: { info: () => {} }, gone: () => told++, listening: () => false }).feed({ type: 'SessionDown', reason: TCP, negotiated: {} });
  assert.equal([quiet.size, told], [0, 0]);
});

Restart('stop() leaves no timer behind (the neighbor removed, the daemon stopping)', () => {
  const t = setup();
  t.stale.feed({ type: 'SessionDown', reason: TCP, negotiated: negotiated() });
  assert.is(t.clock.armed, 1);
  t.stale.stop();
  assert.is(t.clock.armed, 0);
});

Restart.run();
