// Load and validate the YAML config file: every problem found, each with its key path and line.
import { readFile } from 'node:fs/promises';
import { LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import { Afi } from '../bgp/iana.js';
import type { RouteSpec } from '../routes/local-routes.js';
import type { Config, ConfigProblem, ControlConfig, FamilyName, ListenConfig, NeighborConfig } from './types.js';
import {
  AS_PATH_PREPEND_MAX,
  MED_MAX,
  familyOfAfi,
  notUnicastReason,
  parseAddress,
  parseCommunity,
  parseLargeCommunity,
  parseNextHop,
  parseRoutePrefix,
} from '../routes/values.js';

// The control layer validates `bgpctl announce` with the same functions the config file uses.
export {
  formatCommunity,
  formatLargeCommunity,
  parseCommunity,
  parseLargeCommunity,
  parseNextHop,
  parseRoutePrefix,
  validateRoute,
} from '../routes/values.js';
export type { RouteInput } from '../routes/values.js';

export const DEFAULT_PORT = 179;
export const DEFAULT_HOLD_TIME = 180;
export const DEFAULT_KEEPALIVE_TIME = 60;
export const DEFAULT_CONNECT_RETRY = 5;
export const DEFAULT_CONTROL_SOCKET = '/run/tsbgp/tsbgpd.sock';
export const DEFAULT_CONTROL_MODE = 0o660;
export const DEFAULT_STATE_FILE = '/var/lib/tsbgp/state.json';
export const DEFAULT_LISTEN: Readonly<ListenConfig> = { address: '0.0.0.0', port: DEFAULT_PORT };

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const FAMILIES: readonly FamilyName[] = ['ipv4-unicast', 'ipv6-unicast'];
/** RFC 6793 §9: the placeholder a 2-octet speaker sees for a 4-octet AS; never a real AS. */
const AS_TRANS = 23456;
/** Linux sun_path is 108 bytes, one of them the terminating NUL. */
const SOCKET_PATH_MAX = 107;

const TOP_KEYS = ['router-id', 'local-as', 'listen', 'neighbors', 'routes', 'control', 'state-file', 'log-level'] as const;
const LISTEN_KEYS = ['address', 'port'] as const;
const NEIGHBOR_KEYS = [
  'address',
  'remote-as',
  'port',
  'local-address',
  'passive',
  'hold-time',
  'keepalive-time',
  'connect-retry',
  'families',
  'description',
] as const;
const ROUTE_KEYS = ['prefix', 'next-hop', 'med', 'communities', 'large-communities', 'as-path-prepend'] as const;
const CONTROL_KEYS = ['socket', 'mode'] as const;

/** A config file that cannot be used; `problems` lists everything wrong with it, not only the first. */
export class ConfigError extends TsbgpError {
  readonly file: string;
  readonly problems: ConfigProblem[];
  constructor(file: string, problems: ConfigProblem[]) {
    super(TsbgpErrorCode.CONFIG, problems.map((p) => formatProblem(file, p)).join('\n'));
    this.name = 'ConfigError';
    this.file = file;
    this.problems = problems;
  }
}

/** "FILE:LINE: KEY: problem", leaving out the parts that are not known (as compilers do). */
export function formatProblem(file: string, p: ConfigProblem): string {
  return `${file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** Read and validate a config file. Throws ConfigError (also when the file cannot be read). */
export async function loadConfig(file: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the configuration file: ${fileErrorText(e)}` }]);
  }
  return parseConfig(text, file);
}

function fileErrorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'it does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return e instanceof Error ? e.message : String(e);
}

/** Validate config text; `file` only names it in messages. Throws ConfigError listing every problem. */
export function parseConfig(text: string, file: string): Config {
  const lineCounter = new LineCounter();
  // Duplicate keys are found by the walk below, which can name the key and both lines.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: '', line: pos.line, message: `YAML syntax error (column ${pos.col}): ${e.message}` };
      }),
    );
  }
  const c = new Checker(doc, lineCounter);
  const config = readConfig(c, doc.contents);
  // In file order, as a reader goes through it; problems of the whole file (no line) first.
  const problems = c.problems.map((p, i) => ({ p, i })).sort((a, b) => (a.p.line ?? 0) - (b.p.line ?? 0) || a.i - b.i);
  if (problems.length > 0) throw new ConfigError(file, problems.map((x) => x.p));
  return config;
}

