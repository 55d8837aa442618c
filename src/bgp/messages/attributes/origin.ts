// ORIGIN (type 1, RFC 4271 §5.1.1); malformed -> treat-as-withdraw (RFC 7606 §7.1).
import { AttrFlag, AttrType, UpdateSubcode } from '../../iana.js';
import { expectLength } from './common.js';
import { type AttributeCodec, MalformedAttribute, type OriginAttr } from './types.js';

export const origin: AttributeCodec<OriginAttr> = {
  code: AttrType.ORIGIN,
  type: 'ORIGIN',
  flags: AttrFlag.TRANSITIVE,
  onError: 'treat-as-withdraw',
  decode(r, len, flags) {
    expectLength(len, 1, 'ORIGIN');
    const value = r.u8();
    if (value > 2) throw new MalformedAttribute(UpdateSubcode.INVALID_ORIGIN_ATTRIBUTE, `ORIGIN value ${value}`);
    return { type: 'ORIGIN', flags, origin: value };
  },
  length: () => 1,
  encode(w, a) {
    w.u8(a.origin);
  },
};
