// `tsbgpd import-exabgp`: an ExaBGP 4.x config mapped to a tsbgp YAML config, and what could not be carried over.
import { Document, isMap, isSeq, isScalar } from 'yaml';
import { Afi } from '../bgp/iana.js';
import { TsbgpError } from '../errors.js';
import { familyOfAfi, parseAddress, parseCommunity, parseLargeCommunity, parseNextHop, parseRoutePrefix, AS_PATH_PREPEND_MAX, MED_MAX } from '../routes/values.js';
import type { FamilyName } from '../config/types.js';
import { ExaConfigError, nodeText, parseExaConfig, wordsText, type ExaBlock, type ExaNode, type ExaStatement, type ExaWord } from './import-syntax.js';

export { ExaConfigError } from './import-syntax.js';

/** Something of the ExaBGP file that the tsbgp config does not do, and why. */
export interface NotCarried {
  line: number;
  /** The ExaBGP text, as written (`md5-password ...;`). */
  exabgp: string;
  reason: string;
}

/** A neighbor, in the config file's own key names. */
export interface ImportedNeighbor {
  address: string;
  'remote-as': number;
  port?: number;
  'local-address'?: string;
  passive?: boolean;
  'hold-time'?: number;
  description?: string;
  families?: FamilyName[];
  'graceful-restart'?: false | { 'restart-time': number };
}

export interface ImportedRoute {
  prefix: string;
  'next-hop': string;
  med?: number;
  communities?: string[];
  'large-communities'?: string[];
  'as-path-prepend'?: number;
}

/** The `processes` entries as issue 11's spec fixes them (read by tsbgpd once `processes` is merged). */
export interface ImportedProcess {
  name: string;
  run: string[];
  encoder: 'text' | 'json';
}

export interface ImportedConfig {
  'router-id': string;
  'local-as': number;
  listen?: false | { port: number };
  neighbors: ImportedNeighbor[];
  routes?: ImportedRoute[];
  exabgp?: { pipe: string };
  processes?: ImportedProcess[];
}

export interface ImportResult {
  config: ImportedConfig;
  /** In file order. */
  notCarried: NotCarried[];
  /** The config as YAML, with the not-carried list at its top and a comment on each thing to look at. */
  yaml: string;
}

/** A comment on the value at `path` (a key, or a list item) in the printed YAML. */
interface Note {
  path: (string | number)[];
  text: string;
}

/** ExaBGP's boolean words (configuration/parser.py). */
const TRUE_WORDS = new Set(['true', 'enable', 'enabled']);
const FALSE_WORDS = new Set(['false', 'disable', 'disabled']);
/** ExaBGP's well-known community names where tsbgp spells them otherwise. */
const COMMUNITY_NAMES: ReadonlyMap<string, string> = new Map([['nopeer', 'no-peer']]);
/** ExaBGP's default hold time (bgp/neighbor.py), the same as tsbgp's. */
const EXABGP_HOLD_TIME = 180;
const AS_MAX = 0xffffffff;

/** Neighbor settings tsbgp has nothing for, with what tsbgp does instead. */
const NEIGHBOR_DROPPED: ReadonlyMap<string, string> = new Map([
  ['md5-password', 'tsbgp has no TCP MD5 (RFC 2385) yet: a peer that requires it will not accept the session'],
  ['md5-base64', 'tsbgp has no TCP MD5 (RFC 2385) yet'],
  ['md5-ip', 'tsbgp has no TCP MD5 (RFC 2385) yet'],
  ['outgoing-ttl', 'tsbgp sets no TTL on its BGP sessions (no multihop or GTSM setting)'],
  ['incoming-ttl', 'tsbgp checks no TTL (no GTSM, RFC 5082)'],
  ['ttl-security', 'tsbgp checks no TTL (no GTSM, RFC 5082)'],
  ['multihop', 'tsbgp sets no TTL on its BGP sessions (no multihop setting)'],
  ['rate-limit', 'tsbgp has no per-neighbor message rate limit'],
  ['host-name', 'tsbgp sends no FQDN capability'],
  ['domain-name', 'tsbgp sends no FQDN capability'],
  ['manual-eor', 'tsbgp sends End-of-RIB itself once its routes are sent'],
  ['adj-rib-in', 'no setting in tsbgp: it keeps what each peer sent'],
  ['adj-rib-out', 'no setting in tsbgp: it always keeps what it sent each peer'],
  ['auto-flush', 'no setting in tsbgp: a change is sent at once'],
  ['group-updates', 'no setting in tsbgp: it packs the prefixes of one change into as few UPDATEs as it can'],
  ['group', 'no setting in tsbgp'],
]);

