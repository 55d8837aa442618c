// Building blocks shared by the attribute modules: length checks and fixed-size value codecs.
import { UpdateSubcode } from '../../iana.js';
import { formatIpv4, writeIpv4 } from '../nlri.js';
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';
import { MalformedAttribute } from './types.js';

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
