// step() in Connect and Active (RFC 4271 §8.2.2): retries, the connection coming up, failures, stops.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { OPEN_HOLD_TIME, localOpen, step } from '../../src/bgp/fsm/fsm.js';
import type { EventType } from '../../src/bgp/fsm/types.js';
import type { OpenMessage } from '../../src/bgp/messages/index.js';
import { J, LOCAL_ID, MP_IPV4, MP_IPV6, ROUTE_REFRESH, SAMPLE, config, ev, expectStep, fields, sessionIn, toIdle, WALL } from '../helpers/fsm-harness.js';

/** Our OPEN with the harness config: capabilities as configured, 4-octet AS appended. */
const OUR_OPEN: OpenMessage = {
  type: 'OPEN',
  version: 4,
  myAs: 65001,
  holdTime: 90,
  bgpId: LOCAL_ID,
  capabilities: [MP_IPV4, MP_IPV6, ROUTE_REFRESH, { type: 'FOUR_OCTET_AS', asn: 65001 }],
};

const Retry = suite('Connect/Active: ConnectRetryTimer_Expires');

Retry('Connect: drop the attempt, restart the timer, connect again, stay in Connect', () => {
  const s = sessionIn('Connect');
  expectStep(s, ev('ConnectRetryTimer_Expires'), ['Disconnect', `StartTimer ConnectRetryTimer ${J(120)}`, 'Connect']);
  assert.is(s.state, 'Connect');
  assert.is(s.connectRetryCounter, 0);
});

Retry('Active: restart the timer, connect, back to Connect', () => {
  const s = sessionIn('Active');
  expectStep(s, ev('ConnectRetryTimer_Expires'), ['Disconnect', `StartTimer ConnectRetryTimer ${J(120)}`, 'Connect', 'StateChange Active -> Connect']);
  assert.is(s.state, 'Connect');
});

Retry('RFC 4271 §10: each retry is jittered afresh', () => {
  const draws = [0.5, 0, 0.999];
  const s = sessionIn('Connect', { random: () => draws.shift() ?? 0.5 });
  const secs = [0, 1].map(() => {
    const a = step(s, ev('ConnectRetryTimer_Expires')).find((x) => x.type === 'StartTimer');
    return a?.type === 'StartTimer' ? a.seconds : NaN;
  });
  assert.is(secs[0], 90);
  assert.ok(secs[1]! > 119.9 && secs[1]! < 120, `${secs[1]}`);
});

Retry('passive: ignored, still Active', () => {
  const s = sessionIn('Active', { passive: true });
  const before = fields(s);
  expectStep(s, ev('ConnectRetryTimer_Expires'), []);
  assert.equal(fields(s), before);
});

Retry.run();

const Up = suite('Connect/Active: the connection comes up');

const cases: [string, () => ReturnType<typeof sessionIn>][] = [
  ['Connect', () => sessionIn('Connect')],
  ['Active', () => sessionIn('Active')],
  ['Active (passive)', () => sessionIn('Active', { passive: true })],
];

for (const [where, make] of cases) {
  for (const type of ['Tcp_CR_Acked', 'TcpConnectionConfirmed'] as const) {
    Up(`${where} + ${type}: our OPEN sent, HoldTimer ${OPEN_HOLD_TIME} s, OpenSent`, () => {
      const s = make();
      const from = s.state;
      const actions = expectStep(s, ev(type), [
        'StopTimer ConnectRetryTimer',
        'Send OPEN myAs=65001 hold=90 id=192.0.2.1',
        'StartTimer HoldTimer 240',
        `StateChange ${from} -> OpenSent`,
      ]);
      const sent = actions[1];
      assert.ok(sent?.type === 'Send');
      assert.equal(sent.message, OUR_OPEN);
      assert.equal(s.localOpen, OUR_OPEN);
      assert.is(s.state, 'OpenSent');
    });
  }
}

Up('RFC 4271 §8.2.2: the OPEN-wait HoldTimer is "a large value" (4 minutes suggested)', () => {
  assert.is(OPEN_HOLD_TIME, 240);
});

Up('4-octet local AS: My Autonomous System is AS_TRANS, the real AS in the capability (RFC 6793 §4.1)', () => {
  const s = sessionIn('Connect', { localAs: 4200000001, holdTime: 180, capabilities: [MP_IPV4] });
  const actions = expectStep(s, ev('TcpConnectionConfirmed'), [
    'StopTimer ConnectRetryTimer',
    'Send OPEN myAs=23456 hold=180 id=192.0.2.1',
    'StartTimer HoldTimer 240',
    'StateChange Connect -> OpenSent',
  ]);
  const sent = actions[1];
  assert.ok(sent?.type === 'Send');
  assert.equal(sent.message, {
    type: 'OPEN',
    version: 4,
    myAs: 23456,
    holdTime: 180,
    bgpId: LOCAL_ID,
    capabilities: [MP_IPV4, { type: 'FOUR_OCTET_AS', asn: 4200000001 }],
  });
});

