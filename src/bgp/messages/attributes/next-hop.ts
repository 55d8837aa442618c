// NEXT_HOP (type 3, RFC 4271 §5.1.3); wrong length -> treat-as-withdraw (RFC 7606 §7.3).
import { AttrFlag, AttrType } from '../../iana.js';
import { writeIpv4 } from '../nlri.js';
import { expectLength, readIpv4 } from './common.js';
import type { AttributeCodec, NextHopAttr } from './types.js';

export const nextHop: AttributeCodec<NextHopAttr> = {
  code: AttrType.NEXT_HOP,
  type: 'NEXT_HOP',
  flags: AttrFlag.TRANSITIVE,
  onError: 'treat-as-withdraw',
  decode(r, len, flags) {
    expectLength(len, 4, 'NEXT_HOP');
    return { type: 'NEXT_HOP', flags, nextHop: readIpv4(r) };
  },
  length: () => 4,
  encode(w, a) {
    writeIpv4(w, a.nextHop);
  },
};
