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

/**
 * What we sent one peer, route by route (the attributes as they went out, not the local route they
 * came from), and which prefixes are pending: changed locally but not yet sent, because the peer is
 * not reading. `show routes --advertised` reads this, so it shows what the peer really holds.
 */
export class AdjRibOut {
  private readonly sent = new Map<string, OutRoute>();
  private readonly waiting = new Set<string>();

  get size(): number {
    return this.sent.size;
  }

  get(prefix: string): OutRoute | undefined {
    return this.sent.get(prefix);
  }

  /** Every route as it was sent. */
  routes(): IterableIterator<OutRoute> {
    return this.sent.values();
  }

  /** Prefixes sent so far (for a full re-plan). */
  prefixes(): IterableIterator<string> {
    return this.sent.keys();
  }

  /** Mark prefixes as changed but not sent (the peer is behind). */
  markPending(prefixes: Iterable<string>): void {
    for (const p of prefixes) this.waiting.add(p);
  }

  isPending(prefix: string): boolean {
    return this.waiting.has(prefix);
  }

  get pendingCount(): number {
    return this.waiting.size;
  }

  /** The pending prefixes, forgotten as pending: the caller plans them now. */
  takePending(): string[] {
    const out = [...this.waiting];
    this.waiting.clear();
    return out;
  }

  /** Record that the changes were handed to the peer's socket. */
  commit(c: RibOutChanges): void {
    for (const p of c.withdraw) {
      this.sent.delete(p);
      this.waiting.delete(p);
    }
    for (const r of c.announce) {
      this.sent.set(r.prefix, r);
      this.waiting.delete(r.prefix);
    }
  }

  /** Forget everything (session down, or a full re-send). */
  clear(): void {
    this.sent.clear();
    this.waiting.clear();
  }
}
