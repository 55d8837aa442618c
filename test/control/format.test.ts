// Text renderings as an operator reads them (exact strings for fixed input), and the JSON ones.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatDuration, formatMicros, formatMillis, jsonOutput, notSavedWarning, table, textOutput } from '../../src/control/format.js';
import type { SummaryResult } from '../../src/control/protocol.js';
import type { ChangeResult, RouteEntry, SpeakerEvent, VipInfo, VipMove } from '../../src/control/types.js';
import { LOCAL_ROUTES, NEIGHBORS, OPERATOR_MOVE, SUMMARY, VIPS, WEB_MOVES } from './fake-speaker.js';
import { SNAPSHOT } from './speaker-snapshot.js';

const text = textOutput({ now: () => new Date('2025-03-01T12:02:03.000Z') });
const lines = (...l: string[]) => l.join('\n') + '\n';

// Input recorded from a real Speaker (speaker-snapshot.ts); the expected text is written out by hand.
const SUMMARY_RESULT: SummaryResult = {
  ...SUMMARY,
  neighbors: [
    { ...SUMMARY.neighbors[0]!, messagesReceived: 3, messagesSent: 6 },
    { ...SUMMARY.neighbors[1]!, messagesReceived: 3, messagesSent: 4 },
  ],
};

const ANNOUNCED: ChangeResult = SNAPSHOT.changes.announce;

const Neighbors = suite('textOutput.neighbors');

Neighbors('an established neighbor and one its peer shut down, in detail', () => {
  assert.fixture(
    text.neighbors({ neighbors: NEIGHBORS }),
    lines(
      'BGP neighbor is 127.0.0.2, remote AS 65515, port 179',
      ' Description: route-server-0',
      '  Local address 127.0.0.1, active',
      '  BGP state = Established, up for 01:02:03',
      '  Last state change 2025-03-01T11:00:00.000Z',
      '  Remote router ID 10.10.1.4',
      '  Hold time 180 s (configured 180 s), keepalive 60 s',
      '',
      '  Capabilities:',
      '    Sent:       MULTIPROTOCOL(ipv4-unicast), ROUTE_REFRESH, ENHANCED_ROUTE_REFRESH, FOUR_OCTET_AS, GRACEFUL_RESTART, EXTENDED_MESSAGE',
      '    Received:   MULTIPROTOCOL(ipv4-unicast), ROUTE_REFRESH, FOUR_OCTET_AS',
      '    Negotiated: families ipv4-unicast, 4-octet AS, route refresh',
      '',
      '  Message statistics:',
      '                   Sent  Received',
      '    Opens             1         1',
      '    Notifications     0         0',
      '    Updates           4         1',
      '    Keepalives        1         1',
      '    Route Refresh     0         0',
      '    Total             6         3',
      '',
      '  Update statistics:',
      '              Sent  Received',
      '    Prefixes     1         2',
      '',
      'BGP neighbor is 127.0.0.3, remote AS 65515, port 179',
      '  Local address any, active',
      '  BGP state = Idle, for 00:01:03',
      '  Last state change 2025-03-01T12:01:00.000Z',
      '  Hold time configured 180 s',
      '',
      '  Message statistics:',
      '                   Sent  Received',
      '    Opens             1         1',
      '    Notifications     0         1',
      '    Updates           2         0',
      '    Keepalives        1         1',
      '    Route Refresh     0         0',
      '    Total             4         3',
      '',
      '  Update statistics:',
      '              Sent  Received',
      '    Prefixes     0         0',
      '',
      '  Last error received: Cease / Administrative Shutdown (6/2) at 2025-03-01T12:01:00.000Z',
    ),
  );
});

Neighbors('graceful restart: both capabilities, N, and the peer\'s stale routes while it restarts', () => {
  const n = NEIGHBORS[0]!;
  const out = text.neighbors({
    neighbors: [
      {
        ...n,
        gracefulRestart: {
          negotiated: {
            notification: true,
            local: { restartTime: 120, restarted: true, notification: true, families: [{ family: 'ipv4-unicast', forwardingPreserved: true }] },
            peer: { restartTime: 90, restarted: false, notification: true, families: [] },
          },
          stale: { phase: 'refreshing', families: ['ipv4-unicast'], routes: 3 },
        },
      },
    ],
  });
  assert.ok(
    out.includes(
      lines(
        '  Graceful restart:',
        '    Ours:       restart time 120 s, restarts ipv4-unicast, forwarding kept for ipv4-unicast, has just restarted',
        "    Peer's:     restart time 90 s, helper only",
        '    Notification (RFC 8538): both sides',
        '',
        '  Stale routes: 3 routes (ipv4-unicast): the peer is back, its End-of-RIB awaited',
      ),
    ),
    out,
  );
});

