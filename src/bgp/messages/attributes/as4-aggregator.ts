// AS4_AGGREGATOR (type 18, RFC 6793 §3): 8 octets; malformed -> attribute discard (RFC 6793 §6).
import { AttrFlag, AttrType } from '../../iana.js';
import { writeIpv4 } from '../nlri.js';
import { expectLength, readIpv4 } from './common.js';
import type { As4AggregatorAttr, AttributeCodec } from './types.js';

export const as4Aggregator: AttributeCodec<As4AggregatorAttr> = {
  code: AttrType.AS4_AGGREGATOR,
  type: 'AS4_AGGREGATOR',
  flags: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  onError: 'attribute-discard',
  decode(r, len, flags) {
    expectLength(len, 8, 'AS4_AGGREGATOR');
    const asn = r.u32();
    return { type: 'AS4_AGGREGATOR', flags, asn, address: readIpv4(r) };
  },
  length: () => 8,
  encode(w, a) {
    w.u32(a.asn);
    writeIpv4(w, a.address);
  },
};
