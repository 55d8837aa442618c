// Groups prefixes with identical attributes into as few UPDATEs as fit the negotiated message size.
import { Afi, HEADER_LENGTH, Safi } from '../iana.js';
import { type Negotiated, type Nlri, type UpdateMessage, attributeLength, maxMessageLength } from '../messages/index.js';
import { prefixEncodedLength } from '../messages/nlri.js';
import type { OutRoute, RibOutChanges } from './adj-rib-out.js';

const isV6 = (prefix: string): boolean => prefix.includes(':');

/**
 * UPDATEs for a set of changes: withdrawals first (IPv4 in the Withdrawn Routes field, IPv6 in
 * MP_UNREACH_NLRI), then one UPDATE per attribute set (more if it does not fit). A changed next hop
 * is an announcement of the prefix with its new attributes: an implicit replace, never a withdraw.
 */
export function packUpdates(changes: RibOutChanges, ctx: Negotiated): UpdateMessage[] {
  const max = maxMessageLength(ctx.extendedMessage);
  const out: UpdateMessage[] = [];
  const room = (fixed: number): number => max - HEADER_LENGTH - 4 - fixed;

  const v4w = changes.withdraw.filter((p) => !isV6(p)).map((prefix): Nlri => ({ prefix }));
  for (const chunk of split(v4w, room(0), ctx)) out.push({ type: 'UPDATE', withdrawn: chunk, attributes: [], nlri: [] });
  const v6w = changes.withdraw.filter(isV6).map((prefix): Nlri => ({ prefix }));
  // MP_UNREACH_NLRI header: flags, type, 2-octet length (extended, to be safe), AFI, SAFI.
  for (const chunk of split(v6w, room(4 + 3), ctx)) {
    out.push({ type: 'UPDATE', withdrawn: [], attributes: [{ type: 'MP_UNREACH_NLRI', afi: Afi.IPV6, safi: Safi.UNICAST, withdrawn: chunk }], nlri: [] });
  }

  const groups = new Map<string, OutRoute[]>();
  for (const r of changes.announce) {
    const g = groups.get(r.key);
    if (g) g.push(r);
    else groups.set(r.key, [r]);
  }
  for (const routes of groups.values()) {
    const attributes = routes[0]!.attributes;
    const nlri = routes.map((r): Nlri => ({ prefix: r.prefix }));
    let fixed = 0;
    for (const a of attributes) fixed += attributeLength(a, ctx);
    const mp = attributes[0]?.type === 'MP_REACH_NLRI' ? attributes[0] : undefined;
    // An MP_REACH that grows past 255 octets needs the extended length header: one more octet.
    for (const chunk of split(nlri, room(fixed + (mp ? 1 : 0)), ctx)) {
      if (mp) {
        out.push({ type: 'UPDATE', withdrawn: [], attributes: [{ ...mp, nlri: chunk }, ...attributes.slice(1)], nlri: [] });
      } else {
        out.push({ type: 'UPDATE', withdrawn: [], attributes, nlri: chunk });
      }
    }
  }
  return out;
}

/** Split a prefix list into runs whose encoding fits in `room` octets. */
function split(list: Nlri[], room: number, ctx: Negotiated): Nlri[][] {
  if (list.length === 0) return [];
  const out: Nlri[][] = [];
  let cur: Nlri[] = [];
  let used = 0;
  for (const n of list) {
    const addPath = ctx.addPath.size > 0 && ctx.addPath.has(isV6(n.prefix) ? 0x0201 : 0x0101);
    const len = prefixEncodedLength(n, addPath);
    if (used + len > room && cur.length) {
      out.push(cur);
      cur = [];
      used = 0;
    }
    cur.push(n);
    used += len;
  }
  out.push(cur);
  return out;
}