/** Route attributes tsbgp does not send, each taking one value, a `[ ]` list or a `( )` group. */
const ROUTE_ATTRS_DROPPED: ReadonlyMap<string, string> = new Map([
  ['local-preference', 'tsbgp sends LOCAL_PREF 100 on iBGP and none on eBGP; routes have no local-preference key'],
  ['extended-community', 'tsbgp routes carry no extended communities'],
  ['aggregator', 'tsbgp sends no AGGREGATOR'],
  ['originator-id', 'tsbgp sends no ORIGINATOR_ID (it is no route reflector)'],
  ['cluster-list', 'tsbgp sends no CLUSTER_LIST (it is no route reflector)'],
  ['aigp', 'tsbgp sends no AIGP'],
  ['attribute', 'tsbgp sends no generic (raw) attributes'],
  ['bgp-prefix-sid', 'tsbgp sends no BGP Prefix-SID'],
  ['bgp-prefix-sid-srv6', 'tsbgp sends no BGP Prefix-SID'],
  ['name', 'tsbgp routes have no name'],
  ['watchdog', 'tsbgp has no watchdogs: the route is announced at start, withdraw it with bgpctl or the API'],
]);
const ROUTE_FLAGS_DROPPED: ReadonlyMap<string, string> = new Map([['atomic-aggregate', 'tsbgp sends no ATOMIC_AGGREGATE']]);
/** Attributes that make the route something tsbgp does not announce at all. */
const ROUTE_KINDS_DROPPED: ReadonlyMap<string, string> = new Map([
  ['rd', 'a VPN route (route distinguisher): tsbgp speaks IPv4 and IPv6 unicast only'],
  ['route-distinguisher', 'a VPN route (route distinguisher): tsbgp speaks IPv4 and IPv6 unicast only'],
  ['label', 'a labelled (MPLS) route: tsbgp speaks IPv4 and IPv6 unicast only'],
  ['path-information', 'a route with an ADD-PATH path identifier: tsbgp has no ADD-PATH'],
  ['split', 'tsbgp does not split a prefix into more-specifics: list each one as a route'],
]);

/** Neighbor sections tsbgp does not have. */
const SECTIONS_DROPPED: ReadonlyMap<string, string> = new Map([
  ['flow', 'tsbgp has no flowspec (RFC 8955)'],
  ['l2vpn', 'tsbgp has no L2VPN/VPLS'],
  ['operational', 'tsbgp has no operational messages (an ExaBGP extension)'],
  ['add-path', 'tsbgp has no ADD-PATH (RFC 7911)'],
  ['nexthop', 'tsbgp has no extended next hop (RFC 8950): IPv4 routes need an IPv4 next hop'],
]);

/** Read an ExaBGP config and map it. Throws ExaConfigError (FILE:LINE) when the file does not parse or names no usable neighbor. */
export function importExaBgp(text: string, file: string): ImportResult {
  return new Importer(file).run(parseExaConfig(text, file));
}

interface ProcessSeen {
  name: string;
  line: number;
  run: string[];
  encoder: 'text' | 'json';
  /** `socat stdout pipe:PATH`: ExaBGP's usual way of reading a named pipe. */
  pipe?: string;
}

/** One neighbor as ExaBGP reads it: its own statements after those it inherits. */
interface NeighborSeen {
  block: ExaBlock;
  address: string;
  routerId?: { value: string; line: number };
  localAs?: { value: number; line: number };
  listen?: { value: number; line: number };
  neighbor: ImportedNeighbor;
  routes: { route: ImportedRoute; line: number }[];
  processes: string[];
  families: Set<FamilyName>;
  familyGiven: boolean;
  grLine?: number;
  grValue?: number | 'hold-time' | false;
  /** Comments on its keys, by key. */
  notes: Note[];
}

class Importer {
  private readonly notCarried: NotCarried[] = [];
  private readonly seenNotes = new Set<string>();
  private readonly notes: Note[] = [];
  private readonly templates = new Map<string, ExaBlock>();
  private readonly processes = new Map<string, ProcessSeen>();

  constructor(private readonly file: string) {}

  run(tree: ExaNode[]): ImportResult {
    const neighborBlocks: { block: ExaBlock; inherited: ExaNode[] }[] = [];
    for (const n of tree) this.top(n, [], neighborBlocks);
    const neighbors: NeighborSeen[] = [];
    for (const { block, inherited } of neighborBlocks) {
      const seen = this.neighbor(block, inherited);
      if (!seen) continue;
      const twin = neighbors.find((x) => x.address === seen.address);
      if (twin) this.dropNode(block, `neighbor ${seen.address} is already defined on line ${twin.block.line}; kept that one`);
      else neighbors.push(seen);
    }
    if (neighbors.length === 0) {
      const first = neighborBlocks[0]?.block;
      const why = this.notCarried.filter((n) => n.exabgp.startsWith('neighbor ')).map((n) => `line ${n.line}: ${n.reason}`);
      throw new ExaConfigError(this.file, first?.line ?? 1, first ? `no neighbor can be carried over (${why.join('; ')})` : 'the file defines no neighbor');
    }
    const config = this.assemble(neighbors);
    const notCarried = [...this.notCarried].sort((a, b) => a.line - b.line);
    return { config, notCarried, yaml: this.print(config, notCarried) };
  }

