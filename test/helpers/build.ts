// Builders for hand-written wire bytes: each fills in only the length fields it is named after.
import { hex } from './hex.js';

function clean(text: string): string {
  const c = text.replace(/[\s|]/g, '');
  if (c.length % 2 !== 0 || /[^0-9a-fA-F]/.test(c)) throw new Error(`bad hex: ${text}`);
  return c.toLowerCase();
}

/** `n` as `octets` big-endian octets of hex; throws when it does not fit (a test-writing slip). */
export function uint(n: number, octets: 1 | 2 | 3 | 4): string {
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** (8 * octets)) throw new Error(`${n} does not fit in ${octets} octets`);
  return n.toString(16).padStart(octets * 2, '0');
}

/** A path attribute: flags, type, then a 1-octet length (2 octets when flags has 0x10), then the value. */
export function attr(flags: number, type: number, valueHex: string): string {
  const v = clean(valueHex);
  const len = v.length / 2;
  return uint(flags, 1) + uint(type, 1) + (flags & 0x10 ? uint(len, 2) : uint(len, 1)) + v;
}

/** An UPDATE body: Withdrawn Routes Length, withdrawn, Total Path Attribute Length, attributes, NLRI. */
export function updateBody(withdrawnHex: string, attrsHex: string, nlriHex = ''): string {
  const w = clean(withdrawnHex);
  const a = clean(attrsHex);
  return uint(w.length / 2, 2) + w + uint(a.length / 2, 2) + a + clean(nlriHex);
}

/** A capability TLV: code, 1-octet length, value. */
export function cap(code: number, valueHex = ''): string {
  const v = clean(valueHex);
  return uint(code, 1) + uint(v.length / 2, 1) + v;
}

/** A Capabilities optional parameter (type 2) holding the given capability TLVs. */
export function capParam(...caps: string[]): string {
  const v = clean(caps.join(''));
  return '02' + uint(v.length / 2, 1) + v;
}

/** The same parameter in RFC 9072 form: 2-octet parameter length. */
export function capParamExt(...caps: string[]): string {
  const v = clean(caps.join(''));
  return '02' + uint(v.length / 2, 2) + v;
}

export interface OpenFields {
  version?: number;
  myAs?: number;
  holdTime?: number;
  /** 8 hex digits */
  bgpId?: string;
}

/** An OPEN body with the given optional parameters (Optional Parameters Length computed). */
export function openBody(paramsHex: string, f: OpenFields = {}): string {
  const p = clean(paramsHex);
  return openFixed(f) + uint(p.length / 2, 1) + p;
}

/** An OPEN body with RFC 9072 extended optional parameters: 255, 255, 2-octet length. */
export function openBodyExt(paramsHex: string, f: OpenFields = {}): string {
  const p = clean(paramsHex);
  return openFixed(f) + 'ffff' + uint(p.length / 2, 2) + p;
}

/** Version, My AS, Hold Time and BGP Identifier: the fixed part of an OPEN before the parameters. */
export function openFixed(f: OpenFields = {}): string {
  return uint(f.version ?? 4, 1) + uint(f.myAs ?? 65001, 2) + uint(f.holdTime ?? 90, 2) + clean(f.bgpId ?? '0a000001');
}

/** Concatenate byte arrays (a stream of messages). */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Hex of a list of byte arrays, for comparing sequences of messages in one readable diff. */
export function hexList(list: readonly Uint8Array[]): string[] {
  return list.map((b) => hex(b));
}
