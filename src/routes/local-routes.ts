// Routes we originate (the VIP and friends): prefix -> what we announce for it.

/** A route as the operator states it. */
export interface RouteSpec {
  /** Canonical prefix text ("100.64.0.1/32", "2001:db8::/48"). */
  prefix: string;
  nextHop: string;
  med?: number;
  /** RFC 1997 communities as 32-bit numbers. */
  communities?: number[];
  largeCommunities?: [number, number, number][];
  /** Extra copies of our AS in the AS_PATH. */
  asPathPrepend?: number;
}

/** Whether two specs announce the same thing (a re-announcement of an identical route changes nothing). */
export function sameRoute(a: RouteSpec, b: RouteSpec): boolean {
  return (
    a.prefix === b.prefix &&
    a.nextHop === b.nextHop &&
    a.med === b.med &&
    (a.asPathPrepend ?? 0) === (b.asPathPrepend ?? 0) &&
    sameList(a.communities, b.communities) &&
    sameList(a.largeCommunities?.map((c) => c.join(':')), b.largeCommunities?.map((c) => c.join(':')))
  );
}

function sameList<T>(a: readonly T[] | undefined, b: readonly T[] | undefined): boolean {
  const x = a ?? [];
  const y = b ?? [];
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

export class LocalRoutes {
  private readonly routes = new Map<string, RouteSpec>();

  /** Set the route for its prefix; false when an identical route was already there. */
  set(route: RouteSpec): boolean {
    const old = this.routes.get(route.prefix);
    if (old && sameRoute(old, route)) return false;
    this.routes.set(route.prefix, route);
    return true;
  }

  /** Remove a prefix; false when it was not there. */
  delete(prefix: string): boolean {
    return this.routes.delete(prefix);
  }

  get(prefix: string): RouteSpec | undefined {
    return this.routes.get(prefix);
  }

  all(): RouteSpec[] {
    return [...this.routes.values()];
  }

  get size(): number {
    return this.routes.size;
  }

  /** Replace everything (config reload, state restore); returns the prefixes that changed. */
  replaceAll(routes: readonly RouteSpec[]): string[] {
    const changed: string[] = [];
    const next = new Map(routes.map((r) => [r.prefix, r]));
    for (const [prefix, old] of this.routes) {
      const now = next.get(prefix);
      if (!now || !sameRoute(old, now)) changed.push(prefix);
    }
    for (const [prefix] of next) if (!this.routes.has(prefix)) changed.push(prefix);
    this.routes.clear();
    for (const [p, r] of next) this.routes.set(p, r);
    return changed;
  }
}
