// TCP byte stream -> whole BGP messages; copies only when a message spans chunks (as ws's receiver).
import { BgpError } from '../errors.js';
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH } from '../iana.js';
import { checkHeader } from './header.js';

export class Framer {
  /** 4096 until the OPEN exchange agrees on Extended Message (RFC 8654), then 65535. */
  maxLength = MAX_MESSAGE_LENGTH;
  private buf: Uint8Array = new Uint8Array(0);
  private start = 0;
  private end = 0;
  /** Whether `buf` is ours (so we may append into its spare room) rather than a caller's chunk. */
  private owned = false;
  /** Set once a header check failed: the stream cannot be resynchronized. */
  private failed: BgpError | undefined;

  /** Octets received but not yet returned as a message. */
  get buffered(): number {
    return this.end - this.start;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.start === this.end) {
      // Nothing pending: use the chunk in place.
      this.buf = chunk;
      this.start = 0;
      this.end = chunk.length;
      this.owned = false;
      return;
    }
    if (this.owned && this.end + chunk.length <= this.buf.length) {
      this.buf.set(chunk, this.end);
      this.end += chunk.length;
      return;
    }
    const pending = this.end - this.start;
    const next = new Uint8Array(Math.max(pending + chunk.length, 2 * pending));
    next.set(this.buf.subarray(this.start, this.end), 0);
    next.set(chunk, pending);
    this.buf = next;
    this.start = 0;
    this.end = pending + chunk.length;
    this.owned = true;
  }

  /**
   * The next whole message (header included) as a view into the received bytes, or undefined until
   * more data arrives. Throws BgpError (header errors) and keeps throwing it afterwards.
   */
  next(): Uint8Array | undefined {
    if (this.failed) throw this.failed;
    const avail = this.end - this.start;
    if (avail < HEADER_LENGTH) return undefined;
    let length: number;
    try {
      length = checkHeader(this.buf, this.start, this.maxLength).length;
    } catch (e) {
      if (e instanceof BgpError) this.failed = e;
      throw e;
    }
    if (avail < length) return undefined;
    const msg = this.buf.subarray(this.start, this.start + length);
    this.start += length;
    if (this.start === this.end) {
      this.buf = new Uint8Array(0);
      this.start = this.end = 0;
      this.owned = false;
    }
    return msg;
  }
}