Neighbors('none configured', () => {
  assert.is(text.neighbors({ neighbors: [] }), 'no neighbors configured\n');
});

Neighbors.run();

const Summary = suite('textOutput.summary');

Summary('a table like OpenBGPD/FRR: state when down, prefixes received when up', () => {
  assert.fixture(
    text.summary(SUMMARY_RESULT),
    lines(
      'BGP router identifier 10.10.0.4, local AS number 65010',
      'tsbgpd up 1d01h01m, 1 local route',
      'state file /var/lib/tsbgp/state.json: NOT SAVED since 2026-01-01T00:00:00.000Z: ENOSPC: no space left on device, write',
      '',
      'Neighbor      AS  MsgRcvd  MsgSent  Up/Down   State/PfxRcd  PfxSnt  Description',
      '127.0.0.2  65515        3        6  01:02:03             2       1  route-server-0',
      '127.0.0.3  65515        3        4  00:01:03          Idle       0',
    ),
  );
});

Summary('no description column when no neighbor has one; no neighbors at all', () => {
  const bare = { ...SUMMARY_RESULT, localRoutes: 2, neighbors: SUMMARY_RESULT.neighbors.slice(1) };
  assert.fixture(
    text.summary(bare),
    lines(
      'BGP router identifier 10.10.0.4, local AS number 65010',
      'tsbgpd up 1d01h01m, 2 local routes',
      'state file /var/lib/tsbgp/state.json: NOT SAVED since 2026-01-01T00:00:00.000Z: ENOSPC: no space left on device, write',
      '',
      'Neighbor      AS  MsgRcvd  MsgSent  Up/Down   State/PfxRcd  PfxSnt',
      '127.0.0.3  65515        3        4  00:01:03          Idle       0',
    ),
  );
  assert.match(text.summary({ ...SUMMARY_RESULT, neighbors: [] }), /\n\nno neighbors configured\n$/);
});

Summary('the state file: saved at, NOT SAVED since with the error, or untouched since start', () => {
  const withState = (stateFile: SummaryResult['stateFile']) => text.summary({ ...SUMMARY_RESULT, neighbors: [], stateFile }).split('\n')[2];
  assert.is(withState({ path: '/var/lib/tsbgp/state.json', savedAt: '2025-03-01T12:00:00.000Z' }), 'state file /var/lib/tsbgp/state.json: saved at 2025-03-01T12:00:00.000Z');
  assert.is(
    withState({ path: '/var/lib/tsbgp/state.json', savedAt: '2025-03-01T11:00:00.000Z', unsavedSince: '2025-03-01T12:00:00.000Z', error: 'EROFS: read-only file system' }),
    'state file /var/lib/tsbgp/state.json: NOT SAVED since 2025-03-01T12:00:00.000Z: EROFS: read-only file system',
  );
  assert.is(withState({ path: '/s.json', unsavedSince: '2025-03-01T12:00:00.000Z' }), 'state file /s.json: NOT SAVED since 2025-03-01T12:00:00.000Z, saving');
  assert.is(withState({ path: '/s.json' }), 'state file /s.json: up to date, not written since start');
  assert.is(withState(undefined), '', 'no state file: no line');
});

Summary.run();

const Routes = suite('textOutput.routes');

const RECEIVED: RouteEntry[] = [
  { prefix: '10.0.0.0/8', neighbor: '10.10.1.4', nextHop: '10.10.1.4', asPath: '65515 12076', origin: 'IGP', localPref: 100, communities: [], largeCommunities: [], extendedCommunities: [] },
  { prefix: '2001:db8::/32', pathId: 2, neighbor: '10.10.1.4', nextHop: '2001:db8::1', asPath: '65515', origin: 'incomplete', med: 5, communities: [], largeCommunities: ['65515:1:2'], extendedCommunities: [] },
];

Routes('local routes: flags, prefix, nexthop, MED, LP, path and origin, communities when any', () => {
  assert.fixture(
    text.routes({ view: 'local', routes: LOCAL_ROUTES }),
    lines(
      'flags: L = local, * = received, > = advertised; origin: i = IGP, e = EGP, ? = incomplete',
      '',
      'flags  prefix         nexthop    MED  LP  aspath origin  communities',
      'L      100.64.0.1/32  10.10.0.6   10      i              65010:100',
    ),
  );
});

