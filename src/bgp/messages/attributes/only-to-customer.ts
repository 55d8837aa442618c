// Only to Customer (OTC, type 35, RFC 9234 §5): the AS that set it; wrong length -> treat-as-withdraw.
import { AttrFlag, AttrType } from '../../iana.js';
import { expectLength } from './common.js';
import type { AttributeCodec, OnlyToCustomerAttr } from './types.js';

export const onlyToCustomer: AttributeCodec<OnlyToCustomerAttr> = {
  code: AttrType.ONLY_TO_CUSTOMER,
  type: 'ONLY_TO_CUSTOMER',
  flags: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  onError: 'treat-as-withdraw',
  decode(r, len, flags) {
    expectLength(len, 4, 'ONLY_TO_CUSTOMER');
    return { type: 'ONLY_TO_CUSTOMER', flags, asn: r.u32() };
  },
  length: () => 4,
  encode(w, a) {
    w.u32(a.asn);
  },
};
