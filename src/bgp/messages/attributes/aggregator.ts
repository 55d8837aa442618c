// AGGREGATOR (type 7, RFC 4271 §5.1.7): 6 octets, or 8 with 4-octet AS; wrong length -> discard (RFC 7606 §7.7).
import { AttrFlag, AttrType } from '../../iana.js';
import { writeIpv4 } from '../nlri.js';
import { expectLength, readIpv4 } from './common.js';
import type { AggregatorAttr, AttributeCodec } from './types.js';

export const aggregator: AttributeCodec<AggregatorAttr> = {
  code: AttrType.AGGREGATOR,
  type: 'AGGREGATOR',
  flags: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  onError: 'attribute-discard',
  decode(r, len, flags, ctx) {
    expectLength(len, ctx.fourOctetAs ? 8 : 6, 'AGGREGATOR');
    const asn = ctx.fourOctetAs ? r.u32() : r.u16();
    return { type: 'AGGREGATOR', flags, asn, address: readIpv4(r) };
  },
  length: (_a, ctx) => (ctx.fourOctetAs ? 8 : 6),
  encode(w, a, ctx) {
    if (ctx.fourOctetAs) w.u32(a.asn);
    else w.u16(a.asn);
    writeIpv4(w, a.address);
  },
};