  /** Lists `exabgp` (the text of line `line`) as not carried over; once, however many neighbors inherit it. */
  private drop(line: number, exabgp: string, reason: string): void {
    const key = `${line}\u0000${exabgp}\u0000${reason}`;
    if (this.seenNotes.has(key)) return;
    this.seenNotes.add(key);
    this.notCarried.push({ line, exabgp, reason });
  }

  private dropNode(n: ExaNode, reason: string): void {
    this.drop(n.line, nodeText(n), reason);
  }

  private fail(line: number, reason: string): never {
    throw new ExaConfigError(this.file, line, reason);
  }

  /** The top level: process, template, neighbor, and ExaBGP 3's group (its settings go to the neighbors in it). */
  private top(n: ExaNode, inherited: ExaNode[], out: { block: ExaBlock; inherited: ExaNode[] }[]): void {
    if (n.kind === 'statement') {
      this.dropNode(n, 'a setting outside any section: ExaBGP 4 reads none there');
      return;
    }
    const kind = n.head[0]!.text;
    switch (kind) {
      case 'process':
        this.process(n);
        return;
      case 'template':
        for (const t of n.children) {
          if (t.kind === 'block' && t.head[0]!.text === 'neighbor' && t.head.length === 2) this.templates.set(t.head[1]!.text, t);
          else this.dropNode(t, 'a template holds only "neighbor NAME { }" sections');
        }
        return;
      case 'neighbor':
        if (n.head.length !== 2) this.fail(n.line, `expected "neighbor ADDRESS {", got "${wordsText(n.head)} {"`);
        out.push({ block: n, inherited });
        return;
      case 'group': {
        const settings = n.children.filter((c) => !(c.kind === 'block' && (c.head[0]!.text === 'neighbor' || c.head[0]!.text === 'process')));
        for (const c of n.children) if (!settings.includes(c)) this.top(c, [...inherited, ...settings], out);
        return;
      }
      default:
        this.dropNode(n, `"${kind}" is no section of an ExaBGP 4 config (process, template, neighbor)`);
    }
  }

  private process(b: ExaBlock): void {
    const name = b.head[1]?.text;
    if (!name || b.head.length !== 2) this.fail(b.line, `expected "process NAME {", got "${wordsText(b.head)} {"`);
    let run: string[] | undefined;
    let encoder: 'text' | 'json' = 'text';
    for (const s of b.children) {
      if (s.kind === 'block') {
        this.dropNode(s, 'a process has no sections');
        continue;
      }
      const [key, ...rest] = s.words;
      switch (key!.text) {
        case 'run':
          if (rest.length === 0) this.fail(s.line, 'run needs a program');
          run = rest.map((w) => w.text);
          break;
        case 'encoder': {
          const v = rest[0]?.text;
          if (v !== 'text' && v !== 'json') this.fail(s.line, `encoder is text or json, not "${wordsText(rest)}"`);
          encoder = v;
          break;
        }
        case 'respawn':
          if (rest.length === 0 || !FALSE_WORDS.has(rest[0]!.text)) break;
          this.dropNode(s, 'tsbgpd always restarts a program that exits (back-off 1 s doubling to 60 s)');
          break;
        default:
          this.dropNode(s, `"${key!.text}" is no process setting tsbgp knows`);
      }
    }
    if (!run) this.fail(b.line, `process ${name} has no "run" line`);
    const seen: ProcessSeen = { name, line: b.line, run, encoder };
    const pipe = socatPipe(run);
    if (pipe !== undefined) seen.pipe = pipe;
    if (this.processes.has(name)) this.fail(b.line, `process ${name} is defined twice`);
    this.processes.set(name, seen);
  }

