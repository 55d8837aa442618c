// A walker over a parsed YAML document that records every problem with its key path and line, and guesses misspelt words.
import { isAlias, isMap, isScalar, isSeq } from 'yaml';
import type { Document, LineCounter, Node } from 'yaml';
import { TsbgpError } from '../errors.js';
import type { ConfigProblem } from './types.js';

/** A key that is present, with its value node (null for `key:` with nothing after it). */
export interface Entry {
  path: string;
  key: Node;
  value: Node | null;
}

/** The known keys found in one mapping; `node` and `path` are the mapping's, for problems about what is missing. */
export class Fields<K extends string> extends Map<K, Entry> {
  constructor(
    readonly node: Node,
    readonly path: string,
  ) {
    super();
  }
}

export class Checker {
  readonly problems: ConfigProblem[] = [];
  /** Paths whose value is an alias to no anchor: reported once, so "missing" or "got nothing" would only repeat it. */
  private readonly dangling = new Set<string>();
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  line(node: Node | null | undefined): number | undefined {
    const start = node?.range?.[0];
    return start === undefined ? undefined : this.lines.linePos(start).line;
  }

  add(path: string, node: Node | null | undefined, message: string): void {
    if (this.dangling.has(path)) return;
    const line = this.line(node);
    this.problems.push(line === undefined ? { path, message } : { path, line, message });
  }

  /** Problem about an entry's value (its line is the value's, or the key's when there is none). */
  bad(e: Entry, message: string): void {
    this.add(e.path, e.value ?? e.key, message);
  }

  /** Follow an alias (`*name`) to the node it names; an alias that names nothing is reported at `path`. */
  deref(node: unknown, path: string, role: 'key' | 'value' = 'value'): Node | null {
    if (isAlias(node)) {
      const target = node.resolve(this.doc);
      // The parser accepts an alias to no anchor; left alone, the key would read as absent and its default win.
      if (target === undefined) {
        this.add(path, node, `the alias *${node.source} names no anchor; an anchor &${node.source} must come before it`);
        // A key's path is its mapping's, whose other problems are still worth hearing.
        if (role === 'value') this.dangling.add(path);
      }
      return target ?? null;
    }
    return isMap(node) || isSeq(node) || isScalar(node) ? node : null;
  }
}

export const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** A string for a message: a long one cut, so that a huge line in the file never floods the terminal. */
export function quote(text: string, max = 40): string {
  return text.length <= max ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, max))}… (${text.length} characters)`;
}

/** What a node is, for messages: `the string "abc"`, `70000`, `a list`... */
export function describe(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'nothing';
    if (typeof v === 'string') return `the string ${quote(v)}`;
    return String(v);
  }
  return 'something else';
}

export const isNull = (node: Node | null): boolean => node === null || (isScalar(node) && node.value === null);

/** The keys of a mapping; reports unknown (with the likely intended key) and duplicate keys. */
export function readMap<K extends string>(c: Checker, node: Node | null, path: string, known: readonly K[], what: string): Fields<K> | null {
  if (!isMap(node)) {
    c.add(path, node, `expected ${what}, got ${describe(node)}`);
    return null;
  }
  const out = new Fields<K>(node, path);
  for (const pair of node.items) {
    const keyNode = c.deref(pair.key, path, 'key');
    if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
      c.add(path, keyNode ?? node, `keys must be words such as ${known[0]}, got ${describe(keyNode)}`);
      continue;
    }
    const name = String(keyNode.value);
    const keyPath = join(path, name);
    if (!(known as readonly string[]).includes(name)) {
      const guess = closest(name, known);
      c.add(keyPath, keyNode, `unknown key ${quote(name)}; ${guess ? `did you mean "${guess}"?` : `expected one of ${known.join(', ')}`}`);
      continue;
    }
    const first = out.get(name as K);
    if (first) {
      c.add(keyPath, keyNode, `duplicate key (first at line ${c.line(first.key) ?? '?'})`);
      continue;
    }
    out.set(name as K, { path: keyPath, key: keyNode, value: c.deref(pair.value, keyPath) });
  }
  return out;
}

/** The items of a list, each with its path ("neighbors[1]"). */
export function readSeq(c: Checker, e: Entry, what: string): { path: string; node: Node | null }[] | null {
  if (!isSeq(e.value)) {
    c.bad(e, `expected ${what}, got ${describe(e.value)}`);
    return null;
  }
  return e.value.items.map((item, i) => {
    const path = `${e.path}[${i}]`;
    return { path, node: c.deref(item, path) };
  });
}

/** An entry whose value is given (absent keys and `key:` with nothing after it are not). */
export function given<K extends string>(m: Map<K, Entry> | null, key: K): Entry | undefined {
  const e = m?.get(key);
  return e && !isNull(e.value) ? e : undefined;
}

/** A key that must be there; when it is not, the problem names the line of the mapping it is missing from. */
export function required<K extends string>(c: Checker, m: Fields<K>, key: K, example: string): Entry | undefined {
  const e = given(m, key);
  if (!e) {
    const present = m.get(key);
    if (present) c.bad(present, `a value is required, e.g. ${key}: ${example}`);
    else c.add(join(m.path, key), m.node, `required key is missing, e.g. ${key}: ${example}`);
  }
  return e;
}

export function scalarValue(e: Entry): unknown {
  return isScalar(e.value) ? e.value.value : undefined;
}

export function integer(c: Checker, e: Entry, min: number, max: number, hint = ''): number | undefined {
  const v = scalarValue(e);
  if (typeof v !== 'number' || !Number.isInteger(v)) {
    c.bad(e, `expected an integer ${min}..${max}, got ${describe(e.value)}${hint}`);
    return undefined;
  }
  if (v < min || v > max) {
    c.bad(e, `${v} is out of range; expected ${min}..${max}`);
    return undefined;
  }
  return v;
}

export function string(c: Checker, e: Entry, example: string): string | undefined {
  const v = scalarValue(e);
  if (typeof v !== 'string' || v === '') {
    c.bad(e, `expected text, e.g. ${example}, got ${describe(e.value)}`);
    return undefined;
  }
  return v;
}

export function boolean(c: Checker, e: Entry): boolean | undefined {
  const v = scalarValue(e);
  if (typeof v !== 'boolean') {
    c.bad(e, `expected true or false, got ${describe(e.value)}`);
    return undefined;
  }
  return v;
}

/** Run a shared value parser; its TsbgpError becomes a problem at `e`. */
export function check<T>(c: Checker, e: Entry, f: () => T): T | undefined {
  try {
    return f();
  } catch (err) {
    if (!(err instanceof TsbgpError)) throw err;
    c.bad(e, err.message);
    return undefined;
  }
}

// --- suggestions ---------------------------------------------------------------------------------

/** The candidate a misspelt word most likely meant: same word in another case style, a prefix, or a near spelling. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  // A word far longer than any candidate is no misspelling of one, and the distance table would be its length squared.
  if (word.length > 64) return undefined;
  const w = word
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[_\s]+/g, '-');
  if (candidates.includes(w)) return w;
  const prefixed = w.length < 3 ? [] : candidates.filter((k) => k.startsWith(w) || w.startsWith(k));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Math.min(3, Math.max(1, Math.floor(w.length / 3))) + 1;
  for (const k of candidates) {
    const d = editDistance(w, k);
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance, with a swap of neighbours counted as one edit ("nieghbors"). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}
