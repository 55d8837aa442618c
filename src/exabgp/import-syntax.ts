// ExaBGP 4.x config syntax: words, quotes, comments and `;`/`{ }` into a tree of statements and blocks, with lines.
import { TsbgpError, TsbgpErrorCode } from '../errors.js';

/** One word of the file; `quoted` words are never syntax (`"{"` is text). */
export interface ExaWord {
  text: string;
  line: number;
  quoted: boolean;
}

/** `words ;` */
export interface ExaStatement {
  kind: 'statement';
  words: ExaWord[];
  line: number;
}

/** `head { children }` */
export interface ExaBlock {
  kind: 'block';
  head: ExaWord[];
  children: ExaNode[];
  line: number;
}

export type ExaNode = ExaStatement | ExaBlock;

/** A file that cannot be read as ExaBGP config, at FILE:LINE. */
export class ExaConfigError extends TsbgpError {
  readonly file: string;
  readonly line: number;
  readonly reason: string;
  constructor(file: string, line: number, reason: string) {
    super(TsbgpErrorCode.EXABGP_CONFIG, `${file}:${line}: ${reason}`);
    this.name = 'ExaConfigError';
    this.file = file;
    this.line = line;
    this.reason = reason;
  }
}

/** Separate words even unspaced, as ExaBGP's tokeniser does: `[a,b]` is `[ a , b ]`. */
const SYNTAX = new Set([';', '{', '}', '[', ']', ',']);

/** The file's words, in order. `#` starts a comment outside quotes; a line ending in `\` goes on on the next. */
export function words(text: string, file: string): ExaWord[] {
  const out: ExaWord[] = [];
  const lines = text.split(/\r?\n/);
  let word = '';
  let wordLine = 0;
  const flush = (line: number, quoted = false): void => {
    if (word !== '' || quoted) out.push({ text: word, line: wordLine || line, quoted });
    word = '';
    wordLine = 0;
  };
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = lines[i]!;
    const continued = /\\\s*$/.test(raw);
    const body = continued ? raw.replace(/\\\s*$/, '') : raw;
    let quote = '';
    for (const ch of body) {
      if (quote) {
        if (ch === quote) {
          quote = '';
          flush(lineNo, true);
        } else word += ch;
        continue;
      }
      if (ch === '#') break;
      if (ch === '"' || ch === "'") {
        flush(lineNo);
        quote = ch;
        wordLine = lineNo;
      } else if (ch === ' ' || ch === '\t') {
        flush(lineNo);
      } else if (SYNTAX.has(ch)) {
        flush(lineNo);
        out.push({ text: ch, line: lineNo, quoted: false });
      } else {
        if (word === '') wordLine = lineNo;
        word += ch;
      }
    }
    if (quote) throw new ExaConfigError(file, lineNo, `the quote ${quote} opened on this line is never closed`);
    if (!continued) flush(lineNo);
  }
  flush(lines.length);
  return out;
}

/** The file as a tree. Throws ExaConfigError at the line of an unbalanced brace or an unterminated statement. */
export function parseExaConfig(text: string, file: string): ExaNode[] {
  const root: ExaNode[] = [];
  const open: ExaBlock[] = [];
  let pending: ExaWord[] = [];
  const here = (): ExaNode[] => open[open.length - 1]?.children ?? root;
  for (const w of words(text, file)) {
    const syntax = w.quoted ? '' : w.text;
    if (syntax === ';') {
      if (pending.length > 0) here().push({ kind: 'statement', words: pending, line: pending[0]!.line });
      pending = [];
    } else if (syntax === '{') {
      if (pending.length === 0) throw new ExaConfigError(file, w.line, 'a "{" with no section name before it');
      const block: ExaBlock = { kind: 'block', head: pending, children: [], line: pending[0]!.line };
      here().push(block);
      open.push(block);
      pending = [];
    } else if (syntax === '}') {
      if (pending.length > 0) throw new ExaConfigError(file, pending[0]!.line, `"${pending.map((p) => p.text).join(' ')}" needs a ";" before the "}"`);
      if (!open.pop()) throw new ExaConfigError(file, w.line, 'a "}" that closes no section');
    } else pending.push(w);
  }
  if (pending.length > 0) throw new ExaConfigError(file, pending[0]!.line, `"${pending.map((p) => p.text).join(' ')}" is not ended by ";"`);
  const unclosed = open[open.length - 1];
  if (unclosed) throw new ExaConfigError(file, unclosed.line, `the section "${unclosed.head.map((h) => h.text).join(' ')} {" is never closed`);
  return root;
}

/** The words as written (for messages and the not-carried list). */
export function wordsText(ws: readonly ExaWord[]): string {
  return ws.map((w) => (w.quoted ? JSON.stringify(w.text) : w.text)).join(' ').replace(/\[ /g, '[').replace(/ \]/g, ']').replace(/ ,/g, ',');
}

/** How a node reads in the file: `statement;` or `head { ... }`. */
export function nodeText(n: ExaNode): string {
  return n.kind === 'statement' ? `${wordsText(n.words)};` : `${wordsText(n.head)} { ... }`;
}
