// The outbound route limit of a peer that counts, for each UPDATE, the routes it holds plus those the UPDATE carries (Azure Route Server).
import type { Nlri, UpdateMessage } from '../messages/index.js';

/**
 * Azure Route Server drops the session when a peer "sends more routes than it accepts", counting the
 * routes it holds plus the routes in the incoming UPDATE: holding 501 and re-advertising them in one
 * UPDATE counts 1,002 against a limit of 1,000. So, with L the peer's limit and H the routes it
 * holds before an UPDATE carrying N prefixes (NLRI or MP_REACH_NLRI), every UPDATE must keep
 *
 *     H + N <= L.
 *
 * A replaced route (a new next hop) counts in N like a new one: the peer counts it before it sees
 * that it replaces one it holds. Withdrawals lower H and are sent first, in UPDATEs of their own
 * (whether a peer counts withdrawals inside the same UPDATE first is not documented).
 *
 * A next-hop change is an UPDATE with N >= 1, so it can only go out while H <= L - 1: a peer that
 * holds L routes can have none of them changed but by a withdraw and an announce (about 30 s at
 * Azure, and the VIP is gone meanwhile). The steady state is therefore kept at most L - 1 routes:
 * that one route of headroom is what lets any held route (the VIP) change its next hop in one
 * UPDATE, whatever else is held.
 */
export function mostHeld(limit: number): number {
  return limit - 1;
}

/** What the splitter needs to know of the peer. */
export interface HeldRoutes {
  /** The peer's limit L. */
  limit: number;
  /** Routes it holds before the first UPDATE. */
  held: number;
  /** Whether announcing this prefix adds a route to what it holds (false: replaces one it holds). */
  adds(prefix: string): boolean;
}

function announced(u: UpdateMessage): readonly Nlri[] {
  if (u.nlri.length) return u.nlri;
  for (const a of u.attributes) if (a.type === 'MP_REACH_NLRI') return a.nlri;
  return [];
}

function withdrawnCount(u: UpdateMessage): number {
  let n = u.withdrawn.length;
  for (const a of u.attributes) if (a.type === 'MP_UNREACH_NLRI') n += a.withdrawn.length;
  return n;
}

function withNlri(u: UpdateMessage, nlri: Nlri[]): UpdateMessage {
  if (u.nlri.length) return { ...u, nlri };
  return { ...u, attributes: u.attributes.map((a) => (a.type === 'MP_REACH_NLRI' ? { ...a, nlri } : a)) };
}

/**
 * Split packed UPDATEs so that each keeps H + N <= L (see mostHeld), H followed UPDATE by UPDATE.
 * Order is kept. Returns undefined when some UPDATE cannot go out at all (H >= L before it): the
 * caller checked that the plan ends at most at L - 1 routes, so this means it did not.
 */
export function splitForLimit(updates: readonly UpdateMessage[], peer: HeldRoutes): UpdateMessage[] | undefined {
  const out: UpdateMessage[] = [];
  let held = peer.held;
  for (const u of updates) {
    const nlri = announced(u);
    let i = 0;
    // An UPDATE with withdrawals and NLRI both (never packed so): counted before its withdrawals.
    while (i < nlri.length) {
      const room = peer.limit - held;
      if (room < 1) return undefined;
      const chunk = nlri.slice(i, i + room);
      out.push(chunk.length === nlri.length ? u : withNlri(u, chunk));
      for (const n of chunk) if (peer.adds(n.prefix)) held++;
      i += chunk.length;
    }
    if (nlri.length === 0) out.push(u);
    held -= withdrawnCount(u);
  }
  return out;
}
