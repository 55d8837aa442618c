// BGPsec capability (code 7, RFC 8205 §2.1): version and direction in one octet, then the AFI.
import { CapabilityCode } from '../../iana.js';
import { type BgpsecCap, type CapabilityCodec, expectCapLength } from './types.js';

export const bgpsec: CapabilityCodec<BgpsecCap> = {
  code: CapabilityCode.BGPSEC,
  type: 'BGPSEC',
  decode(r, len) {
    expectCapLength(r, len, len === 3, 'BGPSEC');
    const data = r.copy(3);
    const b = data[0]!;
    // The low 3 bits are reserved: a value that sets them stays opaque, so it re-encodes byte for byte.
    if (b & 0x07) return { type: 'UNKNOWN', code: CapabilityCode.BGPSEC, data };
    return { type: 'BGPSEC', version: b >> 4, send: (b & 0x08) !== 0, afi: (data[1]! << 8) | data[2]! };
  },
  length: () => 3,
  encode(w, c) {
    w.u8((c.version << 4) | (c.send ? 0x08 : 0));
    w.u16(c.afi);
  },
};
