// ManualClock, and a tiny driver that feeds its timer expiries back into step(): time without sleeping.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock, type TimerHandle } from '../../src/bgp/fsm/clock.js';
import { createSession, step } from '../../src/bgp/fsm/fsm.js';
import type { Action, Event, Session, SessionConfig, TimerName } from '../../src/bgp/fsm/types.js';
import { SAMPLE, TIMER_EXPIRES, config, peerOpen, render } from '../helpers/fsm-harness.js';

const Clock = suite('ManualClock');

Clock('nothing moves until advance(); now() is in milliseconds from 0', () => {
  const c = new ManualClock();
  let fired = 0;
  c.setTimer(100, () => fired++);
  assert.is(c.now(), 0);
  assert.is(fired, 0);
  c.advance(99);
  assert.is(c.now(), 99);
  assert.is(fired, 0);
  c.advance(1);
  assert.is(c.now(), 100);
  assert.is(fired, 1);
  assert.is(c.armed, 0);
});

Clock('timers fire in deadline order, each seeing now() at its own deadline', () => {
  const c = new ManualClock();
  const log: string[] = [];
  c.setTimer(300, () => log.push(`c@${c.now()}`));
  c.setTimer(100, () => log.push(`a@${c.now()}`));
  c.setTimer(200, () => log.push(`b@${c.now()}`));
  c.advance(1000);
  assert.equal(log, ['a@100', 'b@200', 'c@300']);
  assert.is(c.now(), 1000);
});

Clock('equal deadlines fire in the order they were set', () => {
  const c = new ManualClock();
  const log: number[] = [];
  for (const n of [1, 2, 3]) c.setTimer(50, () => log.push(n));
  c.advance(50);
  assert.equal(log, [1, 2, 3]);
});

Clock('deadlines count from when the timer was set', () => {
  const c = new ManualClock();
  const log: string[] = [];
  c.advance(1000);
  c.setTimer(500, () => log.push(`x@${c.now()}`));
  c.advance(499);
  assert.equal(log, []);
  c.advance(1);
  assert.equal(log, ['x@1500']);
});

Clock('clearTimer cancels; clearing twice or after firing is harmless', () => {
  const c = new ManualClock();
  const log: string[] = [];
  const a = c.setTimer(100, () => log.push('a'));
  c.setTimer(200, () => log.push('b'));
  assert.is(c.armed, 2);
  c.clearTimer(a);
  c.clearTimer(a);
  assert.is(c.armed, 1);
  c.advance(1000);
  assert.equal(log, ['b']);
  c.clearTimer(a);
  assert.is(c.armed, 0);
});

Clock('a timer cleared by an earlier one in the same advance does not fire', () => {
  const c = new ManualClock();
  const log: string[] = [];
  let b: TimerHandle | undefined;
  c.setTimer(100, () => {
    log.push('a');
    if (b) c.clearTimer(b);
  });
  b = c.setTimer(100, () => log.push('b'));
  c.advance(100);
  assert.equal(log, ['a']);
});

Clock('a timer set from inside a firing timer fires if due within the advanced window', () => {
  const c = new ManualClock();
  const log: string[] = [];
  c.setTimer(100, () => {
    log.push(`a@${c.now()}`);
    c.setTimer(50, () => log.push(`b@${c.now()}`));
    c.setTimer(500, () => log.push(`late@${c.now()}`));
  });
  c.setTimer(170, () => log.push(`c@${c.now()}`));
  c.advance(200);
  assert.equal(log, ['a@100', 'b@150', 'c@170']);
  assert.is(c.now(), 200);
  assert.is(c.armed, 1);
  c.advance(400);
  assert.equal(log, ['a@100', 'b@150', 'c@170', 'late@600']);
});

Clock('a periodic timer re-arming itself fires once per period', () => {
  const c = new ManualClock();
  const at: number[] = [];
  const tick = (): void => {
    at.push(c.now());
    c.setTimer(250, tick);
  };
  c.setTimer(250, tick);
  c.advance(1000);
  assert.equal(at, [250, 500, 750, 1000]);
});

Clock.run();

/**
 * The smallest driver: StartTimer/StopTimer arm and clear ManualClock timers, an expiry is fed back
 * into step() as its *_Expires event; every action is logged with the time it happened.
 */
class Driver {
  readonly clock = new ManualClock();
  readonly session: Session;
  readonly log: { at: number; action: Action }[] = [];
  private readonly timers = new Map<TimerName, TimerHandle>();

  constructor(c: SessionConfig) {
    this.session = createSession(c);
  }

