// Adj-RIB-In: what one peer sent us; IPv4 unicast keyed by number, every route pointing at a shared, interned attribute set.
import { IPV4_UNICAST, familyKey } from '../iana.js';
import { type Nlri, type PathAttribute, type UpdateMessage, formatIpv6, mergeAs4Path, parseIpv4, parseIpv6, updateAction } from '../messages/index.js';
import type { AsPathSegment } from '../messages/attributes/types.js';

/** One attribute set, shared by every prefix that arrived with it. */
export interface AttributeSet {
  readonly key: string;
  readonly attributes: readonly PathAttribute[];
  /** The next hop: NEXT_HOP, or MP_REACH's first next hop (its link-local one when the first is ::). */
  readonly nextHop: string;
  /** AS path with RFC 6793 AS4_PATH merged in. */
  readonly asPath: readonly AsPathSegment[];
  /**
   * Kept from a session that ended gracefully, not sent again since (RFC 4724 §4.2). A stale route
   * points at the stale twin of its set, so the mark costs nothing per route.
   */
  readonly stale: boolean;
  refs: number;
}

/** A row of all(): built when asked for, not stored (the store keeps only a number and a set per IPv4 prefix). */
export interface RibInRoute {
  prefix: string;
  pathId?: number;
  family: number;
  attrs: AttributeSet;
}

export interface RibChange {
  action: 'announce' | 'withdraw';
  prefix: string;
  pathId?: number;
  nextHop?: string;
}

export interface AdjRibInOptions {
  /** Addresses of this speaker: a route with one of them as its next hop is ignored (RFC 4271 §5.1.3). */
  ownAddresses?: readonly string[];
  /** Our AS: a route whose AS_PATH holds it is a loop, ignored (RFC 4271 §9.1.2). */
  localAs?: number;
}

/**
 * Routes received but not installed (their next hop, or an AS path loop), by reason, counted per prefix since
 * the AdjRibIn was made (clear() keeps them: they are counters, like an interface's).
 */
export interface IgnoredRoutes {
  /** 0.0.0.0/8 ("this network", RFC 1122 §3.2.1.3: never a destination) or :: (or no next hop at all) */
  nextHopZero: number;
  /** 224.0.0.0/4 (RFC 5771) or ff00::/8 (RFC 4291 §2.7) */
  nextHopMulticast: number;
  /** 240.0.0.0/4, reserved (RFC 1112 §4), which holds the limited broadcast 255.255.255.255 */
  nextHopReserved: number;
  /** One of this speaker's own addresses (RFC 4271 §5.1.3, §6.3) */
  nextHopOwnAddress: number;
  /** Our own AS in the AS_PATH (AS4_PATH merged): a loop (RFC 4271 §9.1.2), never valid */
  asPathLoop: number;
}
export type IgnoreReason = keyof IgnoredRoutes;

const ALL_ONES = 0xffffffff;
/** MASK4[n]: the IPv4 netmask of length n, as a signed 32-bit number (a Smi, so Map keys stay unboxed). */
const MASK4: readonly number[] = Array.from({ length: 33 }, (_, n) => (n === 0 ? 0 : (ALL_ONES << (32 - n)) | 0));

