// The health decision of one VIP, pure: check results in, the candidate to announce out (rise/fall, failback, change window).
import type { CandidateHealth, CheckResult, MoveCause } from '../control/types.js';
import type { VipConfig } from '../config/types.js';

export interface CandidateState {
  readonly name: string;
  readonly nextHop: string;
  health: CandidateHealth;
  passes: number;
  fails: number;
  lastCheck?: CheckResult;
  /** Monotonic ms since which it has been up (for preferred-after). */
  upSince?: number;
  /** Wall ms of the first failure of the current run of failures (what a move reports as "failure seen"). */
  failingSince?: number;
  /** What made it go down last: a check, or its watch connection. */
  downCause?: 'health' | 'watch';
  downDetail?: string;
}

export interface VipState {
  readonly config: VipConfig;
  readonly candidates: CandidateState[];
  /** The candidate announced now; undefined: nothing announced (not yet, or withdrawn). */
  current: string | undefined;
  /**
   * Set until the first announcement: the candidate the last run had (state file), and when waiting
   * ends. In a pair, also the partner watcher's candidate (its route for the VIP, preferred over the
   * state file's) and whether its whole table is still awaited (`waitPartner`: no decision before it
   * or `until`).
   */
  starting: { saved: string | undefined; until: number; partner?: string; waitPartner?: boolean } | undefined;
  withdrawn: boolean;
  frozen: boolean;
  /** A standby watcher announces its partner's candidate (owner `peer`): no automatic moves meanwhile. */
  following: boolean;
  /** Monotonic ms of the last change sent (for the change window). */
  lastChangeAt?: number;
}

/** What happened: a check's result, a watch connection lost, or the time passing. */
export type HealthInput =
  | { type: 'check'; candidate: string; ok: boolean; latencyMs: number; detail: string; now: number; wall: number }
  | { type: 'lost'; candidate: string; detail: string; now: number; wall: number }
  | { type: 'tick'; now: number; wall: number };

/** What to do about it. */
export type Decision =
  | { type: 'announce'; candidate: string; nextHop: string; cause: MoveCause; detail: string; failureSeenAt?: number; effectiveAt: number }
  | { type: 'withdraw'; cause: MoveCause; detail: string; failureSeenAt?: number; effectiveAt: number };

export interface Step {
  decision?: Decision;
  /** Candidates whose health changed (for events and logs). */
  changed: CandidateState[];
  /** When the decision must be looked at again even if nothing comes in (preferred-after, start-wait). */
  wakeAt?: number;
}

/** `waitPartner`: one of a pair of watchers, whose first decision waits for the partner's table (up to start-wait). */
export function initialState(config: VipConfig, now: number, saved?: string, waitPartner = false): VipState {
  return {
    config,
    candidates: config.candidates.map((c) => ({ name: c.name, nextHop: c.nextHop, health: 'unknown', passes: 0, fails: 0 })),
    current: undefined,
    starting: { saved: config.candidates.some((c) => c.name === saved) ? saved : undefined, until: now + config.startWaitMs, ...(waitPartner ? { waitPartner } : {}) },
    withdrawn: false,
    frozen: false,
    following: false,
  };
}

/** Apply one input, then decide. */
export function step(s: VipState, input: HealthInput): Step {
  const changed: CandidateState[] = [];
  if (input.type !== 'tick') {
    const c = s.candidates.find((x) => x.name === input.candidate);
    if (c && observe(s.config, c, input)) changed.push(c);
  }
  return { ...decide(s, input.now, input.wall), changed };
}

/** Count one result against rise and fall; true when the candidate's health changed. */
function observe(cfg: VipConfig, c: CandidateState, input: Exclude<HealthInput, { type: 'tick' }>): boolean {
  const before = c.health;
  if (input.type === 'lost') {
    // A reset or FIN on the watch connection: the server process is gone, no need to wait for `fall`.
    c.passes = 0;
    c.fails = Math.max(c.fails, cfg.fall);
    c.failingSince ??= input.wall;
    c.health = 'down';
    c.downCause = 'watch';
    c.downDetail = input.detail;
    c.upSince = undefined;
    return before !== 'down';
  }
  c.lastCheck = { at: new Date(input.wall).toISOString(), ok: input.ok, latencyMs: input.latencyMs, detail: input.detail };
  if (input.ok) {
    c.passes++;
    c.fails = 0;
    c.failingSince = undefined;
    if (c.health !== 'up' && c.passes >= cfg.rise) {
      c.health = 'up';
      c.upSince = input.now;
    }
  } else {
    c.fails++;
    c.passes = 0;
    c.failingSince ??= input.wall;
    if (c.health !== 'down' && c.fails >= cfg.fall) {
      c.health = 'down';
      c.downCause = 'health';
      c.downDetail = input.detail;
      c.upSince = undefined;
    }
  }
  return c.health !== before;
}

/** The most preferred candidate that is up (optionally other than `not`). */
function best(s: VipState, not?: string): CandidateState | undefined {
  return s.candidates.find((c) => c.health === 'up' && c.name !== not);
}

