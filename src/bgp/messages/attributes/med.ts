// MULTI_EXIT_DISC (type 4, RFC 4271 §5.1.4); wrong length -> treat-as-withdraw (RFC 7606 §7.4).
import { AttrFlag, AttrType } from '../../iana.js';
import { u32Attribute } from './common.js';
import type { MedAttr } from './types.js';

export const med = u32Attribute<MedAttr>(AttrType.MULTI_EXIT_DISC, 'MULTI_EXIT_DISC', AttrFlag.OPTIONAL, {
  make: (flags, med) => ({ type: 'MULTI_EXIT_DISC', flags, med }),
  get: (a) => a.med,
});
