// step() and RFC 9687's SendHoldTimer: armed when writes block, restarted on progress, expiry drops the connection.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSession, step } from '../../src/bgp/fsm/fsm.js';
import type { State } from '../../src/bgp/fsm/types.js';
import { J, SAMPLE, WALL, config, ev, expectStep, sessionIn, toIdle } from '../helpers/fsm-harness.js';

const progress = (pending: number) => ({ type: 'WriteProgress', pending }) as const;

const Arm = suite('SendHoldTimer: armed and stopped by write progress');

for (const state of ['OpenSent', 'OpenConfirm', 'Established'] as const) {
  Arm(`${state}: WriteBlocked arms it for SendHoldTime; blocked again, it keeps running`, () => {
    const s = sessionIn(state);
    expectStep(s, ev('WriteBlocked'), ['StartTimer SendHoldTimer 480']);
    assert.is(s.sendHoldTimerRunning, true);
    expectStep(s, ev('WriteBlocked'), []);
    assert.is(s.state, state);
  });
}

Arm('WriteProgress with octets still waiting restarts it; with none waiting stops it', () => {
  const s = sessionIn('Established');
  step(s, ev('WriteBlocked'));
  expectStep(s, progress(5000), ['StartTimer SendHoldTimer 480']);
  expectStep(s, progress(19), ['StartTimer SendHoldTimer 480']);
  expectStep(s, progress(0), ['StopTimer SendHoldTimer']);
  assert.is(s.sendHoldTimerRunning, false);
});

Arm('WriteProgress while it is not running: nothing (no backlog was reported)', () => {
  const s = sessionIn('Established');
  expectStep(s, progress(0), []);
  expectStep(s, progress(100), []);
  assert.is(s.sendHoldTimerRunning, false);
});

Arm('sendHoldTime 0 disables it: never armed', () => {
  const s = sessionIn('Established', { sendHoldTime: 0 });
  expectStep(s, ev('WriteBlocked'), []);
  expectStep(s, progress(100), []);
  assert.is(s.sendHoldTimerRunning, false);
});

Arm('the connection lost in OpenSent (back to Active) stops it', () => {
  const s = sessionIn('OpenSent');
  step(s, ev('WriteBlocked'));
  expectStep(s, ev('TcpConnectionFails'), ['Disconnect', 'StopTimer HoldTimer', 'StopTimer SendHoldTimer', `StartTimer ConnectRetryTimer ${J(120)}`, 'StateChange OpenSent -> Active']);
  assert.is(s.sendHoldTimerRunning, false);
});

Arm('any way back to Idle stops it: a later report re-arms from scratch only once connected again', () => {
  const s = sessionIn('Established');
  step(s, ev('WriteBlocked'));
  step(s, ev('HoldTimer_Expires'));
  assert.is(s.state, 'Idle');
  assert.is(s.sendHoldTimerRunning, false);
  expectStep(s, progress(100), []);
  expectStep(s, ev('WriteBlocked'), []);
});

Arm.run();

const Expiry = suite('SendHoldTimer_Expires (RFC 9687)');

Expiry('Established: NOTIFICATION 8/0 attempted, connection dropped at once, SessionDown, Idle, failure counted', () => {
  const s = sessionIn('Established');
  step(s, ev('WriteBlocked'));
  expectStep(s, ev('SendHoldTimer_Expires'), toIdle('Established', { notify: '8/0 data=', abort: true, down: 'send-hold-timer-expired', idleHold: 5 }));
  assert.equal(s.lastError, { direction: 'sent', code: 8, subcode: 0, text: 'Send Hold Timer Expired / Unspecific', at: WALL });
  assert.is(s.failures, 1);
  assert.is(s.connectRetryCounter, 1);
  assert.is(s.sendHoldTimerRunning, false);
});

for (const state of ['OpenSent', 'OpenConfirm'] as const) {
  Expiry(`${state}: NOTIFICATION 8/0, connection dropped at once, Idle (no SessionDown)`, () => {
    const s = sessionIn(state);
    step(s, ev('WriteBlocked'));
    expectStep(s, ev('SendHoldTimer_Expires'), toIdle(state, { notify: '8/0 data=', abort: true, idleHold: 5 }));
    assert.is(s.failures, 1);
  });
}

const UNCONNECTED: [string, () => ReturnType<typeof createSession>][] = [
  ['Idle', () => createSession(config())],
  ['Connect', () => sessionIn('Connect')],
  ['Active', () => sessionIn('Active')],
];

for (const [where, make] of UNCONNECTED) {
  Expiry(`${where}: a late expiry and write reports are ignored (no connection to hold)`, () => {
    for (const e of [ev('SendHoldTimer_Expires'), ev('WriteBlocked'), progress(10)]) {
      const s = make();
      const state: State = s.state;
      expectStep(s, e, []);
      assert.is(s.state, state);
      assert.is(s.failures, 0);
    }
  });
}

Expiry('the Send Hold Timer Expired NOTIFICATION has the RFC 9687 name', () => {
  const s = sessionIn('Established');
  step(s, SAMPLE.SendHoldTimer_Expires);
  assert.is(s.lastError?.text, 'Send Hold Timer Expired / Unspecific');
});

Expiry.run();