function ipv4Text(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

const routeKey = (family: number, n: Nlri): string => `${family}|${n.prefix}${n.pathId === undefined ? '' : `#${n.pathId}`}`;

export class AdjRibIn {
  /**
   * IPv4 unicast without ADD-PATH ids, the bulk of any table: v4[length] maps the network address
   * (host bits clear, as an int32) to its attribute set. No per-route object and no prefix string
   * is kept; that is most of what a route cost in the Map<string, object> this replaces.
   */
  private readonly v4: Map<number, AttributeSet>[] = Array.from({ length: 33 }, () => new Map<number, AttributeSet>());
  private v4Size = 0;
  /** Everything else (IPv6, multicast, ADD-PATH paths), few enough to keep as objects. */
  private readonly other = new Map<string, RibInRoute>();
  private readonly sets = new Map<string, AttributeSet>();
  /** Out-parameter of v4Key (saves an object per prefix on the hot path). */
  private keyLength = 0;
  private staleRoutes = 0;
  private own: ReadonlySet<string> = new Set();
  private readonly counts: IgnoredRoutes = { nextHopZero: 0, nextHopMulticast: 0, nextHopReserved: 0, nextHopOwnAddress: 0, asPathLoop: 0 };
  private readonly localAs: number | undefined;

  constructor(options: AdjRibInOptions = {}) {
    this.localAs = options.localAs;
    if (options.ownAddresses) this.setOwnAddresses(options.ownAddresses);
  }

  /**
   * Replace the set of our own addresses (a session learns its local address only once connected);
   * routes already held are not re-checked. Throws TypeError on text that is not an address.
   */
  setOwnAddresses(addresses: readonly string[]): void {
    const own = new Set<string>();
    for (const a of addresses) {
      const v4 = parseIpv4(a);
      const v6 = v4 < 0 ? parseIpv6(a) : null;
      if (v4 >= 0) own.add(ipv4Text(v4));
      else if (v6) {
        own.add(formatIpv6(v6, 0));
        // A dual-stack socket reports an IPv4 local address as ::ffff:a.b.c.d (RFC 4291 §2.5.5.2).
        if (v6.subarray(0, 10).every((b) => b === 0) && v6[10] === 0xff && v6[11] === 0xff) own.add(`${v6[12]}.${v6[13]}.${v6[14]}.${v6[15]}`);
      } else throw new TypeError(`not an IP address: ${a}`);
    }
    this.own = own;
  }

  /** Prefixes ignored for their next hop, by reason (a copy). */
  get ignored(): Readonly<IgnoredRoutes> {
    return { ...this.counts };
  }

  get size(): number {
    return this.v4Size + this.other.size;
  }

  /** Routes marked stale (RFC 4724 §4.2) and not sent again since. */
  get staleCount(): number {
    return this.staleRoutes;
  }

  /** Distinct attribute sets held (for tests and memory figures). */
  get attributeSets(): number {
    return this.sets.size;
  }

  /** Every route: IPv4 unicast by prefix length, then in arrival order; then the other families. */
  *all(): IterableIterator<RibInRoute> {
    for (let len = 0; len <= 32; len++) {
      for (const [key, attrs] of this.v4[len]!) yield { prefix: `${ipv4Text(key >>> 0)}/${len}`, family: IPV4_UNICAST, attrs };
    }
    yield* this.other.values();
  }

  clear(): void {
    for (const m of this.v4) m.clear();
    this.v4Size = 0;
    this.other.clear();
    this.sets.clear();
    this.staleRoutes = 0;
  }

  /** The stale twin of a set: the same attributes, marked stale (as few twins as sets, however many routes). */
  private staleOf(set: AttributeSet): AttributeSet {
    const key = `stale|${set.key}`;
    let twin = this.sets.get(key);
    if (!twin) {
      twin = { key, attributes: set.attributes, nextHop: set.nextHop, asPath: set.asPath, stale: true, refs: 0 };
      this.sets.set(key, twin);
    }
    return twin;
  }

  /** RFC 4724 §4.2: mark every route of these families stale; returns how many were marked. */
  markStale(families: ReadonlySet<number>): number {
    let marked = 0;
    const swap = (set: AttributeSet): AttributeSet => {
      const twin = this.staleOf(set);
      twin.refs++;
      this.release(set);
      marked++;
      return twin;
    };
    if (families.has(IPV4_UNICAST)) {
      // Setting a key that exists while iterating a Map visits nothing twice.
      for (const map of this.v4) for (const [k, set] of map) if (!set.stale) map.set(k, swap(set));
    }
    for (const [k, r] of this.other) if (families.has(r.family) && !r.attrs.stale) this.other.set(k, { ...r, attrs: swap(r.attrs) });
    this.staleRoutes += marked;
    return marked;
  }

  /**
   * Remove the routes of the families `family` accepts (with `staleOnly`, only the stale ones);
   * returns the withdrawals, as apply() reports those the peer sends.
   */
  drop(family: (f: number) => boolean, staleOnly: boolean): RibChange[] {
    const out: RibChange[] = [];
    const goes = (set: AttributeSet): boolean => !staleOnly || set.stale;
    if (family(IPV4_UNICAST)) {
      for (let len = 0; len <= 32; len++) {
        const map = this.v4[len]!;
        for (const [k, set] of map) {
          if (!goes(set)) continue;
          map.delete(k);
          this.v4Size--;
          this.forget(set);
          out.push({ action: 'withdraw', prefix: `${ipv4Text(k >>> 0)}/${len}` });
        }
      }
    }
    for (const [k, r] of this.other) {
      if (!family(r.family) || !goes(r.attrs)) continue;
      this.other.delete(k);
      this.forget(r.attrs);
      out.push(r.pathId === undefined ? { action: 'withdraw', prefix: r.prefix } : { action: 'withdraw', prefix: r.prefix, pathId: r.pathId });
    }
    return out;
  }

  /** A route left: its set loses a reference, the stale count a route if it was stale. */
  private forget(set: AttributeSet): void {
    if (set.stale) this.staleRoutes--;
    this.release(set);
  }

  private intern(attributes: PathAttribute[], nextHop: string): AttributeSet {
    // No replacer: it would run for every value and keep JSON.stringify off its fast path. Opaque
    // bytes (UNKNOWN attributes) come out as {"0":..,"1":..}, which is just as unique.
    const key = nextHop + '|' + JSON.stringify(attributes);
    let set = this.sets.get(key);
    if (!set) {
      set = { key, attributes, nextHop, asPath: mergeAs4Path(attributes), stale: false, refs: 0 };
      this.sets.set(key, set);
    }
    return set;
  }

  /**
   * The attribute set for these prefixes, or undefined when its AS path holds our AS: RFC 4271
   * §9.1.2 ("the local system's AS appears in the AS path": the route is not used), here dropped and
   * counted as asPathLoop, and an earlier route for each prefix goes (implicit withdraw).
   */
  private usable(family: number, list: readonly Nlri[], plain: PathAttribute[], nextHop: string, out: RibChange[]): AttributeSet | undefined {
    const set = this.intern(plain, nextHop);
    const own = this.localAs;
    if (own === undefined || !set.asPath.some((seg) => seg.asns.includes(own))) return set;
    if (set.refs === 0) this.sets.delete(set.key);
    this.ignore(family, list, 'asPathLoop', out);
    return undefined;
  }

  private release(set: AttributeSet): void {
    if (--set.refs === 0) this.sets.delete(set.key);
  }

  /**
   * The v4 key of an IPv4 unicast prefix without a path id, its length left in `keyLength`; NaN
   * for any other route (or text that is not an IPv4 prefix), which then lives in `other`.
   */
  private v4Key(family: number, n: Nlri): number {
    if (family !== IPV4_UNICAST || n.pathId !== undefined) return NaN;
    const text = n.prefix;
    const slash = text.lastIndexOf('/');
    let len = 0;
    for (let i = slash + 1; i < text.length; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9) return NaN;
      len = len * 10 + d;
    }
    const addr = slash > 0 && slash < text.length - 1 && len <= 32 ? parseIpv4(text, 0, slash) : -1;
    if (addr < 0) return NaN;
    this.keyLength = len;
    return addr & MASK4[len]!;
  }

  private remove(family: number, n: Nlri, out: RibChange[]): void {
    const key = this.v4Key(family, n);
    if (key === key) {
      const map = this.v4[this.keyLength]!;
      const old = map.get(key);
      if (!old) return;
      map.delete(key);
      this.v4Size--;
      this.forget(old);
    } else {
      const k = routeKey(family, n);
      const old = this.other.get(k);
      if (!old) return;
      this.other.delete(k);
      this.forget(old.attrs);
    }
    out.push(n.pathId === undefined ? { action: 'withdraw', prefix: n.prefix } : { action: 'withdraw', prefix: n.prefix, pathId: n.pathId });
  }

  private add(family: number, n: Nlri, set: AttributeSet, out: RibChange[]): void {
    const key = this.v4Key(family, n);
    if (key === key) {
      const map = this.v4[this.keyLength]!;
      const old = map.get(key);
      if (old === set) return;
      if (old) this.forget(old);
      else this.v4Size++;
      map.set(key, set);
    } else {
      const k = routeKey(family, n);
      const old = this.other.get(k);
      if (old?.attrs === set) return;
      if (old) this.forget(old.attrs);
      this.other.set(k, n.pathId === undefined ? { prefix: n.prefix, family, attrs: set } : { prefix: n.prefix, pathId: n.pathId, family, attrs: set });
    }
    set.refs++;
    out.push(
      n.pathId === undefined
        ? { action: 'announce', prefix: n.prefix, nextHop: set.nextHop }
        : { action: 'announce', prefix: n.prefix, pathId: n.pathId, nextHop: set.nextHop },
    );
  }

  /**
   * Why a next hop cannot be used, or undefined when it can. RFC 4271 §6.3: a NEXT_HOP that is not
   * a valid host address (0/8, multicast, 240/4) is syntactically incorrect, for which RFC 7606 §7.3
   * replaces the session reset with treat-as-withdraw; the receiving speaker's own address is
   * semantically incorrect (a route "with itself as the next hop", §5.1.3): logged, the route
   * ignored, no NOTIFICATION. Either way the prefix is not installed and a route it replaces goes.
   * Loopback (127.0.0.0/8, ::1) is allowed on purpose: two speakers on one host (a lab, the
   * loopback tests) use it. An IPv6 link-local next hop alone is allowed too: RFC 2545 §2 wants a
   * global one first, but FRR and BIRD send link-local only on direct sessions, and this RIB cannot
   * tell a direct session from a multihop one.
   */
  private nextHopProblem(address: string): IgnoreReason | undefined {
    const v4 = parseIpv4(address);
    if (v4 >= 0) {
      const top = v4 >>> 24;
      if (top === 0) return 'nextHopZero';
      if (top >= 224 && top < 240) return 'nextHopMulticast';
      if (top >= 240) return 'nextHopReserved';
    } else {
      const v6 = parseIpv6(address);
      if (!v6 || v6.every((b) => b === 0)) return 'nextHopZero';
      if (v6[0] === 0xff) return 'nextHopMulticast';
    }
    return this.own.has(address) ? 'nextHopOwnAddress' : undefined;
  }

  /** The next hop an MP_REACH route uses: the first, or the link-local one after a global :: (RFC 2545 §3). */
  private static mpNextHop(nextHops: readonly string[]): string {
    const first = nextHops[0] ?? '';
    const second = nextHops[1];
    return first === '::' && second !== undefined && /^fe[89ab]/i.test(second) ? second : first;
  }

  /** A route whose next hop cannot be used: not installed, and an earlier route for the prefix goes (implicit withdraw). */
  private ignore(family: number, list: readonly Nlri[], why: IgnoreReason, out: RibChange[]): void {
    for (const n of list) this.remove(family, n, out);
    this.counts[why] += list.length;
  }

  /**
   * Apply an UPDATE; returns what changed. RFC 7606: treat-as-withdraw removes every prefix the
   * UPDATE names; attribute-discard was already applied by the decoder (the attribute is gone).
   * Prefixes whose next hop cannot be used, or whose AS path holds our AS, are ignored and counted (see `ignored`).
   */
  apply(u: UpdateMessage): RibChange[] {
    const out: RibChange[] = [];
    const withdrawAll = updateAction(u) === 'treat-as-withdraw';
    for (const n of u.withdrawn) this.remove(IPV4_UNICAST, n, out);
    const plain: PathAttribute[] = [];
    let nextHop = '';
    for (const a of u.attributes) {
      if (a.type === 'MP_UNREACH_NLRI') {
        const family = familyKey(a.afi, a.safi);
        for (const n of a.withdrawn) this.remove(family, n, out);
      } else if (a.type !== 'MP_REACH_NLRI') plain.push(a);
      if (a.type === 'NEXT_HOP') nextHop = a.nextHop;
    }
    for (const a of u.attributes) {
      if (a.type !== 'MP_REACH_NLRI') continue;
      const family = familyKey(a.afi, a.safi);
      if (withdrawAll) {
        for (const n of a.nlri) this.remove(family, n, out);
        continue;
      }
      if (a.nlri.length === 0) continue;
      const hop = AdjRibIn.mpNextHop(a.nextHops);
      const why = this.nextHopProblem(hop);
      if (why) {
        this.ignore(family, a.nlri, why, out);
        continue;
      }
      const set = this.usable(family, a.nlri, plain, hop, out);
      if (set) for (const n of a.nlri) this.add(family, n, set, out);
    }
    if (u.nlri.length) {
      const why = withdrawAll ? undefined : this.nextHopProblem(nextHop);
      if (withdrawAll) for (const n of u.nlri) this.remove(IPV4_UNICAST, n, out);
      else if (why) this.ignore(IPV4_UNICAST, u.nlri, why, out);
      else {
        const set = this.usable(IPV4_UNICAST, u.nlri, plain, nextHop, out);
        if (set) for (const n of u.nlri) this.add(IPV4_UNICAST, n, set, out);
      }
    }
    return out;
  }
}
