// Support for 4-octet AS number capability (code 65, RFC 6793 §3): the speaker's real AS.
import { CapabilityCode } from '../../iana.js';
import { type CapabilityCodec, type FourOctetAsCap, expectCapLength } from './types.js';

export const fourOctetAs: CapabilityCodec<FourOctetAsCap> = {
  code: CapabilityCode.FOUR_OCTET_AS,
  type: 'FOUR_OCTET_AS',
  decode(r, len) {
    expectCapLength(r, len, len === 4, 'FOUR_OCTET_AS');
    return { type: 'FOUR_OCTET_AS', asn: r.u32() };
  },
  length: () => 4,
  encode(w, c) {
    w.u32(c.asn);
  },
};
