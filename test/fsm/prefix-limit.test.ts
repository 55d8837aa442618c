// max-prefixes-in in step(): warn once per crossing, or Cease 6/1 with RFC 4486 data, then the back-off.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { step } from '../../src/bgp/fsm/fsm.js';
import { announcedFamily } from '../../src/bgp/fsm/prefix-limit.js';
import type { Event } from '../../src/bgp/fsm/types.js';
import { SAMPLE, WALL, expectStep, fields, sessionIn, toIdle } from '../helpers/fsm-harness.js';

const count = (prefixes: number, afi = 1, safi = 1): Event => ({ type: 'PrefixCount', afi, safi, prefixes });

const Cease = suite('max-prefixes-in: cease');

Cease('at the limit nothing happens; one above: PrefixLimit, NOTIFICATION 6/1 with AFI, SAFI and the limit, Idle, back-off', () => {
  const s = sessionIn('Established', { maxPrefixesIn: { limit: 100, action: 'cease' } });
  expectStep(s, count(99), []);
  expectStep(s, count(100), []);
  expectStep(s, count(101), ['PrefixLimit', ...toIdle('Established', { notify: '6/1 data=00010100000064', down: 'notification-sent 6/1', idleHold: 5 })]);
  assert.equal(fields(s), {
    state: 'Idle',
    connectRetryCounter: 1,
    failures: 1,
    idleHoldTime: 5,
    adminDown: false,
    negotiated: false,
    lastError: { direction: 'sent', code: 6, subcode: 1, text: '101 prefixes received, more than max-prefixes-in 100', at: WALL },
  });
  assert.is(s.prefixLimitExceeded, false, 'a new session starts below the limit');
});

Cease('the data names the family of the UPDATE that crossed it, and a 4-octet limit', () => {
  const s = sessionIn('Established', { maxPrefixesIn: { limit: 0x01020304, action: 'cease' } });
  const actions = step(s, count(0x01020305, 2, 1), WALL);
  const send = actions.find((a) => a.type === 'Send');
  assert.ok(send?.type === 'Send' && send.message.type === 'NOTIFICATION');
  assert.equal([...send.message.data], [0x00, 0x02, 0x01, 0x01, 0x02, 0x03, 0x04]);
});

Cease('the session comes back after the back-off, which doubles when the peer sends too many again', () => {
  const s = sessionIn('Established', { maxPrefixesIn: { limit: 1, action: 'cease' } });
  step(s, count(2));
  assert.is(s.idleHoldTime, 5);
  for (const e of [SAMPLE.IdleHoldTimer_Expires, SAMPLE.Tcp_CR_Acked, SAMPLE.BGPOpen, SAMPLE.KeepAliveMsg]) step(s, e);
  assert.is(s.state, 'Established');
  expectStep(s, count(1), []);
  const actions = step(s, count(3), WALL);
  assert.equal(actions.at(-1), { type: 'StartTimer', timer: 'IdleHoldTimer', seconds: 10 });
  assert.equal([s.state, s.failures], ['Idle', 2]);
});

Cease.run();

const Warn = suite('max-prefixes-in: warn');

Warn('reported once when it goes above, once when it is back at the limit; the session stays', () => {
  const s = sessionIn('Established', { maxPrefixesIn: { limit: 10, action: 'warn' } });
  expectStep(s, count(11), ['PrefixLimit']);
  const again = step(s, count(12), WALL);
  assert.equal(again, []);
  const back = step(s, count(10), WALL);
  assert.equal(back, [{ type: 'PrefixLimit', exceeded: false, prefixes: 10, limit: { limit: 10, action: 'warn' } }]);
  assert.equal(step(s, count(5), WALL), []);
  assert.equal(step(s, count(11), WALL), [{ type: 'PrefixLimit', exceeded: true, prefixes: 11, limit: { limit: 10, action: 'warn' } }]);
  assert.is(s.state, 'Established');
});

Warn.run();

const Other = suite('max-prefixes-in: elsewhere');

Other('without a limit, and outside Established, a count does nothing', () => {
  const none = sessionIn('Established');
  expectStep(none, count(1_000_000), []);
  for (const state of ['Idle', 'Active', 'Connect', 'OpenSent', 'OpenConfirm'] as const) {
    const s = sessionIn(state, { maxPrefixesIn: { limit: 1, action: 'cease' } });
    const before = fields(s);
    expectStep(s, count(5), []);
    assert.equal(fields(s), before, state);
  }
});

Other('announcedFamily: the NLRI field is IPv4 unicast, else MP_REACH_NLRI\'s family', () => {
  assert.equal(announcedFamily({ type: 'UPDATE', withdrawn: [], attributes: [], nlri: [{ prefix: '10.0.0.0/8' }] }), { afi: 1, safi: 1 });
  assert.equal(
    announcedFamily({ type: 'UPDATE', withdrawn: [], attributes: [{ type: 'MP_REACH_NLRI', afi: 2, safi: 1, nextHops: ['2001:db8::1'], nlri: [{ prefix: '2001:db8::/32' }] }], nlri: [] }),
    { afi: 2, safi: 1 },
  );
});

Other.run();