  feed(e: Event): void {
    for (const a of step(this.session, e)) {
      this.log.push({ at: this.clock.now(), action: a });
      if (a.type === 'StartTimer') {
        this.stop(a.timer);
        const name = a.timer;
        this.timers.set(
          name,
          this.clock.setTimer(a.seconds * 1000, () => {
            this.timers.delete(name);
            this.feed(TIMER_EXPIRES[name]);
          }),
        );
      } else if (a.type === 'StopTimer') {
        this.stop(a.timer);
      }
    }
  }

  private stop(t: TimerName): void {
    const h = this.timers.get(t);
    if (h) this.clock.clearTimer(h);
    this.timers.delete(t);
  }

  armed(): TimerName[] {
    return [...this.timers.keys()].sort();
  }

  /** Log entries from `since` ms on, as "ms action". */
  since(ms: number, filter: (a: Action) => boolean = () => true): string[] {
    return this.log.filter((l) => l.at >= ms && filter(l.action)).map((l) => `${l.at} ${render(l.action)}`);
  }

  /** Peer's side: connection up, its OPEN, its first KEEPALIVE, all at the current time. */
  establish(peerHold: number): void {
    this.feed(SAMPLE.ManualStart);
    this.feed(SAMPLE.Tcp_CR_Acked);
    this.feed({ type: 'BGPOpen', open: peerOpen({ holdTime: peerHold }) });
    this.feed(SAMPLE.KeepAliveMsg);
  }
}

const isSend = (a: Action): boolean => a.type === 'Send';

const Loop = suite('driver loop: step() + ManualClock');

Loop('hold 9 / keepalive 3: KEEPALIVE every 2.625 s (3 s jittered at 87.5 %), HoldTimer expires 9 s after the last KeepAliveMsg', () => {
  const d = new Driver(config({ holdTime: 9, keepaliveTime: 3, connectRetryTime: 120 }));
  d.establish(90);
  assert.is(d.session.state, 'Established');
  assert.equal(d.armed(), ['HoldTimer', 'KeepaliveTimer']);
  assert.equal({ hold: d.session.negotiated!.holdTime, ka: d.session.negotiated!.keepaliveTime }, { hold: 9, ka: 3 });

  // The peer keeps talking for 6 s, then goes silent.
  for (const t of [2000, 4000, 6000]) {
    d.clock.advance(t - d.clock.now());
    d.feed(SAMPLE.KeepAliveMsg);
  }
  d.clock.advance(14999 - d.clock.now());
  assert.is(d.session.state, 'Established', 'still up 1 ms before the deadline');
  d.clock.advance(1);
  assert.is(d.session.state, 'Idle');

  assert.equal(d.since(1, isSend), [
    '2625 Send KEEPALIVE',
    '5250 Send KEEPALIVE',
    '7875 Send KEEPALIVE',
    '10500 Send KEEPALIVE',
    '13125 Send KEEPALIVE',
    '15000 Send NOTIFICATION 4/0 data=',
  ]);
  assert.equal(d.since(15000), [
    '15000 Send NOTIFICATION 4/0 data=',
    '15000 StopTimer ConnectRetryTimer',
    '15000 StopTimer HoldTimer',
    '15000 StopTimer KeepaliveTimer',
    '15000 StopTimer IdleHoldTimer',
    '15000 StopTimer SendHoldTimer',
    '15000 Disconnect',
    '15000 SessionDown hold-timer-expired',
    '15000 StateChange Established -> Idle',
    '15000 StartTimer IdleHoldTimer 5',
  ]);
  assert.equal(d.armed(), ['IdleHoldTimer']);
  assert.is(d.clock.armed, 1);

  // Five seconds later the IdleHoldTimer restarts the session.
  d.clock.advance(5000);
  assert.is(d.session.state, 'Connect');
  assert.equal(d.since(20000), ['20000 StartTimer ConnectRetryTimer 105', '20000 Connect', '20000 StateChange Idle -> Connect']);
});

Loop('every KeepAliveMsg pushes the deadline back: no expiry while the peer talks every 8 s', () => {
  const d = new Driver(config({ holdTime: 9, keepaliveTime: 3 }));
  d.establish(9);
  for (let t = 8000; t <= 80000; t += 8000) {
    d.clock.advance(t - d.clock.now());
    assert.is(d.session.state, 'Established', `at ${t} ms`);
    d.feed(SAMPLE.KeepAliveMsg);
  }
  d.clock.advance(8999);
  assert.is(d.session.state, 'Established');
  d.clock.advance(1);
  assert.is(d.session.state, 'Idle');
  assert.is(d.session.lastError?.code, 4);
});

