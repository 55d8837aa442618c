// step() in OpenConfirm (RFC 4271 §8.2.2, RFC 6608, RFC 9003): the first KEEPALIVE, timers, errors, stops.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { step } from '../../src/bgp/fsm/fsm.js';
import type { EventType } from '../../src/bgp/fsm/types.js';
import { shutdownCommunication } from '../../src/bgp/messages/index.js';
import { J, SAMPLE, ev, expectStep, fields, peerOpen, sessionIn, toIdle, WALL } from '../helpers/fsm-harness.js';
import { hex } from '../helpers/hex.js';

const Keepalive = suite('OpenConfirm: KeepAliveMsg');

Keepalive('HoldTimer restarted with the negotiated value, Established, SessionUp(negotiated)', () => {
  const s = sessionIn('OpenConfirm');
  const negotiated = s.negotiated;
  const actions = expectStep(s, ev('KeepAliveMsg'), ['StartTimer HoldTimer 90', 'StateChange OpenConfirm -> Established', 'SessionUp']);
  const up = actions[2];
  assert.ok(up?.type === 'SessionUp');
  assert.ok(negotiated);
  assert.is(up.negotiated, negotiated);
  assert.is(s.negotiated, negotiated);
  assert.is(s.state, 'Established');
});

Keepalive('negotiated hold time 0: no HoldTimer', () => {
  const s = sessionIn('OpenConfirm', {}, peerOpen({ holdTime: 0 }));
  expectStep(s, ev('KeepAliveMsg'), ['StateChange OpenConfirm -> Established', 'SessionUp']);
});

Keepalive('reaching Established does not by itself clear the back-off (a KEEPALIVE in Established does)', () => {
  const s = sessionIn('OpenSent');
  step(s, ev('HoldTimer_Expires'));
  step(s, ev('IdleHoldTimer_Expires'));
  step(s, ev('Tcp_CR_Acked'));
  step(s, ev('BGPOpen'));
  step(s, ev('KeepAliveMsg'));
  assert.is(s.state, 'Established');
  assert.is(s.failures, 1);
});

Keepalive.run();

const Timers = suite('OpenConfirm: timers');

Timers('KeepaliveTimer_Expires: KEEPALIVE sent, timer restarted (jittered), still OpenConfirm', () => {
  const s = sessionIn('OpenConfirm');
  expectStep(s, ev('KeepaliveTimer_Expires'), ['Send KEEPALIVE', `StartTimer KeepaliveTimer ${J(30)}`]);
  assert.is(s.state, 'OpenConfirm');
});

Timers('KeepaliveTimer_Expires uses the negotiated interval, not the configured one', () => {
  const s = sessionIn('OpenConfirm', {}, peerOpen({ holdTime: 9 }));
  expectStep(s, ev('KeepaliveTimer_Expires'), ['Send KEEPALIVE', `StartTimer KeepaliveTimer ${J(3)}`]);
});

Timers('HoldTimer_Expires: NOTIFICATION 4/0, Idle, failure counted', () => {
  const s = sessionIn('OpenConfirm');
  expectStep(s, ev('HoldTimer_Expires'), toIdle('OpenConfirm', { notify: '4/0 data=', idleHold: 5 }));
  assert.equal(s.lastError, { direction: 'sent', code: 4, subcode: 0, text: 'Hold Timer Expired / Unspecific', at: WALL });
  assert.is(s.connectRetryCounter, 1);
  assert.is(s.failures, 1);
  assert.is(s.negotiated, undefined);
});

Timers.run();

const Stop = suite('OpenConfirm: ManualStop');

Stop('Cease 6/2 carrying the communication (RFC 9003: length octet + UTF-8), Idle, no restart', () => {
  const s = sessionIn('OpenConfirm');
  const text = 'planned maintenance — back at 10:00 ✓';
  const utf8 = Buffer.from(text, 'utf8');
  assert.ok(utf8.length > text.length); // multi-octet characters are counted in octets
  const actions = expectStep(s, { type: 'ManualStop', communication: text }, toIdle('OpenConfirm', { notify: `6/2 data=${utf8.length.toString(16).padStart(2, '0')}${utf8.toString('hex')}` }));
  const sent = actions[0];
  assert.ok(sent?.type === 'Send' && sent.message.type === 'NOTIFICATION');
  assert.equal(shutdownCommunication(sent.message), { text });
  assert.equal(fields(s), {
    state: 'Idle',
    connectRetryCounter: 0,
    failures: 0,
    idleHoldTime: 5,
    adminDown: true,
    negotiated: false,
    lastError: { direction: 'sent', code: 6, subcode: 2, text: 'administrative shutdown', at: WALL },
  });
});

