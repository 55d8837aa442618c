// NEXT_HOP (type 3, RFC 4271 §5.1.3); wrong length -> treat-as-withdraw (RFC 7606 §7.3).
import { AttrFlag, AttrType } from '../../iana.js';
import { ipv4Attribute } from './common.js';
import type { NextHopAttr } from './types.js';

export const nextHop = ipv4Attribute<NextHopAttr>(AttrType.NEXT_HOP, 'NEXT_HOP', AttrFlag.TRANSITIVE, {
  make: (flags, nextHop) => ({ type: 'NEXT_HOP', flags, nextHop }),
  get: (a) => a.nextHop,
});
