// ORIGINATOR_ID (type 9, RFC 4456); wrong length -> treat-as-withdraw (RFC 7606 §7.9).
import { AttrFlag, AttrType } from '../../iana.js';
import { ipv4Attribute } from './common.js';
import type { OriginatorIdAttr } from './types.js';

export const originatorId = ipv4Attribute<OriginatorIdAttr>(AttrType.ORIGINATOR_ID, 'ORIGINATOR_ID', AttrFlag.OPTIONAL, {
  make: (flags, originatorId) => ({ type: 'ORIGINATOR_ID', flags, originatorId }),
  get: (a) => a.originatorId,
});
