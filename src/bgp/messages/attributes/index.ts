// The attribute table, keyed by type code: adding an attribute is adding a row.
import { AttrFlag } from '../../iana.js';
import type { Negotiated } from '../negotiated.js';
import type { Writer } from '../writer.js';
import { aggregator } from './aggregator.js';
import { as4Aggregator } from './as4-aggregator.js';
import { as4Path } from './as4-path.js';
import { asPath } from './as-path.js';
import { atomicAggregate } from './atomic-aggregate.js';
import { bgpsecPath } from './bgpsec-path.js';
import { clusterList } from './cluster-list.js';
import { communities } from './communities.js';
import { extendedCommunities } from './extended-communities.js';
import { largeCommunity } from './large-community.js';
import { localPref } from './local-pref.js';
import { med } from './med.js';
import { mpReach } from './mp-reach.js';
import { mpUnreach } from './mp-unreach.js';
import { nextHop } from './next-hop.js';
import { origin } from './origin.js';
import { originatorId } from './originator-id.js';
import { onlyToCustomer } from './only-to-customer.js';
import type { AttributeCodec, AttributeName, AttributeTable, PathAttribute } from './types.js';

export * from './types.js';
export { formatCommunity } from './communities.js';
export { formatExtCommunity } from './extended-communities.js';
export { mergeAs4Path, asPathLength } from './as4-merge.js';

/** The table by name (BIRD's `bgp_attr_table`); the by-code index below is derived from it. */
export const ATTRIBUTE_BY_NAME: AttributeTable = {
  ORIGIN: origin,
  AS_PATH: asPath,
  NEXT_HOP: nextHop,
  MULTI_EXIT_DISC: med,
  LOCAL_PREF: localPref,
  ATOMIC_AGGREGATE: atomicAggregate,
  AGGREGATOR: aggregator,
  COMMUNITIES: communities,
  ORIGINATOR_ID: originatorId,
  CLUSTER_LIST: clusterList,
  MP_REACH_NLRI: mpReach,
  MP_UNREACH_NLRI: mpUnreach,
  EXTENDED_COMMUNITIES: extendedCommunities,
  AS4_PATH: as4Path,
  AS4_AGGREGATOR: as4Aggregator,
  LARGE_COMMUNITY: largeCommunity,
  ONLY_TO_CUSTOMER: onlyToCustomer,
  BGPSEC_PATH: bgpsecPath,
};

/** Every row, widened: callers that hold an attribute of some type find its codec here. */
const ROWS: readonly AttributeCodec[] = Object.values(ATTRIBUTE_BY_NAME);
const row = (type: AttributeName): AttributeCodec => ATTRIBUTE_BY_NAME[type];

/** Codec by type code; undefined for attributes we keep opaque. */
export const ATTRIBUTE_BY_CODE: readonly (AttributeCodec | undefined)[] = (() => {
  const t = new Array<AttributeCodec | undefined>(256).fill(undefined);
  for (const c of ROWS) t[c.code] = c;
  return t;
})();

export function attributeCode(a: PathAttribute): number {
  return a.type === 'UNKNOWN' ? a.code : row(a.type).code;
}

function valueLength(a: PathAttribute, ctx: Negotiated): number {
  return a.type === 'UNKNOWN' ? a.data.length : row(a.type).length(a, ctx);
}

function flagsFor(a: PathAttribute, len: number): number {
  const flags = a.flags ?? row(a.type as AttributeName).flags;
  return len > 255 ? flags | AttrFlag.EXTENDED_LENGTH : flags;
}

/** Bytes the attribute takes on the wire, header included. */
export function attributeLength(a: PathAttribute, ctx: Negotiated): number {
  const len = valueLength(a, ctx);
  return (flagsFor(a, len) & AttrFlag.EXTENDED_LENGTH ? 4 : 3) + len;
}

export function encodeAttribute(w: Writer, a: PathAttribute, ctx: Negotiated): void {
  const len = valueLength(a, ctx);
  const flags = flagsFor(a, len);
  w.u8(flags);
  w.u8(attributeCode(a));
  if (flags & AttrFlag.EXTENDED_LENGTH) w.u16(len);
  else w.u8(len);
  if (a.type === 'UNKNOWN') w.raw(a.data);
  else row(a.type).encode(w, a, ctx);
}
