// ROUTE-REFRESH (RFC 2918 §3) with the RFC 7313 message subtype (0 normal, 1 BoRR, 2 EoRR) and RFC 5291 ORF entries.
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

/** One ORF type's entries (RFC 5291 §5): kept opaque, as received, so they re-encode byte for byte. */
export interface OrfGroup {
  orfType: number;
  entries: Uint8Array;
}

/** The ORF part of a subtype-0 ROUTE-REFRESH (RFC 5291 §5): When-to-refresh (1 IMMEDIATE, 2 DEFER), then groups. */
export interface RouteRefreshOrf {
  whenToRefresh: number;
  groups: OrfGroup[];
}

export interface RouteRefreshMessage {
  type: 'ROUTE_REFRESH';
  afi: number;
  /** RFC 7313 §3; unknown subtypes are decoded, and RFC 7313 says to ignore such messages. */
  subtype: number;
  safi: number;
  /** Present when the message carries ORF entries (only with the ORF capability negotiated). */
  orf?: RouteRefreshOrf;
}

/** Decode the body; octets after AFI/subtype/SAFI are ORF (the caller has checked ORF is allowed). */
export function decodeRouteRefresh(r: Reader): RouteRefreshMessage {
  const afi = r.u16('AFI');
  const subtype = r.u8('subtype');
  const m: RouteRefreshMessage = { type: 'ROUTE_REFRESH', afi, subtype, safi: r.u8('SAFI') };
  if (r.remaining === 0) return m;
  const whenToRefresh = r.u8('When-to-refresh');
  const groups: OrfGroup[] = [];
  while (r.remaining > 0) {
    const orfType = r.u8('ORF Type');
    const length = r.u16('Length of ORF entries');
    r.need(length, `ORF type ${orfType} entries`);
    groups.push({ orfType, entries: r.copy(length) });
  }
  m.orf = { whenToRefresh, groups };
  return m;
}

/** Length of the body: 4, plus When-to-refresh and each ORF group's 3-octet header and entries. */
export function routeRefreshBodyLength(m: RouteRefreshMessage): number {
  return m.orf ? m.orf.groups.reduce((n, g) => n + 3 + g.entries.length, 5) : 4;
}

export function encodeRouteRefresh(w: Writer, m: RouteRefreshMessage): void {
  w.u16(m.afi);
  w.u8(m.subtype);
  w.u8(m.safi);
  if (!m.orf) return;
  w.u8(m.orf.whenToRefresh);
  for (const g of m.orf.groups) {
    w.u8(g.orfType);
    w.u16(g.entries.length);
    w.raw(g.entries);
  }
}
