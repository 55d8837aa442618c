// Bounds-checked reader over (bytes, pos, end): overruns throw a BgpError chosen by the caller.
import { BgpError } from '../errors.js';

export class Reader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos: number;
  end: number;
  /** NOTIFICATION to send when a read runs past `end`. */
  code: number;
  subcode: number;

  constructor(bytes: Uint8Array, pos: number, end: number, code: number, subcode: number) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = pos;
    this.end = end;
    this.code = code;
    this.subcode = subcode;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throw unless `n` more bytes are available. */
  need(n: number, what: string): void {
    if (this.pos + n > this.end) {
      throw new BgpError(this.code, this.subcode, undefined, `${what}: needs ${n} bytes, ${this.end - this.pos} left`);
    }
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.bytes[this.pos++]!;
  }

  u16(what = 'u16'): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u24(what = 'u24'): number {
    this.need(3, what);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 3;
    return (b[p]! << 16) | (b[p + 1]! << 8) | b[p + 2]!;
  }

  u32(what = 'u32'): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** A copy of the next `n` bytes (only for bytes we keep, e.g. opaque attributes). */
  copy(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const out = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
}
