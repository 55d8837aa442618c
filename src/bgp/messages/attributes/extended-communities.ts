// EXTENDED_COMMUNITIES (type 16, RFC 4360): 8-octet values as hex; bad length -> treat-as-withdraw (RFC 7606 §7.14).
import { AttrFlag, AttrType } from '../../iana.js';
import { expectMultiple } from './common.js';
import type { AttributeCodec, ExtCommunitiesAttr } from './types.js';

const HEX2: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export const extendedCommunities: AttributeCodec<ExtCommunitiesAttr> = {
  code: AttrType.EXTENDED_COMMUNITIES,
  type: 'EXTENDED_COMMUNITIES',
  flags: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  onError: 'treat-as-withdraw',
  decode(r, len, flags) {
    expectMultiple(len, 8, 'EXTENDED_COMMUNITIES');
    const b = r.bytes;
    const list: string[] = [];
    for (let end = r.pos + len; r.pos < end; r.pos += 8) {
      let s = '';
      for (let i = 0; i < 8; i++) s += HEX2[b[r.pos + i]!]!;
      list.push(s);
    }
    return { type: 'EXTENDED_COMMUNITIES', flags, communities: list };
  },
  length: (a) => a.communities.length * 8,
  encode(w, a) {
    for (const hex of a.communities) {
      if (!/^[0-9a-fA-F]{16}$/.test(hex)) throw new TypeError(`extended community must be 16 hex digits: ${hex}`);
      for (let i = 0; i < 16; i += 2) w.u8(parseInt(hex.slice(i, i + 2), 16));
    }
  },
};

/** Readable form of the common kinds (route target, route origin); others as hex. */
export function formatExtCommunity(hex: string): string {
  const type = parseInt(hex.slice(0, 2), 16);
  const subtype = parseInt(hex.slice(2, 4), 16);
  const kind = subtype === 0x02 ? 'rt' : subtype === 0x03 ? 'soo' : undefined;
  if (kind === undefined) return hex;
  const v = hex.slice(4);
  switch (type & 0x3f) {
    case 0x00: // 2-octet AS specific
      return `${kind}:${parseInt(v.slice(0, 4), 16)}:${parseInt(v.slice(4), 16)}`;
    case 0x01: {
      // IPv4 address specific
      const ip = [0, 2, 4, 6].map((i) => parseInt(v.slice(i, i + 2), 16)).join('.');
      return `${kind}:${ip}:${parseInt(v.slice(8), 16)}`;
    }
    case 0x02: // 4-octet AS specific
      return `${kind}:${parseInt(v.slice(0, 8), 16)}:${parseInt(v.slice(8), 16)}`;
    default:
      return hex;
  }
}
