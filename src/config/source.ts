// The config file before its schema is checked: refusing what is not YAML text, and naming the key nearest a syntax error.
import { isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, YAMLError } from 'yaml';
import type { ConfigProblem } from './types.js';

/** A character YAML does not allow, or a byte that is not UTF-8, in a file that is text otherwise. */
export interface Stray {
  /** Offset of the character in the decoded text (what the YAML parser's positions count). */
  offset: number;
  kind: 'not-utf8' | 'control';
  /** The byte (not-utf8) or the code point (control). */
  code: number;
}

export type Source = { text: string; strays: Stray[]; strayBytes: number } | { notText: string };

// Beyond this share of bytes that cannot be YAML text, the file is not a config with a typo in it: it is something else.
const BINARY_SHARE = 1 / 8;

/**
 * The text of a config file, or why it is not text. YAML 1.2 §5.1 allows only printable characters (tab, LF and CR
 * among the C0 controls) in UTF-8, -16 or -32; we read UTF-8. A NUL, or a large share of other bytes, means binary.
 */
export function decodeSource(bytes: Uint8Array): Source {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { notText: 'not a YAML text file (UTF-16; save it as UTF-8)' };
  }
  const decoder = new TextDecoder('utf-8');
  const parts: string[] = [];
  const strays: Stray[] = [];
  let textLength = 0;
  let runStart = 0;
  let nonText = 0;
  let firstNonText = -1;
  let nul = false;
  const flush = (end: number) => {
    if (end > runStart) {
      const part = decoder.decode(bytes.subarray(runStart, end));
      parts.push(part);
      textLength += part.length;
    }
  };
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : sequenceLength(bytes, i);
    if (length === 0) {
      // One replacement character per bad byte, so that offsets after it stay countable.
      flush(i);
      strays.push({ offset: textLength, kind: 'not-utf8', code: b });
      parts.push('\uFFFD');
      textLength += 1;
      runStart = i + 1;
      if (firstNonText < 0) firstNonText = i;
      nonText += 1;
      i += 1;
      continue;
    }
    const cp = length === 1 ? b : codePoint(bytes, i, length);
    if (!printable(cp)) {
      if (cp === 0) nul = true;
      flush(i);
      strays.push({ offset: textLength, kind: 'control', code: cp });
      if (firstNonText < 0) firstNonText = i;
      nonText += length;
      runStart = i;
    }
    i += length;
  }
  if (nul || nonText > bytes.length * BINARY_SHARE) return { notText: `not a YAML text file (binary content at byte ${firstNonText})` };
  flush(bytes.length);
  return { text: parts.join(''), strays, strayBytes: nonText };
}

/** YAML 1.2 c-printable, less what a config file never needs (NEL, the C1 controls). */
function printable(cp: number): boolean {
  if (cp < 0x20) return cp === 0x09 || cp === 0x0a || cp === 0x0d;
  if (cp < 0x7f) return true;
  if (cp <= 0x9f) return cp === 0x85;
  return cp !== 0xfffe && cp !== 0xffff;
}

