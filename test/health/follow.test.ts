// The watcher pair's rules, pure: the standby's follow rule (live and stale routes), agreement, and episodes of disagreement.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CandidateHealth } from '../../src/control/types.js';
import { Episodes, type OwnCandidate, agreement, countsOn, followRule } from '../../src/health/follow.js';

const WS1 = '10.10.0.4';
const WS2 = '10.10.0.5';
const own = (ws1: CandidateHealth, ws2: CandidateHealth): OwnCandidate[] => [
  { name: 'ws1', nextHop: WS1, health: ws1 },
  { name: 'ws2', nextHop: WS2, health: ws2 },
];

const Follow = suite('followRule');

Follow("a live route of the partner is followed: its candidate, whatever our own preference", () => {
  assert.equal(followRule(own('up', 'up'), { nextHop: WS2 }), { follow: true, candidate: 'ws2', nextHop: WS2, dissent: false });
  assert.equal(followRule(own('unknown', 'unknown'), { nextHop: WS1 }), { follow: true, candidate: 'ws1', nextHop: WS1, dissent: false });
});

Follow('a live route to a candidate our checks call down: still followed (the primary decides), marked as dissent', () => {
  assert.equal(followRule(own('up', 'down'), { nextHop: WS2 }), { follow: true, candidate: 'ws2', nextHop: WS2, dissent: true });
  assert.equal(followRule(own('up', 'down'), { nextHop: WS2, stale: false }), { follow: true, candidate: 'ws2', nextHop: WS2, dissent: true });
});

Follow('no route (withdrawn, or the session went down and its routes were flushed): our own checks decide', () => {
  const f = followRule(own('up', 'up'), undefined);
  assert.equal([f.follow, !f.follow && f.why], [false, 'no-route']);
});

Follow('a next hop that is none of our candidates is not followed (the two configurations differ)', () => {
  const f = followRule(own('up', 'up'), { nextHop: '10.10.0.6' });
  assert.equal([f.follow, !f.follow && f.why], [false, 'not-a-candidate']);
  assert.ok(!f.follow && f.detail.includes('10.10.0.6'), JSON.stringify(f));
});

Follow('a stale route (the partner restarting) is followed while our checks do not call its candidate down', () => {
  assert.equal(followRule(own('down', 'up'), { nextHop: WS2, stale: true }), { follow: true, candidate: 'ws2', nextHop: WS2, dissent: false });
  assert.equal(followRule(own('up', 'unknown'), { nextHop: WS2, stale: true }), { follow: true, candidate: 'ws2', nextHop: WS2, dissent: false });
  const f = followRule(own('up', 'down'), { nextHop: WS2, stale: true });
  assert.equal([f.follow, !f.follow && f.why], [false, 'stale-and-down']);
});

Follow.run();

const Agree = suite('agreement');

Agree('the same next hop, which our checks do not call down: agree', () => {
  assert.equal(agreement(own('up', 'up'), { nextHop: WS2 }, WS2), { state: 'agree' });
  assert.equal(agreement(own('up', 'unknown'), { nextHop: WS2 }, WS2), { state: 'agree' });
});

Agree('different next hops: disagree, naming both', () => {
  assert.equal(agreement(own('up', 'up'), { nextHop: WS2 }, WS1), { state: 'disagree', detail: 'the partner announces ws2 (10.10.0.5), we announce ws1 (10.10.0.4)' });
});

Agree('the same next hop that our checks call down: disagree', () => {
  assert.equal(agreement(own('up', 'down'), { nextHop: WS2 }, WS2), { state: 'disagree', detail: 'both announce ws2 (10.10.0.5), which our own checks call down' });
});

Agree('a partner next hop that is none of our candidates: disagree', () => {
  const a = agreement(own('up', 'up'), { nextHop: '10.10.0.6' }, WS1);
  assert.is(a.state, 'disagree');
});

Agree('nothing to compare: no partner route, or we announce nothing', () => {
  assert.is(agreement(own('up', 'up'), undefined, WS1).state, 'unknown');
  assert.is(agreement(own('up', 'up'), { nextHop: WS1 }, undefined).state, 'unknown');
});

Agree.run();

const Count = suite('episodes');

Count('one count per episode of disagreement, however often it is looked at; over when they agree or cannot be compared', () => {
  const e = new Episodes();
  const no = { state: 'disagree' as const, detail: 'x' };
  const yes = { state: 'agree' as const };
  assert.equal([e.observe(yes, true), e.observe(no, true), e.observe(no, true), e.observe(no, true)], [undefined, 'started', undefined, undefined]);
  assert.is(e.count, 1);
  assert.is(e.observe(yes, true), 'ended');
  assert.is(e.observe(no, true), 'started');
  assert.is(e.observe({ state: 'unknown', detail: 'no route' }, true), 'ended');
  assert.is(e.count, 2);
});

Count('a disagreement seen on a trigger that may not start one is not counted; it may still end one', () => {
  const e = new Episodes();
  assert.is(e.observe({ state: 'disagree', detail: 'x' }, false), undefined);
  assert.equal([e.active, e.count], [false, 0]);
  e.observe({ state: 'disagree', detail: 'x' }, true);
  assert.is(e.observe({ state: 'agree' }, false), 'ended');
});

Count("the primary counts only changes of the partner's route (its own moves are echoed a round trip later); the standby counts all", () => {
  assert.equal([countsOn('primary', 'partner'), countsOn('primary', 'health'), countsOn('primary', 'move')], [true, false, false]);
  assert.equal([countsOn('standby', 'partner'), countsOn('standby', 'health'), countsOn('standby', 'move')], [true, true, true]);
});

Count.run();
