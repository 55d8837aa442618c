// Prefixes on the wire (RFC 4271 §4.3, RFC 4760 §5, RFC 7911 path identifiers) and address text forms.
import { BgpError } from '../errors.js';
import { Afi } from '../iana.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

/** One NLRI entry: a prefix in text form ("192.0.2.0/24", "2001:db8::/32"), with its ADD-PATH id. */
export interface Nlri {
  prefix: string;
  pathId?: number;
}

const OCTET: readonly string[] = Array.from({ length: 256 }, (_, i) => String(i));
const HEX16: readonly string[] = Array.from({ length: 65536 }, (_, i) => i.toString(16));

/** Dotted quad of 4 bytes at `pos` (missing bytes read as 0). */
export function formatIpv4(b: Uint8Array, pos: number): string {
  return OCTET[b[pos]!]! + '.' + OCTET[b[pos + 1]!]! + '.' + OCTET[b[pos + 2]!]! + '.' + OCTET[b[pos + 3]!]!;
}

/** RFC 5952 text of 16 bytes at `pos`: lower case, longest run of two or more zero groups as "::". */
export function formatIpv6(b: Uint8Array, pos: number): string {
  const g = new Array<number>(8);
  for (let i = 0; i < 8; i++) g[i] = (b[pos + 2 * i]! << 8) | b[pos + 2 * i + 1]!;
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestAt = i;
      bestLen = j - i;
    }
    i = j;
  }
  const part = (from: number, to: number): string => {
    let s = '';
    for (let i = from; i < to; i++) s += (i > from ? ':' : '') + HEX16[g[i]!]!;
    return s;
  };
  // RFC 5952 §5: IPv4-mapped addresses end in a dotted quad.
  if (bestAt === 0 && bestLen === 5 && g[5] === 0xffff) return '::ffff:' + formatIpv4(b, pos + 12);
  if (bestAt < 0) return part(0, 8);
  return part(0, bestAt) + '::' + part(bestAt + bestLen, 8);
}

