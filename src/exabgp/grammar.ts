// ExaBGP 4.2's text API, one line at a time: a pure parser into a typed ExaCommand, or an ExaParseError naming the bad token.
import { TsbgpError } from '../errors.js';
import { MED_MAX, formatCommunity, parseAddress, parseCommunity, parseLargeCommunity, parseNextHop, parseRoutePrefix } from '../routes/values.js';

/** One word of the line and where it starts (1-based column, as an editor counts). */
export interface Token {
  text: string;
  column: number;
}

/** A line that is not a command tsbgp can run: the token at fault, its column, and why. */
export class ExaParseError extends Error {
  constructor(
    /** The offending token ('' at the end of the line: something is missing). */
    readonly token: string,
    /** 1-based column of the token in the line (the line's length + 1 at its end). */
    readonly position: number,
    readonly reason: string,
  ) {
    super(`${reason} (${token === '' ? 'at the end of the line' : `"${token}" at column ${position}`})`);
    this.name = 'ExaParseError';
  }
}

export type ExaOrigin = 'igp' | 'egp' | 'incomplete';

/**
 * The attributes of an announce (or the ignored ones of a withdraw), checked for syntax and range:
 * prefixes and next hops canonical, communities as A:B / names, large communities A:B:C.
 * Whether tsbgp can honour each one is the dispatcher's call (dispatch.ts), not the grammar's.
 */
export interface ExaAttributes {
  /** An address, or `self` (ExaBGP: the local address of each session). */
  nextHop?: string;
  med?: number;
  localPref?: number;
  origin?: ExaOrigin;
  asPath?: number[];
  communities?: string[];
  largeCommunities?: string[];
  /** As written (`target:65000:1`, `origin:1.2.3.4:5`, `0x...`): tsbgp does not originate them yet. */
  extendedCommunities?: string[];
}

/** One `neighbor IP [local-ip X] [local-as N] [peer-as N] [router-id X] [family-allowed F]` of a selector. */
export interface NeighborMatch {
  address: string;
  localIp?: string;
  localAs?: number;
  peerAs?: number;
  routerId?: string;
  familyAllowed?: string;
}

export type ExaCommand =
  /** `announce route ...`, `announce attributes ... nlri ...`; `neighbors` absent: every neighbor. */
  | { kind: 'announce'; form: 'route' | 'attributes'; prefixes: string[]; attributes: ExaAttributes; neighbors?: NeighborMatch[] }
  | { kind: 'withdraw'; form: 'route' | 'attributes'; prefixes: string[]; attributes: ExaAttributes; neighbors?: NeighborMatch[] }
  | { kind: 'show-neighbor'; view: 'summary' | 'extensive' | 'configuration'; address?: string }
  | { kind: 'show-adj-rib'; direction: 'in' | 'out'; extensive: boolean; address?: string }
  | { kind: 'version' }
  | { kind: 'shutdown' }
  | { kind: 'help' }
  /** A `#` comment: answered `done`, as ExaBGP does. */
  | { kind: 'comment' }
  /** A blank line: nothing to do, nothing to answer. */
  | { kind: 'nothing' };

export type ExaParseResult = { ok: true; command: ExaCommand } | { ok: false; error: ExaParseError };

/** ExaBGP keywords of `announce route` that tsbgp, a unicast speaker for web servers, does not carry. */
const UNSUPPORTED_ATTRIBUTES: ReadonlyMap<string, string> = new Map([
  ['path-information', 'ADD-PATH path identifiers'],
  ['rd', 'route distinguishers (VPN routes)'],
  ['route-distinguisher', 'route distinguishers (VPN routes)'],
  ['label', 'MPLS labels'],
  ['bgp-prefix-sid', 'BGP prefix SIDs'],
  ['attribute', 'generic attributes'],
  ['atomic-aggregate', 'ATOMIC_AGGREGATE'],
  ['aggregator', 'AGGREGATOR'],
  ['originator-id', 'ORIGINATOR_ID (route reflection)'],
  ['cluster-list', 'CLUSTER_LIST (route reflection)'],
  ['aigp', 'AIGP'],
  ['name', 'named routes'],
  ['split', 'split routes'],
  ['watchdog', 'watchdogs'],
  ['withdraw', 'routes held back by a watchdog'],
]);

