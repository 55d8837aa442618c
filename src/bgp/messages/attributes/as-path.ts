// AS_PATH (type 2, RFC 4271 §5.1.2) with 2- or 4-octet ASNs per the session (RFC 6793).
import { AttrFlag, AttrType, UpdateSubcode } from '../../iana.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';
import { type AsPathAttr, type AsPathSegment, type AttributeCodec, MalformedAttribute } from './types.js';

/**
 * Decode AS path segments. RFC 7606 §7.2: an unknown segment type, a zero-length segment or a
 * segment overrunning the attribute makes the path malformed.
 */
export function decodeSegments(r: Reader, len: number, asnSize: 2 | 4, name: string): AsPathSegment[] {
  const b = r.bytes;
  const end = r.pos + len;
  let pos = r.pos;
  const segments: AsPathSegment[] = [];
  while (pos < end) {
    if (end - pos < 2) throw new MalformedAttribute(UpdateSubcode.MALFORMED_AS_PATH, `${name}: truncated segment header`);
    const segmentType = b[pos]!;
    const count = b[pos + 1]!;
    if (segmentType < 1 || segmentType > 4) {
      throw new MalformedAttribute(UpdateSubcode.MALFORMED_AS_PATH, `${name}: unknown segment type ${segmentType}`);
    }
    if (count === 0) throw new MalformedAttribute(UpdateSubcode.MALFORMED_AS_PATH, `${name}: zero-length segment`);
    pos += 2;
    if (pos + count * asnSize > end) {
      throw new MalformedAttribute(UpdateSubcode.MALFORMED_AS_PATH, `${name}: segment of ${count} ASNs overruns the attribute`);
    }
    const asns = new Array<number>(count);
    if (asnSize === 4) {
      for (let i = 0; i < count; i++, pos += 4) asns[i] = r.view.getUint32(pos);
    } else {
      for (let i = 0; i < count; i++, pos += 2) asns[i] = (b[pos]! << 8) | b[pos + 1]!;
    }
    segments.push({ segmentType, asns });
  }
  r.pos = pos;
  return segments;
}

export function segmentsLength(segments: readonly AsPathSegment[], asnSize: 2 | 4): number {
  let n = 0;
  for (const s of segments) n += 2 + s.asns.length * asnSize;
  return n;
}

export function encodeSegments(w: Writer, segments: readonly AsPathSegment[], asnSize: 2 | 4): void {
  for (const s of segments) {
    w.u8(s.segmentType);
    w.u8(s.asns.length);
    for (const asn of s.asns) {
      if (asnSize === 4) w.u32(asn);
      else w.u16(asn);
    }
  }
}

export const asPath: AttributeCodec<AsPathAttr> = {
  code: AttrType.AS_PATH,
  type: 'AS_PATH',
  flags: AttrFlag.TRANSITIVE,
  onError: 'treat-as-withdraw',
  decode(r, len, flags, ctx) {
    return { type: 'AS_PATH', flags, segments: decodeSegments(r, len, ctx.fourOctetAs ? 4 : 2, 'AS_PATH') };
  },
  length: (a, ctx) => segmentsLength(a.segments, ctx.fourOctetAs ? 4 : 2),
  encode(w, a, ctx) {
    encodeSegments(w, a.segments, ctx.fourOctetAs ? 4 : 2);
  },
};
