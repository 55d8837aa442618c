// The `show-routes` result as it is written: rows read from the speaker as the reply goes out, filtered and limited.
import { type ParsedPrefix, parsePrefix } from '../bgp/messages/nlri.js';
import { parseRoutePrefix } from '../routes/values.js';
import type { RoutesResult } from './protocol.js';
import type { RouteEntry } from './types.js';

/** The fields of a RoutesResult that come before its rows. */
export type RoutesHead = Omit<RoutesResult, 'routes' | 'truncated'>;

/**
 * A `show routes` result whose rows are pulled one at a time, so that the server can write a table
 * of a million rows in bounded chunks. JSON.stringify gives the same RoutesResult all at once.
 * Its rows can be read once.
 */
export class RoutesReply {
  /** The limit left matching rows out; known once the rows have been read. */
  truncated = false;
  private readonly rows: Iterator<RouteEntry>;
  /** One matching row read ahead: an error thrown by the first read surfaces in the handler. */
  private ahead: IteratorResult<RouteEntry>;
  private taken = 0;

  constructor(
    readonly head: RoutesHead,
    source: Iterable<RouteEntry>,
    private readonly keep: ((prefix: string) => boolean) | undefined,
    private readonly limit = Infinity,
  ) {
    this.rows = source[Symbol.iterator]();
    this.ahead = this.read();
  }

  private read(): IteratorResult<RouteEntry> {
    for (;;) {
      const r = this.rows.next();
      if (r.done || !this.keep || this.keep(r.value.prefix)) return r;
    }
  }

  /** The next row, or undefined at the end: no more rows, or the limit reached. */
  next(): RouteEntry | undefined {
    const r = this.ahead;
    if (r.done) return undefined;
    if (this.taken >= this.limit) {
      this.truncated = true;
      this.close();
      return undefined;
    }
    this.taken++;
    this.ahead = this.read();
    return r.value;
  }

  /** Stop reading (the client went away, or the limit was reached): the source may let go of its state. */
  close(): void {
    this.rows.return?.();
  }

  toJSON(): RoutesResult {
    const routes: RouteEntry[] = [];
    for (let r = this.next(); r; r = this.next()) routes.push(r);
    return { ...this.head, routes, ...(this.truncated ? { truncated: true as const } : {}) };
  }
}

/**
 * A test for "equals or lies inside `text`" on canonical prefix text. Throws TsbgpError(BAD_PREFIX)
 * when `text` is not a prefix; returns the canonical form with the test.
 */
export function insidePrefix(text: string): { prefix: string; test: (prefix: string) => boolean } {
  const { prefix } = parseRoutePrefix(text);
  const outer = parsePrefix(prefix)!;
  return { prefix, test: (p) => contains(outer, parsePrefix(p)) };
}

function contains(outer: ParsedPrefix, p: ParsedPrefix | null): boolean {
  if (!p || p.afi !== outer.afi || p.length < outer.length) return false;
  const whole = outer.length >> 3;
  for (let i = 0; i < whole; i++) if (p.bytes[i] !== outer.bytes[i]) return false;
  const bits = outer.length & 7;
  if (bits === 0) return true;
  const mask = (0xff << (8 - bits)) & 0xff;
  return ((p.bytes[whole] ?? 0) & mask) === ((outer.bytes[whole] ?? 0) & mask);
}