/** ExaBGP commands tsbgp knows of but does not run, with why: answered `error` + this reason. */
const UNSUPPORTED_COMMANDS: ReadonlyMap<string, string> = new Map([
  ['announce flow', 'tsbgp carries no FlowSpec'],
  ['withdraw flow', 'tsbgp carries no FlowSpec'],
  ['announce vpls', 'tsbgp carries no VPLS'],
  ['withdraw vpls', 'tsbgp carries no VPLS'],
  ['announce ipv4', 'use "announce route PREFIX next-hop ADDRESS"'],
  ['announce ipv6', 'use "announce route PREFIX next-hop ADDRESS"'],
  ['withdraw ipv4', 'use "withdraw route PREFIX"'],
  ['withdraw ipv6', 'use "withdraw route PREFIX"'],
  ['announce eor', 'tsbgp sends End-of-RIB itself once its routes are sent'],
  ['announce route-refresh', 'use bgpctl neighbor ADDRESS refresh'],
  ['announce operational', 'tsbgp has no operational messages'],
  ['announce watchdog', 'tsbgp has no watchdogs'],
  ['withdraw watchdog', 'tsbgp has no watchdogs'],
  ['flush adj-rib', 'use bgpctl neighbor ADDRESS refresh'],
  ['clear adj-rib', 'tsbgp keeps no separate Adj-RIB-Out to clear'],
  ['teardown', 'use bgpctl neighbor ADDRESS down'],
  ['reload', 'use bgpctl reload (or SIGHUP)'],
  ['restart', 'restart tsbgpd with its supervisor; its routes are kept'],
  ['enable-ack', 'tsbgp always answers'],
  ['disable-ack', 'tsbgp always answers'],
  ['silence-ack', 'tsbgp always answers'],
]);

const SELECTOR_KEYS = ['local-ip', 'local-as', 'peer-as', 'router-id', 'family-allowed'] as const;

/** Split a line into words; `[ ] ( ) ,` are words of their own, wherever they stand. */
export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  const re = /[[\](),]|[^\s[\](),]+/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push({ text: m[0], column: m.index + 1 });
  return out;
}

/** Reads the tokens of one line in order; every complaint names the token and its column. */
class Reader {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly lineLength: number,
  ) {}

  get done(): boolean {
    return this.i >= this.tokens.length;
  }

  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }

  next(what: string): Token {
    const t = this.tokens[this.i];
    if (!t) throw this.fail(undefined, `expected ${what}`);
    this.i++;
    return t;
  }

  /** The next token if it is `word` (case-insensitive), consumed. */
  accept(word: string): boolean {
    if (this.peek()?.text.toLowerCase() !== word) return false;
    this.i++;
    return true;
  }

  expect(word: string): Token {
    const t = this.next(`"${word}"`);
    if (t.text.toLowerCase() !== word) throw this.fail(t, `expected "${word}"`);
    return t;
  }

  fail(t: Token | undefined, reason: string): ExaParseError {
    return t ? new ExaParseError(t.text, t.column, reason) : new ExaParseError('', this.lineLength + 1, reason);
  }

  /** One value, or `[ v v ... ]` (commas between values allowed); never empty. */
  list(what: string): Token[] {
    if (!this.accept('[')) return [this.next(what)];
    const open = this.tokens[this.i - 1]!;
    const values: Token[] = [];
    for (;;) {
      const t = this.next(`${what} or "]"`);
      if (t.text === ']') break;
      if (t.text === ',') continue;
      if (t.text === '[' || t.text === '(' || t.text === ')') throw this.fail(t, `unexpected "${t.text}" in a list of ${what}`);
      values.push(t);
    }
    if (!values.length) throw this.fail(open, `empty list: expected at least one ${what}`);
    return values;
  }
}

/** Rethrow a validator's TsbgpError as a parse error on the token it was about. */
function checked<T>(r: Reader, t: Token, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof TsbgpError) throw r.fail(t, e.message);
    throw e;
  }
}

function integer(r: Reader, t: Token, max: number, what: string): number {
  if (!/^\d{1,10}$/.test(t.text) || Number(t.text) > max) throw r.fail(t, `${what} must be an integer 0..${max}`);
  return Number(t.text);
}

/** ExaBGP's prefix: address/length, or a bare address for a host route (/32, /128). */
function prefix(r: Reader, t: Token): { prefix: string; afi: number } {
  const text = t.text.includes('/') ? t.text : parseAddress(t.text) ? `${t.text}/${t.text.includes(':') ? 128 : 32}` : t.text;
  return checked(r, t, () => parseRoutePrefix(text));
}

