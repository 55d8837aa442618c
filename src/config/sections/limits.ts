// A neighbor's route limits: max-routes-out (what we send) and max-prefixes-in (what it sends), and the check that the file's routes fit.
import { isScalar } from 'yaml';
import { mostHeld } from '../../bgp/rib/route-limit.js';
import { parseRoutePrefix, familyOfAfi } from '../../routes/values.js';
import type { Config, NeighborConfig, PrefixLimitConfig } from '../types.js';
import { type Checker, type Entry, closest, describe, given, integer, readMap, required } from '../yaml-checker.js';
import type { NeighborEntries } from './azure.js';

/** Below 2 the steady state (limit - 1, see mostHeld) holds nothing at all. */
const MAX_ROUTES_OUT_MIN = 2;
const MAX_ROUTES_OUT_MAX = 10_000_000;
/** RFC 4486 §4: the limit travels in the NOTIFICATION as 4 octets. */
const MAX_PREFIXES_IN_MAX = 0xffffffff;
const ACTIONS = ['cease', 'warn'] as const;
const PREFIX_LIMIT_KEYS = ['limit', 'action'] as const;

export function readMaxRoutesOut(c: Checker, e: Entry): number | undefined {
  return integer(c, e, MAX_ROUTES_OUT_MIN, MAX_ROUTES_OUT_MAX);
}

/** `N` (cease above N) or `{ limit: N, action: cease|warn }`. */
export function readMaxPrefixesIn(c: Checker, e: Entry): PrefixLimitConfig | undefined {
  if (isScalar(e.value)) {
    const limit = integer(c, e, 1, MAX_PREFIXES_IN_MAX, ', or a mapping { limit: N, action: cease|warn }');
    return limit === undefined ? undefined : { limit, action: 'cease' };
  }
  const m = readMap(c, e.value, e.path, PREFIX_LIMIT_KEYS, 'a number, or a mapping { limit: N, action: cease|warn }');
  if (!m) return undefined;
  const le = required(c, m, 'limit', '1000');
  const limit = le ? integer(c, le, 1, MAX_PREFIXES_IN_MAX) : undefined;
  let action: PrefixLimitConfig['action'] = 'cease';
  const ae = given(m, 'action');
  if (ae) {
    const v = isScalar(ae.value) ? ae.value.value : undefined;
    const found = ACTIONS.find((a) => a === v);
    if (found) action = found;
    else {
      const guess = typeof v === 'string' ? closest(v, ACTIONS) : undefined;
      c.bad(ae, `${describe(ae.value)} is not an action; ${guess ? `did you mean ${guess}? ` : ''}expected cease or warn`);
      return undefined;
    }
  }
  return limit === undefined ? undefined : { limit, action };
}

/**
 * The routes and VIPs of the file go to every neighbor that carries their family; where a neighbor
 * has max-routes-out, they must fit in its steady state (mostHeld: one route of headroom, so that
 * any of them can change its next hop). A VIP counts whether announced or not: its slot is kept.
 */
export function checkRouteLimits(c: Checker, config: Config, where: ReadonlyMap<NeighborConfig, NeighborEntries>): void {
  const prefixes = [...config.routes.map((r) => r.prefix), ...config.vips.map((v) => v.prefix)];
  const byFamily = new Map<string, number>();
  for (const p of prefixes) {
    const family = familyOfAfi(parseRoutePrefix(p).afi);
    byFamily.set(family, (byFamily.get(family) ?? 0) + 1);
  }
  for (const n of config.neighbors) {
    if (n.maxRoutesOut === undefined) continue;
    const count = n.families.reduce((sum, f) => sum + (byFamily.get(f) ?? 0), 0);
    const most = mostHeld(n.maxRoutesOut);
    if (count <= most) continue;
    const at = where.get(n);
    const e = at?.maxRoutesOut ?? at?.profile ?? at?.item;
    const msg =
      `routes and vips send ${count} prefixes to ${n.address}; max-routes-out ${n.maxRoutesOut} leaves room for ${most}: ` +
      'the peer counts the routes it holds plus those in each UPDATE, and one is kept free so that any route can change its next hop';
    if (e) c.bad(e, msg);
    else c.add('neighbors', null, msg);
  }
}