  /** A neighbor's settings; null when it cannot be carried at all (listed). */
  private neighbor(block: ExaBlock, groupSettings: ExaNode[]): NeighborSeen | null {
    const headWord = block.head[1]!;
    const inherited: ExaNode[] = [...groupSettings];
    const own: ExaNode[] = [];
    for (const c of block.children) {
      if (c.kind === 'statement' && c.words[0]!.text === 'inherit') {
        for (const w of c.words.slice(1)) {
          const t = this.templates.get(w.text);
          if (!t) this.fail(c.line, `inherit ${w.text}: no "template { neighbor ${w.text} { } }" defines it`);
          inherited.push(...t.children);
        }
      } else own.push(c);
    }
    if (headWord.text.includes('/')) {
      this.dropNode(block, 'a neighbor given as a range (for passive sessions from any address in it): tsbgp neighbors are single addresses');
      return null;
    }
    const addr = parseAddress(headWord.text);
    if (!addr) this.fail(block.line, `"${headWord.text}" is not an IP address`);
    const seen: NeighborSeen = {
      block,
      address: addr.text,
      neighbor: { address: addr.text, 'remote-as': 0 },
      routes: [],
      processes: [],
      families: new Set(),
      familyGiven: false,
      notes: [],
    };
    let peerAsLine: number | undefined;
    let holdTime = EXABGP_HOLD_TIME;
    const nodes = [...inherited, ...own];
    for (const n of nodes) {
      if (n.kind === 'block') {
        this.neighborSection(n, seen);
        continue;
      }
      const [key, ...rest] = n.words;
      const value = rest[0]?.text;
      switch (key!.text) {
        case 'description':
          seen.neighbor.description = rest.map((w) => w.text).join(' ');
          break;
        case 'router-id': {
          const a = this.ipv4(n, value);
          seen.routerId = { value: a, line: n.line };
          break;
        }
        case 'local-address': {
          if (value === 'auto') {
            this.dropNode(n, 'tsbgp picks the source address as the kernel does when local-address is left out (the same as auto), but needs a router-id');
            delete seen.neighbor['local-address'];
            break;
          }
          const a = value === undefined ? null : parseAddress(value);
          if (!a) this.fail(n.line, `local-address: "${value ?? ''}" is not an IP address`);
          seen.neighbor['local-address'] = a.text;
          break;
        }
        case 'local-as':
          seen.localAs = { value: this.asn(n, value), line: n.line };
          break;
        case 'peer-as':
          seen.neighbor['remote-as'] = this.asn(n, value);
          peerAsLine = n.line;
          break;
        case 'hold-time': {
          const v = this.integer(n, value, 0, 65535);
          if (v > 0 && v < 3) this.fail(n.line, 'hold-time must be 0 or at least 3 seconds');
          holdTime = v;
          seen.neighbor['hold-time'] = v;
          break;
        }
        case 'passive':
          seen.neighbor.passive = this.bool(n, value, true);
          if (!seen.neighbor.passive) delete seen.neighbor.passive;
          break;
        case 'connect':
          seen.neighbor.port = this.integer(n, value, 1, 65535);
          if (seen.neighbor.port === 179) delete seen.neighbor.port;
          break;
        case 'listen':
          seen.listen = { value: this.integer(n, value, 1, 65535), line: n.line };
          break;
        case 'peer-address':
          this.dropNode(n, 'the neighbor is the address after "neighbor"');
          break;
        default: {
          const why = NEIGHBOR_DROPPED.get(key!.text);
          this.dropNode(n, why ?? `"${key!.text}" is no neighbor setting the importer knows`);
        }
      }
    }
    if (!seen.localAs) this.fail(block.line, `neighbor ${seen.address} has no local-as`);
    if (peerAsLine === undefined) this.fail(block.line, `neighbor ${seen.address} has no peer-as`);
    if (!seen.routerId) {
      const la = seen.neighbor['local-address'];
      // ExaBGP (configuration/neighbor/__init__.py) takes an IPv4 local address as the router-id.
      if (la && parseAddress(la)?.afi === Afi.IPV4) seen.routerId = { value: la, line: block.line };
      else this.fail(block.line, `neighbor ${seen.address} has no router-id and no IPv4 local-address to take it from`);
    }
    const la = seen.neighbor['local-address'];
    if (la && parseAddress(la)?.afi !== addr.afi) this.fail(block.line, `neighbor ${seen.address}: local-address ${la} is of another family`);

    if (seen.grValue === undefined) {
      seen.neighbor['graceful-restart'] = false;
      seen.notes.push({ path: ['graceful-restart'], text: " ExaBGP advertised no graceful restart here; tsbgp's default is restart-time 120: remove this line to keep routes through a restart" });
    } else if (seen.grValue === false) seen.neighbor['graceful-restart'] = false;
    else seen.neighbor['graceful-restart'] = { 'restart-time': seen.grValue === 'hold-time' ? Math.min(Math.max(holdTime, 1), 4095) : seen.grValue };

    // ExaBGP announces every family it knows when no family section is given; tsbgp speaks IPv4 and IPv6 unicast.
    if (!seen.familyGiven) {
      seen.families.add(familyOfAfi(addr.afi));
      for (const r of seen.routes) seen.families.add(familyOfAfi(parseAddress(r.route.prefix.split('/')[0]!)!.afi));
    }
    for (const r of seen.routes) {
      const f = familyOfAfi(parseAddress(r.route.prefix.split('/')[0]!)!.afi);
      // ExaBGP sends IPv4 unicast routes whatever the family section says.
      if (!seen.families.has(f)) seen.families.add(f);
    }
    if (seen.families.size === 0) {
      this.dropNode(block, `neighbor ${seen.address}: none of its families is IPv4 or IPv6 unicast, the only ones tsbgp speaks`);
      return null;
    }
    const fams = (['ipv4-unicast', 'ipv6-unicast'] as const).filter((f) => seen.families.has(f));
    if (!(fams.length === 1 && fams[0] === 'ipv4-unicast')) seen.neighbor.families = [...fams];
    return seen;
  }