/** A 32-bit community: A:B, a well-known name, or ExaBGP's single number (decimal or 0x hex). */
function community(r: Reader, t: Token): string {
  const text = t.text.toLowerCase();
  if (/^(\d{1,10}|0x[0-9a-f]{1,8})$/.test(text) && !text.includes(':')) {
    const n = Number(text);
    if (n > 0xffffffff) throw r.fail(t, 'a community number must fit in 32 bits');
    return formatCommunity(n);
  }
  return formatCommunity(checked(r, t, () => parseCommunity(text)));
}

function largeCommunity(r: Reader, t: Token): string {
  return checked(r, t, () => parseLargeCommunity(t.text)).join(':');
}

/** ExaBGP's extended communities: `kind:a:b` (target, origin, redirect, ...) or one 0x hex value of 8 octets. */
const EXTENDED = /^((target|target4|origin|origin4|redirect|l2info|bandwidth|redirect-to-nexthop|mark|rate-limit|action):\S+|0x[0-9a-fA-F]{16})$/;

function extendedCommunity(r: Reader, t: Token): string {
  if (!EXTENDED.test(t.text)) throw r.fail(t, 'not an extended community; expected e.g. target:65000:1, origin:10.0.0.1:7 or 0x0002fde800000001');
  return t.text;
}

/** `as-path [ A B ... ]`, or one AS; ExaBGP's AS_SET in `( )` is refused (tsbgp originates an AS_SEQUENCE). */
function asPath(r: Reader): number[] {
  const first = r.next('an AS number or "["');
  if (first.text === '(') throw r.fail(first, 'AS_SET is not supported: tsbgp originates an AS_SEQUENCE');
  if (first.text !== '[') return [integer(r, first, 0xffffffff, 'an AS number')];
  const asns: number[] = [];
  for (;;) {
    const t = r.next('an AS number or "]"');
    if (t.text === ']') return asns;
    if (t.text === ',') continue;
    if (t.text === '(' || t.text === ')') throw r.fail(t, 'AS_SET is not supported: tsbgp originates an AS_SEQUENCE');
    asns.push(integer(r, t, 0xffffffff, 'an AS number'));
  }
}

/** The attributes after the prefix (route form) or before `nlri` (attributes form). Stops at `nlri`. */
function attributes(r: Reader, announcing: boolean, afi: number | undefined, forPrefix: string | undefined): ExaAttributes {
  const a: ExaAttributes = {};
  const seen = new Set<string>();
  while (!r.done) {
    const key = r.peek()!;
    const word = key.text.toLowerCase();
    if (word === 'nlri') break;
    r.next('an attribute');
    if (seen.has(word)) throw r.fail(key, `${word} given twice`);
    seen.add(word);
    switch (word) {
      case 'next-hop': {
        const t = r.next('a next-hop address or "self"');
        if (t.text.toLowerCase() === 'self') a.nextHop = 'self';
        else if (announcing) a.nextHop = checked(r, t, () => parseNextHop(t.text, afi, forPrefix));
        else {
          // A withdrawal's next hop is ignored (ExaBGP's too): its syntax only is checked.
          const ip = parseAddress(t.text);
          if (!ip) throw r.fail(t, `next hop "${t.text}" is not an IPv4 or IPv6 address`);
          a.nextHop = ip.text;
        }
        break;
      }
      case 'med':
        a.med = integer(r, r.next('a MED'), MED_MAX, 'med');
        break;
      case 'local-preference':
        a.localPref = integer(r, r.next('a local preference'), 0xffffffff, 'local-preference');
        break;
      case 'origin': {
        const t = r.next('igp, egp or incomplete');
        const o = t.text.toLowerCase();
        if (o !== 'igp' && o !== 'egp' && o !== 'incomplete') throw r.fail(t, 'origin must be igp, egp or incomplete');
        a.origin = o;
        break;
      }
      case 'as-path':
        a.asPath = asPath(r);
        break;
      case 'community':
        a.communities = r.list('a community').map((t) => community(r, t));
        break;
      case 'large-community':
        a.largeCommunities = r.list('a large community').map((t) => largeCommunity(r, t));
        break;
      case 'extended-community':
        a.extendedCommunities = r.list('an extended community').map((t) => extendedCommunity(r, t));
        break;
      default: {
        const why = UNSUPPORTED_ATTRIBUTES.get(word);
        if (why) throw r.fail(key, `${word} is not supported: tsbgp announces unicast routes without ${why}`);
        throw r.fail(key, `unknown attribute "${key.text}"; expected next-hop, med, local-preference, origin, as-path, community, large-community or extended-community`);
      }
    }
  }
  return a;
}

