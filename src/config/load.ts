// Load and validate the YAML config file: every problem found, each with its key path and line.
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import { DEFAULT_CONTROL_MODE, DEFAULT_CONTROL_SOCKET, DEFAULT_LISTEN, DEFAULT_STATE_FILE } from './defaults.js';
import type { Config, ConfigProblem, NeighborConfig } from './types.js';
import { decodeSource, strayProblem, syntaxProblems } from './source.js';
import { Checker, given, isNull, readMap, required } from './yaml-checker.js';
import { asNumber } from './sections/common.js';
import { readControl } from './sections/control.js';
import { readExabgp } from './sections/exabgp.js';
import { readHttp } from './sections/http.js';
import { readListen } from './sections/listen.js';
import { type NeighborEntries, checkAzureLocalAs } from './sections/azure.js';
import { checkRouteLimits } from './sections/limits.js';
import { readNeighbors } from './sections/neighbors.js';
import { readPair } from './sections/pair.js';
import { readProcesses } from './sections/processes.js';
import { readRoutes } from './sections/routes.js';
import { readVips } from './sections/vips.js';
import { readLogLevel, readRouterId, readStateFile } from './sections/top.js';

// closest moved to the walker with the split; kept here for code written against load.ts.
export { closest } from './yaml-checker.js';

const TOP_KEYS = ['router-id', 'local-as', 'listen', 'neighbors', 'routes', 'vips', 'pair', 'control', 'exabgp', 'http', 'state-file', 'log-level', 'processes'] as const;

/** A config file that cannot be used; `problems` lists everything wrong with it, not only the first. */
export class ConfigError extends TsbgpError {
  readonly file: string;
  readonly problems: ConfigProblem[];
  constructor(file: string, problems: ConfigProblem[]) {
    const tidy = problems.map(tidyProblem);
    super(TsbgpErrorCode.CONFIG, tidy.map((p) => formatProblem(file, p)).join('\n'));
    this.name = 'ConfigError';
    this.file = file;
    this.problems = tidy;
  }
}