// --- the walk ------------------------------------------------------------------------------------

/** A key that is present, with its value node (null for `key:` with nothing after it). */
interface Entry {
  path: string;
  key: Node;
  value: Node | null;
}

class Checker {
  readonly problems: ConfigProblem[] = [];
  constructor(
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  line(node: Node | null | undefined): number | undefined {
    const start = node?.range?.[0];
    return start === undefined ? undefined : this.lines.linePos(start).line;
  }

  add(path: string, node: Node | null | undefined, message: string): void {
    const line = this.line(node);
    this.problems.push(line === undefined ? { path, message } : { path, line, message });
  }

  /** Problem about an entry's value (its line is the value's, or the key's when there is none). */
  bad(e: Entry, message: string): void {
    this.add(e.path, e.value ?? e.key, message);
  }

  /** Follow an alias (`*name`) to the node it names. */
  deref(node: unknown): Node | null {
    if (isAlias(node)) return node.resolve(this.doc) ?? null;
    return isMap(node) || isSeq(node) || isScalar(node) ? node : null;
  }
}

const join = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/** What a node is, for messages: `"abc"`, `70000`, `a list`... */
function describe(node: Node | null): string {
  if (node === null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'nothing';
    if (typeof v === 'string') return `the string ${JSON.stringify(v)}`;
    return String(v);
  }
  return 'something else';
}

const isNull = (node: Node | null): boolean => node === null || (isScalar(node) && node.value === null);

/** The keys of a mapping; reports unknown (with the likely intended key) and duplicate keys. */
function readMap<K extends string>(c: Checker, node: Node | null, path: string, known: readonly K[], what: string): Map<K, Entry> | null {
  if (!isMap(node)) {
    c.add(path, node, `expected ${what}, got ${describe(node)}`);
    return null;
  }
  const out = new Map<K, Entry>();
  for (const pair of node.items) {
    const keyNode = c.deref(pair.key);
    if (!isScalar(keyNode) || keyNode.value === null || typeof keyNode.value === 'object') {
      c.add(path, keyNode ?? node, `keys must be words such as ${known[0]}, got ${describe(keyNode)}`);
      continue;
    }
    const name = String(keyNode.value);
    const keyPath = join(path, name);
    if (!(known as readonly string[]).includes(name)) {
      const guess = closest(name, known);
      c.add(keyPath, keyNode, `unknown key "${name}"; ${guess ? `did you mean "${guess}"?` : `expected one of ${known.join(', ')}`}`);
      continue;
    }
    const first = out.get(name as K);
    if (first) {
      c.add(keyPath, keyNode, `duplicate key (first at line ${c.line(first.key) ?? '?'})`);
      continue;
    }
    out.set(name as K, { path: keyPath, key: keyNode, value: c.deref(pair.value) });
  }
  return out;
}

/** The items of a list, each with its path ("neighbors[1]"). */
function readSeq(c: Checker, e: Entry, what: string): { path: string; node: Node | null }[] | null {
  if (!isSeq(e.value)) {
    c.bad(e, `expected ${what}, got ${describe(e.value)}`);
    return null;
  }
  return e.value.items.map((item, i) => ({ path: `${e.path}[${i}]`, node: c.deref(item) }));
}

/** An entry whose value is given (absent keys and `key:` with nothing after it are not). */
function given<K extends string>(m: Map<K, Entry> | null, key: K): Entry | undefined {
  const e = m?.get(key);
  return e && !isNull(e.value) ? e : undefined;
}

function required<K extends string>(c: Checker, m: Map<K, Entry>, key: K, path: string, at: Node | null, example: string): Entry | undefined {
  const e = given(m, key);
  if (!e) {
    const present = m.get(key);
    if (present) c.bad(present, `a value is required, e.g. ${key}: ${example}`);
    else c.add(join(path, key), at, `required key is missing, e.g. ${key}: ${example}`);
  }
  return e;
}

function scalarValue(e: Entry): unknown {
  return isScalar(e.value) ? e.value.value : undefined;
}

function integer(c: Checker, e: Entry, min: number, max: number, hint = ''): number | undefined {
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

function asNumber(c: Checker, e: Entry): number | undefined {
  const source = isScalar(e.value) ? e.value.source : undefined;
  // "1.10" is asdot (RFC 5396) for 65546; YAML reads it as the float 1.1, so say what to write instead.
  const asdot = source !== undefined ? /^(\d{1,5})\.(\d{1,5})$/.exec(source) : null;
  if (asdot && Number(asdot[1]) <= 0xffff && Number(asdot[2]) <= 0xffff) {
    c.bad(e, `${source} is asdot notation; write the AS number as a plain integer: ${Number(asdot[1]) * 65536 + Number(asdot[2])}`);
    return undefined;
  }
  const v = integer(c, e, 1, 0xffffffff);
  if (v === AS_TRANS) {
    c.bad(e, `${AS_TRANS} is AS_TRANS (RFC 6793), a placeholder that is never a real AS number`);
    return undefined;
  }
  return v;
}

function string(c: Checker, e: Entry, example: string): string | undefined {
  const v = scalarValue(e);
  if (typeof v !== 'string' || v === '') {
    c.bad(e, `expected text, e.g. ${example}, got ${describe(e.value)}`);
    return undefined;
  }
  return v;
}

function boolean(c: Checker, e: Entry): boolean | undefined {
  const v = scalarValue(e);
  if (typeof v !== 'boolean') {
    c.bad(e, `expected true or false, got ${describe(e.value)}`);
    return undefined;
  }
  return v;
}

/** An address of any kind (listen may be 0.0.0.0 or ::); canonical text. */
function address(c: Checker, e: Entry, example: string): ReturnType<typeof parseAddress> {
  const text = string(c, e, example);
  if (text === undefined) return null;
  const a = parseAddress(text);
  if (!a) c.bad(e, `"${text}" is not an IPv4 or IPv6 address`);
  return a;
}

/** An address a BGP session can use at either end. */
function unicast(c: Checker, e: Entry, example: string): ReturnType<typeof parseAddress> {
  const a = address(c, e, example);
  const why = a && notUnicastReason(a);
  if (why) {
    c.bad(e, `${a.text} is ${why}; expected a unicast address`);
    return null;
  }
  return a;
}

/** Run a shared value parser; its TsbgpError becomes a problem at `e`. */
function check<T>(c: Checker, e: Entry, f: () => T): T | undefined {
  try {
    return f();
  } catch (err) {
    if (!(err instanceof TsbgpError)) throw err;
    c.bad(e, err.message);
    return undefined;
  }
}

// --- the sections --------------------------------------------------------------------------------

function readConfig(c: Checker, root: unknown): Config {
  const config: Config = {
    routerId: '0.0.0.0',
    localAs: 0,
    listen: { ...DEFAULT_LISTEN },
    neighbors: [],
    routes: [],
    control: { socket: DEFAULT_CONTROL_SOCKET, mode: DEFAULT_CONTROL_MODE },
    stateFile: DEFAULT_STATE_FILE,
    logLevel: 'info',
  };
  const node = c.deref(root);
  if (isNull(node)) {
    c.add('', null, 'the file is empty; expected at least router-id, local-as and neighbors');
    return config;
  }
  const top = readMap(c, node, '', TOP_KEYS, 'a mapping with router-id, local-as, neighbors...');
  if (!top) return config;

  const rid = required(c, top, 'router-id', '', null, '10.10.0.7');
  if (rid) {
    const text = string(c, rid, '10.10.0.7');
    const a = text === undefined ? null : parseAddress(text);
    if (text !== undefined && a?.afi !== Afi.IPV4) c.bad(rid, `"${text}" is not a dotted quad (a BGP identifier is 4 octets, e.g. 10.10.0.7)`);
    else if (a && a.text === '0.0.0.0') c.bad(rid, '0.0.0.0 is not a valid BGP identifier (RFC 6286); use an address of this host');
    else if (a) config.routerId = a.text;
  }

  const las = required(c, top, 'local-as', '', null, '65001');
  if (las) config.localAs = asNumber(c, las) ?? 0;

  const listen = top.get('listen');
  if (listen) config.listen = readListen(c, listen);

  const before = c.problems.length;
  const nbs = required(c, top, 'neighbors', '', null, '[{address: 10.10.1.4, remote-as: 65515}]');
  if (nbs) config.neighbors = readNeighbors(c, nbs);
  const neighborsOk = c.problems.length === before;

  const routes = given(top, 'routes');
  if (routes) {
    // A route of a family no neighbor negotiates would silently go nowhere.
    const families = neighborsOk ? new Set(config.neighbors.flatMap((n) => n.families)) : null;
    config.routes = readRoutes(c, routes, families);
  }

  const control = given(top, 'control');
  if (control) config.control = readControl(c, control);

  const sf = top.get('state-file');
  if (sf) {
    if (scalarValue(sf) === false) config.stateFile = null;
    else {
      const v = scalarValue(sf);
      if (typeof v === 'string' && v !== '') config.stateFile = v;
      else c.bad(sf, `expected a file path, or false to keep no state, got ${describe(sf.value)}`);
    }
  }

  const ll = given(top, 'log-level');
  if (ll) {
    const v = scalarValue(ll);
    const level = LOG_LEVELS.find((l) => l === v);
    if (level) config.logLevel = level;
    else {
      const guess = typeof v === 'string' ? closest(v, LOG_LEVELS) : undefined;
      c.bad(ll, `${describe(ll.value)} is not a log level; ${guess ? `did you mean ${guess}? ` : ''}expected one of ${LOG_LEVELS.join(', ')}`);
    }
  }
  return config;
}

function readListen(c: Checker, e: Entry): ListenConfig | null {
  if (scalarValue(e) === false) return null;
  const what = 'a mapping with address and port, or false to never listen';
  if (!isMap(e.value)) {
    c.bad(e, `expected ${what}, got ${describe(e.value)}`);
    return null;
  }
  const m = readMap(c, e.value, e.path, LISTEN_KEYS, what);
  const listen: ListenConfig = { ...DEFAULT_LISTEN };
  const addr = given(m, 'address');
  if (addr) {
    const a = address(c, addr, '0.0.0.0');
    // The unspecified address is what listening on every address means; the rest of notUnicast is not.
    const why = a && a.bytes.some((b) => b !== 0) ? notUnicastReason(a) : null;
    if (why) c.bad(addr, `${a!.text} is ${why}; expected an address of this host, 0.0.0.0 or ::`);
    else if (a) listen.address = a.text;
  }
  const port = given(m, 'port');
  if (port) listen.port = integer(c, port, 1, 65535) ?? DEFAULT_PORT;
  return listen;
}

function readNeighbors(c: Checker, e: Entry): NeighborConfig[] {
  const items = readSeq(c, e, 'a list of neighbors (each starting with "- address: ...")');
  if (!items) return [];
  if (items.length === 0) c.bad(e, 'at least one neighbor is required');
  const out: NeighborConfig[] = [];
  const seen = new Map<string, Entry & { index: number }>();
  items.forEach((item, index) => {
    const n = readNeighbor(c, item.node, item.path);
    if (!n) return;
    if (n.addressEntry && n.neighbor.address) {
      const first = seen.get(n.neighbor.address);
      if (first) {
        c.bad(n.addressEntry, `${n.neighbor.address} is already neighbors[${first.index}] (line ${c.line(first.value) ?? '?'})`);
        return;
      }
      seen.set(n.neighbor.address, { ...n.addressEntry, index });
    }
    if (n.ok) out.push(n.neighbor);
  });
  return out;
}

/** A neighbor, whether all of it was valid (`ok`), and its address entry for the duplicate check. */
function readNeighbor(c: Checker, node: Node | null, path: string): { neighbor: NeighborConfig; addressEntry?: Entry; ok: boolean } | null {
  const m = readMap(c, node, path, NEIGHBOR_KEYS, 'a neighbor mapping with address and remote-as');
  if (!m) return null;
  const before = c.problems.length;
  const n: NeighborConfig = {
    address: '',
    remoteAs: 0,
    port: DEFAULT_PORT,
    passive: false,
    holdTime: DEFAULT_HOLD_TIME,
    keepaliveTime: DEFAULT_KEEPALIVE_TIME,
    connectRetryTime: DEFAULT_CONNECT_RETRY,
    families: ['ipv4-unicast'],
  };
  const addrEntry = required(c, m, 'address', path, node, '10.10.1.4');
  const addr = addrEntry ? unicast(c, addrEntry, '10.10.1.4') : null;
  if (addr) n.address = addr.text;

  const ras = required(c, m, 'remote-as', path, node, '65515');
  if (ras) n.remoteAs = asNumber(c, ras) ?? 0;

  const port = given(m, 'port');
  if (port) n.port = integer(c, port, 1, 65535) ?? DEFAULT_PORT;

  const la = given(m, 'local-address');
  if (la) {
    const a = unicast(c, la, '10.10.0.7');
    if (a && addr && a.afi !== addr.afi) {
      c.bad(la, `${a.text} and the neighbor's address ${addr.text} are of different families; a session runs over one family`);
    } else if (a) n.localAddress = a.text;
  }

  const passive = given(m, 'passive');
  if (passive) n.passive = boolean(c, passive) ?? false;

  const hold = given(m, 'hold-time');
  let holdOk = true;
  if (hold) {
    const v = integer(c, hold, 0, 65535);
    // RFC 4271 §4.2: the Hold Time MUST be either zero or at least three seconds.
    if (v !== undefined && v > 0 && v < 3) c.bad(hold, `${v} is not allowed; expected 0 (no keepalives) or 3..65535 (RFC 4271 §4.2)`);
    if (v === undefined || (v > 0 && v < 3)) holdOk = false;
    else n.holdTime = v;
  }

  const ka = given(m, 'keepalive-time');
  if (ka) {
    const v = integer(c, ka, 1, 21845);
    if (v !== undefined) {
      const most = Math.floor(n.holdTime / 3);
      // RFC 4271 §4.4: with a Hold Time of zero no KEEPALIVE is sent, so the interval does not matter.
      if (holdOk && n.holdTime > 0 && v > most) {
        c.bad(ka, `keepalive-time ${v} is more than a third of hold-time ${n.holdTime}; expected at most ${most}`);
      } else n.keepaliveTime = v;
    }
  } else if (n.holdTime > 0) {
    // A hold time set without a keepalive interval gets one that fits it (a third, at most 60).
    n.keepaliveTime = Math.min(DEFAULT_KEEPALIVE_TIME, Math.floor(n.holdTime / 3));
  }

  const cr = given(m, 'connect-retry');
  if (cr) n.connectRetryTime = integer(c, cr, 1, 3600) ?? DEFAULT_CONNECT_RETRY;

  const fam = given(m, 'families');
  if (fam) {
    const families = readFamilies(c, fam);
    if (families) n.families = families;
  }

  const desc = given(m, 'description');
  if (desc) {
    const v = scalarValue(desc);
    if (typeof v === 'string') n.description = v;
    else c.bad(desc, `expected text (quote it if it looks like a number), got ${describe(desc.value)}`);
  }
  return { neighbor: n, addressEntry: addr ? addrEntry : undefined, ok: c.problems.length === before };
}

function readFamilies(c: Checker, e: Entry): FamilyName[] | null {
  const items = readSeq(c, e, `a list of families, e.g. [${FAMILIES.join(', ')}]`);
  if (!items) return null;
  if (items.length === 0) {
    c.bad(e, `at least one family is required, e.g. [ipv4-unicast]`);
    return null;
  }
  const out: FamilyName[] = [];
  let ok = true;
  for (const item of items) {
    const v = isScalar(item.node) ? item.node.value : undefined;
    const family = FAMILIES.find((f) => f === v);
    if (!family) {
      const guess = typeof v === 'string' ? closest(v, FAMILIES) : undefined;
      c.add(item.path, item.node, `${describe(item.node)} is not a family; ${guess ? `did you mean ${guess}? ` : ''}expected ${FAMILIES.join(' or ')}`);
      ok = false;
    } else if (out.includes(family)) {
      c.add(item.path, item.node, `${family} is listed twice`);
      ok = false;
    } else out.push(family);
  }
  return ok ? out : null;
}

function readRoutes(c: Checker, e: Entry, families: Set<FamilyName> | null): RouteSpec[] {
  const items = readSeq(c, e, 'a list of routes (each starting with "- prefix: ...")');
  if (!items) return [];
  const out: RouteSpec[] = [];
  const seen = new Map<string, { index: number; line: number | undefined }>();
  items.forEach((item, index) => {
    const m = readMap(c, item.node, item.path, ROUTE_KEYS, 'a route mapping with prefix and next-hop');
    if (!m) return;
    const before = c.problems.length;
    const pe = required(c, m, 'prefix', item.path, item.node, '100.64.0.1/32');
    const nhe = required(c, m, 'next-hop', item.path, item.node, '10.10.0.4');
    const ptext = pe && string(c, pe, '100.64.0.1/32');
    const p = pe && ptext !== undefined ? check(c, pe, () => parseRoutePrefix(ptext)) : undefined;
    const nhtext = nhe && string(c, nhe, '10.10.0.4');
    const nextHop = nhe && nhtext !== undefined ? check(c, nhe, () => parseNextHop(nhtext, p?.afi, p?.prefix)) : undefined;
    const route: RouteSpec = { prefix: p?.prefix ?? '', nextHop: nextHop ?? '' };

    const med = given(m, 'med');
    if (med) {
      const v = integer(c, med, 0, MED_MAX);
      if (v !== undefined) route.med = v;
    }
    const comms = given(m, 'communities');
    if (comms) {
      const v = stringList(c, comms, '"65001:100", no-export', parseCommunity);
      if (v) route.communities = v;
    }
    const large = given(m, 'large-communities');
    if (large) {
      const v = stringList(c, large, '"65001:1:2"', parseLargeCommunity);
      if (v) route.largeCommunities = v;
    }
    const prepend = given(m, 'as-path-prepend');
    if (prepend) {
      const v = integer(c, prepend, 0, AS_PATH_PREPEND_MAX);
      if (v !== undefined) route.asPathPrepend = v;
    }

    if (p && pe) {
      const family = familyOfAfi(p.afi);
      const first = seen.get(p.prefix);
      if (first) {
        c.bad(pe, `${p.prefix} is already routes[${first.index}] (line ${first.line ?? '?'}); a prefix has one route`);
      } else {
        seen.set(p.prefix, { index, line: c.line(pe.value) });
        if (families && !families.has(family)) {
          c.bad(pe, `${p.prefix} is ${family} but no neighbor has ${family} in its families, so it would be sent nowhere`);
        }
      }
    }
    if (c.problems.length === before) out.push(route);
  });
  return out;
}

function stringList<T>(c: Checker, e: Entry, example: string, parse: (text: string) => T): T[] | null {
  const items = readSeq(c, e, `a list, e.g. [${example}]`);
  if (!items) return null;
  const out: T[] = [];
  let ok = true;
  for (const item of items) {
    const v = isScalar(item.node) ? item.node.value : undefined;
    const entry: Entry = { path: item.path, key: e.key, value: item.node };
    const parsed = typeof v === 'string' ? check(c, entry, () => parse(v)) : undefined;
    if (typeof v !== 'string') c.bad(entry, `expected text such as ${example.split(',')[0]}, got ${describe(item.node)}`);
    if (parsed === undefined) ok = false;
    else out.push(parsed);
  }
  return ok ? out : null;
}

function readControl(c: Checker, e: Entry): ControlConfig {
  const control: ControlConfig = { socket: DEFAULT_CONTROL_SOCKET, mode: DEFAULT_CONTROL_MODE };
  const m = readMap(c, e.value, e.path, CONTROL_KEYS, 'a mapping with socket and mode');
  const socket = given(m, 'socket');
  if (socket) {
    const v = string(c, socket, DEFAULT_CONTROL_SOCKET);
    if (v !== undefined && Buffer.byteLength(v) > SOCKET_PATH_MAX) {
      c.bad(socket, `the path is ${Buffer.byteLength(v)} bytes long; a Unix socket path can be at most ${SOCKET_PATH_MAX}`);
    } else if (v !== undefined) control.socket = v;
  }
  const mode = given(m, 'mode');
  if (mode) {
    const v = fileMode(mode);
    if (v === undefined) c.bad(mode, `${describe(mode.value)} is not a file mode; expected octal such as "0660"`);
    else control.mode = v;
  }
  return control;
}

/** "0660", "660", "0o660", 0o660, or an unquoted 0660 (YAML 1.2 reads that as decimal 660; chmod means octal). */
function fileMode(e: Entry): number | undefined {
  if (!isScalar(e.value)) return undefined;
  const v = e.value.value;
  const source = e.value.source;
  let mode: number | undefined;
  if (typeof v === 'string' || (typeof v === 'number' && source !== undefined && /^0[0-7]+$/.test(source))) {
    const m = /^(?:0o?)?([0-7]{1,4})$/.exec(typeof v === 'string' ? v : source!);
    mode = m ? parseInt(m[1]!, 8) : undefined;
  } else if (typeof v === 'number' && Number.isInteger(v)) {
    mode = v;
  }
  return mode !== undefined && mode >= 0 && mode <= 0o777 ? mode : undefined;
}

// --- suggestions ---------------------------------------------------------------------------------

/** The candidate a misspelt word most likely meant: same word in another case style, a prefix, or a near spelling. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
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
function editDistance(a: string, b: string): number {
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