Routes('received and advertised routes as the speaker reports them', () => {
  assert.fixture(
    text.routes({ view: 'received', routes: SNAPSHOT.routes.received }),
    lines(
      'flags: L = local, * = received, > = advertised; origin: i = IGP, e = EGP, ? = incomplete',
      '',
      'flags  neighbor   prefix         nexthop    MED  LP  aspath origin  communities',
      '*      127.0.0.2  10.0.0.0/8     127.0.0.2    5      65515 12076 i  65515:1 65515:1:2',
      '*      127.0.0.2  172.16.0.0/12  127.0.0.2    5      65515 12076 i  65515:1 65515:1:2',
    ),
  );
  assert.fixture(
    text.routes({ view: 'advertised', routes: SNAPSHOT.routes.advertised }),
    lines(
      'flags: L = local, * = received, > = advertised; origin: i = IGP, e = EGP, ? = incomplete',
      '',
      'flags  neighbor   prefix         nexthop    MED  LP  aspath origin  communities',
      '>      127.0.0.2  100.64.0.1/32  10.10.0.6   10      65010 i        65010:100',
    ),
  );
});

Routes('ADD-PATH ids and IPv6 rows (hand-written: the recording has neither)', () => {
  assert.fixture(
    text.routes({ view: 'received', routes: RECEIVED }),
    lines(
      'flags: L = local, * = received, > = advertised; origin: i = IGP, e = EGP, ? = incomplete',
      '',
      'flags  neighbor   prefix                  nexthop      MED   LP  aspath origin  communities',
      '*      10.10.1.4  10.0.0.0/8              10.10.1.4         100  65515 12076 i',
      '*      10.10.1.4  2001:db8::/32 (path 2)  2001:db8::1    5       65515 ?        65515:1:2',
    ),
  );
});

Routes('a limited table says at its end that more matched; a prefix filter is named', () => {
  assert.fixture(
    text.routes({ view: 'received', neighbor: '10.10.1.4', prefix: '10.0.0.0/8', routes: RECEIVED.slice(0, 1), truncated: true }),
    lines(
      'flags: L = local, * = received, > = advertised; origin: i = IGP, e = EGP, ? = incomplete',
      '',
      'flags  neighbor   prefix      nexthop    MED   LP  aspath origin',
      '*      10.10.1.4  10.0.0.0/8  10.10.1.4       100  65515 12076 i',
      '',
      'more received routes from 10.10.1.4 inside 10.0.0.0/8 than shown: the limit is 1 route',
    ),
  );
  assert.is(text.routes({ view: 'received', prefix: '10.0.0.0/8', routes: [], truncated: true }), 'received routes inside 10.0.0.0/8: none shown (--limit 0)\n');
  assert.is(text.routes({ view: 'local', prefix: '10.0.0.0/8', routes: [] }), 'no local routes inside 10.0.0.0/8\n');
});

Routes('stale received routes (a neighbor restarting gracefully) are flagged S, and the legend says so', () => {
  assert.fixture(
    text.routes({ view: 'received', routes: [{ ...RECEIVED[0]!, stale: true }, RECEIVED[1]!] }),
    lines(
      'flags: L = local, * = received, S = received, stale (kept while the neighbor restarts), > = advertised; origin: i = IGP, e = EGP, ? = incomplete',
      '',
      'flags  neighbor   prefix                  nexthop      MED   LP  aspath origin  communities',
      'S      10.10.1.4  10.0.0.0/8              10.10.1.4         100  65515 12076 i',
      '*      10.10.1.4  2001:db8::/32 (path 2)  2001:db8::1    5       65515 ?        65515:1:2',
    ),
  );
});

Routes('empty views say so', () => {
  assert.is(text.routes({ view: 'advertised', neighbor: '10.10.1.4', routes: [] }), 'no advertised routes to 10.10.1.4\n');
  assert.is(text.routes({ view: 'received', neighbor: '10.10.1.4', routes: [] }), 'no received routes from 10.10.1.4\n');
  assert.is(text.routes({ view: 'local', routes: [] }), 'no local routes\n');
});

Routes.run();

const Change = suite('textOutput.change');

Change('announce: a headline with the wire time and the save, then one line per peer', () => {
  assert.fixture(
    text.change('announce', ANNOUNCED),
    lines(
      'announce 100.64.0.1/32 via 10.10.0.5: sent to 1 of 2 neighbors in 92 µs, saved in 4.1 ms',
      '127.0.0.2  Established  sent in 85 µs',
      '127.0.0.3  Idle         will get the route when it comes up',
    ),
  );
});

