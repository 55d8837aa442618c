// Outbound Route Filtering capability (code 3, RFC 5291 §4): per family, ORF types with send/receive.
import { CapabilityCode } from '../../iana.js';
import { type CapabilityCodec, type OutboundRouteFilteringCap, expectCapLength } from './types.js';

export const outboundRouteFiltering: CapabilityCodec<OutboundRouteFilteringCap> = {
  code: CapabilityCode.OUTBOUND_ROUTE_FILTERING,
  type: 'OUTBOUND_ROUTE_FILTERING',
  decode(r, len) {
    const families: OutboundRouteFilteringCap['families'] = [];
    const end = r.pos + len;
    while (r.pos < end) {
      // AFI (2), Reserved (1), SAFI (1), Number of ORFs (1), then (ORF Type, Send/Receive) pairs.
      expectCapLength(r, len, end - r.pos >= 5, 'OUTBOUND_ROUTE_FILTERING');
      const afi = r.u16();
      r.u8();
      const safi = r.u8();
      const count = r.u8();
      expectCapLength(r, len, end - r.pos >= count * 2, 'OUTBOUND_ROUTE_FILTERING');
      const orfs: OutboundRouteFilteringCap['families'][number]['orfs'] = [];
      for (let i = 0; i < count; i++) orfs.push({ orfType: r.u8(), sendReceive: r.u8() });
      families.push({ afi, safi, orfs });
    }
    return { type: 'OUTBOUND_ROUTE_FILTERING', families };
  },
  length: (c) => c.families.reduce((n, f) => n + 5 + 2 * f.orfs.length, 0),
  encode(w, c) {
    for (const f of c.families) {
      w.u16(f.afi);
      w.u8(0);
      w.u8(f.safi);
      w.u8(f.orfs.length);
      for (const o of f.orfs) {
        w.u8(o.orfType);
        w.u8(o.sendReceive);
      }
    }
  },
};