  private neighborSection(b: ExaBlock, seen: NeighborSeen): void {
    const kind = b.head[0]!.text;
    switch (kind) {
      case 'capability':
        this.capability(b, seen);
        return;
      case 'family':
        this.family(b, seen);
        return;
      case 'api':
        this.api(b, seen);
        return;
      case 'static':
        for (const s of b.children) this.staticEntry(s, seen);
        return;
      case 'announce':
        for (const afi of b.children) {
          if (afi.kind !== 'block' || (afi.head[0]!.text !== 'ipv4' && afi.head[0]!.text !== 'ipv6')) {
            this.dropNode(afi, 'tsbgp speaks IPv4 and IPv6 unicast only');
            continue;
          }
          for (const s of afi.children) {
            if (s.kind === 'statement' && s.words[0]!.text === 'unicast') this.route(s, s.words.slice(1), seen);
            else this.dropNode(s, 'tsbgp speaks IPv4 and IPv6 unicast only');
          }
        }
        return;
      default: {
        const why = SECTIONS_DROPPED.get(kind);
        this.dropNode(b, why ?? `"${kind}" is no neighbor section the importer knows`);
      }
    }
  }

  private capability(b: ExaBlock, seen: NeighborSeen): void {
    for (const s of b.children) {
      if (s.kind === 'block') {
        this.dropNode(s, 'a capability section has no sections');
        continue;
      }
      const [key, ...rest] = s.words;
      const value = rest[0]?.text;
      switch (key!.text) {
        case 'graceful-restart':
          seen.grLine = s.line;
          if (value === undefined) seen.grValue = 'hold-time';
          else if (FALSE_WORDS.has(value)) seen.grValue = false;
          else {
            const t = this.integer(s, value, 0, 4095);
            // 0 tells the peer to keep nothing: the nearest tsbgp has is no graceful restart.
            seen.grValue = t === 0 ? false : t;
          }
          break;
        case 'route-refresh':
          // tsbgp always offers and answers ROUTE-REFRESH (RFC 2918/7313): nothing to carry.
          break;
        case 'asn4':
          if (value !== undefined && FALSE_WORDS.has(value)) this.dropNode(s, 'tsbgp always offers 4-octet AS numbers (RFC 6793), and falls back when the peer does not');
          break;
        case 'add-path':
          if (value !== undefined && value !== 'disable' && value !== 'disabled') this.dropNode(s, 'tsbgp has no ADD-PATH (RFC 7911)');
          break;
        case 'extended-message':
          if (value === undefined || TRUE_WORDS.has(value)) this.dropNode(s, 'tsbgp does not offer extended messages (RFC 8654): its UPDATEs fit in 4096 bytes');
          break;
        case 'multi-session':
        case 'operational':
        case 'aigp':
        case 'nexthop':
          if (value === undefined || TRUE_WORDS.has(value)) this.dropNode(s, `tsbgp has no ${key!.text} capability`);
          break;
        default:
          this.dropNode(s, `"${key!.text}" is no capability the importer knows`);
      }
    }
  }

  private family(b: ExaBlock, seen: NeighborSeen): void {
    seen.familyGiven = true;
    for (const s of b.children) {
      if (s.kind === 'block') {
        this.dropNode(s, 'a family section has no sections');
        continue;
      }
      const [afi, safi] = s.words.map((w) => w.text);
      if ((afi === 'ipv4' || afi === 'ipv6') && safi === 'unicast' && s.words.length === 2) seen.families.add(afi === 'ipv4' ? 'ipv4-unicast' : 'ipv6-unicast');
      else this.dropNode(s, 'tsbgp speaks IPv4 and IPv6 unicast only');
    }
  }

  private api(b: ExaBlock, seen: NeighborSeen): void {
    for (const s of b.children) {
      if (s.kind === 'block') {
        // receive { parsed; update; } / send { packets; }: tsbgp writes neighbor changes and received updates (encoder json).
        for (const k of s.children) {
          const what = k.kind === 'statement' ? k.words[0]!.text : '';
          if (s.head[0]!.text === 'receive' && (what === 'parsed' || what === 'update')) continue;
          this.dropNode(k, `tsbgp writes a json process neighbor changes and received updates only, not "${s.head[0]!.text} ${what}"`);
        }
        continue;
      }
      const [key, ...rest] = s.words;
      if (key!.text === 'processes') {
        for (const w of rest) if (!SYNTAX_WORDS.has(w.text)) seen.processes.push(w.text);
      } else if (key!.text === 'neighbor-changes' || key!.text === 'fsm' || key!.text === 'negotiated' || key!.text === 'signal') {
        // The json encoder's neighbor state events; the rest is noted per word above.
        if (key!.text !== 'neighbor-changes') this.dropNode(s, `tsbgp writes a json process neighbor changes and received updates only, not "${key!.text}"`);
      } else this.dropNode(s, `"${key!.text}" is no api setting the importer knows`);
    }
  }

  private staticEntry(s: ExaNode, seen: NeighborSeen): void {
    if (s.kind === 'block') {
      // route P { next-hop N; med M; }
      if (s.head[0]!.text !== 'route' || s.head.length !== 2) {
        this.dropNode(s, 'a static section holds routes');
        return;
      }
      const attrs: ExaWord[] = [];
      for (const c of s.children) {
        if (c.kind === 'block') this.dropNode(c, 'a route has no sections');
        else attrs.push(...c.words);
      }
      this.route(s, [s.head[1]!, ...attrs], seen);
      return;
    }
    if (s.words[0]!.text === 'route') this.route(s, s.words.slice(1), seen);
    else this.dropNode(s, 'tsbgp routes are one prefix each: write "route P next-hop N ...;"');
  }

