// step() in Established (RFC 4271 §8.2.2, RFC 2918, RFC 6608): traffic, timers, and every way down.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { describeDownReason, step } from '../../src/bgp/fsm/fsm.js';
import type { Action, DownReason, Event } from '../../src/bgp/fsm/types.js';
import { J, SAMPLE, UPDATE, ev, expectStep, fields, idleAfterFailures, peerOpen, sessionIn, toIdle, WALL } from '../helpers/fsm-harness.js';

/** An Established session carrying `n` failures from earlier flaps (back-off at its n-th step). */
function establishedAfterFailures(n: number): ReturnType<typeof sessionIn> {
  const s = idleAfterFailures(n);
  for (const e of [SAMPLE.IdleHoldTimer_Expires, SAMPLE.Tcp_CR_Acked, SAMPLE.BGPOpen, SAMPLE.KeepAliveMsg]) step(s, e);
  if (s.state !== 'Established') throw new Error(`reached ${s.state}`);
  return s;
}

const Traffic = suite('Established: KEEPALIVE, UPDATE, ROUTE-REFRESH');

Traffic('KeepAliveMsg: HoldTimer restarted, nothing else', () => {
  const s = sessionIn('Established');
  expectStep(s, ev('KeepAliveMsg'), ['StartTimer HoldTimer 90']);
  assert.is(s.state, 'Established');
});

Traffic('KeepAliveMsg resets the back-off: failures 0, idleHoldTime back to the first wait', () => {
  const s = establishedAfterFailures(3);
  assert.is(s.failures, 3);
  assert.is(s.idleHoldTime, 20);
  expectStep(s, ev('KeepAliveMsg'), ['StartTimer HoldTimer 90']);
  assert.is(s.failures, 0);
  assert.is(s.idleHoldTime, 5);
});

Traffic('KeepAliveMsg with hold time 0: no HoldTimer', () => {
  const s = sessionIn('Established', {}, peerOpen({ holdTime: 0 }));
  expectStep(s, ev('KeepAliveMsg'), []);
});

Traffic('UpdateMsg: HoldTimer restarted, then ApplyUpdate with the message', () => {
  const s = sessionIn('Established');
  const actions = expectStep(s, ev('UpdateMsg'), ['StartTimer HoldTimer 90', 'ApplyUpdate']);
  const apply = actions[1];
  assert.ok(apply?.type === 'ApplyUpdate');
  assert.is(apply.update, UPDATE);
  assert.is(s.state, 'Established');
});

Traffic('UpdateMsg with hold time 0: ApplyUpdate only', () => {
  const s = sessionIn('Established', {}, peerOpen({ holdTime: 0 }));
  expectStep(s, ev('UpdateMsg'), ['ApplyUpdate']);
});

Traffic('RouteRefreshMsg: HoldTimer restarted, ResendAdjRibOut for its AFI/SAFI (RFC 2918)', () => {
  const s = sessionIn('Established');
  expectStep(s, ev('RouteRefreshMsg'), ['StartTimer HoldTimer 90', 'ResendAdjRibOut 2/1']);
  expectStep(s, { type: 'RouteRefreshMsg', refresh: { type: 'ROUTE_REFRESH', afi: 1, subtype: 0, safi: 1 } }, ['StartTimer HoldTimer 90', 'ResendAdjRibOut 1/1']);
});

Traffic.run();

const Timers = suite('Established: timers');

Timers('KeepaliveTimer_Expires: KEEPALIVE sent, timer restarted (jittered)', () => {
  const s = sessionIn('Established');
  expectStep(s, ev('KeepaliveTimer_Expires'), ['Send KEEPALIVE', `StartTimer KeepaliveTimer ${J(30)}`]);
  assert.is(s.state, 'Established');
});