/** The length of the well-formed UTF-8 sequence at `i` (RFC 3629 §4), or 0 when there is none. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i]!;
  const cont = (at: number, lo = 0x80, hi = 0xbf) => {
    const x = bytes[i + at];
    return x !== undefined && x >= lo && x <= hi;
  };
  if (b >= 0xc2 && b <= 0xdf) return cont(1) ? 2 : 0;
  if (b >= 0xe0 && b <= 0xef) {
    const lo = b === 0xe0 ? 0xa0 : 0x80;
    const hi = b === 0xed ? 0x9f : 0xbf; // no surrogates
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (b >= 0xf0 && b <= 0xf4) {
    const lo = b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xf4 ? 0x8f : 0xbf; // nothing past U+10FFFF
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

function codePoint(bytes: Uint8Array, i: number, length: number): number {
  let cp = bytes[i]! & (0xff >> (length + 1));
  for (let k = 1; k < length; k++) cp = (cp << 6) | (bytes[i + k]! & 0x3f);
  return cp;
}

/** One problem for the first stray character, with a count of the rest, so that a file full of them is not echoed line by line. */
export function strayProblem(strays: readonly Stray[], strayBytes: number, doc: Document, lines: LineCounter): ConfigProblem | null {
  const s = strays[0];
  if (!s) return null;
  const { line, col } = lines.linePos(s.offset);
  const what =
    s.kind === 'not-utf8'
      ? `byte 0x${hex(s.code, 2)} at column ${col} is not UTF-8; save the file as UTF-8`
      : `a control character (U+${hex(s.code, 4)}) at column ${col}; YAML allows only printable characters`;
  const rest = strays.length > 1 ? ` (${strayBytes} bytes in the file are not text)` : '';
  return { path: keyPathBefore(keyStarts(doc, lines, doc.errors), s.offset), line, message: what + rest };
}

const hex = (n: number, width: number): string => n.toString(16).toUpperCase().padStart(width, '0');

/** The parser's errors, each at its line and column and under the key nearest before it. */
export function syntaxProblems(doc: Document, lines: LineCounter, textLength: number): ConfigProblem[] {
  const keys = keyStarts(doc, lines, doc.errors);
  return doc.errors.map((e) => {
    const atEnd = e.pos[0] >= textLength;
    // The end of the file is after its last newline, a line no editor shows; name the last line instead.
    const { line, col } = lines.linePos(atEnd ? Math.max(0, textLength - 1) : e.pos[0]);
    const where = atEnd ? 'at the end of the file' : `(column ${col})`;
    const path = DOCUMENT_LEVEL.has(e.code) ? '' : keyPathBefore(keys, e.pos[0]);
    return { path, line, message: `YAML syntax error ${where}: ${errorText(e)}` };
  });
}

/** Errors about the stream rather than any key in it. */
const DOCUMENT_LEVEL = new Set<string>(['MULTIPLE_DOCS']);

function errorText(e: YAMLError): string {
  // The library's advice is for programmers; an operator needs to know the file must be one document.
  if (e.code === 'MULTIPLE_DOCS') return 'a second document starts here; the configuration must be a single YAML document';
  return e.message;
}

interface KeyStart {
  start: number;
  path: string;
}

/**
 * Where each key of the document starts, with its path, in file order. After a syntax error the document holds what
 * the parser could make of the text; keys the parser complained about are left out, as their text or their place is
 * not what the operator wrote (`remote-as: 65003\n      hold-time: 90` reads as a key "65003 hold-time").
 */
function keyStarts(doc: Document, lines: LineCounter, errors: readonly YAMLError[]): KeyStart[] {
  const out: KeyStart[] = [];
  const lineOf = (pos: number) => lines.linePos(pos).line;
  // A key the error covers, or one after an error on its line (a tab before it re-roots it at the top level).
  const flagged = (from: number, to: number) =>
    errors.some((e) => (e.pos[0] < to && from < e.pos[1]) || (e.pos[0] <= from && lineOf(e.pos[0]) === lineOf(from)));
  const walk = (node: unknown, path: string): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = pair.key;
        if (!isScalar(key) || !key.range || key.value === null) continue;
        const keyPath = path ? `${path}.${String(key.value)}` : String(key.value);
        if (!flagged(key.range[0], key.range[1])) out.push({ start: key.range[0], path: keyPath });
        walk(pair.value, keyPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => walk(item, `${path}[${i}]`));
    }
  };
  walk(doc.contents, '');
  return out.sort((a, b) => a.start - b.start);
}

/** The path of the last key that starts before `pos`: where the operator was when the text went wrong. */
function keyPathBefore(keys: readonly KeyStart[], pos: number): string {
  let found = '';
  for (const k of keys) {
    if (k.start >= pos) break;
    found = k.path;
  }
  return found;
}