Up('a configured 4-octet AS capability is sent as is, not duplicated', () => {
  const c = config({ localAs: 65001, capabilities: [{ type: 'FOUR_OCTET_AS', asn: 65001 }, MP_IPV4] });
  assert.equal(localOpen(c).capabilities, [{ type: 'FOUR_OCTET_AS', asn: 65001 }, MP_IPV4]);
});

Up('hold time 0 offered as configured', () => {
  const s = sessionIn('Connect', { holdTime: 0 });
  const actions = step(s, ev('Tcp_CR_Acked'));
  const sent = actions.find((a) => a.type === 'Send');
  assert.ok(sent?.type === 'Send' && sent.message.type === 'OPEN');
  assert.is(sent.message.holdTime, 0);
});

Up.run();

const Fails = suite('Connect/Active: TcpConnectionFails');

Fails('Connect: to Active, waiting for the still running ConnectRetryTimer (documented deviation, as BIRD/FRR)', () => {
  const s = sessionIn('Connect');
  expectStep(s, ev('TcpConnectionFails'), ['StateChange Connect -> Active']);
  assert.equal(fields(s), {
    state: 'Active',
    connectRetryCounter: 0,
    failures: 0,
    idleHoldTime: 5,
    adminDown: false,
    negotiated: false,
    lastError: { direction: 'local', code: 0, subcode: 0, text: 'TCP connection failed', at: WALL },
  });
  // ...then the timer brings it back to Connect.
  expectStep(s, ev('ConnectRetryTimer_Expires'), ['Disconnect', `StartTimer ConnectRetryTimer ${J(120)}`, 'Connect', 'StateChange Active -> Connect']);
});

Fails('Active: stays in Active, no back-off', () => {
  const s = sessionIn('Active');
  expectStep(s, ev('TcpConnectionFails'), []);
  assert.is(s.state, 'Active');
  assert.is(s.failures, 0);
});

Fails('passive Active: nothing happens, it keeps listening', () => {
  const s = sessionIn('Active', { passive: true });
  const before = fields(s);
  expectStep(s, ev('TcpConnectionFails'), []);
  assert.equal(fields(s), before);
});

Fails.run();

const Stop = suite('Connect/Active: ManualStop');

for (const [where, make] of cases) {
  Stop(`${where}: Idle with no NOTIFICATION and no automatic restart`, () => {
    const s = make();
    const from = s.state;
    const lastError = s.lastError;
    expectStep(s, ev('ManualStop'), toIdle(from));
    assert.equal(fields(s), { state: 'Idle', connectRetryCounter: 0, failures: 0, idleHoldTime: 5, adminDown: true, negotiated: false, lastError });
  });
}

Stop('after failures: the failure count (back-off memory) is zeroed', () => {
  const s = sessionIn('OpenSent');
  step(s, ev('HoldTimer_Expires'));
  step(s, ev('IdleHoldTimer_Expires'));
  step(s, ev('TcpConnectionFails'));
  assert.is(s.state, 'Active');
  assert.is(s.failures, 1);
  expectStep(s, ev('ManualStop'), toIdle('Active'));
  assert.is(s.failures, 0);
  assert.is(s.connectRetryCounter, 0);
});

Stop.run();

const Ignored = suite('Connect/Active: start events are ignored');

for (const type of ['ManualStart', 'AutomaticStart', 'IdleHoldTimer_Expires'] as const) {
  Ignored(`${type}`, () => {
    for (const s of [sessionIn('Connect'), sessionIn('Active'), sessionIn('Active', { passive: true })]) {
      const before = fields(s);
      expectStep(s, ev(type), []);
      assert.equal(fields(s), before);
    }
  });
}

Ignored.run();

const Unexpected = suite('Connect/Active: any other event is an FSM error before OPEN: Idle, failure counted');

const UNEXPECTED: readonly EventType[] = [
  'HoldTimer_Expires',
  'KeepaliveTimer_Expires',
  'BGPOpen',
  'BGPHeaderErr',
  'BGPOpenMsgErr',
  'OpenCollisionDump',
  'NotifMsgVerErr',
  'NotifMsg',
  'KeepAliveMsg',
  'UpdateMsg',
  'UpdateMsgErr',
  'RouteRefreshMsg',
];

for (const [where, make] of cases) {
  Unexpected(`${where}: no NOTIFICATION (no OPEN was sent), IdleHoldTimer 5 s`, () => {
    for (const type of UNEXPECTED) {
      const s = make();
      const from = s.state;
      expectStep(s, SAMPLE[type], toIdle(from, { idleHold: 5 }));
      assert.is(s.state, 'Idle', type);
      assert.is(s.connectRetryCounter, 1, type);
      assert.is(s.failures, 1, type);
      assert.is(s.adminDown, false, type);
      assert.is(s.negotiated, undefined, type);
    }
  });
}

Unexpected.run();