Change('withdraw, an unchanged announce, a failed save (recorded); slow writes in ms, no neighbors', () => {
  assert.fixture(
    text.change('withdraw', SNAPSHOT.changes.withdraw),
    lines('withdraw 100.64.0.1/32: sent to 1 of 2 neighbors in 92 µs, saved in 4.1 ms', '127.0.0.2  Established  sent in 85 µs', '127.0.0.3  Idle         not established, nothing to withdraw'),
  );
  assert.fixture(
    text.change('announce', SNAPSHOT.changes.unchanged),
    lines('announce 100.64.0.1/32 via 10.10.0.5: unchanged, nothing sent', '127.0.0.2  Established  unchanged: nothing sent', '127.0.0.3  Idle         will get the route when it comes up'),
  );
  assert.fixture(
    text.change('announce', SNAPSHOT.changes.notSaved),
    lines(
      'announce 100.64.0.1/32 via 10.10.0.6: sent to 1 of 2 neighbors in 92 µs, NOT saved: ENOSPC: no space left on device, write',
      '127.0.0.2  Established  sent in 85 µs',
      '127.0.0.3  Idle         will get the route when it comes up',
    ),
  );
  assert.fixture(
    text.change('withdraw', { prefix: '100.64.0.9/32', changed: false, peers: [], wireMicros: 3 }),
    lines('withdraw 100.64.0.9/32: not announced, nothing sent'),
  );
  assert.fixture(
    text.change('announce', { ...ANNOUNCED, wireMicros: 12_345, saved: undefined, peers: [{ neighbor: '2001:db8::4', state: 'Established', sent: true, micros: 12_345 }, { neighbor: '10.10.1.4', state: 'Established', sent: false }] }),
    lines('announce 100.64.0.1/32 via 10.10.0.5: sent to 1 of 2 neighbors in 12.3 ms', '2001:db8::4  Established  sent in 12.3 ms', '10.10.1.4    Established  not sent'),
  );
  assert.fixture(text.change('announce', { ...ANNOUNCED, peers: [] }), lines('announce 100.64.0.1/32 via 10.10.0.5: no neighbors configured'));
});

Change('the save apart from the wire: saved in, or NOT saved with the reason', () => {
  const two: ChangeResult = {
    prefix: '100.64.0.1/32',
    changed: true,
    route: { prefix: '100.64.0.1/32', nextHop: '10.10.0.5' },
    peers: [
      { neighbor: '10.10.1.4', state: 'Established', sent: true, micros: 290 },
      { neighbor: '10.10.1.5', state: 'Established', sent: true, micros: 310 },
    ],
    wireMicros: 310,
    saved: { ok: true, micros: 4100 },
  };
  assert.fixture(
    text.change('announce', two),
    lines('announce 100.64.0.1/32 via 10.10.0.5: sent to 2 of 2 neighbors in 310 µs, saved in 4.1 ms', '10.10.1.4  Established  sent in 290 µs', '10.10.1.5  Established  sent in 310 µs'),
  );
  const failed: ChangeResult = { ...two, saved: { ok: false, error: 'route sent, but the state file could not be saved: ENOSPC: no space left on device', since: '2025-03-01T11:59:00.000Z' } };
  assert.is(
    text.change('announce', failed).split('\n')[0],
    'announce 100.64.0.1/32 via 10.10.0.5: sent to 2 of 2 neighbors in 310 µs, NOT saved: route sent, but the state file could not be saved: ENOSPC: no space left on device',
  );
  assert.is(
    notSavedWarning('announce', failed),
    'bgpctl: warning: announce 100.64.0.1/32 is on the wire but not in the state file, last saved 2025-03-01T11:59:00.000Z; a restart of tsbgpd would undo it (route sent, but the state file could not be saved: ENOSPC: no space left on device)\n',
  );
  assert.is(notSavedWarning('announce', two), undefined);
  assert.is(notSavedWarning('withdraw', { ...two, saved: undefined }), undefined, 'no state file: nothing to warn about');
  assert.equal(JSON.parse(jsonOutput.change('announce', failed)), failed, '--json: the ChangeResult as it came');
});

Change.run();

const Vips = suite('textOutput.vips');

Vips('each VIP: mode and where it is announced, its policies, one row per candidate, the last move', () => {
  assert.fixture(
    text.vips({ vips: VIPS }),
    lines(
      'VIP web  100.64.0.1/32  automatic  via ws2 (10.10.0.5) since 2026-12-01T12:00:03.120Z',
      '  failback sticky, change window 30 s, all down: keep',
      '  candidate  next hop   health  streak    last check                     watch',
      '  ws1        10.10.0.4  down    fails 2   timed out after 80 ms (80 ms)  lost',
      '  ws2        10.10.0.5  up      passes 3  HTTP 200 (1.2 ms)              connected',
      '  last move: ws1 -> ws2 (watch: closed by peer) at 2026-12-01T12:00:03.120Z, 2 ms after the failure, on the wire 10.10.1.4 310 µs, 10.10.1.5 298 µs, confirmed in 41 ms, takes effect ~2026-12-01T12:00:30.500Z (change window)',
      '',
      'VIP api  100.64.0.2/32  frozen (no automatic moves)  not announced',
      '  failback preferred-after 60s, no change window, all down: withdraw',
      '  candidate  next hop   health   streak    last check',
      '  api1       10.10.0.7  unknown  -         -',
      '  api2       10.10.0.8  up       passes 1  connected (350 µs)',
      '  last move: none',
    ),
  );
});

