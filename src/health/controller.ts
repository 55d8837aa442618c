// The watcher: schedules each candidate's checks (jittered) and watch, feeds the pure decision, carries out its moves.
import type { Clock, TimerHandle } from '../bgp/fsm/clock.js';
import type { CandidateConfig, VipConfig } from '../config/types.js';
import type { CandidateInfo, SpeakerEvent, VipInfo, VipMove } from '../control/types.js';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import { type CandidateState, type Decision, type HealthInput, type VipState, applied, effective, initialState, step } from './decide.js';

export interface CheckOutcome {
  ok: boolean;
  latencyMs: number;
  detail: string;
}

/** How checks, watches and confirmations are done (real probes in the daemon). */
export interface Prober {
  check(vip: VipConfig, c: CandidateConfig): { done: Promise<CheckOutcome>; cancel(): void };
  /** A persistent connection; undefined when the candidate cannot be watched. */
  watch(vip: VipConfig, c: CandidateConfig, on: { lost(detail: string): void; connected(): void }): { start(): void; stop(): void; readonly state: 'connecting' | 'connected' | 'lost' } | undefined;
  /** Probe the VIP until the answer names `candidate`; resolves with the ms it took, or undefined at the deadline. */
  confirm?(vip: VipConfig, candidate: string): Promise<number | undefined>;
}

/** Carries a decision out (the health owner's intent, sent to every peer); per neighbor the wire time. */
export type Apply = (vip: VipConfig, d: Decision, t0: number) => Promise<VipMove['wire']>;

export interface HealthLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** What survives a restart of one VIP: the candidate announced and the recent moves. */
export interface SavedVip {
  current?: string;
  frozen?: boolean;
  history: VipMove[];
}

export interface HealthDeps {
  clock: Clock;
  random: () => number;
  prober: Prober;
  apply: Apply;
  log: HealthLogger;
  emit: (e: SpeakerEvent) => void;
  /** Something worth saving changed (a move, a confirmation). */
  changed: () => void;
  saved?: ReadonlyMap<string, SavedVip>;
  /** One of a pair of watchers: each VIP's first decision waits for the partner's table (partner()), up to start-wait. */
  waitPartner?: boolean;
  /**
   * Every VIP has had its first decision since the start (announced, or left withdrawn): called
   * once, after that decision's UPDATE was handed to the advertise path.
   */
  started?: () => void;
}

/** Moves kept per VIP (the history `bgpctl vip NAME history` shows). */
export const HISTORY_MAX = 100;

interface Running {
  state: VipState;
  history: VipMove[];
  timers: Map<string, TimerHandle>;
  inflight: Map<string, () => void>;
  watches: Map<string, NonNullable<ReturnType<Prober['watch']>>>;
  wake?: TimerHandle;
  since?: number;
}

export class HealthController {
  private readonly vips = new Map<string, Running>();
  private stopped = false;
  private started = false;
  private startedTold = false;

  constructor(
    configs: readonly VipConfig[],
    private readonly d: HealthDeps,
  ) {
    for (const cfg of configs) {
      const saved = d.saved?.get(cfg.name);
      const state = initialState(cfg, d.clock.now(), saved?.current, d.waitPartner === true);
      state.frozen = saved?.frozen === true;
      this.vips.set(cfg.name, { state, history: [...(saved?.history ?? [])].slice(-HISTORY_MAX), timers: new Map(), inflight: new Map(), watches: new Map() });
    }
  }

  /** Prefixes the health owner decides. */
  get prefixes(): string[] {
    return [...this.vips.values()].map((v) => v.state.config.prefix);
  }

  start(): void {
    this.started = true;
    for (const v of this.vips.values()) {
      for (const c of v.state.config.candidates) {
        // Jittered so that the checks of many candidates do not fire together.
        this.schedule(v, c, this.d.random() * v.state.config.intervalMs);
        if (v.state.config.watch) {
          const w = this.d.prober.watch(v.state.config, c, { lost: (detail) => this.feed(v, { type: 'lost', candidate: c.name, detail, now: this.d.clock.now(), wall: this.d.clock.wall() }), connected: () => {} });
          if (w) {
            v.watches.set(c.name, w);
            w.start();
          }
        }
      }
      this.feed(v, { type: 'tick', now: this.d.clock.now(), wall: this.d.clock.wall() });
    }
  }

  stop(): void {
    this.stopped = true;
    for (const v of this.vips.values()) {
      for (const t of v.timers.values()) this.d.clock.clearTimer(t);
      if (v.wake) this.d.clock.clearTimer(v.wake);
      for (const cancel of v.inflight.values()) cancel();
      for (const w of v.watches.values()) w.stop();
      v.timers.clear();
    }
  }

  private schedule(v: Running, c: CandidateConfig, delay: number): void {
    if (this.stopped) return;
    v.timers.set(c.name, this.d.clock.setTimer(delay, () => this.runCheck(v, c)));
  }