Stop('a communication over 255 octets is cut at a character boundary (RFC 9003 §2)', () => {
  const s = sessionIn('OpenConfirm');
  const actions = step(s, { type: 'ManualStop', communication: 'é'.repeat(200) });
  const sent = actions[0];
  assert.ok(sent?.type === 'Send' && sent.message.type === 'NOTIFICATION');
  assert.is(sent.message.data[0], 254);
  assert.is(sent.message.data.length, 255);
  assert.equal(shutdownCommunication(sent.message), { text: 'é'.repeat(127) });
  assert.is(hex(sent.message.data.subarray(1, 3)), 'c3a9');
});

Stop.run();

const Errors = suite('OpenConfirm: errors, collision, NOTIFICATION, connection loss');

Errors('OpenCollisionDump: Cease 6/7, Idle', () => {
  const s = sessionIn('OpenConfirm');
  expectStep(s, ev('OpenCollisionDump'), toIdle('OpenConfirm', { notify: '6/7 data=', idleHold: 5 }));
  assert.is(s.lastError?.code, 6);
  assert.is(s.lastError?.subcode, 7);
  assert.is(s.failures, 0);
});

Errors('BGPHeaderErr: its NOTIFICATION, Idle', () => {
  const s = sessionIn('OpenConfirm');
  expectStep(s, ev('BGPHeaderErr'), toIdle('OpenConfirm', { notify: '1/2 data=0012', idleHold: 5 }));
  assert.is(s.failures, 1);
});

Errors('BGPOpenMsgErr: its NOTIFICATION, Idle', () => {
  const s = sessionIn('OpenConfirm');
  expectStep(s, ev('BGPOpenMsgErr'), toIdle('OpenConfirm', { notify: '2/6 data=', idleHold: 5 }));
  assert.is(s.failures, 1);
});

Errors('NotifMsg: Idle, lastError received, failure counted', () => {
  const s = sessionIn('OpenConfirm');
  expectStep(s, ev('NotifMsg'), toIdle('OpenConfirm', { idleHold: 5 }));
  assert.equal(s.lastError, { direction: 'received', code: 6, subcode: 2, text: 'Cease / Administrative Shutdown', at: WALL });
  assert.is(s.connectRetryCounter, 1);
  assert.is(s.failures, 1);
});

Errors('NotifMsgVerErr: Idle, failures not incremented', () => {
  const s = sessionIn('OpenConfirm');
  expectStep(s, ev('NotifMsgVerErr'), toIdle('OpenConfirm', { idleHold: 5 }));
  assert.is(s.lastError?.direction, 'received');
  assert.is(s.connectRetryCounter, 0);
  assert.is(s.failures, 0);
});

Errors('TcpConnectionFails: Idle, failure counted', () => {
  const s = sessionIn('OpenConfirm');
  expectStep(s, ev('TcpConnectionFails'), toIdle('OpenConfirm', { idleHold: 5 }));
  assert.is(s.connectRetryCounter, 1);
  assert.is(s.failures, 1);
});

Errors.run();

const Fsm = suite('OpenConfirm: unexpected events are FSM errors 5/2 (RFC 6608)');

const UNEXPECTED: readonly EventType[] = ['UpdateMsg', 'UpdateMsgErr', 'RouteRefreshMsg', 'BGPOpen', 'ConnectRetryTimer_Expires'];

for (const type of UNEXPECTED) {
  Fsm(`${type}: NOTIFICATION 5/2, Idle, failure counted`, () => {
    const s = sessionIn('OpenConfirm');
    expectStep(s, SAMPLE[type], toIdle('OpenConfirm', { notify: '5/2 data=', idleHold: 5 }));
    assert.equal({ d: s.lastError?.direction, c: s.lastError?.code, sc: s.lastError?.subcode }, { d: 'sent', c: 5, sc: 2 });
    assert.is(s.failures, 1);
  });
}

Fsm.run();

const Ignored = suite('OpenConfirm: ignored events');

for (const type of ['ManualStart', 'AutomaticStart', 'IdleHoldTimer_Expires'] as const) {
  Ignored(`${type}`, () => {
    const s = sessionIn('OpenConfirm');
    const before = fields(s);
    expectStep(s, ev(type), []);
    assert.equal(fields(s), before);
  });
}

Ignored.run();
