// BGP Role capability (code 9, RFC 9234): one octet (0 provider, 1 RS, 2 RS client, 3 customer, 4 peer).
import { CapabilityCode } from '../../iana.js';
import { type BgpRoleCap, type CapabilityCodec, expectCapLength } from './types.js';

export const bgpRole: CapabilityCodec<BgpRoleCap> = {
  code: CapabilityCode.BGP_ROLE,
  type: 'BGP_ROLE',
  decode(r, len) {
    expectCapLength(r, len, len === 1, 'BGP_ROLE');
    return { type: 'BGP_ROLE', role: r.u8() };
  },
  length: () => 1,
  encode(w, c) {
    w.u8(c.role);
  },
};