  /** `P next-hop N [med M] [community ...] ...` */
  private route(at: ExaNode, ws: ExaWord[], seen: NeighborSeen): void {
    const prefixText = ws[0]?.text ?? '';
    const routeText = `route ${wordsText(ws)};`;
    const skip = (why: string): void => this.drop(at.line, routeText, why);
    // A route of another kind than unicast is one item, whatever else it carries.
    for (const w of ws.slice(1)) {
      const kind = ROUTE_KINDS_DROPPED.get(w.text);
      if (kind && !w.quoted) return skip(kind);
    }
    let prefix: { prefix: string; afi: number };
    try {
      // ExaBGP reads a bare address as a host route.
      const host = prefixText.includes('/') ? '' : parseAddress(prefixText)?.afi === Afi.IPV6 ? '/128' : '/32';
      prefix = parseRoutePrefix(prefixText + host);
    } catch (e) {
      skip(reasonOf(e));
      return;
    }
    const route: ImportedRoute = { prefix: prefix.prefix, 'next-hop': '' };
    let i = 1;
    const value = (): ExaWord[] => {
      const first = ws[i];
      if (!first) return [];
      const close = first.text === '[' ? ']' : first.text.startsWith('(') ? ')' : '';
      if (!close) {
        i++;
        return [first];
      }
      const out: ExaWord[] = [];
      let depth = 0;
      while (i < ws.length) {
        const w = ws[i++]!;
        out.push(w);
        if (w.text === '[' || w.text.startsWith('(')) depth++;
        if (w.text === ']' || w.text.endsWith(')')) depth--;
        if (depth === 0) break;
      }
      return out;
    };
    const items = (v: ExaWord[]): string[] => v.map((w) => w.text).filter((t) => !SYNTAX_WORDS.has(t));
    while (i < ws.length) {
      const key = ws[i++]!.text;
      if (ROUTE_FLAGS_DROPPED.has(key)) {
        skip(`${key}: ${ROUTE_FLAGS_DROPPED.get(key)!}; the route is carried without it`);
        continue;
      }
      if (key === 'withdraw') return skip('the route starts withdrawn in ExaBGP: announce it with bgpctl or the API when it should be');
      const v = value();
      if (v.length === 0) return skip(`${key} has no value`);
      const dropped = ROUTE_ATTRS_DROPPED.get(key);
      if (dropped) {
        skip(`${key} ${wordsText(v)}: ${dropped}; the route is carried without it`);
        continue;
      }
      try {
        switch (key) {
          case 'next-hop': {
            let nh = v[0]!.text;
            if (nh === 'self') {
              const la = seen.neighbor['local-address'];
              if (!la) return skip('next-hop self with no local-address: tsbgp needs the next hop written out');
              nh = la;
            }
            route['next-hop'] = parseNextHop(nh, prefix.afi, prefix.prefix);
            break;
          }
          case 'med':
            route.med = this.integer(at, v[0]!.text, 0, MED_MAX);
            break;
          case 'origin':
            if (v[0]!.text.toLowerCase() !== 'igp') skip(`origin ${v[0]!.text}: tsbgp sends ORIGIN IGP; the route is carried with IGP`);
            break;
          case 'community':
            route.communities = items(v).map(exaCommunity);
            break;
          case 'large-community':
            route['large-communities'] = items(v).map((t) => {
              parseLargeCommunity(t);
              return t;
            });
            break;
          case 'as-path': {
            const prepend = asPathPrepend(items(v), seen.localAs?.value, seen.neighbor['remote-as']);
            if (prepend === undefined) skip(`as-path ${wordsText(v)}: tsbgp sends its own AS only (eBGP), prepended as-path-prepend times; the route is carried with that`);
            else if (prepend > 0) route['as-path-prepend'] = prepend;
            break;
          }
          default:
            return skip(`"${key}" is no route attribute the importer knows; the route is not carried`);
        }
      } catch (e) {
        if (e instanceof ExaConfigError) throw e;
        return skip(reasonOf(e));
      }
    }
    if (!route['next-hop']) return skip('the route has no next-hop');
    // ExaBGP keeps the last route of a prefix for a neighbor.
    const earlier = seen.routes.findIndex((r) => r.route.prefix === route.prefix);
    if (earlier >= 0) seen.routes.splice(earlier, 1);
    seen.routes.push({ route, line: at.line });
  }