Vips('a last move that withdrew the VIP (all down), with no neighbor to send it to and nothing to confirm', () => {
  const withdrawn: VipInfo = {
    ...VIPS[0]!,
    current: undefined,
    candidates: [{ ...VIPS[0]!.candidates[0]!, watch: undefined }, { ...VIPS[0]!.candidates[1]!, health: 'down', passes: 0, fails: 1, watch: undefined }],
    allDown: 'withdraw',
    changeWindowMs: 1500,
    lastMove: { at: '2026-12-01T12:10:00.000Z', from: 'ws2', cause: 'all-down', detail: '', failureSeenAt: '2026-12-01T12:09:59.600Z', wire: [], effectiveAt: '2026-12-01T12:10:00.000Z' },
  };
  assert.fixture(
    text.vips({ vips: [withdrawn] }),
    lines(
      'VIP web  100.64.0.1/32  automatic  not announced',
      '  failback sticky, change window 1.5 s, all down: withdraw',
      '  candidate  next hop   health  streak   last check',
      '  ws1        10.10.0.4  down    fails 2  timed out after 80 ms (80 ms)',
      '  ws2        10.10.0.5  down    fails 1  HTTP 200 (1.2 ms)',
      '  last move: ws2 -> (withdrawn) (all-down) at 2026-12-01T12:10:00.000Z, 400 ms after the failure, on the wire no neighbors',
    ),
  );
});

Vips('one of a pair of watchers: its role, the partner, its route for the VIP, whether the two agree (text and JSON)', () => {
  const web = VIPS[0]!;
  const standby: VipInfo = { ...web, pair: { role: 'standby', partner: '10.10.0.7', partnerState: 'Established', partnerRoute: { nextHop: '10.10.0.5', candidate: 'ws2', stale: false }, following: true, agreement: 'disagree', detail: 'both announce ws2 (10.10.0.5), which our own checks call down', disagreements: 1 } };
  const primary: VipInfo = { ...web, pair: { role: 'primary', partner: '10.10.0.8', partnerState: 'Active', following: false, agreement: 'unknown', detail: 'the partner announces no route for it', disagreements: 0 } };
  const stale: VipInfo = { ...web, pair: { role: 'standby', partner: '10.10.0.7', partnerState: 'Idle', partnerRoute: { nextHop: '10.10.0.9', stale: true }, following: false, agreement: 'disagree', detail: 'x', disagreements: 2 } };
  const second = (v: VipInfo): string => text.vips({ vips: [v] }).split('\n')[2]!;
  assert.is(second(standby), '  pair standby (following the partner), partner 10.10.0.7 Established, its route via ws2 (10.10.0.5); disagree: both announce ws2 (10.10.0.5), which our own checks call down; 1 disagreement');
  assert.is(second(primary), '  pair primary, partner 10.10.0.8 Active, no route from it; unknown: the partner announces no route for it; 0 disagreements');
  assert.is(second(stale), '  pair standby (own checks decide), partner 10.10.0.7 Idle, its route via 10.10.0.9 (stale: it is restarting); disagree: x; 2 disagreements');
  assert.equal(JSON.parse(jsonOutput.vips({ vips: [standby] })).vips[0].pair, standby.pair);
  assert.not.ok(text.vips({ vips: [web] }).includes('pair'), 'a single watcher has no pair line');
});

Vips('none configured', () => {
  assert.is(text.vips({ vips: [] }), 'no VIPs configured\n');
});

Vips.run();

const VipCommands = suite('textOutput vipMove, vipMode, vipHistory');

const MOVED: VipInfo = { ...VIPS[0]!, current: { candidate: 'ws1', nextHop: '10.10.0.4', since: '2026-12-01T12:05:00.000Z' }, lastMove: OPERATOR_MOVE };

VipCommands('a manual move: what moved, the wire per neighbor, the confirmation; then where the VIP is and its mode', () => {
  assert.fixture(
    text.vipMove({ move: OPERATOR_MOVE, vip: MOVED }),
    lines(
      'vip web moved ws2 -> ws1 (operator: requested by bgpctl) at 2026-12-01T12:05:00.000Z, on the wire 10.10.1.4 295 µs, 10.10.1.5 1.2 ms, confirmed in 38 ms',
      'vip web 100.64.0.1/32 automatic: its health checks may move it; via ws1 (10.10.0.4) since 2026-12-01T12:05:00.000Z',
    ),
  );
  const early: VipMove = { ...OPERATOR_MOVE, wire: [{ neighbor: '10.10.1.4', micros: 295 }, { neighbor: '10.10.1.5', note: 'not established' }], effectiveAt: '2026-12-01T12:05:30.000Z' };
  delete early.confirmedMs;
  assert.fixture(
    text.vipMove({ move: early, vip: { ...MOVED, mode: 'frozen' } }),
    lines(
      'vip web moved ws2 -> ws1 (operator: requested by bgpctl) at 2026-12-01T12:05:00.000Z, on the wire 10.10.1.4 295 µs, 10.10.1.5 not established, takes effect ~2026-12-01T12:05:30.000Z (change window)',
      'vip web 100.64.0.1/32 frozen: no automatic moves until unfrozen; via ws1 (10.10.0.4) since 2026-12-01T12:05:00.000Z',
    ),
  );
});

