// LARGE_COMMUNITY (type 32, RFC 8092): (global, local1, local2) triples; bad length -> treat-as-withdraw.
import { AttrFlag, AttrType } from '../../iana.js';
import { expectMultiple } from './common.js';
import type { AttributeCodec, LargeCommunityAttr } from './types.js';

export const largeCommunity: AttributeCodec<LargeCommunityAttr> = {
  code: AttrType.LARGE_COMMUNITY,
  type: 'LARGE_COMMUNITY',
  flags: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  onError: 'treat-as-withdraw',
  decode(r, len, flags) {
    expectMultiple(len, 12, 'LARGE_COMMUNITY');
    const list: [number, number, number][] = [];
    for (let end = r.pos + len; r.pos < end; ) list.push([r.u32(), r.u32(), r.u32()]);
    return { type: 'LARGE_COMMUNITY', flags, communities: list };
  },
  length: (a) => a.communities.length * 12,
  encode(w, a) {
    for (const [g, l1, l2] of a.communities) {
      w.u32(g);
      w.u32(l1);
      w.u32(l2);
    }
  },
};
