// LOCAL_PREF (type 5, RFC 4271 §5.1.5); wrong length -> treat-as-withdraw (RFC 7606 §7.5).
import { AttrFlag, AttrType } from '../../iana.js';
import { u32Attribute } from './common.js';
import type { LocalPrefAttr } from './types.js';

export const localPref = u32Attribute<LocalPrefAttr>(AttrType.LOCAL_PREF, 'LOCAL_PREF', AttrFlag.TRANSITIVE, {
  make: (flags, localPref) => ({ type: 'LOCAL_PREF', flags, localPref }),
  get: (a) => a.localPref,
});