/** `neighbor IP [key value ...] [, neighbor IP ...]` at the start of a line; none: undefined. */
function selector(r: Reader): NeighborMatch[] | undefined {
  if (r.peek()?.text.toLowerCase() !== 'neighbor' || r.peek(1) === undefined) return undefined;
  // `show neighbor ...` never gets here: it starts with `show`.
  const out: NeighborMatch[] = [];
  while (r.accept('neighbor')) {
    const t = r.next('a neighbor address');
    const a = parseAddress(t.text);
    if (!a) throw r.fail(t, 'not an IPv4 or IPv6 address');
    const m: NeighborMatch = { address: a.text };
    for (;;) {
      const k = r.peek()?.text.toLowerCase();
      const key = SELECTOR_KEYS.find((s) => s === k);
      if (!key) break;
      r.next(key);
      const v = r.next(`a value for ${key}`);
      switch (key) {
        case 'local-ip':
        case 'router-id': {
          const ip = parseAddress(v.text);
          if (!ip) throw r.fail(v, `${key} must be an address`);
          if (key === 'local-ip') m.localIp = ip.text;
          else m.routerId = ip.text;
          break;
        }
        case 'local-as':
          m.localAs = integer(r, v, 0xffffffff, key);
          break;
        case 'peer-as':
          m.peerAs = integer(r, v, 0xffffffff, key);
          break;
        case 'family-allowed':
          m.familyAllowed = v.text.toLowerCase();
          break;
      }
    }
    out.push(m);
    if (!r.accept(',')) break;
  }
  const t = r.peek();
  if (t?.text.toLowerCase() === 'neighbor') throw r.fail(t, 'neighbors of a selector are separated by ","');
  return out;
}

/** `route P attrs` or `attributes attrs nlri P P ...`. */
function routes(r: Reader, kind: 'announce' | 'withdraw', neighbors: NeighborMatch[] | undefined): ExaCommand {
  const form = r.next('"route" or "attributes"');
  const word = form.text.toLowerCase();
  const withSelector = neighbors ? { neighbors } : {};
  if (word === 'route' || word === 'attributes') {
    if (word === 'route') {
      const t = r.next('a prefix');
      const p = prefix(r, t);
      const attrs = attributes(r, kind === 'announce', p.afi, p.prefix);
      if (!r.done) throw r.fail(r.peek(), `"nlri" goes with "${kind} attributes", not "${kind} route"`);
      if (kind === 'announce' && attrs.nextHop === undefined) throw r.fail(undefined, 'expected next-hop ADDRESS: an announced route needs a next hop');
      return { kind, form: 'route', prefixes: [p.prefix], attributes: attrs, ...withSelector };
    }
    const attrs = attributes(r, kind === 'announce', undefined, undefined);
    r.expect('nlri');
    const prefixes: string[] = [];
    const afis = new Set<number>();
    while (!r.done) {
      const t = r.next('a prefix');
      const p = prefix(r, t);
      if (prefixes.includes(p.prefix)) throw r.fail(t, `${p.prefix} is listed twice`);
      afis.add(p.afi);
      if (afis.size > 1) throw r.fail(t, 'IPv4 and IPv6 prefixes cannot share one next hop: give them in two lines');
      if (kind === 'announce' && attrs.nextHop !== undefined && attrs.nextHop !== 'self') checked(r, t, () => parseNextHop(attrs.nextHop!, p.afi, p.prefix));
      prefixes.push(p.prefix);
    }
    if (!prefixes.length) throw r.fail(undefined, 'expected at least one prefix after nlri');
    if (kind === 'announce' && attrs.nextHop === undefined) throw r.fail(form, 'expected next-hop ADDRESS among the attributes: announced routes need a next hop');
    return { kind, form: 'attributes', prefixes, attributes: attrs, ...withSelector };
  }
  const why = UNSUPPORTED_COMMANDS.get(`${kind} ${word}`);
  if (why) throw r.fail(form, `"${kind} ${form.text}" is not supported: ${why}`);
  throw r.fail(form, `expected "route" or "attributes" after "${kind}"`);
}

