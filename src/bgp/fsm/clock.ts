// Time for the driver: a real clock for the daemon, a manual one for tests (advanced by hand).
export interface Clock {
  /** Milliseconds, monotonic: for durations and timers. */
  now(): number;
  /** Milliseconds since the Unix epoch: for stamps an operator reads (never for durations). */
  wall(): number;
  setTimer(ms: number, fn: () => void): TimerHandle;
  clearTimer(h: TimerHandle): void;
}

export type TimerHandle = { readonly id: number } | NodeJS.Timeout;

export const realClock: Clock = {
  now: () => performance.now(),
  wall: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimer(h) {
    clearTimeout(h as NodeJS.Timeout);
  },
};

interface Pending {
  id: number;
  at: number;
  fn: () => void;
}

/** A clock that moves only when advance() is called; due timers fire in deadline order. */
export class ManualClock implements Clock {
  private t = 0;
  private seq = 0;
  private pending: Pending[] = [];

  /** `epoch`: the wall time (ms since 1970) at which the clock starts. */
  constructor(private readonly epoch = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.t;
  }

  wall(): number {
    return this.epoch + this.t;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const p = { id: ++this.seq, at: this.t + ms, fn };
    this.pending.push(p);
    return { id: p.id };
  }

  clearTimer(h: TimerHandle): void {
    const id = (h as { id: number }).id;
    this.pending = this.pending.filter((p) => p.id !== id);
  }

  /** Timers still armed. */
  get armed(): number {
    return this.pending.length;
  }

  advance(ms: number): void {
    const until = this.t + ms;
    for (;;) {
      this.pending.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.pending[0];
      if (!next || next.at > until) break;
      this.pending.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = until;
  }
}

/** RFC 4271 §10: a random 75–100 % of the configured period. */
export function jitter(seconds: number, random: () => number): number {
  return seconds * (0.75 + 0.25 * random());
}
