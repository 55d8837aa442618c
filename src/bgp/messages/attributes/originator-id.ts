// ORIGINATOR_ID (type 9, RFC 4456); wrong length -> treat-as-withdraw (RFC 7606 §7.9).
import { AttrFlag, AttrType } from '../../iana.js';
import { writeIpv4 } from '../nlri.js';
import { expectLength, readIpv4 } from './common.js';
import type { AttributeCodec, OriginatorIdAttr } from './types.js';

export const originatorId: AttributeCodec<OriginatorIdAttr> = {
  code: AttrType.ORIGINATOR_ID,
  type: 'ORIGINATOR_ID',
  flags: AttrFlag.OPTIONAL,
  onError: 'treat-as-withdraw',
  decode(r, len, flags) {
    expectLength(len, 4, 'ORIGINATOR_ID');
    return { type: 'ORIGINATOR_ID', flags, originatorId: readIpv4(r) };
  },
  length: () => 4,
  encode(w, a) {
    writeIpv4(w, a.originatorId);
  },
};
