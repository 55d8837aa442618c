// The route model: a route we originate (the VIP and friends) as an owner states it, and route equality.

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