Timers('HoldTimer_Expires: NOTIFICATION 4/0, SessionDown, Idle, IdleHoldTimer', () => {
  const s = sessionIn('Established');
  expectStep(s, ev('HoldTimer_Expires'), toIdle('Established', { notify: '4/0 data=', down: 'hold-timer-expired', idleHold: 5 }));
  assert.equal(fields(s), {
    state: 'Idle',
    connectRetryCounter: 1,
    failures: 1,
    idleHoldTime: 5,
    adminDown: false,
    negotiated: false,
    lastError: { direction: 'sent', code: 4, subcode: 0, text: 'Hold Timer Expired / Unspecific', at: WALL },
  });
});

Timers.run();

const Down = suite('Established: going down');

Down('UpdateMsgErr: its NOTIFICATION with its data, SessionDown, Idle, failure counted', () => {
  const s = sessionIn('Established');
  const e = ev('UpdateMsgErr');
  expectStep(s, e, toIdle('Established', { notify: '3/11 data=40020107', down: 'notification-sent 3/11', idleHold: 5 }));
  assert.equal(s.lastError, { direction: 'sent', code: 3, subcode: 11, text: e.error.message, at: WALL });
  assert.is(s.failures, 1);
  assert.is(s.negotiated, undefined);
});

Down('TcpConnectionFails: SessionDown, Idle, no NOTIFICATION, failure counted', () => {
  const s = sessionIn('Established');
  expectStep(s, ev('TcpConnectionFails'), toIdle('Established', { down: 'tcp-failure', idleHold: 5 }));
  assert.is(s.connectRetryCounter, 1);
  assert.is(s.failures, 1);
});

Down('ManualStop: Cease 6/2, SessionDown, Idle, adminDown, no IdleHoldTimer', () => {
  const s = sessionIn('Established');
  expectStep(s, { type: 'ManualStop', communication: 'bye' }, toIdle('Established', { notify: '6/2 data=03627965', down: 'admin-stop "bye"' }));
  assert.equal(fields(s), {
    state: 'Idle',
    connectRetryCounter: 0,
    failures: 0,
    idleHoldTime: 5,
    adminDown: true,
    negotiated: false,
    lastError: { direction: 'sent', code: 6, subcode: 2, text: 'administrative shutdown', at: WALL },
  });
  // ...and it stays down.
  expectStep(s, ev('IdleHoldTimer_Expires'), []);
  expectStep(s, ev('AutomaticStart'), []);
});

Down('NotifMsg: SessionDown, Idle, lastError received', () => {
  const s = sessionIn('Established');
  expectStep(s, ev('NotifMsg'), toIdle('Established', { down: 'notification-received 6/2', idleHold: 5 }));
  assert.equal(s.lastError, { direction: 'received', code: 6, subcode: 2, text: 'Cease / Administrative Shutdown', at: WALL });
  assert.is(s.failures, 1);
});

Down('NotifMsgVerErr: SessionDown, Idle, no back-off growth', () => {
  const s = sessionIn('Established');
  expectStep(s, ev('NotifMsgVerErr'), toIdle('Established', { down: 'notification-received 2/1', idleHold: 5 }));
  assert.is(s.lastError?.direction, 'received');
  assert.is(s.failures, 0);
});

Down('OpenCollisionDump: Cease 6/7, SessionDown, Idle', () => {
  const s = sessionIn('Established');
  expectStep(s, ev('OpenCollisionDump'), toIdle('Established', { notify: '6/7 data=', down: 'collision', idleHold: 5 }));
});

Down('BGPHeaderErr: its NOTIFICATION (RFC 4271 §6.1), SessionDown, Idle', () => {
  const s = sessionIn('Established');
  expectStep(s, ev('BGPHeaderErr'), toIdle('Established', { notify: '1/2 data=0012', down: 'notification-sent 1/2', idleHold: 5 }));
});

Down('BGPOpen: FSM error 5/3 (RFC 6608), SessionDown, Idle', () => {
  const s = sessionIn('Established');
  expectStep(s, ev('BGPOpen'), toIdle('Established', { notify: '5/3 data=', down: 'notification-sent 5/3', idleHold: 5 }));
  assert.equal({ d: s.lastError?.direction, c: s.lastError?.code, sc: s.lastError?.subcode }, { d: 'sent', c: 5, sc: 3 });
  assert.is(s.failures, 1);
});