VipCommands('freeze and unfreeze: the new mode, or that it was so already, and where the VIP is', () => {
  const web = VIPS[0]!;
  assert.is(
    text.vipMode({ vip: { ...web, mode: 'frozen' }, changed: true }),
    'vip web 100.64.0.1/32 frozen: no automatic moves until unfrozen; via ws2 (10.10.0.5) since 2026-12-01T12:00:03.120Z\n',
  );
  assert.is(
    text.vipMode({ vip: { ...web, mode: 'frozen' }, changed: false }),
    'vip web 100.64.0.1/32 already frozen: no automatic moves until unfrozen; via ws2 (10.10.0.5) since 2026-12-01T12:00:03.120Z\n',
  );
  assert.is(text.vipMode({ vip: web, changed: true }), 'vip web 100.64.0.1/32 unfrozen: its health checks may move it; via ws2 (10.10.0.5) since 2026-12-01T12:00:03.120Z\n');
  assert.is(text.vipMode({ vip: web, changed: false }), 'vip web 100.64.0.1/32 not frozen: its health checks may move it; via ws2 (10.10.0.5) since 2026-12-01T12:00:03.120Z\n');
  assert.is(text.vipMode({ vip: VIPS[1]!, changed: true }), 'vip api 100.64.0.2/32 frozen: no automatic moves until unfrozen; not announced\n');
});

VipCommands('history: one row per move, oldest first; a move inside the change window says when it takes effect', () => {
  const withdrawn: VipMove = { at: '2026-12-01T12:10:00.000Z', from: 'ws1', cause: 'all-down', detail: '', failureSeenAt: '2026-12-01T12:09:59.600Z', wire: [], effectiveAt: '2026-12-01T12:10:00.000Z' };
  assert.fixture(
    text.vipHistory({ name: 'web', prefix: '100.64.0.1/32', moves: [...WEB_MOVES, OPERATOR_MOVE, withdrawn] }),
    lines(
      'VIP web  100.64.0.1/32: 4 moves, oldest first',
      '',
      'time                      move                cause     failure->decision  on the wire                                  confirmed  detail',
      '2026-12-01T12:00:00.500Z  (none) -> ws1       start     -                  10.10.1.4 412 µs, 10.10.1.5 not established  -          ws1 passed 3 checks',
      '2026-12-01T12:00:03.120Z  ws1 -> ws2          watch     2 ms               10.10.1.4 310 µs, 10.10.1.5 298 µs           41 ms      closed by peer; takes effect ~2026-12-01T12:00:30.500Z (change window)',
      '2026-12-01T12:05:00.000Z  ws2 -> ws1          operator  -                  10.10.1.4 295 µs, 10.10.1.5 1.2 ms           38 ms      requested by bgpctl',
      '2026-12-01T12:10:00.000Z  ws1 -> (withdrawn)  all-down  400 ms             no neighbors                                 -',
    ),
  );
  assert.is(text.vipHistory({ name: 'api', prefix: '100.64.0.2/32', moves: [] }), 'VIP api  100.64.0.2/32: no moves recorded\n');
});

VipCommands.run();

const Others = suite('textOutput neighborAction, reload, ping, error');

Others('one line each', () => {
  assert.is(text.neighborAction({ neighbor: '10.10.1.4', action: 'down', state: 'Idle' }), 'neighbor 10.10.1.4: down requested, state now Idle\n');
  assert.is(text.neighborAction({ neighbor: '10.10.1.4', action: 'refresh', state: 'Established' }), 'neighbor 10.10.1.4: route refresh requested, state now Established\n');
  assert.is(text.ping({ pong: true, version: '0.1.0' }), 'pong: tsbgpd 0.1.0\n');
  assert.is(text.error({ code: 'TSBGP_ERR_BAD_PREFIX', message: 'bad' }), 'bgpctl: bad [TSBGP_ERR_BAD_PREFIX]\n');
});

Others('shutdown: how tsbgpd stops, and per peer what it is sent and whether it keeps our routes', () => {
  assert.fixture(
    text.shutdown({
      mode: 'graceful',
      peers: [
        { neighbor: '10.10.1.4', state: 'Established', sends: 'nothing', keepsRoutes: true },
        { neighbor: '10.10.1.5', state: 'Active', sends: 'cease', keepsRoutes: false },
      ],
    }),
    lines(
      'tsbgpd is stopping for a restart: peers that negotiated graceful restart keep our routes until it is back',
      '',
      'Neighbor   State        Sent                        Routes',
      '10.10.1.4  Established  TCP close, no NOTIFICATION  keeps our routes',
      '10.10.1.5  Active       -                           -',
    ),
  );
  assert.is(text.shutdown({ mode: 'hard', peers: [] }), 'tsbgpd is stopping for good (hard): peers flush our routes\n');
});

