// The watcher pair's rules, pure: whether the standby follows its partner's route for a VIP, whether the two agree, episodes of disagreement.
import type { CandidateHealth } from '../control/types.js';

export type PairRole = 'primary' | 'standby';

/** The partner's route for a VIP's prefix, as the partner's Adj-RIB-In holds it. */
export interface PartnerRoute {
  nextHop: string;
  /**
   * Kept through the partner's graceful restart (RFC 4724 §4.2): its session is down and the route
   * may be out of date. Absent: a route of a session that is up.
   */
  stale?: boolean;
}

/** One candidate of the VIP as our own checks see it. */
export interface OwnCandidate {
  readonly name: string;
  readonly nextHop: string;
  readonly health: CandidateHealth;
}

export type FollowDecision =
  /** Announce the partner's next hop (owner `peer`); `dissent`: our own checks call that candidate down. */
  | { follow: true; candidate: string; nextHop: string; dissent: boolean }
  /** Our own health checks decide. */
  | { follow: false; why: 'no-route' | 'not-a-candidate' | 'stale-and-down'; detail: string };

/**
 * The standby's rule for one VIP. It follows the partner's route while that route is in the
 * partner's Adj-RIB-In and its next hop is one of the VIP's candidates:
 * - a route of a session that is up is followed whatever our own checks say (the primary decides;
 *   `dissent` marks the disagreement, to be logged and counted);
 * - a stale route (the partner restarting, graceful restart) is followed only while our own checks
 *   do not call its candidate down: the partner cannot move the VIP while it restarts, we can;
 * - no route (withdrawn, or the session went down and its routes were flushed), or a next hop that
 *   is none of our candidates (the two watchers' configurations differ): our own checks decide.
 */
export function followRule(candidates: readonly OwnCandidate[], route: PartnerRoute | undefined): FollowDecision {
  if (!route) return { follow: false, why: 'no-route', detail: 'the partner announces no route for it' };
  const c = candidates.find((x) => x.nextHop === route.nextHop);
  if (!c) return { follow: false, why: 'not-a-candidate', detail: `the partner announces next hop ${route.nextHop}, none of this VIP's candidates` };
  if (route.stale && c.health === 'down') {
    return { follow: false, why: 'stale-and-down', detail: `the partner's route via ${c.name} is stale (it is restarting) and our checks call ${c.name} down` };
  }
  return { follow: true, candidate: c.name, nextHop: c.nextHop, dissent: c.health === 'down' };
}

export type Agreement = { state: 'agree' } | { state: 'disagree'; detail: string } | { state: 'unknown'; detail: string };

/**
 * Whether the two watchers agree on a VIP: both announce the same next hop, and our own checks do
 * not call it down. Unknown when one of the two announces nothing (the partner has no route for it,
 * or we have not decided yet or withdrew it): there is nothing to compare.
 */
export function agreement(candidates: readonly OwnCandidate[], route: PartnerRoute | undefined, announced: string | undefined): Agreement {
  if (!route) return { state: 'unknown', detail: 'the partner announces no route for it' };
  if (announced === undefined) return { state: 'unknown', detail: 'we announce nothing for it' };
  const name = (hop: string): string => {
    const c = candidates.find((x) => x.nextHop === hop);
    return c ? `${c.name} (${hop})` : hop;
  };
  const theirs = candidates.find((x) => x.nextHop === route.nextHop);
  if (!theirs) return { state: 'disagree', detail: `the partner announces next hop ${route.nextHop}, none of this VIP's candidates` };
  if (route.nextHop !== announced) return { state: 'disagree', detail: `the partner announces ${name(route.nextHop)}, we announce ${name(announced)}` };
  if (theirs.health === 'down') return { state: 'disagree', detail: `both announce ${name(announced)}, which our own checks call down` };
  return { state: 'agree' };
}

/** What made the pair look at a VIP again. */
export type PairTrigger = 'partner' | 'health' | 'move';

/**
 * Whether a disagreement seen on this trigger starts an episode. On the standby, any: it follows
 * synchronously, so a disagreement is never a transient of its own. On the primary, only a change
 * of the partner's route: after each of our own moves the standby's echo is a round trip behind,
 * and counting that gap would count every failover.
 */
export const countsOn = (role: PairRole, trigger: PairTrigger): boolean => role === 'standby' || trigger === 'partner';

/** Episodes of disagreement: one count and one log line per episode, not per look. */
export class Episodes {
  active = false;
  count = 0;

  /** What this look means: an episode starts, ends, or nothing changes. */
  observe(a: Agreement, mayStart: boolean): 'started' | 'ended' | undefined {
    if (a.state === 'disagree') {
      if (this.active || !mayStart) return undefined;
      this.active = true;
      this.count++;
      return 'started';
    }
    if (!this.active) return undefined;
    this.active = false;
    return 'ended';
  }
}
