// max-prefixes-in (RFC 4486): what the FSM does when a peer's prefix count crosses the limit, and which family an UPDATE announced.
import { Afi, CeaseSubcode, ErrorCode, Safi } from '../iana.js';
import type { UpdateMessage } from '../messages/index.js';
import type { Step } from './fsm-step.js';
import type { Event } from './types.js';

/**
 * A prefix count in Established. Crossing above the limit is reported once (a PrefixLimit action),
 * and again when the count falls back to it or below. With `cease`, crossing it also sends Cease /
 * Maximum Number of Prefixes Reached (6/1) with RFC 4486 §4's data (AFI, SAFI, the limit in 4
 * octets) and drops the session as a failure: it restarts after the IdleHold back-off.
 */
export function prefixCount(st: Step, e: Extract<Event, { type: 'PrefixCount' }>): void {
  const limit = st.s.config.maxPrefixesIn;
  if (!limit) return;
  const over = e.prefixes > limit.limit;
  if (over === st.s.prefixLimitExceeded) return;
  st.s.prefixLimitExceeded = over;
  st.emit({ type: 'PrefixLimit', exceeded: over, prefixes: e.prefixes, limit });
  if (!over || limit.action !== 'cease') return;
  const data = new Uint8Array(7);
  const v = new DataView(data.buffer);
  v.setUint16(0, e.afi);
  v.setUint8(2, e.safi);
  v.setUint32(3, limit.limit);
  st.fail(ErrorCode.CEASE, CeaseSubcode.MAXIMUM_PREFIXES_REACHED, data, `${e.prefixes} prefixes received, more than max-prefixes-in ${limit.limit}`);
}

/** The family an UPDATE announces: IPv4 unicast for its NLRI field, else its MP_REACH_NLRI's (IPv4 unicast when it announces nothing). */
export function announcedFamily(u: UpdateMessage): { afi: number; safi: number } {
  if (u.nlri.length) return { afi: Afi.IPV4, safi: Safi.UNICAST };
  for (const a of u.attributes) if (a.type === 'MP_REACH_NLRI') return { afi: a.afi, safi: a.safi };
  return { afi: Afi.IPV4, safi: Safi.UNICAST };
}