  private runCheck(v: Running, c: CandidateConfig): void {
    const started = this.d.clock.now();
    const h = this.d.prober.check(v.state.config, c);
    v.inflight.set(c.name, h.cancel);
    void h.done.then((o) => {
      v.inflight.delete(c.name);
      if (this.stopped) return;
      this.feed(v, { type: 'check', candidate: c.name, ok: o.ok, latencyMs: o.latencyMs, detail: o.detail, now: this.d.clock.now(), wall: this.d.clock.wall() });
      // The next check one (jittered) interval after this one started, never two at once.
      const interval = v.state.config.intervalMs * (0.9 + 0.2 * this.d.random());
      this.schedule(v, c, Math.max(0, interval - (this.d.clock.now() - started)));
    });
  }

  private feed(v: Running, input: HealthInput): void {
    if (this.stopped) return;
    const r = step(v.state, input);
    for (const c of r.changed) {
      const detail = c.health === 'down' ? (c.downDetail ?? '') : (c.lastCheck?.detail ?? '');
      this.d.log.info({ vip: v.state.config.name, candidate: c.name, health: c.health, detail }, `${v.state.config.name}: ${c.name} is ${c.health}`);
      this.d.emit({ type: 'health', at: new Date(this.d.clock.wall()).toISOString(), vip: v.state.config.name, candidate: c.name, health: c.health, detail });
    }
    if (v.wake) {
      this.d.clock.clearTimer(v.wake);
      v.wake = undefined;
    }
    if (r.decision) void this.execute(v, r.decision);
    else if (r.wakeAt !== undefined) v.wake = this.d.clock.setTimer(Math.max(0, r.wakeAt - input.now), () => this.feed(v, { type: 'tick', now: this.d.clock.now(), wall: this.d.clock.wall() }));
    // execute() hands its decision to apply() before its first await: the route is queued by now.
    if (!this.startedTold && [...this.vips.values()].every((x) => x.state.starting === undefined)) {
      this.startedTold = true;
      this.d.started?.();
    }
  }

