// BGPsec_PATH (type 33, RFC 8205 §3): Secure_Path segments and one or two Signature_Blocks; malformed -> treat-as-withdraw (§5.2).
import { AttrFlag, AttrType, UpdateSubcode } from '../../iana.js';
import type { Reader } from '../reader.js';
import { type AttributeCodec, type BgpsecPathAttr, type BgpsecSignatureBlock, MalformedAttribute } from './types.js';

/** Octets of one Secure_Path segment: pCount, Flags, AS Number. */
const SEGMENT_OCTETS = 6;
/** Octets of a Subject Key Identifier. */
const SKI_OCTETS = 20;

function malformed(detail: string): MalformedAttribute {
  return new MalformedAttribute(UpdateSubcode.OPTIONAL_ATTRIBUTE_ERROR, `BGPSEC_PATH: ${detail}`);
}

const u16At = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;

/** One Signature_Block in [r.pos, end): its length field was checked to fit by the caller. */
function readBlock(r: Reader, blockEnd: number, segments: number): BgpsecSignatureBlock {
  const algorithmSuite = r.u8();
  const signatures: BgpsecSignatureBlock['signatures'] = [];
  while (r.pos < blockEnd) {
    if (blockEnd - r.pos < SKI_OCTETS + 2) throw malformed(`${blockEnd - r.pos} octets left in a Signature_Block`);
    const ski = r.copy(SKI_OCTETS);
    const signatureLength = r.u16();
    if (signatureLength === 0 || r.pos + signatureLength > blockEnd) throw malformed(`Signature Length ${signatureLength} does not fit its Signature_Block`);
    signatures.push({ ski, signature: r.copy(signatureLength) });
  }
  // RFC 8205 §3.2: one Signature Segment for each Secure_Path segment.
  if (signatures.length !== segments) throw malformed(`${signatures.length} Signature Segments for ${segments} Secure_Path segments`);
  return { algorithmSuite, signatures };
}

const blockLength = (b: BgpsecSignatureBlock): number => b.signatures.reduce((n, s) => n + SKI_OCTETS + 2 + s.signature.length, 3);

export const bgpsecPath = {
  code: AttrType.BGPSEC_PATH,
  type: 'BGPSEC_PATH',
  flags: AttrFlag.OPTIONAL,
  onError: 'treat-as-withdraw',
  decode(r: Reader, len: number, flags: number): BgpsecPathAttr {
    const b = r.bytes;
    const end = r.pos + len;
    if (len < 2) throw malformed(`length ${len}`);
    const pathLength = u16At(b, r.pos);
    if (pathLength < 2 + SEGMENT_OCTETS || (pathLength - 2) % SEGMENT_OCTETS !== 0 || r.pos + pathLength > end) {
      throw malformed(`Secure_Path Length ${pathLength} in an attribute of ${len} octets`);
    }
    r.pos += 2;
    const segments: BgpsecPathAttr['segments'] = [];
    for (const pathEnd = r.pos - 2 + pathLength; r.pos < pathEnd; ) segments.push({ pCount: r.u8(), flags: r.u8(), asn: r.u32() });
    const signatureBlocks: BgpsecSignatureBlock[] = [];
    while (r.pos < end) {
      if (signatureBlocks.length === 2) throw malformed('more than two Signature_Blocks');
      if (end - r.pos < 3) throw malformed(`${end - r.pos} trailing octets`);
      const length = u16At(b, r.pos);
      if (length < 3 || r.pos + length > end) throw malformed(`Signature_Block Length ${length}`);
      const blockEnd = r.pos + length;
      r.pos += 2;
      signatureBlocks.push(readBlock(r, blockEnd, segments.length));
    }
    if (signatureBlocks.length === 0) throw malformed('no Signature_Block');
    return { type: 'BGPSEC_PATH', flags, segments, signatureBlocks };
  },
  length: (a: BgpsecPathAttr): number => 2 + SEGMENT_OCTETS * a.segments.length + a.signatureBlocks.reduce((n, s) => n + blockLength(s), 0),
  encode(w, a) {
    w.u16(2 + SEGMENT_OCTETS * a.segments.length);
    for (const s of a.segments) {
      w.u8(s.pCount);
      w.u8(s.flags);
      w.u32(s.asn);
    }
    for (const block of a.signatureBlocks) {
      w.u16(blockLength(block));
      w.u8(block.algorithmSuite);
      for (const s of block.signatures) {
        w.raw(s.ski);
        w.u16(s.signature.length);
        w.raw(s.signature);
      }
    }
  },
} satisfies AttributeCodec<BgpsecPathAttr>;
