// MULTI_EXIT_DISC (type 4, RFC 4271 §5.1.4); wrong length -> treat-as-withdraw (RFC 7606 §7.4).
import { AttrFlag, AttrType } from '../../iana.js';
import { expectLength } from './common.js';
import type { AttributeCodec, MedAttr } from './types.js';

export const med: AttributeCodec<MedAttr> = {
  code: AttrType.MULTI_EXIT_DISC,
  type: 'MULTI_EXIT_DISC',
  flags: AttrFlag.OPTIONAL,
  onError: 'treat-as-withdraw',
  decode(r, len, flags) {
    expectLength(len, 4, 'MULTI_EXIT_DISC');
    return { type: 'MULTI_EXIT_DISC', flags, med: r.u32() };
  },
  length: () => 4,
  encode(w, a) {
    w.u32(a.med);
  },
};