function byName(s: VipState, name: string | undefined): CandidateState | undefined {
  return name === undefined ? undefined : s.candidates.find((c) => c.name === name);
}

/** The change window: a change is sent at once, but Azure applies it no sooner than this. */
export function effective(s: VipState, now: number): number {
  const last = s.lastChangeAt;
  return last !== undefined && now - last < s.config.changeWindowMs ? last + s.config.changeWindowMs : now;
}

function announce(s: VipState, c: CandidateState, cause: MoveCause, detail: string, now: number, failureSeenAt?: number): Decision {
  return { type: 'announce', candidate: c.name, nextHop: c.nextHop, cause, detail, ...(failureSeenAt === undefined ? {} : { failureSeenAt }), effectiveAt: effective(s, now) };
}

function decide(s: VipState, now: number, _wall: number): Omit<Step, 'changed'> {
  if (s.starting) return decideStart(s, now);
  if (s.frozen || s.following) return {};
  const cur = byName(s, s.current);
  if (s.withdrawn || !cur) {
    const b = best(s);
    return b ? { decision: announce(s, b, 'recovered', `${b.name} is up again`, now) } : {};
  }
  if (cur.health === 'down') {
    const cause: MoveCause = cur.downCause === 'watch' ? 'watch' : 'health';
    const why = `${cur.name} ${cur.downCause === 'watch' ? 'watch connection' : 'check'}: ${cur.downDetail ?? 'failed'}`;
    const b = best(s, cur.name);
    if (b) return { decision: announce(s, b, cause, why, now, cur.failingSince) };
    if (s.config.allDown === 'withdraw') {
      return { decision: { type: 'withdraw', cause: 'all-down', detail: `${why}; no candidate is up`, ...(cur.failingSince === undefined ? {} : { failureSeenAt: cur.failingSince }), effectiveAt: effective(s, now) } };
    }
    return {}; // all-down: keep the last next hop
  }
  const fb = s.config.failback;
  if (fb.kind === 'preferred-after') {
    const preferred = best(s);
    if (preferred && preferred.name !== cur.name && s.candidates.indexOf(preferred) < s.candidates.indexOf(cur)) {
      const at = (preferred.upSince ?? now) + fb.ms;
      if (now >= at) return { decision: announce(s, preferred, 'failback', `${preferred.name} has been up for ${Math.round((now - (preferred.upSince ?? now)) / 1000)} s`, now) };
      return { wakeAt: at };
    }
  }
  return {};
}

/**
 * The first announcement after a start. With a prior candidate, one passing check of it is enough:
 * a restart must not move the VIP needlessly. The prior candidate is the partner watcher's when it
 * announces one (it holds the VIP at the route servers now: a returning primary must not move it),
 * else the last run's (state file). Otherwise wait until the most preferred candidate is decided,
 * or until start-wait, whichever is first. In a pair, nothing is decided before the partner's table
 * is in (or start-wait is over): its candidate is not known before.
 */
function decideStart(s: VipState, now: number): Omit<Step, 'changed'> {
  const st = s.starting!;
  // Frozen for maintenance before the restart: it stays where the operator left it.
  const frozen = byName(s, st.saved);
  if (s.frozen && frozen) return { decision: announce(s, frozen, 'restore', `${frozen.name} (frozen before the restart)`, now) };
  if (st.waitPartner && now < st.until) return { wakeAt: st.until };
  const prior = byName(s, st.partner ?? st.saved);
  const whose = st.partner !== undefined ? "the partner watcher's candidate" : 'the candidate before the restart';
  if (prior && prior.health !== 'down' && prior.passes >= 1) return { decision: announce(s, prior, 'restore', `${prior.name} (${whose}) passes its check`, now) };
  const first = s.candidates.find((c) => c.health !== 'down');
  if (first && first.health === 'up' && (!prior || prior.health === 'down')) return { decision: announce(s, first, 'start', `${first.name} is up`, now) };
  if (now < st.until) return { wakeAt: st.until };
  // start-wait is over: the best there is, else the policy for all down.
  const b = best(s);
  if (b) return { decision: announce(s, b, 'start', `${b.name} is up`, now) };
  if (s.config.allDown === 'withdraw') {
    s.starting = undefined;
    s.withdrawn = true;
    return {};
  }
  const keep = prior && prior.health !== 'down' ? prior : (s.candidates.find((c) => c.health !== 'down') ?? s.candidates[0]);
  return keep ? { decision: announce(s, keep, 'start', `no candidate is up after ${s.config.startWaitMs} ms; announcing ${keep.name} (all-down: keep)`, now) } : {};
}

/** Record that a decision was carried out (sent to the peers). */
export function applied(s: VipState, d: Decision, now: number): void {
  s.starting = undefined;
  s.lastChangeAt = now;
  if (d.type === 'announce') {
    s.current = d.candidate;
    s.withdrawn = false;
  } else {
    s.current = undefined;
    s.withdrawn = true;
  }
}