Loop('with varying jitter every KEEPALIVE gap stays within [2.25 s, 3 s)', () => {
  const draws = [0, 0.5, 0.999, 0.25, 0.75];
  let i = 0;
  const d = new Driver(config({ holdTime: 9, keepaliveTime: 3, random: () => draws[i++ % draws.length]! }));
  d.establish(9);
  for (let t = 1000; t <= 60000; t += 1000) {
    d.clock.advance(1000);
    d.feed(SAMPLE.KeepAliveMsg);
  }
  const at = d.log.filter((l) => l.action.type === 'Send' && l.action.message.type === 'KEEPALIVE').map((l) => l.at);
  const gaps = at.slice(2).map((t, k) => t - at[k + 1]!); // from the first periodic one on
  assert.ok(gaps.length > 15, `${gaps.length} gaps`);
  for (const g of gaps) assert.ok(g >= 2250 - 1e-6 && g < 3000, `gap ${g}`);
  assert.ok(new Set(gaps.map((g) => Math.round(g))).size > 1, 'the gaps vary');
});

Loop('hold time 0: no timer at all once Established, nothing ever fires', () => {
  const d = new Driver(config({ holdTime: 9, keepaliveTime: 3 }));
  d.establish(0);
  assert.is(d.session.state, 'Established');
  assert.equal(d.armed(), []);
  d.clock.advance(3_600_000);
  assert.is(d.session.state, 'Established');
  assert.equal(d.since(1), []);
});

Loop('OPEN never answered: the 240 s HoldTimer ends OpenSent, then the back-off doubles', () => {
  const d = new Driver(config());
  d.feed(SAMPLE.ManualStart);
  d.feed(SAMPLE.Tcp_CR_Acked);
  d.clock.advance(240_000);
  assert.is(d.session.state, 'Idle');
  assert.equal(d.since(240_000, isSend), ['240000 Send NOTIFICATION 4/0 data=']);
  d.clock.advance(5000); // IdleHoldTimer 5 s → Connect
  assert.is(d.session.state, 'Connect');
  d.feed(SAMPLE.Tcp_CR_Acked);
  d.clock.advance(240_000);
  assert.is(d.session.state, 'Idle');
  assert.equal(d.since(485_000).slice(-1), ['485000 StartTimer IdleHoldTimer 10']);
});

Loop('a peer that sends KEEPALIVEs but reads nothing: the SendHoldTimer ends it 480 s after the writes blocked', () => {
  const d = new Driver(config({ holdTime: 90, keepaliveTime: 30, sendHoldTime: 480 }));
  d.establish(90);
  d.clock.advance(10_000);
  d.feed({ type: 'WriteBlocked' });
  // The peer keeps the HoldTimer alive every 30 s; nothing it does restarts the SendHoldTimer.
  for (let t = 30_000; t <= 480_000; t += 30_000) {
    d.clock.advance(t - d.clock.now());
    d.feed(SAMPLE.KeepAliveMsg);
    d.feed({ type: 'WriteBlocked' });
  }
  d.clock.advance(489_999 - d.clock.now());
  assert.is(d.session.state, 'Established', 'still up 1 ms before the deadline');
  d.clock.advance(1);
  assert.is(d.session.state, 'Idle');
  assert.equal(d.since(490_000).slice(0, 1), ['490000 Send NOTIFICATION 8/0 data=']);
  assert.ok(d.since(490_000).includes('490000 Disconnect abort'));
  assert.ok(d.since(490_000).includes('490000 SessionDown send-hold-timer-expired'));
});

Loop('progress pushes the SendHoldTimer deadline back; once nothing waits it never fires', () => {
  const d = new Driver(config({ holdTime: 0, sendHoldTime: 480 }));
  d.establish(0);
  d.feed({ type: 'WriteBlocked' });
  d.clock.advance(400_000);
  d.feed({ type: 'WriteProgress', pending: 4096 });
  d.clock.advance(479_999);
  assert.is(d.session.state, 'Established');
  d.feed({ type: 'WriteProgress', pending: 0 });
  assert.equal(d.armed(), []);
  d.clock.advance(3_600_000);
  assert.is(d.session.state, 'Established');
});

Loop('ConnectRetryTimer: a silent peer gets a connection attempt every 105 s', () => {
  const d = new Driver(config());
  d.feed(SAMPLE.ManualStart);
  d.clock.advance(400_000);
  assert.equal(
    d.log.filter((l) => l.action.type === 'Connect').map((l) => l.at),
    [0, 105_000, 210_000, 315_000],
  );
  assert.is(d.session.state, 'Connect');
});

Loop.run();
