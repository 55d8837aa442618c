// MP_UNREACH_NLRI (type 15, RFC 4760 §4); an empty one is the End-of-RIB of its family (RFC 4724 §2).
import { AttrFlag, AttrType, ErrorCode, UpdateSubcode, familyKey } from '../../iana.js';
import { decodePrefixes, nlriLength, writeNlri } from '../nlri.js';
import { isDecodedFamily, mpError } from './mp-reach.js';
import type { AttributeCodec, MpUnreachAttr } from './types.js';

export const mpUnreach: AttributeCodec<MpUnreachAttr> = {
  code: AttrType.MP_UNREACH_NLRI,
  type: 'MP_UNREACH_NLRI',
  flags: AttrFlag.OPTIONAL,
  onError: 'session-reset',
  decode(r, len, flags, ctx) {
    const end = r.pos + len;
    if (len < 3) throw mpError(`MP_UNREACH_NLRI length ${len} is too short`);
    const afi = r.u16();
    const safi = r.u8();
    if (!isDecodedFamily(afi, safi)) {
      return { type: 'MP_UNREACH_NLRI', flags, afi, safi, withdrawn: [], opaque: r.copy(end - r.pos) };
    }
    const withdrawn = decodePrefixes(
      r,
      end,
      afi,
      ctx.addPath.has(familyKey(afi, safi)),
      ErrorCode.UPDATE_MESSAGE,
      UpdateSubcode.OPTIONAL_ATTRIBUTE_ERROR,
    );
    return { type: 'MP_UNREACH_NLRI', flags, afi, safi, withdrawn };
  },
  length(a, ctx) {
    if (a.opaque) return 3 + a.opaque.length;
    return 3 + nlriLength(a.withdrawn, ctx.addPath.has(familyKey(a.afi, a.safi)));
  },
  encode(w, a, ctx) {
    w.u16(a.afi);
    w.u8(a.safi);
    if (a.opaque) w.raw(a.opaque);
    else writeNlri(w, a.withdrawn, ctx.addPath.has(familyKey(a.afi, a.safi)));
  },
};
