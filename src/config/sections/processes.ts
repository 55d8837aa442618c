// The `processes` section: ExaBGP-style programs (name, run as argv or one string split like a shell's words, encoder).
import { isScalar, isSeq } from 'yaml';
import { TsbgpError, TsbgpErrorCode } from '../../errors.js';
import type { ProcessConfig } from '../types.js';
import { closest, describe, given, readMap, readSeq, required, string, type Checker, type Entry } from '../yaml-checker.js';

const PROCESS_KEYS = ['name', 'run', 'encoder'] as const;
const ENCODERS = ['text', 'json'] as const;

/**
 * Split a command line into words as a POSIX shell would (quotes, backslashes), without running one:
 * no variables, globs, pipes or redirections. Throws TsbgpError(CONFIG) on an unterminated quote.
 */
export function splitWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new TsbgpError(TsbgpErrorCode.CONFIG, `unterminated ' quote at character ${i + 1}`);
      word += line.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < line.length && line[j] !== '"'; j++) {
        // Inside double quotes a backslash escapes only these (POSIX 2.2.3).
        if (line[j] === '\\' && j + 1 < line.length && '"\\$`\n'.includes(line[j + 1]!)) j++;
        word += line[j];
      }
      if (j >= line.length) throw new TsbgpError(TsbgpErrorCode.CONFIG, `unterminated " quote at character ${i + 1}`);
      inWord = true;
      i = j;
    } else if (ch === '\\') {
      if (i + 1 < line.length) word += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

export function readProcesses(c: Checker, e: Entry): ProcessConfig[] {
  const items = readSeq(c, e, 'a list of programs, e.g. [{name: route-announce, run: [/usr/bin/socat, stdout, "pipe:/etc/exabgp/exabgp.cmd"]}]');
  if (!items) return [];
  const out: ProcessConfig[] = [];
  const names = new Map<string, number | undefined>();
  for (const item of items) {
    const m = readMap(c, item.node, item.path, PROCESS_KEYS, 'a mapping with name, run and encoder');
    if (!m) continue;
    const nameEntry = required(c, m, 'name', 'route-announce');
    const name = nameEntry ? string(c, nameEntry, 'route-announce') : undefined;
    if (nameEntry && name !== undefined) {
      const first = names.get(name);
      if (names.has(name)) c.bad(nameEntry, `duplicate process name "${name}" (first at line ${first ?? '?'})`);
      else names.set(name, c.line(nameEntry.value));
    }
    const runEntry = required(c, m, 'run', '[/usr/bin/socat, stdout, "pipe:/etc/exabgp/exabgp.cmd"]');
    const run = runEntry ? readRun(c, runEntry) : undefined;
    let encoder: ProcessConfig['encoder'] = 'text';
    const enc = given(m, 'encoder');
    if (enc) {
      const v = isScalar(enc.value) ? enc.value.value : undefined;
      const known = ENCODERS.find((x) => x === v);
      if (known) encoder = known;
      else {
        const guess = typeof v === 'string' ? closest(v, ENCODERS) : undefined;
        c.bad(enc, `${describe(enc.value)} is not an encoder; ${guess ? `did you mean ${guess}? ` : ''}expected text or json`);
      }
    }
    if (name !== undefined && run) out.push({ name, run, encoder });
  }
  return out;
}

/** argv as a list of words, or one string split as a shell splits words (never run through one). */
function readRun(c: Checker, e: Entry): string[] | undefined {
  let words: string[] | undefined;
  if (isSeq(e.value)) {
    const items = readSeq(c, e, 'a list of words');
    words = [];
    for (const [i, item] of (items ?? []).entries()) {
      const w = isScalar(item.node) ? item.node.value : undefined;
      if (typeof w === 'string' || (typeof w === 'number' && isScalar(item.node))) words.push(isScalar(item.node) && item.node.source !== undefined ? item.node.source : String(w));
      else c.add(item.path, item.node, `expected a word (text), got ${describe(item.node)}`);
      if (i === 0 && w === '') c.add(item.path, item.node, 'the program is empty');
    }
    if (words.length !== (items ?? []).length) return undefined;
  } else {
    const text = string(c, e, '/usr/bin/socat stdout pipe:/etc/exabgp/exabgp.cmd');
    if (text === undefined) return undefined;
    try {
      words = splitWords(text);
    } catch (err) {
      if (!(err instanceof TsbgpError)) throw err;
      c.bad(e, err.message);
      return undefined;
    }
  }
  if (!words.length || words[0] === '') {
    c.bad(e, 'no program to run; expected e.g. [/usr/bin/socat, stdout, "pipe:/etc/exabgp/exabgp.cmd"]');
    return undefined;
  }
  return words;
}
