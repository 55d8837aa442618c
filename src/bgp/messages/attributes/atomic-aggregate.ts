// ATOMIC_AGGREGATE (type 6, RFC 4271 §5.1.6); non-zero length -> attribute discard (RFC 7606 §7.6).
import { AttrFlag, AttrType } from '../../iana.js';
import { expectLength } from './common.js';
import type { AtomicAggregateAttr, AttributeCodec } from './types.js';

export const atomicAggregate: AttributeCodec<AtomicAggregateAttr> = {
  code: AttrType.ATOMIC_AGGREGATE,
  type: 'ATOMIC_AGGREGATE',
  flags: AttrFlag.TRANSITIVE,
  onError: 'attribute-discard',
  decode(_r, len, flags) {
    expectLength(len, 0, 'ATOMIC_AGGREGATE');
    return { type: 'ATOMIC_AGGREGATE', flags };
  },
  length: () => 0,
  encode() {},
};
