// The `routes` section: the routes announced at start, checked with the same parsers bgpctl announce uses.
import { isScalar } from 'yaml';
import type { RouteSpec } from '../../routes/local-routes.js';
import {
  AS_PATH_PREPEND_MAX,
  MED_MAX,
  familyOfAfi,
  parseCommunity,
  parseLargeCommunity,
  parseNextHop,
  parseRoutePrefix,
} from '../../routes/values.js';
import type { FamilyName } from '../types.js';
import { check, describe, given, integer, readMap, readSeq, required, string, type Checker, type Entry } from '../yaml-checker.js';

const ROUTE_KEYS = ['prefix', 'next-hop', 'med', 'communities', 'large-communities', 'as-path-prepend'] as const;

export function readRoutes(c: Checker, e: Entry, families: Set<FamilyName> | null): RouteSpec[] {
  const items = readSeq(c, e, 'a list of routes (each starting with "- prefix: ...")');
  if (!items) return [];
  const out: RouteSpec[] = [];
  const seen = new Map<string, { index: number; line: number | undefined }>();
  items.forEach((item, index) => {
    const m = readMap(c, item.node, item.path, ROUTE_KEYS, 'a route mapping with prefix and next-hop');
    if (!m) return;
    const before = c.problems.length;
    const pe = required(c, m, 'prefix', '100.64.0.1/32');
    const nhe = required(c, m, 'next-hop', '10.10.0.4');
    const ptext = pe && string(c, pe, '100.64.0.1/32');
    const p = pe && ptext !== undefined ? check(c, pe, () => parseRoutePrefix(ptext)) : undefined;
    const nhtext = nhe && string(c, nhe, '10.10.0.4');
    const nextHop = nhe && nhtext !== undefined ? check(c, nhe, () => parseNextHop(nhtext, p?.afi, p?.prefix)) : undefined;
    const route: RouteSpec = { prefix: p?.prefix ?? '', nextHop: nextHop ?? '' };

    const med = given(m, 'med');
    if (med) {
      const v = integer(c, med, 0, MED_MAX);
      if (v !== undefined) route.med = v;
    }
    const comms = given(m, 'communities');
    if (comms) {
      const v = stringList(c, comms, '"65001:100", no-export', parseCommunity);
      if (v) route.communities = v;
    }
    const large = given(m, 'large-communities');
    if (large) {
      const v = stringList(c, large, '"65001:1:2"', parseLargeCommunity);
      if (v) route.largeCommunities = v;
    }
    const prepend = given(m, 'as-path-prepend');
    if (prepend) {
      const v = integer(c, prepend, 0, AS_PATH_PREPEND_MAX);
      if (v !== undefined) route.asPathPrepend = v;
    }

    if (p && pe) {
      const family = familyOfAfi(p.afi);
      const first = seen.get(p.prefix);
      if (first) {
        c.bad(pe, `${p.prefix} is already routes[${first.index}] (line ${first.line ?? '?'}); a prefix has one route`);
      } else {
        seen.set(p.prefix, { index, line: c.line(pe.value) });
        if (families && !families.has(family)) {
          c.bad(pe, `${p.prefix} is ${family} but no neighbor has ${family} in its families, so it would be sent nowhere`);
        }
      }
    }
    if (c.problems.length === before) out.push(route);
  });
  return out;
}

function stringList<T>(c: Checker, e: Entry, example: string, parse: (text: string) => T): T[] | null {
  const items = readSeq(c, e, `a list, e.g. [${example}]`);
  if (!items) return null;
  const out: T[] = [];
  let ok = true;
  for (const item of items) {
    const v = isScalar(item.node) ? item.node.value : undefined;
    const entry: Entry = { path: item.path, key: e.key, value: item.node };
    const parsed = typeof v === 'string' ? check(c, entry, () => parse(v)) : undefined;
    if (typeof v !== 'string') c.bad(entry, `expected text such as ${example.split(',')[0]}, got ${describe(item.node)}`);
    if (parsed === undefined) ok = false;
    else out.push(parsed);
  }
  return ok ? out : null;
}
