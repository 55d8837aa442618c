// MP_REACH_NLRI (type 14, RFC 4760 §3): IPv4/IPv6 unicast and multicast decoded, other families opaque.
import { BgpError } from '../../errors.js';
import { Afi, AttrFlag, AttrType, ErrorCode, UpdateSubcode, familyKey } from '../../iana.js';
import type { Negotiated } from '../negotiated.js';
import { afiOf, decodePrefixes, formatIpv4, formatIpv6, nlriLength, writeIpv4, writeIpv6, writeNlri } from '../nlri.js';
import type { AttributeCodec, MpReachAttr } from './types.js';

/** Families whose NLRI we decode; others travel as opaque bytes. */
export function isDecodedFamily(afi: number, safi: number): boolean {
  return (afi === Afi.IPV4 || afi === Afi.IPV6) && (safi === 1 || safi === 2);
}

/** RFC 7606 §7.11: an MP_REACH/MP_UNREACH whose NLRI cannot be parsed resets the session. */
export function mpError(detail: string): BgpError {
  return new BgpError(ErrorCode.UPDATE_MESSAGE, UpdateSubcode.OPTIONAL_ATTRIBUTE_ERROR, undefined, detail);
}

const nextHopSize = (a: string): number => (afiOf(a) === Afi.IPV6 ? 16 : 4);

export const mpReach: AttributeCodec<MpReachAttr> = {
  code: AttrType.MP_REACH_NLRI,
  type: 'MP_REACH_NLRI',
  flags: AttrFlag.OPTIONAL,
  onError: 'session-reset',
  decode(r, len, flags, ctx: Negotiated) {
    const end = r.pos + len;
    if (len < 5) throw mpError(`MP_REACH_NLRI length ${len} is too short`);
    const afi = r.u16();
    const safi = r.u8();
    if (!isDecodedFamily(afi, safi)) {
      return { type: 'MP_REACH_NLRI', flags, afi, safi, nextHops: [], nlri: [], opaque: r.copy(end - r.pos) };
    }
    const nhLen = r.u8();
    if (r.pos + nhLen + 1 > end) throw mpError(`MP_REACH_NLRI next hop length ${nhLen} overruns the attribute`);
    const b = r.bytes;
    let nextHops: string[];
    if (nhLen === 4) nextHops = [formatIpv4(b, r.pos)];
    else if (nhLen === 16) nextHops = [formatIpv6(b, r.pos)];
    else if (nhLen === 32) nextHops = [formatIpv6(b, r.pos), formatIpv6(b, r.pos + 16)];
    else throw mpError(`MP_REACH_NLRI next hop length ${nhLen} is not 4, 16 or 32`);
    r.pos += nhLen + 1; // next hop, then the reserved octet (RFC 4760: ignored on receipt)
    const nlri = decodePrefixes(
      r,
      end,
      afi,
      ctx.addPath.has(familyKey(afi, safi)),
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.OPTIONAL_ATTRIBUTE_ERROR,
    );
    return { type: 'MP_REACH_NLRI', flags, afi, safi, nextHops, nlri };
  },
  length(a, ctx) {
    if (a.opaque) return 3 + a.opaque.length;
    let nh = 0;
    for (const h of a.nextHops) nh += nextHopSize(h);
    return 5 + nh + nlriLength(a.nlri, ctx.addPath.has(familyKey(a.afi, a.safi)));
  },
  encode(w, a, ctx) {
    w.u16(a.afi);
    w.u8(a.safi);
    if (a.opaque) {
      w.raw(a.opaque);
      return;
    }
    const at = w.reserve(1);
    for (const h of a.nextHops) {
      if (nextHopSize(h) === 16) writeIpv6(w, h);
      else writeIpv4(w, h);
    }
    w.patch(at, 1);
    w.u8(0);
    writeNlri(w, a.nlri, ctx.addPath.has(familyKey(a.afi, a.safi)));
  },
};
