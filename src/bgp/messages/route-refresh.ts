// ROUTE-REFRESH (RFC 2918 §3) with the RFC 7313 message subtype (0 normal, 1 BoRR, 2 EoRR).
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

export interface RouteRefreshMessage {
  type: 'ROUTE_REFRESH';
  afi: number;
  /** RFC 7313 §3; unknown subtypes are decoded, and RFC 7313 says to ignore such messages. */
  subtype: number;
  safi: number;
}

export function decodeRouteRefresh(r: Reader): RouteRefreshMessage {
  const afi = r.u16('AFI');
  const subtype = r.u8('subtype');
  return { type: 'ROUTE_REFRESH', afi, subtype, safi: r.u8('SAFI') };
}

export function encodeRouteRefresh(w: Writer, m: RouteRefreshMessage): void {
  w.u16(m.afi);
  w.u8(m.subtype);
  w.u8(m.safi);
}
