// Building blocks shared by the attribute modules: length checks and fixed-size value codecs.
import { UpdateSubcode } from '../../iana.js';
import { formatIpv4, writeIpv4 } from '../nlri.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';
import { type AttributeCodeOf, type AttributeCodec, type KnownAttribute, MalformedAttribute } from './types.js';

export function expectLength(len: number, want: number, name: string): void {
  if (len !== want) {
    throw new MalformedAttribute(UpdateSubcode.ATTRIBUTE_LENGTH_ERROR, `${name} length ${len}, expected ${want}`);
  }
}

/** RFC 7606 §7.8 and friends: a list attribute must be a non-zero multiple of its item size. */
export function expectMultiple(len: number, unit: number, name: string): void {
  if (len === 0 || len % unit !== 0) {
    throw new MalformedAttribute(
      UpdateSubcode.ATTRIBUTE_LENGTH_ERROR,
      `${name} length ${len} is not a non-zero multiple of ${unit}`,
    );
  }
}

export function readIpv4(r: Reader): string {
  r.need(4, 'IPv4 address');
  const s = formatIpv4(r.bytes, r.pos);
  r.pos += 4;
  return s;
}

export function readIpv4List(r: Reader, len: number): string[] {
  const out: string[] = [];
  for (let end = r.pos + len; r.pos < end; ) out.push(readIpv4(r));
  return out;
}

export function writeIpv4List(w: Writer, list: readonly string[]): void {
  for (const a of list) writeIpv4(w, a);
}

/** How a fixed-size attribute's value is built from, and read back out of, its object. */
export interface FixedShape<A, V> {
  make(flags: number, value: V): A;
  get(a: A): V;
}

/**
 * A codec for an attribute whose value is one 4-octet field (a number or an IPv4 address): MED,
 * LOCAL_PREF, OTC, NEXT_HOP, ORIGINATOR_ID. A wrong length is malformed. `shape` builds the object
 * with a literal in each module, which keeps V8's object shapes fixed on the decode path.
 */
function fixedAttribute<A extends KnownAttribute, V>(
  code: AttributeCodeOf<A['type']>,
  type: A['type'],
  flags: number,
  shape: FixedShape<A, V>,
  read: (r: Reader) => V,
  write: (w: Writer, v: V) => void,
): AttributeCodec<A> {
  return {
    code,
    type,
    flags,
    onError: 'treat-as-withdraw',
    decode(r, len, received) {
      expectLength(len, 4, type);
      return shape.make(received, read(r));
    },
    length: () => 4,
    encode(w, a) {
      write(w, shape.get(a));
    },
  };
}

export function u32Attribute<A extends KnownAttribute>(code: AttributeCodeOf<A['type']>, type: A['type'], flags: number, shape: FixedShape<A, number>): AttributeCodec<A> {
  return fixedAttribute(code, type, flags, shape, (r) => r.u32(), (w, v) => w.u32(v));
}

export function ipv4Attribute<A extends KnownAttribute>(code: AttributeCodeOf<A['type']>, type: A['type'], flags: number, shape: FixedShape<A, string>): AttributeCodec<A> {
  return fixedAttribute(code, type, flags, shape, readIpv4, writeIpv4);
}