function show(r: Reader): ExaCommand {
  const what = r.next('"neighbor" or "adj-rib"');
  const w = what.text.toLowerCase();
  if (w === 'neighbor' || w === 'neighbors') {
    let view: 'summary' | 'extensive' | 'configuration' | undefined;
    let address: string | undefined;
    while (!r.done) {
      const t = r.next('summary, extensive, configuration or an address');
      const v = t.text.toLowerCase();
      if (v === 'summary' || v === 'extensive' || v === 'configuration') {
        if (view) throw r.fail(t, `"${view}" and "${v}" cannot go together`);
        view = v;
        continue;
      }
      const a = parseAddress(t.text);
      if (!a || address) throw r.fail(t, 'expected summary, extensive, configuration or one neighbor address');
      address = a.text;
    }
    if (!view) throw r.fail(undefined, 'expected summary, extensive or configuration');
    return { kind: 'show-neighbor', view, ...(address ? { address } : {}) };
  }
  if (w === 'adj-rib' || w === 'adj-rib-in' || w === 'adj-rib-out') {
    let direction: 'in' | 'out' | undefined = w === 'adj-rib-in' ? 'in' : w === 'adj-rib-out' ? 'out' : undefined;
    if (!direction) {
      const t = r.next('"in" or "out"');
      const d = t.text.toLowerCase();
      if (d !== 'in' && d !== 'out') throw r.fail(t, 'expected "in" or "out"');
      direction = d;
    }
    let extensive = false;
    let address: string | undefined;
    while (!r.done) {
      const t = r.next('extensive or a neighbor address');
      const v = t.text.toLowerCase();
      if (v === 'extensive' && !extensive) {
        extensive = true;
        continue;
      }
      // ExaBGP also narrows by family word; tsbgp carries unicast only, so inet and ipv4/ipv6 change nothing.
      if (v === 'inet' || v === 'routes') continue;
      if (v === 'neighbor' && !address) continue;
      const a = parseAddress(t.text);
      if (!a || address) throw r.fail(t, 'expected "extensive" or one neighbor address');
      address = a.text;
    }
    return { kind: 'show-adj-rib', direction, extensive, ...(address ? { address } : {}) };
  }
  throw r.fail(what, 'expected "show neighbor ..." or "show adj-rib in|out"');
}

/** Parse one line of ExaBGP 4.2's text API. Never throws: a bad line is an ExaParseError. */
export function parseExaLine(line: string): ExaParseResult {
  try {
    return { ok: true, command: parseCommand(line) };
  } catch (e) {
    if (e instanceof ExaParseError) return { ok: false, error: e };
    throw e;
  }
}

function parseCommand(line: string): ExaCommand {
  const trimmed = line.trim();
  if (trimmed === '') return { kind: 'nothing' };
  // ExaBGP answers `done` to a comment: a script that waits for one answer per line keeps its count.
  if (trimmed.startsWith('#')) return { kind: 'comment' };
  const r = new Reader(tokenize(line), line.length);
  const neighbors = selector(r);
  const first = r.next('a command');
  const word = first.text.toLowerCase();
  if (word === 'announce' || word === 'withdraw') return routes(r, word, neighbors);
  if (neighbors) throw r.fail(first, 'a neighbor selector goes with announce or withdraw only');
  const rest = (cmd: ExaCommand): ExaCommand => {
    if (!r.done) throw r.fail(r.peek(), `"${first.text}" takes no arguments`);
    return cmd;
  };
  switch (word) {
    case 'show':
      return show(r);
    case 'version':
      return rest({ kind: 'version' });
    case 'shutdown':
      return rest({ kind: 'shutdown' });
    case 'help':
      return rest({ kind: 'help' });
  }
  const two = `${word} ${r.peek()?.text.toLowerCase() ?? ''}`;
  const why = UNSUPPORTED_COMMANDS.get(word) ?? UNSUPPORTED_COMMANDS.get(two);
  if (why) throw r.fail(first, `"${UNSUPPORTED_COMMANDS.has(word) ? first.text : two}" is not supported: ${why}`);
  throw r.fail(first, `unknown command "${first.text}"; expected announce, withdraw, neighbor ... announce|withdraw, show neighbor, show adj-rib, version, shutdown or help`);
}
