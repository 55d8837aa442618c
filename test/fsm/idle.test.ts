// step() in Idle (RFC 4271 §8.2.2): starts, the automatic restart, refused connections, ignored events.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSession, step } from '../../src/bgp/fsm/fsm.js';
import type { EventType } from '../../src/bgp/fsm/types.js';
import { ALL_EVENTS, J, SAMPLE, config, ev, expectStep, fields, idleAfterFailures } from '../helpers/fsm-harness.js';

const Create = suite('createSession');

Create('a new session is Idle, administratively down, with no history', () => {
  const s = createSession(config());
  assert.equal(fields(s), {
    state: 'Idle',
    connectRetryCounter: 0,
    failures: 0,
    idleHoldTime: 5,
    adminDown: true,
    negotiated: false,
    lastError: undefined,
  });
  assert.is(s.localOpen, undefined);
});

Create.run();

const Start = suite('Idle: ManualStart');

Start('active: ConnectRetryTimer (jittered), connect, Connect', () => {
  const s = createSession(config());
  expectStep(s, ev('ManualStart'), ['StopTimer IdleHoldTimer', `StartTimer ConnectRetryTimer ${J(120)}`, 'Connect', 'StateChange Idle -> Connect']);
  assert.is(J(120), 105);
  assert.equal(fields(s), { state: 'Connect', connectRetryCounter: 0, failures: 0, idleHoldTime: 5, adminDown: false, negotiated: false, lastError: undefined });
});

Start('passive: no connection attempt and no ConnectRetryTimer, Active', () => {
  const s = createSession(config({ passive: true }));
  expectStep(s, ev('ManualStart'), ['StopTimer IdleHoldTimer', 'StateChange Idle -> Active']);
  assert.is(s.state, 'Active');
  assert.is(s.adminDown, false);
});

Start('RFC 4271 §10: ConnectRetryTimer is 75 % of the period at random() = 0', () => {
  const s = createSession(config({ random: () => 0 }));
  expectStep(s, ev('ManualStart'), ['StopTimer IdleHoldTimer', 'StartTimer ConnectRetryTimer 90', 'Connect', 'StateChange Idle -> Connect']);
});

Start('RFC 4271 §10: ConnectRetryTimer stays under 100 % of the period at random() = 0.999', () => {
  const s = createSession(config({ random: () => 0.999 }));
  const a = step(s, ev('ManualStart')).find((x) => x.type === 'StartTimer');
  assert.ok(a?.type === 'StartTimer' && a.timer === 'ConnectRetryTimer');
  assert.ok(a.seconds < 120 && a.seconds > 119.9, `${a.seconds}`);
});

Start('resets the failure count and the ConnectRetryCounter, cancels a pending restart', () => {
  const s = idleAfterFailures(3);
  // Each automatic restart zeroes the counter (RFC 4271 §8.2.2, AutomaticStart): one failure since.
  assert.is(s.connectRetryCounter, 1);
  assert.is(s.failures, 3);
  expectStep(s, ev('ManualStart'), ['StopTimer IdleHoldTimer', `StartTimer ConnectRetryTimer ${J(120)}`, 'Connect', 'StateChange Idle -> Connect']);
  assert.is(s.failures, 0);
  assert.is(s.connectRetryCounter, 0);
  assert.is(s.adminDown, false);
});

Start.run();

const Automatic = suite('Idle: AutomaticStart and IdleHoldTimer_Expires');

for (const type of ['AutomaticStart', 'IdleHoldTimer_Expires'] as const) {
  Automatic(`${type} is ignored while administratively down`, () => {
    const s = createSession(config());
    const before = fields(s);
    expectStep(s, ev(type), []);
    assert.equal(fields(s), before);
  });

  Automatic(`${type} is ignored after a ManualStop`, () => {
    const s = idleAfterFailures(1);
    step(s, ev('ManualStop'));
    expectStep(s, ev(type), []);
    assert.is(s.state, 'Idle');
  });

  Automatic(`${type} after a failure: connect, ConnectRetryCounter zeroed, failures kept for the back-off`, () => {
    const s = idleAfterFailures(2);
    expectStep(s, ev(type), [`StartTimer ConnectRetryTimer ${J(120)}`, 'Connect', 'StateChange Idle -> Connect']);
    assert.is(s.connectRetryCounter, 0);
    assert.is(s.failures, 2);
    assert.is(s.adminDown, false);
  });

  Automatic(`${type} after a failure, passive: Active without connecting`, () => {
    const s = idleAfterFailures(1, { passive: true });
    expectStep(s, ev(type), ['StateChange Idle -> Active']);
  });
}

