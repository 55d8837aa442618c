// A referee that counts routes as Azure Route Server is documented to: the routes held plus those in each incoming UPDATE.
import type { Nlri, UpdateMessage } from '../../src/bgp/messages/index.js';

/** Applies UPDATEs in order and records any that Azure would have torn the session down for. */
export class AzureCount {
  readonly held = new Set<string>();
  /** The largest held + NLRI seen in one UPDATE. */
  worst = 0;
  readonly violations: string[] = [];
  /** NLRI count of each UPDATE that announced something. */
  readonly sizes: number[] = [];

  constructor(readonly limit: number) {}

  apply(u: UpdateMessage): void {
    const nlri: Nlri[] = [...u.nlri];
    const withdrawn: Nlri[] = [...u.withdrawn];
    for (const a of u.attributes) {
      if (a.type === 'MP_REACH_NLRI') nlri.push(...a.nlri);
      if (a.type === 'MP_UNREACH_NLRI') withdrawn.push(...a.withdrawn);
    }
    // Counted before the UPDATE's own withdrawals: whether Azure subtracts them first is not documented.
    const count = this.held.size + nlri.length;
    this.worst = Math.max(this.worst, count);
    if (nlri.length) this.sizes.push(nlri.length);
    if (count > this.limit) this.violations.push(`held ${this.held.size} + ${nlri.length} in one UPDATE = ${count} > ${this.limit}`);
    for (const w of withdrawn) this.held.delete(w.prefix);
    for (const n of nlri) this.held.add(n.prefix);
  }

  applyAll(updates: readonly UpdateMessage[]): this {
    for (const u of updates) this.apply(u);
    return this;
  }
}
