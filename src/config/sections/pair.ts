// The `pair` section: this watcher's role in a pair of watchers, its partner (an iBGP neighbor) and the standby's prepend.
import type { NeighborConfig, PairConfig } from '../types.js';
import { type Checker, type Entry, closest, describe, given, integer, readMap, required, scalarValue } from '../yaml-checker.js';
import { unicast } from './common.js';

const PAIR_KEYS = ['role', 'partner', 'prepend'] as const;
const ROLES = ['primary', 'standby'] as const;
/** Default extra copies of our AS on the standby: its path is then 3 long against the primary's 1. */
export const DEFAULT_PREPEND = 2;
/** More would only make the AS_PATH longer: any prepend at all already loses to the primary. */
const PREPEND_MAX = 10;

/** What the loader knows of the rest of the file; `neighbors` null when that section had problems (nothing to check against). */
export interface PairContext {
  neighbors: readonly NeighborConfig[] | null;
  /** 0 when local-as itself is wrong. */
  localAs: number;
}

export function readPair(c: Checker, e: Entry, ctx: PairContext): PairConfig | undefined {
  const m = readMap(c, e.value, e.path, PAIR_KEYS, 'a mapping with role (primary or standby) and partner');
  if (!m) return undefined;
  const before = c.problems.length;

  const re = required(c, m, 'role', 'standby');
  let role: PairConfig['role'] | undefined;
  if (re) {
    const v = scalarValue(re);
    role = ROLES.find((r) => r === v);
    if (!role) {
      const guess = typeof v === 'string' ? closest(v, ROLES) : undefined;
      c.bad(re, `${describe(re.value)} is not a role; ${guess ? `did you mean ${guess}? ` : ''}expected primary or standby`);
    }
  }

  const pe = required(c, m, 'partner', '10.10.0.8');
  const pa = pe ? unicast(c, pe, '10.10.0.8') : null;
  if (pe && pa && ctx.neighbors) {
    const n = ctx.neighbors.find((x) => x.address === pa.text);
    if (!n) {
      c.bad(pe, `${pa.text} is not one of neighbors (${ctx.neighbors.map((x) => x.address).join(', ') || 'none'}); the partner watcher must be a neighbor, with remote-as ${ctx.localAs || 'our local-as'} (iBGP)`);
    } else if (ctx.localAs && n.remoteAs !== ctx.localAs) {
      const i = ctx.neighbors.indexOf(n);
      c.bad(pe, `neighbors[${i}] (${n.address}) has remote-as ${n.remoteAs}; the partner watcher is an iBGP neighbor: its remote-as must be local-as ${ctx.localAs}`);
    }
  }

  const xe = given(m, 'prepend');
  let prepend = role === 'standby' ? DEFAULT_PREPEND : 0;
  if (xe && role === 'primary') c.bad(xe, 'prepend is for the standby; the primary announces its plain AS path (remove prepend here, or set role: standby)');
  else if (xe) {
    const v = integer(c, xe, 1, PREPEND_MAX, ' (extra copies of our AS toward every neighbor but the partner)');
    if (v !== undefined) prepend = v;
  }

  if (c.problems.length !== before || !role || !pa) return undefined;
  return { role, partner: pa.text, prepend };
}
