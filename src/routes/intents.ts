// Route intents by owner (config < operator < health < peer), resolved to the one set the daemon advertises.
import type { RouteSpec } from './local-routes.js';
import { sameRoute } from './local-routes.js';

/**
 * Who asked for a route. The order is the precedence: for each prefix the highest owner that holds
 * an intent decides. `config`: the configuration file's `routes`; `operator`: bgpctl / the control
 * API; `health`: the built-in health checks of a VIP; `peer`: the partner watcher of a pair.
 */
export const OWNERS = ['config', 'operator', 'health', 'peer'] as const;
export type Owner = (typeof OWNERS)[number];

export const RANK: Readonly<Record<Owner, number>> = { config: 0, operator: 1, health: 2, peer: 3 };

/**
 * What an owner wants for one prefix: a route, or that the prefix is NOT announced. The second
 * form lets `bgpctl withdraw` take back a route the config file announces, and still lets a reload
 * or a restart know who withdrew it.
 */
export type Intent = { kind: 'announce'; route: RouteSpec } | { kind: 'withdraw'; prefix: string };

/** One intent with its owner, as the state file stores it. */
export interface OwnedIntent {
  owner: Owner;
  intent: Intent;
}

export const intentPrefix = (i: Intent): string => (i.kind === 'announce' ? i.route.prefix : i.prefix);

export function sameIntent(a: Intent | undefined, b: Intent | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.kind === 'withdraw' || b.kind === 'withdraw') return a.kind === b.kind;
  return sameRoute(a.route, b.route);
}

/**
 * The intents of every owner and the resolved set. Every change returns the prefixes whose resolved
 * route changed, so that only those are exported and diffed again: a next-hop change of one prefix
 * costs the same with one local route as with ten thousand.
 */
export class RouteIntents {
  private readonly byOwner: Record<Owner, Map<string, Intent>> = { config: new Map(), operator: new Map(), health: new Map(), peer: new Map() };
  /** prefix -> the route we advertise (absent: not advertised). */
  private readonly resolved = new Map<string, RouteSpec>();
  /** prefix -> the owner whose intent decided it. */
  private readonly winner = new Map<string, Owner>();

  /** Set one owner's intent for its prefix; returns the prefix when the advertised route changed. */
  set(owner: Owner, intent: Intent): string[] {
    const prefix = intentPrefix(intent);
    const map = this.byOwner[owner];
    if (sameIntent(map.get(prefix), intent)) return [];
    map.set(prefix, intent);
    return this.resolve(prefix) ? [prefix] : [];
  }

  /** Drop one owner's intent for a prefix (the next owner down decides again). */
  clear(owner: Owner, prefix: string): string[] {
    if (!this.byOwner[owner].delete(prefix)) return [];
    return this.resolve(prefix) ? [prefix] : [];
  }

  /** Replace everything one owner wants (reload: the config owner; restore: each owner in turn). */
  replaceOwner(owner: Owner, intents: readonly Intent[]): string[] {
    const map = this.byOwner[owner];
    const next = new Map(intents.map((i) => [intentPrefix(i), i]));
    const touched = new Set<string>();
    for (const [prefix, old] of map) if (!sameIntent(old, next.get(prefix))) touched.add(prefix);
    for (const [prefix, now] of next) if (!sameIntent(map.get(prefix), now)) touched.add(prefix);
    map.clear();
    for (const [p, i] of next) map.set(p, i);
    return [...touched].filter((p) => this.resolve(p));
  }

  /** An independent copy: a change can be tried on it before it is made (reload, route limits). */
  copy(): RouteIntents {
    const c = new RouteIntents();
    for (const owner of OWNERS) for (const i of this.byOwner[owner].values()) c.set(owner, i);
    return c;
  }

  /** The intent one owner holds for a prefix. */
  get(owner: Owner, prefix: string): Intent | undefined {
    return this.byOwner[owner].get(prefix);
  }

  /**
   * The intents worth keeping across a restart, with their owners: config comes from the file, and
   * peer from the partner watcher's live routes (a saved one would outlive the partner).
   */
  stored(): OwnedIntent[] {
    const out: OwnedIntent[] = [];
    for (const owner of OWNERS) {
      if (owner === 'config' || owner === 'peer') continue;
      for (const intent of this.byOwner[owner].values()) out.push({ owner, intent });
    }
    return out;
  }

  /** The route advertised for a prefix, and which owner decided it. */
  route(prefix: string): RouteSpec | undefined {
    return this.resolved.get(prefix);
  }

  ownerOf(prefix: string): Owner | undefined {
    return this.winner.get(prefix);
  }

  /** Every advertised route, in the order the prefixes were first resolved. */
  routes(): IterableIterator<RouteSpec> {
    return this.resolved.values();
  }

  prefixes(): IterableIterator<string> {
    return this.resolved.keys();
  }

  get size(): number {
    return this.resolved.size;
  }

  /** Recompute one prefix from the owners' intents; true when the advertised route changed. */
  private resolve(prefix: string): boolean {
    let best: Intent | undefined;
    let bestOwner: Owner | undefined;
    for (const owner of OWNERS) {
      const i = this.byOwner[owner].get(prefix);
      if (i && (bestOwner === undefined || RANK[owner] > RANK[bestOwner])) {
        best = i;
        bestOwner = owner;
      }
    }
    const before = this.resolved.get(prefix);
    if (best?.kind === 'announce') {
      this.resolved.set(prefix, best.route);
      this.winner.set(prefix, bestOwner!);
      return !before || !sameRoute(before, best.route);
    }
    this.resolved.delete(prefix);
    if (bestOwner) this.winner.set(prefix, bestOwner);
    else this.winner.delete(prefix);
    return before !== undefined;
  }
}
