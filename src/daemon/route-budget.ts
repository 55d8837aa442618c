// max-routes-out before an intent changes: how many routes each limited neighbor would hold, and the refusal when one would hold too many.
import { mostHeld } from '../bgp/rib/route-limit.js';
import type { Config, FamilyName, NeighborConfig } from '../config/types.js';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';

const familyOf = (prefix: string): FamilyName => (prefix.includes(':') ? 'ipv6-unicast' : 'ipv4-unicast');

/** A neighbor over its limit: it would hold `count` routes, `most` fit (mostHeld of its max-routes-out). */
export interface OverLimit {
  neighbor: NeighborConfig;
  count: number;
  most: number;
}

/**
 * Every neighbor with max-routes-out that would hold more than mostHeld(limit) routes were
 * `prefixes` the advertised set. Each neighbor gets every route of a family it is configured for
 * (whether its session is up or not: a refusal must not depend on it). A VIP's prefix counts even
 * while it is not announced (all-down: withdraw): its slot is kept, so that a health decision or a
 * `vip move` is never refused.
 */
export function overLimits(config: Config, prefixes: Iterable<string>): OverLimit[] {
  const limited = config.neighbors.filter((n) => n.maxRoutesOut !== undefined);
  if (!limited.length) return [];
  const all = new Set(prefixes);
  for (const v of config.vips) all.add(v.prefix);
  const byFamily = new Map<FamilyName, number>();
  for (const p of all) byFamily.set(familyOf(p), (byFamily.get(familyOf(p)) ?? 0) + 1);
  const out: OverLimit[] = [];
  for (const n of limited) {
    const count = n.families.reduce((sum, f) => sum + (byFamily.get(f) ?? 0), 0);
    const most = mostHeld(n.maxRoutesOut!);
    if (count > most) out.push({ neighbor: n, count, most });
  }
  return out;
}

/** Does this prefix count toward this neighbor's routes? */
export const countsFor = (n: NeighborConfig, prefix: string): boolean => n.families.includes(familyOf(prefix));

/** TSBGP_ERR_MAX_ROUTES_OUT for `what` (e.g. "announce 100.64.0.9/32"), naming the neighbor, its limit and the count. */
export function routeLimitError(what: string, o: OverLimit): TsbgpError {
  return new TsbgpError(
    TsbgpErrorCode.MAX_ROUTES_OUT,
    `${what} refused, nothing changed: neighbor ${o.neighbor.address} would hold ${o.count} routes; max-routes-out ${o.neighbor.maxRoutesOut} leaves room for ${o.most} ` +
      '(the peer counts the routes it holds plus those in each UPDATE; one is kept free so that any route can change its next hop)',
  );
}
