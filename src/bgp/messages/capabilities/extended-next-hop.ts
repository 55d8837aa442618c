// Extended Next Hop Encoding capability (code 5, RFC 8950): (NLRI AFI, NLRI SAFI, next hop AFI) triples.
import { CapabilityCode } from '../../iana.js';
import { type CapabilityCodec, type ExtendedNextHopCap, readEntries } from './types.js';

export const extendedNextHop: CapabilityCodec<ExtendedNextHopCap> = {
  code: CapabilityCode.EXTENDED_NEXT_HOP,
  type: 'EXTENDED_NEXT_HOP',
  decode(r, len) {
    const entries = readEntries(r, len, 6, 'EXTENDED_NEXT_HOP', () => ({ afi: r.u16(), safi: r.u16(), nextHopAfi: r.u16() }));
    return { type: 'EXTENDED_NEXT_HOP', entries };
  },
  length: (c) => c.entries.length * 6,
  encode(w, c) {
    for (const e of c.entries) {
      w.u16(e.afi);
      w.u16(e.safi);
      w.u16(e.nextHopAfi);
    }
  },
};
