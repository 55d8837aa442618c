// FQDN capability (code 73, draft-walton-bgp-hostname-capability): hostname and domain name.
import { CapabilityCode } from '../../iana.js';
import { type CapabilityCodec, type FqdnCap, expectCapLength } from './types.js';

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

export const fqdn: CapabilityCodec<FqdnCap> = {
  code: CapabilityCode.FQDN,
  type: 'FQDN',
  decode(r, len) {
    const end = r.pos + len;
    expectCapLength(r, len, len >= 2, 'FQDN');
    const hostLen = r.u8();
    expectCapLength(r, len, r.pos + hostLen + 1 <= end, 'FQDN');
    const hostname = utf8.decode(r.bytes.subarray(r.pos, r.pos + hostLen));
    r.pos += hostLen;
    const domainLen = r.u8();
    expectCapLength(r, len, r.pos + domainLen === end, 'FQDN');
    const domain = utf8.decode(r.bytes.subarray(r.pos, r.pos + domainLen));
    r.pos += domainLen;
    return { type: 'FQDN', hostname, domain };
  },
  length: (c) => 2 + encoder.encode(c.hostname).length + encoder.encode(c.domain).length,
  encode(w, c) {
    for (const s of [c.hostname, c.domain]) {
      const bytes = encoder.encode(s);
      w.u8(bytes.length);
      w.raw(bytes);
    }
  },
};
