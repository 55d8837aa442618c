// The capability union (RFC 5492) and the interface each capability module implements.
import { BgpError } from '../../errors.js';
import { type CapabilityCode, ErrorCode, OpenSubcode } from '../../iana.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';

export interface Family {
  afi: number;
  safi: number;
}

export interface MultiprotocolCap extends Family { type: 'MULTIPROTOCOL' }
export interface RouteRefreshCap { type: 'ROUTE_REFRESH' }
/** Outbound Route Filtering (RFC 5291 §4): per family, the ORF types and 1 = receive, 2 = send, 3 = both. */
export interface OutboundRouteFilteringCap {
  type: 'OUTBOUND_ROUTE_FILTERING';
  families: (Family & { orfs: { orfType: number; sendReceive: number }[] })[];
}
/** BGPsec (RFC 8205 §2.1): version (4 bits), direction (1 = send, 0 = receive), and the AFI. */
export interface BgpsecCap { type: 'BGPSEC'; version: number; send: boolean; afi: number }
export interface ExtendedNextHopCap { type: 'EXTENDED_NEXT_HOP'; entries: (Family & { nextHopAfi: number })[] }
export interface ExtendedMessageCap { type: 'EXTENDED_MESSAGE' }
export interface BgpRoleCap { type: 'BGP_ROLE'; role: number }
export interface GracefulRestartCap {
  type: 'GRACEFUL_RESTART';
  /** The 4 flag bits (R = 8, N = 4). */
  flags: number;
  restartTime: number;
  families: (Family & { flags: number })[];
}
export interface FourOctetAsCap { type: 'FOUR_OCTET_AS'; asn: number }
export interface AddPathCap { type: 'ADD_PATH'; families: (Family & { sendReceive: number })[] }
export interface EnhancedRouteRefreshCap { type: 'ENHANCED_ROUTE_REFRESH' }
export interface LongLivedGracefulRestartCap {
  type: 'LONG_LIVED_GRACEFUL_RESTART';
  families: (Family & { flags: number; staleTime: number })[];
}
export interface FqdnCap { type: 'FQDN'; hostname: string; domain: string }
/** Any other capability: kept as received and re-encoded unchanged. */
export interface UnknownCap { type: 'UNKNOWN'; code: number; data: Uint8Array }

export type Capability =
  | MultiprotocolCap
  | RouteRefreshCap
  | OutboundRouteFilteringCap
  | BgpsecCap
  | ExtendedNextHopCap
  | ExtendedMessageCap
  | BgpRoleCap
  | GracefulRestartCap
  | FourOctetAsCap
  | AddPathCap
  | EnhancedRouteRefreshCap
  | LongLivedGracefulRestartCap
  | FqdnCap
  | UnknownCap;

export type KnownCapability = Exclude<Capability, UnknownCap>;
export type CapabilityName = KnownCapability['type'];
/** The IANA code of a capability name; iana.ts's CapabilityCode is the one list of code points. */
export type CapabilityCodeOf<T extends CapabilityName> = (typeof CapabilityCode)[T];

export interface CapabilityCodec<C extends KnownCapability = KnownCapability> {
  readonly code: CapabilityCodeOf<C['type']>;
  readonly type: C['type'];
  /**
   * Decode the value in [r.pos, r.pos + len); malformed values throw BgpError (OPEN error). A value
   * that is well-formed but cannot be represented (FQDN names that are not UTF-8) comes back opaque.
   */
  decode(r: Reader, len: number): C | UnknownCap;
  length(c: C): number;
  encode(w: Writer, c: C): void;
}

/** The whole table, one row per capability name: a missing or misfiled row does not compile. */
export type CapabilityTable = { readonly [T in CapabilityName]: CapabilityCodec<Extract<KnownCapability, { type: T }>> };

/** A malformed capability value: OPEN Message Error / Unspecific, data = the capability's value. */
export function malformedCapability(r: Reader, len: number, detail: string): BgpError {
  return new BgpError(ErrorCode.OPEN_MESSAGE, OpenSubcode.UNSPECIFIC, r.bytes.slice(r.pos, r.pos + len), detail);
}

export function expectCapLength(r: Reader, len: number, ok: boolean, name: string): void {
  if (!ok) throw malformedCapability(r, len, `${name} capability length ${len}`);
}

/** A capability with no value (route refresh, extended message, enhanced route refresh). */
export function emptyCapability<C extends RouteRefreshCap | ExtendedMessageCap | EnhancedRouteRefreshCap>(
  code: CapabilityCodeOf<C['type']>,
  type: C['type'],
): CapabilityCodec<C> {
  return {
    code,
    type,
    decode(r, len) {
      expectCapLength(r, len, len === 0, type);
      return { type } as C;
    },
    length: () => 0,
    encode() {},
  };
}

/** A list of fixed-size per-family entries (ADD-PATH, graceful restart tails, LLGR, extended next hop). */
export function readEntries<T>(r: Reader, len: number, size: number, name: string, read: () => T): T[] {
  expectCapLength(r, len, len % size === 0, name);
  const out: T[] = [];
  for (let end = r.pos + len; r.pos < end; ) out.push(read());
  return out;
}
