// LOCAL_PREF (type 5, RFC 4271 §5.1.5); wrong length -> treat-as-withdraw (RFC 7606 §7.5).
import { AttrFlag, AttrType } from '../../iana.js';
import { expectLength } from './common.js';
import type { AttributeCodec, LocalPrefAttr } from './types.js';

export const localPref: AttributeCodec<LocalPrefAttr> = {
  code: AttrType.LOCAL_PREF,
  type: 'LOCAL_PREF',
  flags: AttrFlag.TRANSITIVE,
  onError: 'treat-as-withdraw',
  decode(r, len, flags) {
    expectLength(len, 4, 'LOCAL_PREF');
    return { type: 'LOCAL_PREF', flags, localPref: r.u32() };
  },
  length: () => 4,
  encode(w, a) {
    w.u32(a.localPref);
  },
};