  /** Carry a decision out: the health owner's intent, one UPDATE per peer; record the move with its timings. */
  private async execute(v: Running, d: Decision): Promise<VipMove> {
    const now = this.d.clock.now();
    const wall = this.d.clock.wall();
    const from = v.state.current;
    applied(v.state, d, now);
    v.since = wall;
    const cfg = v.state.config;
    const to = d.type === 'announce' ? d.candidate : undefined;
    if (d.effectiveAt > now + 1) {
      this.d.log.warn({ vip: cfg.name, from, to, window: cfg.changeWindowMs }, `${cfg.name}: a second change within the ${cfg.changeWindowMs / 1000} s change window; Azure may apply it only about ${Math.round((d.effectiveAt - now) / 1000)} s from now`);
    }
    const wire = await this.d.apply(cfg, d, now);
    const move: VipMove = {
      at: new Date(wall).toISOString(),
      ...(from === undefined ? {} : { from }),
      ...(to === undefined ? {} : { to }),
      cause: d.cause,
      detail: d.detail,
      ...(d.failureSeenAt === undefined ? {} : { failureSeenAt: new Date(d.failureSeenAt).toISOString() }),
      wire,
      // A decision's own clock reading may be a little older than this one: "at once" is the move's time.
      effectiveAt: new Date(d.effectiveAt > now ? wall + (d.effectiveAt - now) : wall).toISOString(),
    };
    v.history.push(move);
    if (v.history.length > HISTORY_MAX) v.history.splice(0, v.history.length - HISTORY_MAX);
    this.d.log.info({ vip: cfg.name, from, to, cause: d.cause, detail: d.detail, wire }, `${cfg.name}: ${from ?? '-'} -> ${to ?? 'withdrawn'} (${d.cause})`);
    this.d.emit({ type: 'vip', at: move.at, vip: cfg.name, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), cause: d.cause, detail: d.detail });
    this.d.changed();
    if (to && this.d.prober.confirm) {
      void this.d.prober.confirm(cfg, to).then((ms) => {
        if (ms === undefined) return;
        move.confirmedMs = ms;
        this.d.log.info({ vip: cfg.name, candidate: to, confirmedMs: ms }, `${cfg.name}: the VIP answers from ${to}`);
        this.d.changed();
      });
    }
    return move;
  }

  private get(name: string): Running {
    const v = this.vips.get(name);
    if (!v) throw new TsbgpError(TsbgpErrorCode.UNKNOWN_VIP, `no VIP ${name} (configured: ${[...this.vips.keys()].join(', ') || 'none'})`);
    return v;
  }

  info(name?: string): VipInfo[] {
    const list = name === undefined ? [...this.vips.values()] : [this.get(name)];
    return list.map((v) => this.vipInfo(v));
  }

  private vipInfo(v: Running): VipInfo {
    const s = v.state;
    const cfg = s.config;
    const cur = s.candidates.find((c) => c.name === s.current);
    const candidates: CandidateInfo[] = s.candidates.map((c) => {
      const w = v.watches.get(c.name);
      return { name: c.name, nextHop: c.nextHop, health: c.health, passes: c.passes, fails: c.fails, ...(c.lastCheck ? { lastCheck: c.lastCheck } : {}), ...(w ? { watch: w.state } : {}) };
    });
    const last = v.history.at(-1);
    return {
      name: cfg.name,
      prefix: cfg.prefix,
      mode: s.frozen ? 'frozen' : 'automatic',
      ...(cur && v.since !== undefined ? { current: { candidate: cur.name, nextHop: cur.nextHop, since: new Date(v.since).toISOString() } } : {}),
      candidates,
      failback: cfg.failback.kind === 'sticky' ? 'sticky' : `preferred-after ${cfg.failback.ms / 1000}s`,
      changeWindowMs: cfg.changeWindowMs,
      allDown: cfg.allDown,
      rise: cfg.rise,
      fall: cfg.fall,
      ...(last ? { lastMove: last } : {}),
    };
  }

  /** A manual move (the operator's): to a named candidate, whatever its health. */
  async move(name: string, candidate: string): Promise<VipMove> {
    const v = this.get(name);
    const c = v.state.candidates.find((x) => x.name === candidate);
    if (!c) throw new TsbgpError(TsbgpErrorCode.UNKNOWN_VIP, `VIP ${name} has no candidate ${candidate} (candidates: ${v.state.candidates.map((x) => x.name).join(', ')})`);
    if (v.state.following) {
      throw new TsbgpError(TsbgpErrorCode.OWNED, `VIP ${name} follows the partner watcher (this one is the standby): move it on the primary (bgpctl vip ${name} move ${candidate} there)`);
    }
    const effectiveAt = effective(v.state, this.d.clock.now());
    return this.execute(v, { type: 'announce', candidate: c.name, nextHop: c.nextHop, cause: 'operator', detail: `moved by hand to ${c.name} (health ${c.health})`, effectiveAt });
  }

  freeze(name: string, frozen: boolean): VipInfo {
    const v = this.get(name);
    v.state.frozen = frozen;
    this.d.log.info({ vip: name, frozen }, frozen ? `${name}: frozen, no automatic moves` : `${name}: automatic again`);
    if (!frozen) this.feed(v, { type: 'tick', now: this.d.clock.now(), wall: this.d.clock.wall() });
    this.d.changed();
    return this.vipInfo(v);
  }

  history(name: string): VipMove[] {
    return [...this.get(name).history];
  }

  /** What a restart keeps. */
  saved(): Map<string, SavedVip> {
    const out = new Map<string, SavedVip>();
    for (const [name, v] of this.vips) {
      out.set(name, { ...(v.state.current === undefined ? {} : { current: v.state.current }), ...(v.state.frozen ? { frozen: true } : {}), history: v.history });
    }
    return out;
  }

  /** Each candidate of a VIP with the health our own checks give it. */
  candidatesOf(name: string): readonly CandidateState[] {
    return this.get(name).state.candidates;
  }

  /**
   * A standby watcher follows its partner: the candidate is announced under the `peer` owner, and
   * the VIP makes no automatic move until unfollow(). Recorded as a move (cause `partner`) when it
   * changes the candidate; the health owner's intent goes along, so that at takeover, when the peer
   * owner's intent goes, the route stays the same.
   */
  follow(name: string, candidate: string): Promise<VipMove> | undefined {
    const v = this.get(name);
    const c = v.state.candidates.find((x) => x.name === candidate);
    if (!c || this.stopped) return undefined;
    v.state.following = true;
    if (v.state.current === candidate && !v.state.starting) return undefined;
    const now = this.d.clock.now();
    return this.execute(v, { type: 'announce', candidate: c.name, nextHop: c.nextHop, cause: 'partner', detail: `the partner watcher announces ${c.name}`, effectiveAt: effective(v.state, now) });
  }

  /** The partner's route is gone (or cannot be followed): our own checks decide again, from the candidate followed. */
  unfollow(name: string): void {
    const v = this.get(name);
    if (!v.state.following) return;
    v.state.following = false;
    this.feed(v, { type: 'tick', now: this.d.clock.now(), wall: this.d.clock.wall() });
  }

  following(name: string): boolean {
    return this.get(name).state.following;
  }

  /**
   * What the partner watcher announces for a VIP (its candidate, or undefined), and whether its whole
   * table is in (End-of-RIB). Before the VIP's first decision the partner's candidate is preferred
   * over the state file's; afterwards this changes nothing.
   */
  partner(name: string, candidate: string | undefined, complete: boolean): void {
    const v = this.get(name);
    const st = v.state.starting;
    if (!st) return;
    st.partner = candidate;
    if (complete) st.waitPartner = false;
    if (this.started) this.feed(v, { type: 'tick', now: this.d.clock.now(), wall: this.d.clock.wall() });
  }

  isFrozen(prefix: string): boolean {
    return [...this.vips.values()].some((v) => v.state.config.prefix === prefix && v.state.frozen);
  }
}
