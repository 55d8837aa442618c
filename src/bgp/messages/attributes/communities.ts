// COMMUNITIES (type 8, RFC 1997): 32-bit values; bad length -> treat-as-withdraw (RFC 7606 §7.8).
import { AttrFlag, AttrType } from '../../iana.js';
import { expectMultiple } from './common.js';
import type { AttributeCodec, CommunitiesAttr } from './types.js';

export const communities: AttributeCodec<CommunitiesAttr> = {
  code: AttrType.COMMUNITIES,
  type: 'COMMUNITIES',
  flags: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  onError: 'treat-as-withdraw',
  decode(r, len, flags) {
    expectMultiple(len, 4, 'COMMUNITIES');
    const list = new Array<number>(len / 4);
    for (let i = 0; i < list.length; i++) list[i] = r.u32();
    return { type: 'COMMUNITIES', flags, communities: list };
  },
  length: (a) => a.communities.length * 4,
  encode(w, a) {
    for (const c of a.communities) w.u32(c);
  },
};

/** "65000:100", or the RFC 1997 / RFC 8326 well-known names. */
export function formatCommunity(c: number): string {
  switch (c >>> 0) {
    case 0xffffff01:
      return 'no-export';
    case 0xffffff02:
      return 'no-advertise';
    case 0xffffff03:
      return 'no-export-subconfed';
    case 0xffff0000:
      return 'graceful-shutdown';
    default:
      return `${c >>> 16}:${c & 0xffff}`;
  }
}
