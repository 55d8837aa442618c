// AS4_PATH (type 17, RFC 6793 §3): always 4-octet ASNs; malformed -> attribute discard (RFC 6793 §6).
import { AttrFlag, AttrType } from '../../iana.js';
import { decodeSegments, encodeSegments, segmentsLength } from './as-path.js';
import type { As4PathAttr, AttributeCodec } from './types.js';

export const as4Path: AttributeCodec<As4PathAttr> = {
  code: AttrType.AS4_PATH,
  type: 'AS4_PATH',
  flags: AttrFlag.OPTIONAL | AttrFlag.TRANSITIVE,
  onError: 'attribute-discard',
  decode(r, len, flags) {
    return { type: 'AS4_PATH', flags, segments: decodeSegments(r, len, 4, 'AS4_PATH') };
  },
  length: (a) => segmentsLength(a.segments, 4),
  encode(w, a) {
    encodeSegments(w, a.segments, 4);
  },
};
