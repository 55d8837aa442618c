// Writer over a buffer sized up front; a length field can be reserved and patched afterwards.
export class Writer {
  bytes: Uint8Array;
  view: DataView;
  pos: number;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
    this.pos = 0;
  }

  /** Make room for `n` more bytes; only used when a size was not known in advance. */
  private ensure(n: number): void {
    if (this.pos + n <= this.bytes.length) return;
    let size = this.bytes.length * 2 || 64;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.pos));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.bytes[this.pos++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  u24(v: number): void {
    this.ensure(3);
    this.bytes[this.pos] = (v >>> 16) & 0xff;
    this.bytes[this.pos + 1] = (v >>> 8) & 0xff;
    this.bytes[this.pos + 2] = v & 0xff;
    this.pos += 3;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.pos, v >>> 0);
    this.pos += 4;
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.bytes.set(b, this.pos);
    this.pos += b.length;
  }

  /** Reserve a 1- or 2-octet length field; returns its offset for patch(). */
  reserve(width: 1 | 2): number {
    const at = this.pos;
    if (width === 1) this.u8(0);
    else this.u16(0);
    return at;
  }

  /** Write the number of bytes written since the reserved field into it. */
  patch(at: number, width: 1 | 2): void {
    const len = this.pos - at - width;
    if (width === 1) this.bytes[at] = len;
    else this.view.setUint16(at, len);
  }

  /** The bytes written so far (a view, no copy). */
  result(): Uint8Array {
    return this.bytes.subarray(0, this.pos);
  }
}