  /** One config from the neighbors: the first neighbor's router-id and local AS, every route once. */
  private assemble(neighbors: NeighborSeen[]): ImportedConfig {
    const first = neighbors[0]!;
    const config: ImportedConfig = { 'router-id': first.routerId!.value, 'local-as': first.localAs!.value, neighbors: [] };
    for (const n of neighbors.slice(1)) {
      if (n.routerId!.value !== config['router-id']) this.drop(n.routerId!.line, `router-id ${n.routerId!.value};`, `tsbgp has one router-id: kept ${config['router-id']} (neighbor ${first.address}), not ${n.routerId!.value} for neighbor ${n.address}`);
      if (n.localAs!.value !== config['local-as']) this.drop(n.localAs!.line, `local-as ${n.localAs!.value};`, `tsbgp has one local AS: kept ${config['local-as']} (neighbor ${first.address}); neighbor ${n.address} gets it too`);
    }
    const listen = neighbors.find((n) => n.listen)?.listen;
    const passive = neighbors.some((n) => n.neighbor.passive);
    if (listen) {
      config.listen = { port: listen.value };
      for (const n of neighbors) if (n.listen && n.listen.value !== listen.value) this.drop(n.listen.line, `listen ${n.listen.value};`, `tsbgp listens on one port: kept ${listen.value}`);
    } else if (!passive) {
      // ExaBGP listens only when its environment sets tcp.bind.
      config.listen = false;
      this.notes.push({ path: ['listen'], text: ' ExaBGP listens only when exabgp.tcp.bind is set; remove this line and tsbgpd accepts connections on 0.0.0.0:179 too' });
    }
    neighbors.forEach((n, index) => {
      config.neighbors.push(n.neighbor);
      for (const note of n.notes) this.notes.push({ path: ['neighbors', index, ...note.path], text: note.text });
      if (n.neighbor['remote-as'] === 65515) {
        this.notes.push({ path: ['neighbors', index, 'remote-as'], text: ' AS 65515 is Azure Route Server: consider profile: azure-route-server (its limits checked at load)' });
      }
    });

    const routes = new Map<string, { route: ImportedRoute; line: number; on: NeighborSeen[] }>();
    for (const n of neighbors) {
      for (const r of n.routes) {
        const had = routes.get(r.route.prefix);
        if (!had) routes.set(r.route.prefix, { ...r, on: [n] });
        else if (JSON.stringify(had.route) === JSON.stringify(r.route)) {
          if (!had.on.includes(n)) had.on.push(n);
        } else {
          this.drop(r.line, `route ${r.route.prefix} ... (neighbor ${n.address})`, `tsbgp has one route per prefix for every neighbor: kept the one of line ${had.line}`);
        }
      }
    }
    if (routes.size > 0) config.routes = [];
    for (const r of routes.values()) {
      const family = familyOfAfi(parseAddress(r.route.prefix.split('/')[0]!)!.afi);
      const missing = neighbors.filter((n) => !r.on.includes(n) && n.families.has(family));
      if (missing.length > 0) {
        const only = r.on.map((n) => n.address).join(', ');
        this.drop(r.line, `route ${r.route.prefix} ...;`, `ExaBGP announced it to ${only} only; tsbgp announces its routes to every neighbor of the family (here also ${missing.map((n) => n.address).join(', ')})`);
        this.notes.push({ path: ['routes', config.routes!.length], text: ` ExaBGP announced this to ${only} only` });
      }
      config.routes!.push(r.route);
    }

    const used = new Set(neighbors.flatMap((n) => n.processes));
    for (const n of neighbors) {
      for (const p of n.processes) if (!this.processes.has(p)) this.fail(n.block.line, `neighbor ${n.address}: api processes names "${p}", which no process section defines`);
    }
    const programs: ImportedProcess[] = [];
    for (const p of this.processes.values()) {
      const users = neighbors.filter((n) => n.processes.includes(p.name));
      if (p.pipe !== undefined && !config.exabgp) {
        config.exabgp = { pipe: p.pipe };
        this.notes.push({
          path: ['exabgp'],
          text: ` ExaBGP's process ${p.name} (line ${p.line}) ran ${p.run.join(' ')} to read this pipe; tsbgpd creates and reads it itself\n (needs tsbgp's named pipe, issue 11; pipe-mode "0660" lets a group write to it)`,
        });
        continue;
      }
      programs.push({ name: p.name, run: p.run, encoder: p.encoder });
      if (used.size > 0 && users.length > 0 && users.length < neighbors.length) {
        this.drop(p.line, `process ${p.name} { ... }`, `ExaBGP tied it to ${users.map((n) => n.address).join(', ')}; a tsbgp process hears about and speaks to every neighbor (an "announce" goes to all unless it names a neighbor)`);
      }
      if (!p.run[0]!.startsWith('/')) {
        this.notes.push({ path: ['processes', programs.length - 1], text: ` ExaBGP looked for ${p.run[0]} in /etc/exabgp, beside its config and on PATH; write the full path` });
      }
    }
    if (programs.length > 0) {
      config.processes = programs;
      this.notes.push({ path: ['processes'], text: " ExaBGP's process sections (needs tsbgp's processes, issue 11)" });
    }
    return config;
  }

