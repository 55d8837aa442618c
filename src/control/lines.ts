// Line framing for JSON-lines streams: a byte stream split into whole lines, over-long lines reported.

/** Longest request line the daemon reads, newline excluded; a longer one gets an error reply. */
export const MAX_LINE_BYTES = 64 * 1024;

/** A whole line, or the news that a line ran past the limit (it is skipped up to its newline). */
export type LineItem = { kind: 'line'; line: string } | { kind: 'overflow'; bytes: number };

/**
 * Splits a byte stream into lines of at most `maxBytes` (newline and a trailing CR excluded). Bytes
 * are kept as chunks until a newline arrives, so a line split across reads costs one concat.
 */
export class LineSplitter {
  private chunks: Buffer[] = [];
  private pending = 0;
  /** Inside an over-long line: drop bytes up to the next newline. */
  private skipping = false;
  private skipped = 0;

  constructor(private readonly maxBytes: number = MAX_LINE_BYTES) {}

  push(chunk: Buffer): LineItem[] {
    const out: LineItem[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.skipping) {
        out.push({ kind: 'overflow', bytes: this.skipped + piece.length });
        this.skipping = false;
        this.skipped = 0;
        continue;
      }
      const size = this.pending + piece.length;
      const whole = this.pending ? Buffer.concat([...this.chunks, piece], size) : piece;
      this.chunks = [];
      this.pending = 0;
      const end = whole.length > 0 && whole[whole.length - 1] === 13 ? whole.length - 1 : whole.length;
      if (end > this.maxBytes) {
        out.push({ kind: 'overflow', bytes: end });
        continue;
      }
      const line = whole.toString('utf8', 0, end);
      if (line.trim() !== '') out.push({ kind: 'line', line });
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0) return out;
    if (this.skipping) {
      this.skipped += rest.length;
    } else if (this.pending + rest.length > this.maxBytes + 1) {
      // +1: a CR before the newline does not count against the limit.
      this.skipping = true;
      this.skipped = this.pending + rest.length;
      this.chunks = [];
      this.pending = 0;
    } else {
      // Copy: the caller's buffer may be reused.
      this.chunks.push(Buffer.from(rest));
      this.pending += rest.length;
    }
    return out;
  }

  /** The stream ended: a last line without its newline still counts (`printf '{...}' | nc -U`). */
  end(): LineItem[] {
    return this.pending > 0 || this.skipping ? this.push(NEWLINE) : [];
  }
}

const NEWLINE = Buffer.from('\n');
