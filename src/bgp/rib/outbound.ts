// The outbound planner: export -> diff -> pack for one peer, and the commit that records what was sent.
import type { Negotiated, UpdateMessage } from '../messages/index.js';
import type { AdjRibOut, OutRoute, RibOutChanges } from './adj-rib-out.js';
import { packUpdates } from './packer.js';

/** The route this peer should hold for a prefix (exported, family-filtered), or undefined: none. */
export type Desired = (prefix: string) => OutRoute | undefined;

export interface Plan {
  /** What changes, prefix by prefix. */
  changes: RibOutChanges;
  /** The UPDATEs that carry the changes, packed into as few as the attributes allow. */
  updates: UpdateMessage[];
  /** Record the changes in the Adj-RIB-Out: call it when the UPDATEs are handed to the socket. */
  commit(): void;
}

/**
 * Plan the UPDATEs that bring a peer from what it was sent to what it should hold, looking only at
 * `prefixes` (the ones that changed, plus any left pending). A prefix whose attributes changed is an
 * announcement with the new attributes: an implicit replace (RFC 4271 §3.1), never a withdraw.
 */
export function plan(rib: AdjRibOut, prefixes: Iterable<string>, desired: Desired, ctx: Negotiated): Plan {
  const announce: OutRoute[] = [];
  const withdraw: string[] = [];
  const seen = new Set<string>();
  for (const prefix of prefixes) {
    if (seen.has(prefix)) continue;
    seen.add(prefix);
    const want = desired(prefix);
    const had = rib.get(prefix);
    if (want) {
      if (!had || had.key !== want.key) announce.push(want);
    } else if (had) {
      withdraw.push(prefix);
    }
  }
  const changes = { announce, withdraw };
  const updates = announce.length || withdraw.length ? packUpdates(changes, ctx) : [];
  return { changes, updates, commit: () => rib.commit(changes) };
}

/** Every prefix a full plan must look at: what the peer should hold and what it was sent. */
export function* allPrefixes(wanted: Iterable<string>, rib: AdjRibOut): Generator<string> {
  yield* wanted;
  yield* rib.prefixes();
}