Automatic.run();

const Stop = suite('Idle: ManualStop');

Stop('cancels a pending IdleHoldTimer and stays down', () => {
  const s = idleAfterFailures(2);
  expectStep(s, ev('ManualStop'), ['StopTimer IdleHoldTimer']);
  assert.is(s.state, 'Idle');
  assert.is(s.adminDown, true);
  assert.is(s.failures, 0);
  // A stale expiry that raced the stop changes nothing.
  expectStep(s, ev('IdleHoldTimer_Expires'), []);
});

Stop('on a session never started: nothing to do but stop an absent timer', () => {
  const s = createSession(config());
  expectStep(s, ev('ManualStop'), ['StopTimer IdleHoldTimer']);
  assert.is(s.adminDown, true);
});

Stop.run();

const Incoming = suite('Idle: connections');

for (const type of ['Tcp_CR_Acked', 'TcpConnectionConfirmed'] as const) {
  Incoming(`${type} on a session never started: refused, Disconnect, still Idle`, () => {
    const s = createSession(config());
    const before = fields(s);
    expectStep(s, ev(type), ['Disconnect']);
    assert.equal(fields(s), before);
    assert.is(s.localOpen, undefined);
  });

  Incoming(`${type} after a ManualStop: refused`, () => {
    const s = idleAfterFailures(1);
    step(s, ev('ManualStop'));
    expectStep(s, ev(type), ['Disconnect']);
    assert.is(s.state, 'Idle');
  });

  // Documented in fsm-connecting.ts: taken as an AutomaticStart with passive TCP establishment (RFC 4271
  // §8.1.1, Event 5) followed by the connection, so a peer that reconnects first is not kept waiting.
  Incoming(`${type} during the back-off: taken, the pending restart cancelled, our OPEN sent`, () => {
    const s = idleAfterFailures(2);
    assert.is(s.connectRetryCounter, 1);
    const actions = expectStep(s, ev(type), [
      'StopTimer IdleHoldTimer',
      'StopTimer ConnectRetryTimer',
      'Send OPEN myAs=65001 hold=90 id=192.0.2.1',
      'StartTimer HoldTimer 240',
      'StateChange Idle -> OpenSent',
    ]);
    const sent = actions[2];
    assert.ok(sent?.type === 'Send');
    assert.equal(sent.message, s.localOpen);
    assert.is(s.state, 'OpenSent');
    assert.is(s.connectRetryCounter, 0);
    // The back-off keeps its memory: failing again waits longer.
    assert.is(s.failures, 2);
    const again = step(s, ev('HoldTimer_Expires')).find((a) => a.type === 'StartTimer');
    assert.equal(again, { type: 'StartTimer', timer: 'IdleHoldTimer', seconds: 20 });
  });

  Incoming(`${type} during the back-off, passive: taken the same way`, () => {
    const s = idleAfterFailures(1, { passive: true });
    expectStep(s, ev(type), [
      'StopTimer IdleHoldTimer',
      'StopTimer ConnectRetryTimer',
      'Send OPEN myAs=65001 hold=90 id=192.0.2.1',
      'StartTimer HoldTimer 240',
      'StateChange Idle -> OpenSent',
    ]);
  });
}

Incoming.run();

const Ignored = suite('Idle: every other event is ignored (RFC 4271 §8.2.2)');

const HANDLED: readonly EventType[] = ['ManualStart', 'ManualStop', 'AutomaticStart', 'IdleHoldTimer_Expires', 'Tcp_CR_Acked', 'TcpConnectionConfirmed'];

Ignored('no action and no change to the session, started or not', () => {
  const others = ALL_EVENTS.filter((t) => !HANDLED.includes(t));
  assert.is(others.length, ALL_EVENTS.length - HANDLED.length);
  for (const s of [createSession(config()), idleAfterFailures(2)]) {
    for (const t of others) {
      const before = fields(s);
      expectStep(s, SAMPLE[t], []);
      assert.equal(fields(s), before, t);
    }
  }
});

Ignored.run();
