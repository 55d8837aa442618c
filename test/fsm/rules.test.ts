// The session rules step() relies on: collision winner, timer negotiation, OPEN checks, RFC 4271 §10 jitter.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jitter } from '../../src/bgp/fsm/clock.js';
import { checkOpen, keepLocallyInitiated, negotiateTimers } from '../../src/bgp/fsm/fsm.js';
import { type OpenMessage, makeOpen } from '../../src/bgp/messages/index.js';
import { LOCAL_ID, PEER_ID, config, peerOpen } from '../helpers/fsm-harness.js';
import { mulberry32 } from '../helpers/prng.js';

const Collision = suite('keepLocallyInitiated');

Collision('higher local identifier keeps the connection it initiated (RFC 4271 §6.8)', () => {
  assert.is(keepLocallyInitiated('10.0.0.2', '10.0.0.1', 65001, 65002), true);
  assert.is(keepLocallyInitiated('10.0.0.1', '10.0.0.2', 65001, 65002), false);
});

Collision('identifiers compare as unsigned 32-bit integers, octet by octet', () => {
  assert.is(keepLocallyInitiated('200.0.0.1', '10.255.255.255', 1, 2), true);
  assert.is(keepLocallyInitiated('128.0.0.0', '127.255.255.255', 1, 2), true);
  assert.is(keepLocallyInitiated('255.255.255.255', '255.255.255.254', 1, 2), true);
  assert.is(keepLocallyInitiated('1.2.3.4', '1.2.4.3', 9, 1), false);
  // Not a string comparison: "9.0.0.0" < "10.0.0.0" numerically.
  assert.is(keepLocallyInitiated('9.0.0.0', '10.0.0.0', 1, 2), false);
});

Collision('equal identifiers: the larger AS keeps the connection it initiated (RFC 6286 §2.3)', () => {
  assert.is(keepLocallyInitiated('10.0.0.1', '10.0.0.1', 65002, 65001), true);
  assert.is(keepLocallyInitiated('10.0.0.1', '10.0.0.1', 65001, 65002), false);
  assert.is(keepLocallyInitiated('10.0.0.1', '10.0.0.1', 4200000000, 65535), true);
});

Collision('the two sides always agree: exactly one keeps its own connection', () => {
  const r = mulberry32(4271);
  for (let i = 0; i < 500; i++) {
    const id = (): string => [0, 1, 2, 3].map(() => r.int(4)).join('.');
    const [a, b] = [id(), id()];
    const [asA, asB] = [r.int(3) + 1, r.int(3) + 1];
    if (a === b && asA === asB) continue; // a speaker cannot collide with itself
    assert.is(keepLocallyInitiated(a, b, asA, asB), !keepLocallyInitiated(b, a, asB, asA), `${a}/${asA} vs ${b}/${asB}`);
  }
});

Collision.run();

const Timers = suite('negotiateTimers');

Timers('hold time is the smaller offer (RFC 4271 §4.2)', () => {
  assert.equal(negotiateTimers(config({ holdTime: 90, keepaliveTime: 30 }), 180), { holdTime: 90, keepaliveTime: 30 });
  assert.equal(negotiateTimers(config({ holdTime: 180, keepaliveTime: 60 }), 90), { holdTime: 90, keepaliveTime: 30 });
});

Timers('hold time 0 on either side: 0, and no keepalives', () => {
  assert.equal(negotiateTimers(config({ holdTime: 90 }), 0), { holdTime: 0, keepaliveTime: 0 });
  assert.equal(negotiateTimers(config({ holdTime: 0 }), 240), { holdTime: 0, keepaliveTime: 0 });
});

Timers('keepalive is the configured interval when it is sooner than a third', () => {
  assert.equal(negotiateTimers(config({ holdTime: 180, keepaliveTime: 10 }), 180), { holdTime: 180, keepaliveTime: 10 });
});

