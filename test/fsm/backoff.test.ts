// The IdleHold back-off (RFC 4271 §8.1.1 DampPeerOscillations): doubling per failure, capped, and reset.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSession, step } from '../../src/bgp/fsm/fsm.js';
import type { Action } from '../../src/bgp/fsm/types.js';
import { J, SAMPLE, config, ev, expectStep, idleAfterFailures, sessionIn } from '../helpers/fsm-harness.js';

/** The IdleHoldTimer seconds among the actions, or undefined when none is started. */
function idleHold(actions: Action[]): number | undefined {
  const a = actions.find((x) => x.type === 'StartTimer' && x.timer === 'IdleHoldTimer');
  return a?.type === 'StartTimer' ? a.seconds : undefined;
}

/** From Idle with a restart pending: restart, reach OpenSent, let the hold timer expire. */
function flap(s: ReturnType<typeof sessionIn>): number | undefined {
  step(s, ev('IdleHoldTimer_Expires'));
  step(s, ev('Tcp_CR_Acked'));
  return idleHold(step(s, ev('HoldTimer_Expires')));
}

const Backoff = suite('IdleHold back-off');

Backoff('doubles from idleHoldTime with each failure, up to maxIdleHoldTime', () => {
  const s = sessionIn('OpenSent');
  const waits = [idleHold(step(s, ev('HoldTimer_Expires')))];
  for (let i = 0; i < 6; i++) waits.push(flap(s));
  assert.equal(waits, [5, 10, 20, 40, 60, 60, 60]);
  assert.is(s.failures, 7);
  assert.is(s.idleHoldTime, 60);
});

Backoff('the ceiling need not be a doubling of the first wait', () => {
  const s = sessionIn('OpenSent', { idleHoldTime: 3, maxIdleHoldTime: 10 });
  const waits = [idleHold(step(s, ev('HoldTimer_Expires')))];
  for (let i = 0; i < 3; i++) waits.push(flap(s));
  assert.equal(waits, [3, 6, 10, 10]);
});

Backoff('every kind of failure counts: FSM error, NOTIFICATION, connection loss, unexpected message', () => {
  const s = sessionIn('OpenSent');
  const waits: (number | undefined)[] = [];
  waits.push(idleHold(step(s, ev('KeepAliveMsg')))); // 5/1 in OpenSent
  step(s, ev('IdleHoldTimer_Expires'));
  step(s, ev('Tcp_CR_Acked'));
  step(s, ev('BGPOpen'));
  waits.push(idleHold(step(s, ev('NotifMsg')))); // in OpenConfirm
  step(s, ev('IdleHoldTimer_Expires'));
  waits.push(idleHold(step(s, ev('UpdateMsg')))); // in Connect
  step(s, ev('IdleHoldTimer_Expires'));
  step(s, ev('Tcp_CR_Acked'));
  step(s, ev('BGPOpen'));
  step(s, ev('KeepAliveMsg')); // Established, but no KEEPALIVE received in it yet
  waits.push(idleHold(step(s, ev('TcpConnectionFails'))));
  assert.equal(waits, [5, 10, 20, 40]);
});

Backoff('a KeepAliveMsg in Established starts it over', () => {
  const s = idleAfterFailures(4);
  assert.is(s.idleHoldTime, 40);
  for (const e of [SAMPLE.IdleHoldTimer_Expires, SAMPLE.Tcp_CR_Acked, SAMPLE.BGPOpen, SAMPLE.KeepAliveMsg, SAMPLE.KeepAliveMsg]) step(s, e);
  assert.is(s.failures, 0);
  assert.is(s.idleHoldTime, 5);
  assert.is(idleHold(step(s, ev('HoldTimer_Expires'))), 5);
  assert.is(flap(s), 10);
});

Backoff('a ManualStart starts it over', () => {
  const s = idleAfterFailures(4);
  expectStep(s, ev('ManualStart'), ['StopTimer IdleHoldTimer', `StartTimer ConnectRetryTimer ${J(120)}`, 'Connect', 'StateChange Idle -> Connect']);
  assert.is(s.failures, 0);
  step(s, ev('Tcp_CR_Acked'));
  assert.is(idleHold(step(s, ev('HoldTimer_Expires'))), 5);
});

Backoff('a ManualStop then ManualStart starts it over', () => {
  const s = idleAfterFailures(4);
  step(s, ev('ManualStop'));
  step(s, ev('ManualStart'));
  step(s, ev('Tcp_CR_Acked'));
  assert.is(idleHold(step(s, ev('HoldTimer_Expires'))), 5);
});

Backoff('events that are no failure do not grow it: collision dump, version NOTIFICATION', () => {
  const s = idleAfterFailures(2);
  assert.is(flap(s), 20);
  step(s, ev('IdleHoldTimer_Expires'));
  step(s, ev('Tcp_CR_Acked'));
  assert.is(idleHold(step(s, ev('OpenCollisionDump'))), 20);
  step(s, ev('IdleHoldTimer_Expires'));
  step(s, ev('Tcp_CR_Acked'));
  assert.is(idleHold(step(s, ev('NotifMsgVerErr'))), 20);
  assert.is(s.failures, 3);
});

Backoff('no restart is scheduled while administratively down', () => {
  const s = createSession(config());
  step(s, ev('ManualStart'));
  step(s, ev('Tcp_CR_Acked'));
  assert.is(idleHold(step(s, ev('ManualStop'))), undefined);
});

Backoff.run();