Others('reload: counts, then what changed', () => {
  assert.fixture(
    text.reload({ neighborsAdded: ['10.10.1.7'], neighborsRemoved: ['10.10.1.8'], neighborsReset: ['10.10.1.4'], routesChanged: ['100.64.0.1/32', '100.64.0.2/32'] }),
    lines(
      'reloaded: 1 neighbor added, 1 removed, 1 reset, 2 routes changed',
      'added    10.10.1.7',
      'removed  10.10.1.8',
      'reset    10.10.1.4',
      'route    100.64.0.1/32',
      'route    100.64.0.2/32',
    ),
  );
  assert.is(text.reload({ neighborsAdded: [], neighborsRemoved: [], neighborsReset: [], routesChanged: [] }), 'reloaded: no changes\n');
});

Others.run();

const Events = suite('textOutput.event');

Events('one line per event, led by its timestamp', () => {
  const events: SpeakerEvent[] = [
    { type: 'state', at: '2025-03-01T12:00:00.000Z', neighbor: '10.10.1.4', from: 'OpenConfirm', to: 'Established', reason: 'KEEPALIVE received' },
    { type: 'route', at: '2025-03-01T12:00:00.100Z', direction: 'received', neighbor: '10.10.1.4', action: 'announce', prefix: '10.0.0.0/8', nextHop: '10.10.1.4' },
    { type: 'route', at: '2025-03-01T12:00:00.200Z', direction: 'advertised', neighbor: '10.10.1.4', action: 'withdraw', prefix: '100.64.0.1/32' },
    { type: 'local', at: '2025-03-01T12:00:01.000Z', action: 'announce', prefix: '100.64.0.1/32', nextHop: '10.10.0.6' },
    { type: 'notification', at: '2025-03-01T12:00:02.000Z', neighbor: '10.10.1.5', direction: 'sent', code: 6, subcode: 2, text: 'Cease / Administrative Shutdown: maintenance' },
    { type: 'health', at: '2025-03-01T12:00:03.000Z', vip: 'web', candidate: 'ws1', health: 'down', detail: 'timed out after 80 ms' },
    { type: 'health', at: '2025-03-01T12:00:03.500Z', vip: 'web', candidate: 'ws2', health: 'unknown', detail: '' },
    { type: 'vip', at: '2025-03-01T12:00:03.001Z', vip: 'web', from: 'ws1', to: 'ws2', cause: 'health', detail: 'ws1 failed 2 checks' },
    { type: 'vip', at: '2025-03-01T12:00:04.000Z', vip: 'web', to: 'ws1', cause: 'start', detail: '' },
    { type: 'vip', at: '2025-03-01T12:00:05.000Z', vip: 'web', from: 'ws2', cause: 'all-down', detail: 'no healthy candidate' },
  ];
  assert.fixture(
    events.map((e) => text.event(e)).join(''),
    lines(
      '2025-03-01T12:00:00.000Z  10.10.1.4  state OpenConfirm -> Established: KEEPALIVE received',
      '2025-03-01T12:00:00.100Z  10.10.1.4  received announce 10.0.0.0/8 via 10.10.1.4',
      '2025-03-01T12:00:00.200Z  10.10.1.4  advertised withdraw 100.64.0.1/32',
      '2025-03-01T12:00:01.000Z  local  announce 100.64.0.1/32 via 10.10.0.6',
      '2025-03-01T12:00:02.000Z  10.10.1.5  notification sent 6/2 Cease / Administrative Shutdown: maintenance',
      '2025-03-01T12:00:03.000Z  vip web  ws1 is down: timed out after 80 ms',
      '2025-03-01T12:00:03.500Z  vip web  ws2 is unknown',
      '2025-03-01T12:00:03.001Z  vip web  moved ws1 -> ws2 (health: ws1 failed 2 checks)',
      '2025-03-01T12:00:04.000Z  vip web  moved (none) -> ws1 (start)',
      '2025-03-01T12:00:05.000Z  vip web  moved ws2 -> (withdrawn) (all-down: no healthy candidate)',
    ),
  );
});

Events.run();

const Json = suite('jsonOutput');