/** Parse a dotted quad; returns the address as an unsigned 32-bit number, or -1 if it is not one. */
export function parseIpv4(s: string, from = 0, to = s.length): number {
  let value = 0;
  let octet = -1;
  let dots = 0;
  let digits = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 46 /* . */) {
      if (octet < 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = -1;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // no leading zeros: "01" is ambiguous (octal)
      octet = octet < 0 ? c - 48 : octet * 10 + (c - 48);
      if (octet > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  if (dots !== 3 || octet < 0) return -1;
  return value * 256 + octet;
}

/** Parse IPv6 text (RFC 4291 §2.2, including an embedded dotted quad) into 16 bytes, or null. */
export function parseIpv6(s: string, from = 0, to = s.length): Uint8Array | null {
  const text = s.slice(from, to);
  if (text.length < 2 || text.length > 45) return null;
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const parseGroups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    const pieces = part.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const p = pieces[i]!;
      if (i === pieces.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (v4 < 0) return null;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = parseGroups(halves[0]!);
  const tail = halves.length === 2 ? parseGroups(halves[1]!) : [];
  if (!head || !tail) return null;
  const groups: number[] = [];
  if (halves.length === 2) {
    const zeros = 8 - head.length - tail.length;
    if (zeros < 1) return null;
    groups.push(...head, ...new Array<number>(zeros).fill(0), ...tail);
  } else {
    if (head.length !== 8) return null;
    groups.push(...head);
  }
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    out[2 * i] = groups[i]! >>> 8;
    out[2 * i + 1] = groups[i]! & 0xff;
  }
  return out;
}

/** Address family of an address or prefix text, by its form; 0 when it is neither. */
export function afiOf(text: string): number {
  return text.includes(':') ? Afi.IPV6 : text.includes('.') ? Afi.IPV4 : 0;
}

/** A parsed prefix: family, length and the address bytes (4 or 16, host bits cleared). */
export interface ParsedPrefix {
  afi: number;
  length: number;
  bytes: Uint8Array;
}

/** Parse "a.b.c.d/n" or "x::/n"; null when malformed. Host bits are cleared. */
export function parsePrefix(text: string): ParsedPrefix | null {
  const slash = text.indexOf('/');
  if (slash < 0) return null;
  const lenText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(lenText)) return null;
  const length = Number(lenText);
  const afi = afiOf(text.slice(0, slash));
  let bytes: Uint8Array | null = null;
  if (afi === Afi.IPV4) {
    const v = parseIpv4(text, 0, slash);
    if (v < 0 || length > 32) return null;
    bytes = new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
  } else if (afi === Afi.IPV6) {
    bytes = parseIpv6(text, 0, slash);
    if (!bytes || length > 128) return null;
  } else {
    return null;
  }
  clearHostBits(bytes, length);
  return { afi, length, bytes };
}

function clearHostBits(bytes: Uint8Array, length: number): void {
  for (let i = 0; i < bytes.length; i++) {
    const keep = Math.max(0, Math.min(8, length - i * 8));
    bytes[i]! &= (0xff00 >> keep) & 0xff;
  }
}

/** Canonical text of a prefix ("10.0.0.0/8"); host bits cleared. */
export function formatPrefix(p: ParsedPrefix): string {
  return (p.afi === Afi.IPV4 ? formatIpv4(p.bytes, 0) : formatIpv6(p.bytes, 0)) + '/' + p.length;
}

const SCRATCH16 = new Uint8Array(16);
/** MASK4[n]: the IPv4 netmask of length n, as a signed 32-bit number. */
const MASK4: readonly number[] = Array.from({ length: 33 }, (_, n) => (n === 0 ? 0 : (0xffffffff << (32 - n)) | 0));

/**
 * Decode the prefixes in [r.pos, end) for one family. A prefix length beyond the family's maximum
 * or a prefix running past `end` throws BgpError(code, subcode): the caller decides which.
 */
export function decodePrefixes(
  r: Reader,
  end: number,
  afi: number,
  addPath: boolean,
  code: number,
  subcode: number,
  out: Nlri[] = [],
): Nlri[] {
  const b = r.bytes;
  const max = afi === Afi.IPV4 ? 32 : 128;
  let pos = r.pos;
  while (pos < end) {
    let pathId: number | undefined;
    if (addPath) {
      if (pos + 4 > end) throw new BgpError(code, subcode, undefined, 'path identifier runs past the end');
      pathId = r.view.getUint32(pos);
      pos += 4;
    }
    if (pos >= end) throw new BgpError(code, subcode, undefined, 'prefix length missing');
    const len = b[pos++]!;
    if (len > max) throw new BgpError(code, subcode, undefined, `prefix length ${len} exceeds ${max}`);
    const n = (len + 7) >> 3;
    if (pos + n > end) throw new BgpError(code, subcode, undefined, `prefix /${len} runs past the end`);
    let prefix: string;
    if (afi === Afi.IPV4) {
      // Host bits set past the prefix length are cleared, so one route has one key.
      const v = n === 0 ? 0 : ((b[pos]! << 24) | ((n > 1 ? b[pos + 1]! : 0) << 16) | ((n > 2 ? b[pos + 2]! : 0) << 8) | (n > 3 ? b[pos + 3]! : 0)) & MASK4[len]!;
      const a = v >>> 24;
      const c1 = (v >>> 16) & 0xff;
      const c2 = (v >>> 8) & 0xff;
      const c3 = v & 0xff;
      prefix = OCTET[a]! + '.' + OCTET[c1]! + '.' + OCTET[c2]! + '.' + OCTET[c3]! + '/' + OCTET[len]!;
    } else {
      SCRATCH16.fill(0);
      for (let i = 0; i < n; i++) SCRATCH16[i] = b[pos + i]!;
      if (len & 7) SCRATCH16[n - 1]! &= (0xff00 >> (len & 7)) & 0xff;
      prefix = formatIpv6(SCRATCH16, 0) + '/' + len;
    }
    pos += n;
    out.push(pathId === undefined ? { prefix } : { prefix, pathId });
  }
  r.pos = pos;
  return out;
}

/** Bytes one NLRI takes on the wire. */
export function prefixEncodedLength(nlri: Nlri, addPath: boolean): number {
  const text = nlri.prefix;
  let len = 0;
  for (let i = text.lastIndexOf('/') + 1; i < text.length; i++) len = len * 10 + (text.charCodeAt(i) - 48);
  return (addPath ? 4 : 0) + 1 + ((len + 7) >> 3);
}

/** Bytes a list of NLRI takes on the wire (the NLRI and Withdrawn Routes fields, MP_REACH/MP_UNREACH). */
export function nlriLength(list: readonly Nlri[], addPath: boolean): number {
  let n = 0;
  for (const p of list) n += prefixEncodedLength(p, addPath);
  return n;
}

export function writeNlri(w: Writer, list: readonly Nlri[], addPath: boolean): void {
  for (const p of list) writePrefix(w, p, addPath);
}

/** Write one NLRI. Throws TypeError on a malformed prefix text (a programming error upstream). */
export function writePrefix(w: Writer, nlri: Nlri, addPath: boolean): void {
  const text = nlri.prefix;
  if (addPath) w.u32(nlri.pathId ?? 0);
  const slash = text.lastIndexOf('/');
  let len = 0;
  for (let i = slash + 1; i < text.length; i++) len = len * 10 + (text.charCodeAt(i) - 48);
  const n = (len + 7) >> 3;
  if (text.indexOf(':') < 0) {
    const v = parseIpv4(text, 0, slash);
    if (slash < 0 || v < 0 || len > 32) throw new TypeError(`not an IPv4 prefix: ${text}`);
    w.u8(len);
    for (let i = 0; i < n; i++) w.u8((v >>> (24 - 8 * i)) & 0xff);
  } else {
    const bytes = parseIpv6(text, 0, slash);
    if (slash < 0 || !bytes || len > 128) throw new TypeError(`not an IPv6 prefix: ${text}`);
    w.u8(len);
    for (let i = 0; i < n; i++) w.u8(bytes[i]!);
  }
}

export function writeIpv4(w: Writer, address: string): void {
  const v = parseIpv4(address);
  if (v < 0) throw new TypeError(`not an IPv4 address: ${address}`);
  w.u32(v);
}

export function writeIpv6(w: Writer, address: string): void {
  const bytes = parseIpv6(address);
  if (!bytes) throw new TypeError(`not an IPv6 address: ${address}`);
  w.raw(bytes);
}
