// Writer over a buffer sized up front (size first, allocate once); writing past its end throws RangeError.
export class Writer {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  pos: number;

  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
    this.pos = 0;
  }

  /**
   * A typed array silently drops a store past its end, so a length() that undercounts would send a
   * truncated message; this makes the mistake loud where it happens.
   */
  private room(n: number): void {
    if (this.pos + n > this.bytes.length) {
      throw new RangeError(`Writer: ${n} octets at ${this.pos} overrun a buffer of ${this.bytes.length}`);
    }
  }

  u8(v: number): void {
    this.room(1);
    this.bytes[this.pos++] = v;
  }

  u16(v: number): void {
    this.room(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
  }

  u24(v: number): void {
    this.room(3);
    this.bytes[this.pos] = (v >>> 16) & 0xff;
    this.bytes[this.pos + 1] = (v >>> 8) & 0xff;
    this.bytes[this.pos + 2] = v & 0xff;
    this.pos += 3;
  }

  u32(v: number): void {
    this.room(4);
    this.view.setUint32(this.pos, v >>> 0);
    this.pos += 4;
  }

  raw(b: Uint8Array): void {
    this.room(b.length);
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
