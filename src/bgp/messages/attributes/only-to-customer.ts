// Only to Customer (OTC, type 35, RFC 9234 §5): the AS that set it; wrong length -> treat-as-withdraw.
import { AttrFlag, AttrType } from '../../iana.js';
import { u32Attribute } from './common.js';
import type { OnlyToCustomerAttr } from './types.js';

export const onlyToCustomer = u32Attribute<OnlyToCustomerAttr>(AttrType.ONLY_TO_CUSTOMER, 'ONLY_TO_CUSTOMER', AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE, {
  make: (flags, asn) => ({ type: 'ONLY_TO_CUSTOMER', flags, asn }),
  get: (a) => a.asn,
});
