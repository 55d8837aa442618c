// The path attribute union, the codec interface each attribute module implements, and RFC 7606 actions.
import type { AttrType } from '../../iana.js';
import type { Nlri } from '../nlri.js';
import type { Negotiated } from '../negotiated.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface AsPathSegment {
  /** 1 AS_SET, 2 AS_SEQUENCE, 3 AS_CONFED_SEQUENCE, 4 AS_CONFED_SET */
  segmentType: number;
  asns: number[];
}

/** `flags` as received (kept for byte-exact re-encoding); omitted on routes we build: defaults apply. */
interface Flagged {
  flags?: number;
}

export interface OriginAttr extends Flagged { type: 'ORIGIN'; origin: number }
export interface AsPathAttr extends Flagged { type: 'AS_PATH'; segments: AsPathSegment[] }
export interface NextHopAttr extends Flagged { type: 'NEXT_HOP'; nextHop: string }
export interface MedAttr extends Flagged { type: 'MULTI_EXIT_DISC'; med: number }
export interface LocalPrefAttr extends Flagged { type: 'LOCAL_PREF'; localPref: number }
export interface AtomicAggregateAttr extends Flagged { type: 'ATOMIC_AGGREGATE' }
export interface AggregatorAttr extends Flagged { type: 'AGGREGATOR'; asn: number; address: string }
export interface CommunitiesAttr extends Flagged { type: 'COMMUNITIES'; communities: number[] }
export interface OriginatorIdAttr extends Flagged { type: 'ORIGINATOR_ID'; originatorId: string }
export interface ClusterListAttr extends Flagged { type: 'CLUSTER_LIST'; clusterIds: string[] }
/**
 * MP_REACH_NLRI (RFC 4760 §3). IPv4/IPv6 unicast and multicast are decoded; other families keep
 * everything after AFI/SAFI in `opaque`, with `nextHops` and `nlri` empty.
 */
export interface MpReachAttr extends Flagged {
  type: 'MP_REACH_NLRI';
  afi: number;
  safi: number;
  /** One address, or IPv6 global + link-local (next hop length 32). */
  nextHops: string[];
  nlri: Nlri[];
  opaque?: Uint8Array;
}
export interface MpUnreachAttr extends Flagged {
  type: 'MP_UNREACH_NLRI';
  afi: number;
  safi: number;
  withdrawn: Nlri[];
  opaque?: Uint8Array;
}
/** Extended communities as 16 hex digits each (RFC 4360: type, subtype, 6 value octets). */
export interface ExtCommunitiesAttr extends Flagged { type: 'EXTENDED_COMMUNITIES'; communities: string[] }
export interface As4PathAttr extends Flagged { type: 'AS4_PATH'; segments: AsPathSegment[] }
export interface As4AggregatorAttr extends Flagged { type: 'AS4_AGGREGATOR'; asn: number; address: string }
export interface LargeCommunityAttr extends Flagged { type: 'LARGE_COMMUNITY'; communities: [number, number, number][] }
export interface OnlyToCustomerAttr extends Flagged { type: 'ONLY_TO_CUSTOMER'; asn: number }
/** One Signature_Block (RFC 8205 §3.2): an algorithm suite and one signature per Secure_Path segment. */
export interface BgpsecSignatureBlock {
  algorithmSuite: number;
  signatures: { ski: Uint8Array; signature: Uint8Array }[];
}
/** BGPsec_PATH (RFC 8205 §3): stands in for AS_PATH when BGPsec was negotiated; decoded for display, not validated. */
export interface BgpsecPathAttr extends Flagged {
  type: 'BGPSEC_PATH';
  segments: { pCount: number; flags: number; asn: number }[];
  signatureBlocks: BgpsecSignatureBlock[];
}
/** Any attribute we do not decode: kept as received. */
export interface UnknownAttr { type: 'UNKNOWN'; code: number; flags: number; data: Uint8Array }

export type PathAttribute =
  | OriginAttr
  | AsPathAttr
  | NextHopAttr
  | MedAttr
  | LocalPrefAttr
  | AtomicAggregateAttr
  | AggregatorAttr
  | CommunitiesAttr
  | OriginatorIdAttr
  | ClusterListAttr
  | MpReachAttr
  | MpUnreachAttr
  | ExtCommunitiesAttr
  | As4PathAttr
  | As4AggregatorAttr
  | LargeCommunityAttr
  | OnlyToCustomerAttr
  | BgpsecPathAttr
  | UnknownAttr;

export type KnownAttribute = Exclude<PathAttribute, UnknownAttr>;
export type AttributeName = KnownAttribute['type'];
/** The IANA type code of an attribute name; iana.ts's AttrType is the one list of code points. */
export type AttributeCodeOf<T extends AttributeName> = (typeof AttrType)[T];

/**
 * What RFC 7606 says to do with a malformed attribute, weakest first. GoBGP-style ordering: when
 * an UPDATE has several problems the strongest wins.
 */
export type ErrorAction = 'attribute-discard' | 'treat-as-withdraw' | 'session-reset';
export const ACTION_RANK: Readonly<Record<ErrorAction, number>> = {
  'attribute-discard': 1,
  'treat-as-withdraw': 2,
  'session-reset': 3,
};

/** Thrown by an attribute's decode when its value is malformed; the UPDATE decoder applies the action. */
export class MalformedAttribute extends Error {
  readonly subcode: number;
  readonly action: ErrorAction | undefined;
  constructor(subcode: number, message: string, action?: ErrorAction) {
    super(message);
    this.name = 'MalformedAttribute';
    this.subcode = subcode;
    this.action = action;
  }
}

/** One row of the attribute table: BIRD's attr table, as a TypeScript module. */
export interface AttributeCodec<A extends KnownAttribute = KnownAttribute> {
  readonly code: AttributeCodeOf<A['type']>;
  readonly type: A['type'];
  /** Optional and Transitive bits as the RFC defines them; also the default flags when encoding. */
  readonly flags: number;
  /** RFC 7606 handling of a malformed value (a decode may throw a stronger action). */
  readonly onError: ErrorAction;
  /** Decode the value in [r.pos, r.pos + len); may throw MalformedAttribute. */
  decode(r: Reader, len: number, flags: number, ctx: Negotiated): A;
  /** Length of the value (header excluded). */
  length(a: A, ctx: Negotiated): number;
  encode(w: Writer, a: A, ctx: Negotiated): void;
}

/**
 * The whole table, one row per attribute name: a missing row, a row filed under another name or a
 * row carrying another attribute's code does not compile (REVIEW §4.1).
 */
export type AttributeTable = { readonly [T in AttributeName]: AttributeCodec<Extract<KnownAttribute, { type: T }>> };
