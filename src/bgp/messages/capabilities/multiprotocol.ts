// Multiprotocol Extensions capability (code 1, RFC 4760 §8): AFI, reserved, SAFI.
import { CapabilityCode } from '../../iana.js';
import { type CapabilityCodec, type MultiprotocolCap, expectCapLength } from './types.js';

export const multiprotocol: CapabilityCodec<MultiprotocolCap> = {
  code: CapabilityCode.MULTIPROTOCOL,
  type: 'MULTIPROTOCOL',
  decode(r, len) {
    expectCapLength(r, len, len === 4, 'MULTIPROTOCOL');
    const afi = r.u16();
    r.u8(); // reserved
    return { type: 'MULTIPROTOCOL', afi, safi: r.u8() };
  },
  length: () => 4,
  encode(w, c) {
    w.u16(c.afi);
    w.u8(0);
    w.u8(c.safi);
  },
};