  private print(config: ImportedConfig, notCarried: NotCarried[]): string {
    // In the order an operator reads a config: who we are, how we listen, our peers, our routes, the ExaBGP parts.
    const { 'router-id': routerId, 'local-as': localAs, listen, neighbors, routes, exabgp, processes } = config;
    const doc = new Document({
      'router-id': routerId,
      'local-as': localAs,
      ...(listen !== undefined ? { listen } : {}),
      neighbors,
      ...(routes ? { routes } : {}),
      ...(exabgp ? { exabgp } : {}),
      ...(processes ? { processes } : {}),
    });
    const head = [` tsbgp config imported from ${this.file} by tsbgpd import-exabgp.`, ' Check it with: tsbgpd --check-config FILE'];
    if (notCarried.length === 0) head.push(' Everything was carried over.');
    else {
      head.push('', ` Not carried over (${notCarried.length}):`);
      for (const n of notCarried) head.push(`   line ${n.line}: ${n.exabgp}`, `     ${n.reason}`);
    }
    doc.commentBefore = head.join('\n');
    for (const note of this.notes) commentOn(doc, note);
    return doc.toString({ lineWidth: 0 });
  }

  private ipv4(s: ExaStatement, value: string | undefined): string {
    const a = value === undefined ? null : parseAddress(value);
    if (a?.afi !== Afi.IPV4) this.fail(s.line, `${s.words[0]!.text}: "${value ?? ''}" is not a dotted quad`);
    if (a.text === '0.0.0.0') this.fail(s.line, `${s.words[0]!.text}: 0.0.0.0 is not a valid BGP identifier`);
    return a.text;
  }

  private asn(s: ExaStatement, value: string | undefined): number {
    if (value === 'auto') this.fail(s.line, `${s.words[0]!.text} auto: tsbgp needs the AS number written out`);
    return this.integer(s, value, 0, AS_MAX);
  }

  private integer(at: ExaNode, value: string | undefined, min: number, max: number): number {
    const v = value !== undefined && /^\d{1,10}$/.test(value) ? Number(value) : NaN;
    const what = at.kind === 'statement' ? at.words[0]!.text : wordsText(at.head);
    if (!(v >= min && v <= max)) this.fail(at.line, `${what}: expected a number in ${min}..${max}, got "${value ?? ''}"`);
    return v;
  }

  private bool(s: ExaStatement, value: string | undefined, bare: boolean): boolean {
    if (value === undefined) return bare;
    if (TRUE_WORDS.has(value)) return true;
    if (FALSE_WORDS.has(value)) return false;
    return this.fail(s.line, `${s.words[0]!.text}: expected true or false, got "${value}"`);
  }
}

const SYNTAX_WORDS = new Set(['[', ']', ',']);

/** `socat stdout pipe:PATH` (either order), the program ExaBGP users run to feed it a named pipe. */
export function socatPipe(run: readonly string[]): string | undefined {
  const [prog, ...args] = run;
  if (!prog || !/(^|\/)socat$/.test(prog) || args.length !== 2) return undefined;
  const pipe = args.find((a) => a.startsWith('pipe:'));
  const other = args.find((a) => a !== pipe);
  if (!pipe || (other !== 'stdout' && other !== '-' && other !== 'STDOUT')) return undefined;
  const path = pipe.slice('pipe:'.length).split(',')[0]!;
  return path === '' ? undefined : path;
}

/** An ExaBGP community (A:B, a 32-bit number, or a name) as tsbgp writes it; throws when tsbgp cannot send it. */
function exaCommunity(text: string): string {
  const name = COMMUNITY_NAMES.get(text.toLowerCase()) ?? text.toLowerCase();
  if (/^(\d{1,10}|0x[0-9a-f]{1,8})$/i.test(text)) {
    const n = Number(text);
    if (n <= 0xffffffff) return `${Math.floor(n / 65536)}:${n % 65536}`;
  }
  const t = /^[a-z-]+$/.test(name) ? name : text;
  parseCommunity(t);
  return t;
}

/** ExaBGP sends a configured AS_PATH as written; tsbgp sends its AS 1 + prepend times on eBGP. */
function asPathPrepend(asns: string[], localAs: number | undefined, peerAs: number): number | undefined {
  if (localAs === undefined || peerAs === localAs) return undefined;
  if (asns.length === 0 || asns.length > AS_PATH_PREPEND_MAX + 1 || asns.some((a) => a !== String(localAs))) return undefined;
  return asns.length - 1;
}

function reasonOf(e: unknown): string {
  if (e instanceof TsbgpError) return `${e.message}; the route is not carried`;
  throw e;
}

/** Puts the note's text before the key (or list item) at its path. */
function commentOn(doc: Document, note: Note): void {
  const parentPath = note.path.slice(0, -1);
  const last = note.path[note.path.length - 1]!;
  const parent = parentPath.length === 0 ? doc.contents : doc.getIn(parentPath, true);
  if (isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
    if (pair && isScalar(pair.key)) pair.key.commentBefore = note.text;
  } else if (isSeq(parent) && typeof last === 'number') {
    const item = parent.items[last];
    if (item && (isMap(item) || isScalar(item))) item.commentBefore = note.text;
  }
}
