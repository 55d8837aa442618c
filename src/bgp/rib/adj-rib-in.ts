// Adj-RIB-In: what one peer sent us; IPv4 unicast keyed by number, every route pointing at a shared, interned attribute set.
import { IPV4_UNICAST, familyKey } from '../iana.js';
import { type Nlri, type PathAttribute, type UpdateMessage, mergeAs4Path, parseIpv4, updateAction } from '../messages/index.js';
import type { AsPathSegment } from '../messages/attributes/types.js';

/** One attribute set, shared by every prefix that arrived with it. */
export interface AttributeSet {
  readonly key: string;
  readonly attributes: readonly PathAttribute[];
  /** The next hop: NEXT_HOP, or MP_REACH's first next hop. */
  readonly nextHop: string;
  /** AS path with RFC 6793 AS4_PATH merged in. */
  readonly asPath: readonly AsPathSegment[];
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

  get size(): number {
    return this.v4Size + this.other.size;
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
  }

  private intern(attributes: PathAttribute[], nextHop: string): AttributeSet {
    // No replacer: it would run for every value and keep JSON.stringify off its fast path. Opaque
    // bytes (UNKNOWN attributes) come out as {"0":..,"1":..}, which is just as unique.
    const key = nextHop + '|' + JSON.stringify(attributes);
    let set = this.sets.get(key);
    if (!set) {
      set = { key, attributes, nextHop, asPath: mergeAs4Path(attributes), refs: 0 };
      this.sets.set(key, set);
    }
    return set;
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
      this.release(old);
    } else {
      const k = routeKey(family, n);
      const old = this.other.get(k);
      if (!old) return;
      this.other.delete(k);
      this.release(old.attrs);
    }
    out.push(n.pathId === undefined ? { action: 'withdraw', prefix: n.prefix } : { action: 'withdraw', prefix: n.prefix, pathId: n.pathId });
  }

  private add(family: number, n: Nlri, set: AttributeSet, out: RibChange[]): void {
    const key = this.v4Key(family, n);
    if (key === key) {
      const map = this.v4[this.keyLength]!;
      const old = map.get(key);
      if (old === set) return;
      if (old) this.release(old);
      else this.v4Size++;
      map.set(key, set);
    } else {
      const k = routeKey(family, n);
      const old = this.other.get(k);
      if (old?.attrs === set) return;
      if (old) this.release(old.attrs);
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
   * Apply an UPDATE; returns what changed. RFC 7606: treat-as-withdraw removes every prefix the
   * UPDATE names; attribute-discard was already applied by the decoder (the attribute is gone).
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
      const set = this.intern(plain, a.nextHops[0] ?? '');
      for (const n of a.nlri) this.add(family, n, set, out);
    }
    if (u.nlri.length) {
      if (withdrawAll) for (const n of u.nlri) this.remove(IPV4_UNICAST, n, out);
      else {
        const set = this.intern(plain, nextHop);
        for (const n of u.nlri) this.add(IPV4_UNICAST, n, set, out);
      }
    }
    return out;
  }
}