Json('one JSON object per reply, on one line; lists wrapped in an object; errors as {"error":...}', () => {
  const all = [
    jsonOutput.neighbors({ neighbors: NEIGHBORS }),
    jsonOutput.summary(SUMMARY_RESULT),
    jsonOutput.routes({ view: 'local', routes: LOCAL_ROUTES }),
    jsonOutput.change('announce', ANNOUNCED),
    jsonOutput.neighborAction({ neighbor: '10.10.1.4', action: 'up', state: 'Connect' }),
    jsonOutput.reload({ neighborsAdded: [], neighborsRemoved: [], neighborsReset: [], routesChanged: [] }),
    jsonOutput.ping({ pong: true, version: '0.1.0' }),
    jsonOutput.event({ type: 'local', at: 'T', action: 'withdraw', prefix: '100.64.0.1/32' }),
    jsonOutput.error({ code: 'TSBGP_ERR_INTERNAL', message: 'm' }),
  ];
  for (const s of all) {
    assert.ok(s.endsWith('\n') && !s.slice(0, -1).includes('\n'), s);
    const v = JSON.parse(s) as unknown;
    assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v), s);
  }
  assert.equal(JSON.parse(all[0]!), { neighbors: NEIGHBORS });
  assert.equal(JSON.parse(all[3]!), ANNOUNCED);
  assert.is(all[8], '{"error":{"code":"TSBGP_ERR_INTERNAL","message":"m"}}\n');
  assert.is(all[7], '{"type":"local","at":"T","action":"withdraw","prefix":"100.64.0.1/32"}\n');
});

Json('the VIP replies: each result object as it came, on one line', () => {
  const results = [
    { vips: VIPS },
    { move: OPERATOR_MOVE, vip: VIPS[0]! },
    { vip: VIPS[1]!, changed: false },
    { name: 'web', prefix: '100.64.0.1/32', moves: WEB_MOVES },
  ];
  const out = [jsonOutput.vips(results[0] as never), jsonOutput.vipMove(results[1] as never), jsonOutput.vipMode(results[2] as never), jsonOutput.vipHistory(results[3] as never)];
  for (const [i, s] of out.entries()) {
    assert.ok(s.endsWith('\n') && !s.slice(0, -1).includes('\n'), s);
    assert.equal(JSON.parse(s), results[i]);
  }
  assert.is(
    jsonOutput.vipMode({ vip: { ...VIPS[1]!, candidates: [] }, changed: true }),
    '{"vip":{"name":"api","prefix":"100.64.0.2/32","mode":"frozen","candidates":[],"failback":"preferred-after 60s","changeWindowMs":0,"allDown":"withdraw","rise":3,"fall":2},"changed":true}\n',
  );
});

Json.run();

const Helpers = suite('formatDuration, formatMicros, table');

Helpers('durations as OpenBGPD prints them', () => {
  assert.equal([0, 59, 3723, 86399, 86400, 90061, 604799, 604800, 1_300_000, -1, NaN].map(formatDuration), [
    '00:00:00',
    '00:00:59',
    '01:02:03',
    '23:59:59',
    '1d00h00m',
    '1d01h01m',
    '6d23h59m',
    '1w0d00h',
    '2w1d01h',
    'Never',
    'Never',
  ]);
});

Helpers('microseconds below 1 ms, milliseconds above', () => {
  assert.equal([0, 85, 84.6, 310, 999.4, 999.5, 4100, 10_000, 123_456].map(formatMicros), ['0 µs', '85 µs', '85 µs', '310 µs', '999 µs', '1.0 ms', '4.1 ms', '10.0 ms', '123.5 ms']);
});

Helpers('milliseconds: µs below 1 ms, one decimal below 10 ms unless whole, whole ms, then seconds', () => {
  assert.equal([0, 0.35, 0.9994, 1, 1.2, 2, 9.94, 9.96, 80, 999.4, 999.5, 1500, 30_000, 99_940, 100_000, 125_400].map(formatMillis), [
    '0 ms',
    '350 µs',
    '999 µs',
    '1 ms',
    '1.2 ms',
    '2 ms',
    '9.9 ms',
    '10 ms',
    '80 ms',
    '999 ms',
    '1.0 s',
    '1.5 s',
    '30 s',
    '99.9 s',
    '100 s',
    '125 s',
  ]);
});

Helpers('columns padded to the widest cell, right-aligned where asked, no trailing blanks', () => {
  assert.is(table(['a', 'n', 'z'], [['xyz', '5', ''], ['q', '1234', 'end']], ['l', 'r', 'l']), 'a       n  z\nxyz     5\nq    1234  end\n');
});

Helpers('a table of 200,000 rows (show routes --received on a full table) renders', () => {
  const rows = Array.from({ length: 200_000 }, (_, i) => [String(i), 'x']);
  const out = table(['n', 'v'], rows, ['r', 'l']);
  assert.is(out.slice(0, 20), '     n  v\n     0  x\n');
  assert.is(out.split('\n').length, 200_002);
});

Helpers.run();