Timers('keepalive is capped at a third of the hold time (RFC 4271 §10), rounded down', () => {
  assert.equal(negotiateTimers(config({ holdTime: 9, keepaliveTime: 60 }), 90), { holdTime: 9, keepaliveTime: 3 });
  assert.equal(negotiateTimers(config({ holdTime: 10, keepaliveTime: 60 }), 90), { holdTime: 10, keepaliveTime: 3 });
  assert.equal(negotiateTimers(config({ holdTime: 180, keepaliveTime: 60 }), 5), { holdTime: 5, keepaliveTime: 1 });
});

Timers('keepalive is at least 1 s', () => {
  assert.equal(negotiateTimers(config({ holdTime: 90, keepaliveTime: 60 }), 3), { holdTime: 3, keepaliveTime: 1 });
  assert.equal(negotiateTimers(config({ holdTime: 90, keepaliveTime: 0 }), 90), { holdTime: 90, keepaliveTime: 1 });
});

Timers('for every hold time: keepalive in [1, hold / 3] and never over the configured interval', () => {
  for (let hold = 3; hold <= 300; hold++) {
    for (const ka of [1, 2, 30, 60]) {
      const t = negotiateTimers(config({ holdTime: hold, keepaliveTime: ka }), 65535);
      assert.is(t.holdTime, hold);
      assert.ok(t.keepaliveTime >= 1 && t.keepaliveTime <= hold / 3 && t.keepaliveTime <= ka, `hold ${hold} ka ${ka}: ${t.keepaliveTime}`);
      assert.ok(Number.isInteger(t.keepaliveTime));
    }
  }
});

Timers.run();

const Check = suite('checkOpen');

const err = (c: ReturnType<typeof checkOpen>): string | undefined => (c ? `${c.code}/${c.subcode}` : undefined);

Check('the expected peer passes', () => {
  assert.is(checkOpen(config(), peerOpen()), undefined);
});

Check('a different AS: 2/2 Bad Peer AS', () => {
  assert.is(err(checkOpen(config(), peerOpen({ asn: 65003 }))), '2/2');
});

Check('the 4-octet AS capability decides, not My Autonomous System', () => {
  const c = config({ peerAs: 4200000002 });
  assert.is(checkOpen(c, peerOpen({ asn: 4200000002 })), undefined);
  const noCap: OpenMessage = { type: 'OPEN', version: 4, myAs: 23456, holdTime: 90, bgpId: PEER_ID, capabilities: [] };
  assert.is(err(checkOpen(c, noCap)), '2/2');
  assert.is(err(checkOpen(config({ peerAs: 23456 }), noCap)), undefined);
});

Check('our identifier from an internal peer: 2/3; from an external peer: accepted (RFC 6286 §2.2)', () => {
  assert.is(err(checkOpen(config({ peerAs: 65001 }), makeOpen({ asn: 65001, holdTime: 90, bgpId: LOCAL_ID, capabilities: [] }))), '2/3');
  assert.is(checkOpen(config(), peerOpen({ bgpId: LOCAL_ID })), undefined);
});

Check('AS is checked before the identifier', () => {
  assert.is(err(checkOpen(config({ peerAs: 65001 }), makeOpen({ asn: 65009, holdTime: 90, bgpId: LOCAL_ID, capabilities: [] }))), '2/2');
});

Check.run();

const Jitter = suite('jitter (RFC 4271 §10)');

Jitter('random() 0 gives 75 %, 0.5 gives 87.5 %', () => {
  assert.is(jitter(120, () => 0), 90);
  assert.is(jitter(120, () => 0.5), 105);
  assert.is(jitter(30, () => 0.5), 26.25);
});

Jitter('random() just under 1 stays under 100 %', () => {
  const x = jitter(120, () => 0.999);
  assert.ok(x < 120 && x > 119.9, `${x}`);
});

Jitter('always within [75 %, 100 %) of the period', () => {
  const r = mulberry32(10);
  for (let i = 0; i < 10000; i++) {
    const x = jitter(60, r.next);
    assert.ok(x >= 45 && x < 60, `${x}`);
  }
});

Jitter('0 stays 0', () => {
  assert.is(jitter(0, () => 0.7), 0);
});

Jitter.run();
