// The outbound planner: export -> diff -> pack for one peer, and the commit that records what was sent.
import type { Negotiated, UpdateMessage } from '../messages/index.js';
import type { AdjRibOut, OutRoute, RibOutChanges } from './adj-rib-out.js';
import { packUpdates } from './packer.js';
import { mostHeld, splitForLimit } from './route-limit.js';

/** The route this peer should hold for a prefix (exported, family-filtered), or undefined: none. */
export type Desired = (prefix: string) => OutRoute | undefined;

export interface Plan {
  /** What changes, prefix by prefix. */
  changes: RibOutChanges;
  /** The UPDATEs that carry the changes, packed into as few as the attributes allow. */
  updates: UpdateMessage[];
  /** Record the changes in the Adj-RIB-Out: call it when the UPDATEs are handed to the socket. */
  commit(): void;
  /**
   * New prefixes left out because the peer would hold more than its limit allows (mostHeld): the
   * caller keeps them pending. The daemon refuses such changes before they are made, so this is a
   * safety net: replacements and withdrawals always go, a route never exceeds the limit on the wire.
   */
  deferred: string[];
}

/** A peer's max-routes-out, for plan(). */
export interface PlanLimit {
  /** The peer's limit L: the routes it holds plus those in one UPDATE (route-limit.ts). */
  limit: number;
  /**
   * A new session: the peer may still hold every route we are about to send (kept as stale by a
   * graceful-restart helper): count them as held from the first UPDATE on. Never too few.
   */
  fresh?: boolean;
}

/**
 * Plan the UPDATEs that bring a peer from what it was sent to what it should hold, looking only at
 * `prefixes` (the ones that changed, plus any left pending). A prefix whose attributes changed is an
 * announcement with the new attributes: an implicit replace (RFC 4271 §3.1), never a withdraw.
 */
export function plan(rib: AdjRibOut, prefixes: Iterable<string>, desired: Desired, ctx: Negotiated, limit?: PlanLimit): Plan {
  const announce: OutRoute[] = [];
  const withdraw: string[] = [];
  const seen = new Set<string>();
  for (const prefix of prefixes) {
    if (seen.has(prefix)) continue;
    seen.add(prefix);
    const want = desired(prefix);
    const had = rib.get(prefix);
    if (want) {
      if (!had || had.key !== want.key) announce.push(want);
    } else if (had) {
      withdraw.push(prefix);
    }
  }
  const deferred: string[] = [];
  if (limit) {
    // Withdrawals go first and make room; a replacement needs none (route-limit.ts).
    let room = mostHeld(limit.limit) - (rib.size - withdraw.length);
    const kept = announce.filter((r) => {
      if (rib.get(r.prefix)) return true;
      if (room > 0) {
        room--;
        return true;
      }
      deferred.push(r.prefix);
      return false;
    });
    announce.splice(0, announce.length, ...kept);
  }
  const changes = { announce, withdraw };
  const packed = announce.length || withdraw.length ? packUpdates(changes, ctx) : [];
  const commit = (): void => rib.commit(changes);
  if (!limit) return { changes, updates: packed, commit, deferred };
  const updates = splitForLimit(packed, {
    limit: limit.limit,
    held: limit.fresh ? announce.length : rib.size,
    adds: limit.fresh ? () => false : (p) => !rib.get(p),
  });
  // Cannot happen: every UPDATE starts at most at mostHeld routes, so each has room for one more.
  if (!updates) throw new Error(`route limit ${limit.limit}: an UPDATE found no room (held ${rib.size})`);
  return { changes, updates, commit, deferred };
}

/** Every prefix a full plan must look at: what the peer should hold and what it was sent. */
export function* allPrefixes(wanted: Iterable<string>, rib: AdjRibOut): Generator<string> {
  yield* wanted;
  yield* rib.prefixes();
}
