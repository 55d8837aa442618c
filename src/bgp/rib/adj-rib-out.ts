// Adj-RIB-Out: what we last sent one peer; the difference to what we want to send drives the next UPDATE.
import type { PathAttribute } from '../messages/index.js';

/** A route as this peer gets it: attributes without the NLRI, and a key that identifies them. */
export interface OutRoute {
  prefix: string;
  family: number;
  /** Path attributes in wire order; for IPv6 the MP_REACH_NLRI comes first with empty NLRI. */
  attributes: PathAttribute[];
  key: string;
}

export interface RibOutChanges {
  /** Routes to (re-)announce: new prefixes, or prefixes whose attributes changed (an implicit replace). */
  announce: OutRoute[];
  /** Prefixes we sent and no longer want to. */
  withdraw: string[];
}

export class AdjRibOut {
  /** prefix -> the attribute key last sent for it. */
  private readonly sent = new Map<string, string>();

  get size(): number {
    return this.sent.size;
  }

  prefixes(): IterableIterator<string> {
    return this.sent.keys();
  }

  has(prefix: string): boolean {
    return this.sent.has(prefix);
  }

  /** What must be sent so the peer holds exactly `desired`. Unchanged routes send nothing. */
  diff(desired: readonly OutRoute[]): RibOutChanges {
    const announce: OutRoute[] = [];
    const wanted = new Set<string>();
    for (const r of desired) {
      wanted.add(r.prefix);
      if (this.sent.get(r.prefix) !== r.key) announce.push(r);
    }
    const withdraw: string[] = [];
    for (const p of this.sent.keys()) if (!wanted.has(p)) withdraw.push(p);
    return { announce, withdraw };
  }

  /** Record that the changes were written. */
  commit(c: RibOutChanges): void {
    for (const p of c.withdraw) this.sent.delete(p);
    for (const r of c.announce) this.sent.set(r.prefix, r.key);
  }

  /** Forget everything (session down, or a full re-send). */
  clear(): void {
    this.sent.clear();
  }
}
