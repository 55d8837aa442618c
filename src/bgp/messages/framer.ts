// TCP byte stream -> whole BGP messages; copies only a message that spans chunks, and only its octets (ws's receiver).
import { BgpError } from '../errors.js';
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH } from '../iana.js';
import { checkHeader, checkHeaderFields } from './header.js';

export class Framer {
  /** 4096 until the OPEN exchange agrees on Extended Message (RFC 8654), then 65535. */
  maxLength = MAX_MESSAGE_LENGTH;
  /** Chunks as pushed, never written to: a view handed out earlier stays valid. */
  private chunks: Uint8Array[] = [];
  /** Octets of chunks[0] already returned. */
  private head = 0;
  private pending = 0;
  /** Set once a header check failed: the stream cannot be resynchronized. */
  private failed: BgpError | undefined;

  /** Octets received but not yet returned as a message. */
  get buffered(): number {
    return this.pending;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.pending += chunk.length;
  }

  /**
   * The next whole message (header included), or undefined until more data arrives. A message that
   * lies inside one pushed chunk is a view of that chunk (it keeps the chunk alive: whoever keeps
   * bytes of it must copy them); one that spans chunks is a fresh copy of exactly its octets.
   * Throws BgpError (header errors) and keeps throwing it afterwards.
   */
  next(): Uint8Array | undefined {
    if (this.failed) throw this.failed;
    if (this.pending < HEADER_LENGTH) return undefined;
    const first = this.chunks[0]!;
    const inFirst = first.length - this.head;
    let length: number;
    try {
      length = inFirst >= HEADER_LENGTH
        ? checkHeader(first, this.head, this.maxLength).length
        : this.spanningHeader();
    } catch (e) {
      if (e instanceof BgpError) this.failed = e;
      throw e;
    }
    if (this.pending < length) return undefined;
    this.pending -= length;
    if (length <= inFirst) {
      const msg = first.subarray(this.head, this.head + length);
      this.head += length;
      if (this.head === first.length) this.dropFirst();
      return msg;
    }
    const msg = this.gather(new Uint8Array(length), length);
    this.consume(length);
    return msg;
  }

  /** Check a header that starts near the end of chunks[0] by reading it where it lies, uncopied. */
  private spanningHeader(): number {
    let marker = true;
    let length = 0;
    let type = 0;
    let c = 0;
    let p = this.head;
    for (let i = 0; i < HEADER_LENGTH; i++) {
      let chunk = this.chunks[c]!;
      while (p >= chunk.length) {
        chunk = this.chunks[++c]!;
        p = 0;
      }
      const b = chunk[p++]!;
      if (i < 16) marker &&= b === 0xff;
      else if (i < 18) length = (length << 8) | b;
      else type = b;
    }
    return checkHeaderFields(marker, length, type, this.maxLength).length;
  }

  /** Copy the first `n` pending octets into `into` without consuming them. */
  private gather(into: Uint8Array, n: number): Uint8Array {
    let at = 0;
    let from = this.head;
    for (let i = 0; at < n; i++) {
      const c = this.chunks[i]!;
      const take = Math.min(c.length - from, n - at);
      into.set(c.subarray(from, from + take), at);
      at += take;
      from = 0;
    }
    return into;
  }

  /** Drop `n` octets from the front (they were copied out by gather); one splice however many chunks go. */
  private consume(n: number): void {
    let done = 0;
    while (n > 0) {
      const left = this.chunks[done]!.length - this.head;
      if (n < left) {
        this.head += n;
        break;
      }
      n -= left;
      done++;
      this.head = 0;
    }
    this.chunks.splice(0, done);
  }

  private dropFirst(): void {
    this.chunks.shift();
    this.head = 0;
  }
}