Down('BGPOpenMsgErr and ConnectRetryTimer_Expires also end the session', () => {
  let s = sessionIn('Established');
  expectStep(s, ev('BGPOpenMsgErr'), toIdle('Established', { notify: '2/6 data=', down: 'notification-sent 2/6', idleHold: 5 }));
  s = sessionIn('Established');
  expectStep(s, ev('ConnectRetryTimer_Expires'), toIdle('Established', { notify: '5/3 data=', down: 'notification-sent 5/3', idleHold: 5 }));
});

Down.run();

const Reasons = suite('Established: the SessionDown reason of every way down');

const downOf = (actions: Action[]): DownReason[] => actions.flatMap((a) => (a.type === 'SessionDown' ? [a.reason] : []));

const WAYS_DOWN: [string, Event, DownReason][] = [
  ['TcpConnectionFails', ev('TcpConnectionFails'), { type: 'tcp-failure' }],
  ['HoldTimer_Expires', ev('HoldTimer_Expires'), { type: 'hold-timer-expired' }],
  ['ManualStop without a communication', ev('ManualStop'), { type: 'admin-stop' }],
  ['ManualStop with a communication', { type: 'ManualStop', communication: 'maintenance' }, { type: 'admin-stop', communication: 'maintenance' }],
  ['NotifMsg', ev('NotifMsg'), { type: 'notification-received', code: 6, subcode: 2 }],
  ['NotifMsgVerErr', ev('NotifMsgVerErr'), { type: 'notification-received', code: 2, subcode: 1 }],
  ['OpenCollisionDump', ev('OpenCollisionDump'), { type: 'collision' }],
  ['UpdateMsgErr', ev('UpdateMsgErr'), { type: 'notification-sent', code: 3, subcode: 11, detail: 'bad AS_PATH' }],
  ['BGPHeaderErr', ev('BGPHeaderErr'), { type: 'notification-sent', code: 1, subcode: 2, detail: 'length 18' }],
  ['BGPOpen (FSM error)', ev('BGPOpen'), { type: 'notification-sent', code: 5, subcode: 3, detail: 'unexpected BGPOpen' }],
];

for (const [name, e, reason] of WAYS_DOWN) {
  Reasons(name, () => {
    const s = sessionIn('Established');
    assert.equal(downOf(step(s, e)), [reason]);
  });
}

Reasons('describeDownReason: one line for each', () => {
  assert.equal(
    WAYS_DOWN.map(([, , r]) => describeDownReason(r)),
    [
      'connection lost',
      'hold timer expired',
      'stopped by operator',
      'stopped by operator: maintenance',
      'NOTIFICATION received: Cease / Administrative Shutdown',
      'NOTIFICATION received: OPEN Message Error / Unsupported Version Number',
      'connection collision: this connection was dropped',
      'NOTIFICATION sent: UPDATE Message Error / Malformed AS_PATH: bad AS_PATH',
      'NOTIFICATION sent: Message Header Error / Bad Message Length: length 18',
      'NOTIFICATION sent: Finite State Machine Error / Receive Unexpected Message in Established State: unexpected BGPOpen',
    ],
  );
});

Reasons('no SessionDown from a session that never was Established', () => {
  for (const state of ['OpenSent', 'OpenConfirm'] as const) {
    for (const [name, e] of WAYS_DOWN) {
      assert.equal(downOf(step(sessionIn(state), e)), [], `${name} in ${state}`);
    }
  }
});

Reasons.run();

const Ignored = suite('Established: ignored events');

for (const type of ['ManualStart', 'AutomaticStart', 'IdleHoldTimer_Expires'] as const) {
  Ignored(`${type}`, () => {
    const s = sessionIn('Established');
    const before = fields(s);
    expectStep(s, ev(type), []);
    assert.equal(fields(s), before);
  });
}

Ignored.run();