/** "FILE:LINE: KEY: problem", leaving out the parts that are not known (as compilers do). */
export function formatProblem(file: string, p: ConfigProblem): string {
  return `${file}${p.line !== undefined ? `:${p.line}` : ''}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

// Generous for any message the loader writes; what is longer quotes the file, and a file's line can be megabytes.
const PATH_MAX = 120;
const MESSAGE_MAX = 300;

/** One line each, of a length a terminal shows, with no control character from the file reaching the terminal. */
function tidyProblem(p: ConfigProblem): ConfigProblem {
  return { ...p, path: tidyText(p.path, PATH_MAX), message: tidyText(p.message, MESSAGE_MAX) };
}

function tidyText(text: string, max: number): string {
  const flat = text
    .replace(/\s*[\r\n]+\s*/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (flat.length <= max) return flat;
  // Cutting between the halves of a surrogate pair would leave half a character.
  const cut = /[\ud800-\udbff]/.test(flat[max - 2] ?? '') ? max - 2 : max - 1;
  return `${flat.slice(0, cut)}…`;
}

/** Read and validate a config file. Throws ConfigError (also when the file cannot be read). */
export async function loadConfig(file: string): Promise<Config> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (e) {
    throw new ConfigError(file, [{ path: '', message: `cannot read the configuration file: ${fileErrorText(e)}` }]);
  }
  return parseConfig(bytes, file);
}

function fileErrorText(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'it does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return e instanceof Error ? e.message : String(e);
}

/** Validate config text (or the file's bytes); `file` only names it in messages. Throws ConfigError listing every problem. */
export function parseConfig(source: string | Uint8Array, file: string): Config {
  const decoded = decodeSource(typeof source === 'string' ? new TextEncoder().encode(source) : source);
  // Never parsed, so never quoted: what a binary file holds would only garble the terminal.
  if ('notText' in decoded) throw new ConfigError(file, [{ path: '', message: decoded.notText }]);
  const { text } = decoded;
  const lineCounter = new LineCounter();
  // Duplicate keys are found by the walk below, which can name the key and both lines.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  const stray = strayProblem(decoded.strays, decoded.strayBytes, doc, lineCounter);
  if (stray || doc.errors.length > 0) {
    throw new ConfigError(file, inFileOrder([...(stray ? [stray] : []), ...syntaxProblems(doc, lineCounter, text.length)]));
  }
  const c = new Checker(doc, lineCounter);
  const config = readConfig(c, doc.contents);
  if (c.problems.length > 0) throw new ConfigError(file, inFileOrder(c.problems));
  return config;
}

/** As a reader goes through the file; problems of one line in the order they were found. */
function inFileOrder(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return problems
    .map((p, i) => ({ p, i }))
    .sort((a, b) => (a.p.line ?? 0) - (b.p.line ?? 0) || a.i - b.i)
    .map((x) => x.p);
}

function readConfig(c: Checker, root: unknown): Config {
  const config: Config = {
    routerId: '0.0.0.0',
    localAs: 0,
    listen: { ...DEFAULT_LISTEN },
    neighbors: [],
    routes: [],
    vips: [],
    control: { socket: DEFAULT_CONTROL_SOCKET, mode: DEFAULT_CONTROL_MODE },
    stateFile: DEFAULT_STATE_FILE,
    logLevel: 'info',
    processes: [],
  };
  const node = c.deref(root, '');
  if (isNull(node)) {
    // Nothing to point at but the top of the file (or an explicit `null`), where the keys would go.
    c.problems.push({ path: '', line: c.line(node) ?? 1, message: 'the file is empty; expected at least router-id, local-as and neighbors' });
    return config;
  }
  const top = readMap(c, node, '', TOP_KEYS, 'a mapping with router-id, local-as, neighbors...');
  if (!top) return config;

  const rid = required(c, top, 'router-id', '10.10.0.7');
  if (rid) config.routerId = readRouterId(c, rid) ?? config.routerId;

  const las = required(c, top, 'local-as', '65001');
  if (las) config.localAs = asNumber(c, las) ?? 0;

  const listen = top.get('listen');
  if (listen) config.listen = readListen(c, listen);

  const before = c.problems.length;
  const nbs = required(c, top, 'neighbors', '[{address: 10.10.1.4, remote-as: 65515}]');
  const where = new Map<NeighborConfig, NeighborEntries>();
  if (nbs) config.neighbors = readNeighbors(c, nbs, where);
  const neighborsOk = c.problems.length === before;

  const routes = given(top, 'routes');
  if (routes) {
    // A route of a family no neighbor negotiates would silently go nowhere.
    const families = neighborsOk ? new Set(config.neighbors.flatMap((n) => n.families)) : null;
    config.routes = readRoutes(c, routes, families);
  }

  const vips = given(top, 'vips');
  if (vips) {
    const families = neighborsOk ? new Set(config.neighbors.flatMap((n) => n.families)) : null;
    config.vips = readVips(c, vips, { families, routePrefixes: new Set(config.routes.map((r) => r.prefix)) });
  }
  // Only over routes and VIPs that were all read: a count short of a broken entry would say too little.
  if (c.problems.length === before) checkRouteLimits(c, config, where);
  if (las) checkAzureLocalAs(c, las, config.localAs, where);

  const pair = given(top, 'pair');
  if (pair) {
    const p = readPair(c, pair, { neighbors: neighborsOk ? config.neighbors : null, localAs: config.localAs });
    if (p) config.pair = p;
  }

  const control = given(top, 'control');
  if (control) config.control = readControl(c, control);

  const exabgp = given(top, 'exabgp');
  if (exabgp) {
    const x = readExabgp(c, exabgp);
    if (x) config.exabgp = x;
  }

  const http = given(top, 'http');
  if (http) {
    const h = readHttp(c, http);
    if (h) config.http = h;
  }

  const sf = top.get('state-file');
  if (sf) {
    const v = readStateFile(c, sf);
    if (v !== undefined) config.stateFile = v;
  }

  const processes = given(top, 'processes');
  if (processes) config.processes = readProcesses(c, processes);

  const ll = given(top, 'log-level');
  if (ll) config.logLevel = readLogLevel(c, ll) ?? config.logLevel;
  return config;
}
