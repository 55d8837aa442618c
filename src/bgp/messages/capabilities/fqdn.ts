// FQDN capability (code 73, draft-walton-bgp-hostname-capability): hostname and domain name.
import { CapabilityCode } from '../../iana.js';
import type { Reader } from '../reader.js';
import { type CapabilityCodec, type FqdnCap, type UnknownCap, expectCapLength } from './types.js';

// Strict and BOM-preserving, so that what decodes re-encodes to the same octets.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const encoder = new TextEncoder();

/** Names that are not valid UTF-8 keep the capability as opaque bytes, re-encoded as received. */
function decodeFqdn(r: Reader, len: number): FqdnCap | UnknownCap {
  const start = r.pos;
  try {
    return decodeNames(r, len);
  } catch (e) {
    if (!(e instanceof TypeError)) throw e;
    r.pos = start;
    return { type: 'UNKNOWN', code: CapabilityCode.FQDN, data: r.copy(len) };
  }
}

function decodeNames(r: Reader, len: number): FqdnCap {
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
}

export const fqdn: CapabilityCodec<FqdnCap> = {
  code: CapabilityCode.FQDN,
  type: 'FQDN',
  decode: decodeFqdn,
  length: (c) => 2 + encoder.encode(c.hostname).length + encoder.encode(c.domain).length,
  encode(w, c) {
    for (const s of [c.hostname, c.domain]) {
      const bytes = encoder.encode(s);
      w.u8(bytes.length);
      w.raw(bytes);
    }
  },
};
