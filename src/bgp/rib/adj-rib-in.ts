// Adj-RIB-In: what one peer sent us, prefix (+ path id) -> an interned, shared attribute set.
import { IPV4_UNICAST, familyKey } from '../iana.js';
import { type Nlri, type PathAttribute, type UpdateMessage, mergeAs4Path, updateAction } from '../messages/index.js';
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

const routeKey = (n: Nlri): string => (n.pathId === undefined ? n.prefix : `${n.prefix}#${n.pathId}`);

export class AdjRibIn {
  private readonly routes = new Map<string, RibInRoute>();
  private readonly sets = new Map<string, AttributeSet>();

  get size(): number {
    return this.routes.size;
  }

  /** Distinct attribute sets held (for tests and memory figures). */
  get attributeSets(): number {
    return this.sets.size;
  }

  all(): IterableIterator<RibInRoute> {
    return this.routes.values();
  }

  clear(): void {
    this.routes.clear();
    this.sets.clear();
  }

  private intern(attributes: PathAttribute[], nextHop: string): AttributeSet {
    const key = nextHop + '|' + JSON.stringify(attributes, (_k, v: unknown) => (v instanceof Uint8Array ? Array.from(v) : v));
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

  private remove(n: Nlri, out: RibChange[]): void {
    const k = routeKey(n);
    const old = this.routes.get(k);
    if (!old) return;
    this.routes.delete(k);
    this.release(old.attrs);
    out.push({ action: 'withdraw', prefix: n.prefix, ...(n.pathId === undefined ? {} : { pathId: n.pathId }) });
  }

  private add(n: Nlri, family: number, set: AttributeSet, out: RibChange[]): void {
    const k = routeKey(n);
    const old = this.routes.get(k);
    if (old?.attrs === set) return;
    if (old) this.release(old.attrs);
    set.refs++;
    this.routes.set(k, { prefix: n.prefix, ...(n.pathId === undefined ? {} : { pathId: n.pathId }), family, attrs: set });
    out.push({ action: 'announce', prefix: n.prefix, ...(n.pathId === undefined ? {} : { pathId: n.pathId }), nextHop: set.nextHop });
  }

  /**
   * Apply an UPDATE; returns what changed. RFC 7606: treat-as-withdraw removes every prefix the
   * UPDATE names; attribute-discard was already applied by the decoder (the attribute is gone).
   */
  apply(u: UpdateMessage): RibChange[] {
    const out: RibChange[] = [];
    const withdrawAll = updateAction(u) === 'treat-as-withdraw';
    for (const n of u.withdrawn) this.remove(n, out);
    const plain: PathAttribute[] = [];
    let nextHop = '';
    for (const a of u.attributes) {
      if (a.type === 'MP_UNREACH_NLRI') for (const n of a.withdrawn) this.remove(n, out);
      else if (a.type !== 'MP_REACH_NLRI') plain.push(a);
      if (a.type === 'NEXT_HOP') nextHop = a.nextHop;
    }
    for (const a of u.attributes) {
      if (a.type !== 'MP_REACH_NLRI') continue;
      if (withdrawAll) {
        for (const n of a.nlri) this.remove(n, out);
        continue;
      }
      const set = this.intern(plain, a.nextHops[0] ?? '');
      const family = familyKey(a.afi, a.safi);
      for (const n of a.nlri) this.add(n, family, set, out);
    }
    if (u.nlri.length) {
      if (withdrawAll) for (const n of u.nlri) this.remove(n, out);
      else {
        const set = this.intern(plain, nextHop);
        for (const n of u.nlri) this.add(n, IPV4_UNICAST, set, out);
      }
    }
    return out;
  }
}
