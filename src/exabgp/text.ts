// ExaDispatcher: one parsed ExaBGP text line applied to the speaker (operator owner, one validator, all or nothing), answered as ExaBGP does.
import { TsbgpError, TsbgpErrorCode, type TsbgpErrorCodeName } from '../errors.js';
import type { ChangeResult, NeighborInfo, RouteEntry, SpeakerControl } from '../control/types.js';
import { AS_PATH_PREPEND_MAX, type RouteInput, validateRoute } from '../routes/values.js';
import type { RouteSpec } from '../routes/local-routes.js';
import { type ExaAttributes, type ExaCommand, type NeighborMatch, parseExaLine } from './grammar.js';

/** Where a line came from: the control socket, the named pipe, or a program's stdout (`processes`). */
export interface ApiSource {
  kind: 'control' | 'pipe' | 'process';
  /** The process's name, the pipe's path: for the logs. */
  name?: string;
  /** Clock ms (performance.now()) when the line was read: the start of the times the speaker reports. */
  receivedAt?: number;
  /** tsbgp's version, for `version`. */
  version?: string;
}

/**
 * What a line got. `lines` are written back as they are (newline excluded): for a text line, any
 * output (show, version) and then exactly `done` or `error`, as ExaBGP answers with acks on; for a
 * JSON line, its one reply line. A blank line gets no line at all (status `none`).
 */
export interface ApiAnswer {
  format: 'text' | 'json';
  status: 'done' | 'error' | 'none';
  lines: string[];
  /**
   * Why `error`; with `done`, what the caller should log as a warning (a peer that could not be
   * written to yet). Never on the `done`/`error` line itself: scripts compare that line to the word.
   */
  reason?: string;
  code?: TsbgpErrorCodeName;
}

export const DONE = 'done';
export const ERROR = 'error';

const done = (lines: string[] = [], reason?: string): ApiAnswer => ({ format: 'text', status: 'done', lines: [...lines, DONE], ...(reason ? { reason } : {}) });
const failed = (reason: string, code: TsbgpErrorCodeName, lines: string[] = []): ApiAnswer => ({ format: 'text', status: 'error', lines: [...lines, ERROR], reason, code });

const refuse = (message: string): TsbgpError => new TsbgpError(TsbgpErrorCode.BAD_ARGUMENT, message);

/** Applies ExaBGP text commands to one speaker. Stateless: one per speaker or one per line cost the same. */
export class ExaDispatcher {
  constructor(private readonly speaker: SpeakerControl) {}

  /** Parse and run one text line. Never throws: every failure is an `error` answer with its reason. */
  async run(line: string, source: ApiSource): Promise<ApiAnswer> {
    const parsed = parseExaLine(line);
    if (!parsed.ok) return failed(parsed.error.message, TsbgpErrorCode.BAD_REQUEST);
    try {
      return await this.apply(parsed.command, source);
    } catch (e) {
      if (e instanceof TsbgpError) return failed(e.message, e.code);
      return failed(`internal error: ${e instanceof Error ? e.message : String(e)}`, TsbgpErrorCode.INTERNAL);
    }
  }

  async apply(c: ExaCommand, source: ApiSource): Promise<ApiAnswer> {
    switch (c.kind) {
      case 'nothing':
        return { format: 'text', status: 'none', lines: [] };
      case 'comment':
        return done();
      case 'announce':
      case 'withdraw':
        return this.change(c, source);
      case 'show-neighbor':
        return done(this.showNeighbor(c.view, c.address));
      case 'show-adj-rib':
        return done(this.showAdjRib(c.direction, c.extensive, c.address));
      case 'version':
        return done([`tsbgp ${source.version ?? 'unknown'} (ExaBGP 4.2 text API)`]);
      case 'help':
        return done(HELP);
      case 'shutdown': {
        // ExaBGP stops the daemon; so does tsbgp, gracefully (peers with graceful restart keep the routes).
        this.speaker.shutdown('graceful');
        return done(['shutdown in progress']);
      }
    }
  }

  // ---- announce / withdraw ---------------------------------------------------------------------

  private async change(c: Extract<ExaCommand, { kind: 'announce' | 'withdraw' }>, source: ApiSource): Promise<ApiAnswer> {
    const neighbors = this.speaker.neighbors();
    if (c.neighbors) checkSelector(c.neighbors, neighbors, this.speaker.summary());
    const routes = c.kind === 'announce' ? c.prefixes.map((prefix) => validateRoute(this.routeInput(prefix, c.attributes, neighbors))) : undefined;
    const before = new Map<string, RouteEntry>();
    for (const r of this.speaker.routes('local')) if (c.prefixes.includes(r.prefix)) before.set(r.prefix, r);
    // ExaBGP answers `done` to the withdrawal of a route it does not have (and logs it): so do we.
    const absent = c.kind === 'withdraw' ? c.prefixes.filter((p) => !before.has(p)) : [];
    const prefixes = c.prefixes.filter((p) => !absent.includes(p));
    const note = absent.length ? `not announced, nothing to withdraw: ${absent.join(', ')}` : undefined;
    if (prefixes.length > 1) this.precheck(prefixes, before);
    // Started in one synchronous run: the speaker plans them as one batch (one UPDATE per attribute set).
    const started = routes ? routes.map((r) => this.speaker.announce(r, source.receivedAt)) : prefixes.map((p) => this.speaker.withdraw(p, source.receivedAt));
    const settled = await Promise.allSettled(started);
    const refused = settled.findIndex((s) => s.status === 'rejected');
    if (refused >= 0) {
      const why = (settled[refused] as PromiseRejectedResult).reason as unknown;
      const applied = settled.flatMap((s, i) => (s.status === 'fulfilled' && s.value.changed ? [prefixes[i]!] : []));
      const undone = await this.undo(applied, before, source);
      const tail = applied.length ? `; nothing was changed (${undone} put back as they were)` : '';
      if (why instanceof TsbgpError) return failed(`${prefixes.length > 1 ? `${prefixes[refused]}: ` : ''}${why.message}${tail}`, why.code);
      throw why;
    }
    const results = settled.map((s) => (s as PromiseFulfilledResult<ChangeResult>).value);
    const late = notOnTheWire(results);
    return done([], note && late ? `${note}; ${late}` : (note ?? late));
  }

  /** ExaBGP's attributes as tsbgp's route input: what tsbgp cannot send as asked is refused, not dropped. */
  private routeInput(prefix: string, a: ExaAttributes, neighbors: NeighborInfo[]): RouteInput {
    if (a.nextHop === 'self') {
      throw refuse('next-hop self is not supported: tsbgp announces the address of the server behind the prefix; give it (next-hop 10.10.0.5)');
    }
    if (a.origin !== undefined && a.origin !== 'igp') throw refuse(`origin ${a.origin} is not supported: tsbgp originates its routes with ORIGIN IGP`);
    if (a.extendedCommunities?.length) throw refuse(`extended-community ${a.extendedCommunities[0]} is not supported: tsbgp does not originate extended communities`);
    const localAs = this.speaker.summary().localAs;
    if (a.localPref !== undefined && a.localPref !== 100) {
      // RFC 4271 §5.1.5: never sent to an external peer (ExaBGP drops it there too); tsbgp sends 100 to internal ones.
      const internal = neighbors.filter((n) => n.remoteAs === localAs).map((n) => n.address);
      if (internal.length) throw refuse(`local-preference ${a.localPref} is not supported: tsbgp sends LOCAL_PREF 100 to its iBGP neighbors (${internal.join(', ')})`);
    }
    const input: RouteInput = { prefix, nextHop: a.nextHop! };
    if (a.med !== undefined) input.med = a.med;
    if (a.communities) input.communities = a.communities;
    if (a.largeCommunities) input.largeCommunities = a.largeCommunities;
    if (a.asPath) input.asPathPrepend = prependOf(a.asPath, localAs);
    return input;
  }

  /** Several prefixes: refuse up front what the read model can tell would be refused, so that none is applied. */
  private precheck(prefixes: string[], before: Map<string, RouteEntry>): void {
    const automatic = new Set(this.speaker.vips().filter((v) => v.mode === 'automatic').map((v) => v.prefix));
    for (const p of prefixes) {
      const owner = before.get(p)?.owner;
      if (automatic.has(p)) throw new TsbgpError(TsbgpErrorCode.OWNED, `${p} is a VIP moved by its health checks; nothing was changed`);
      if (owner === 'health' || owner === 'peer') throw new TsbgpError(TsbgpErrorCode.OWNED, `${p} is decided by owner ${owner}; nothing was changed`);
    }
  }

  /**
   * A later prefix of the line was refused after earlier ones were applied: put those back as they
   * were (the operator's route again, or withdrawn). Returns how many were put back.
   */
  private async undo(prefixes: string[], before: Map<string, RouteEntry>, source: ApiSource): Promise<number> {
    let n = 0;
    for (const p of prefixes) {
      const was = before.get(p);
      try {
        if (was) await this.speaker.announce(specOf(was), source.receivedAt);
        else await this.speaker.withdraw(p, source.receivedAt);
        n++;
      } catch {
        // Reported by the count: the answer says how many were put back.
      }
    }
    return n;
  }

  // ---- show ------------------------------------------------------------------------------------

  /** ExaBGP 4.2's `show neighbor summary` table (established sessions, UPDATE counts), or `extensive`. */
  private showNeighbor(view: 'summary' | 'extensive' | 'configuration', address?: string): string[] {
    const list = address === undefined ? this.speaker.neighbors() : this.speaker.neighbors(address);
    if (view === 'configuration') throw refuse('show neighbor configuration is not supported: tsbgpd --check-config FILE and bgpctl show neighbors say how each is set');
    const summary = this.speaker.summary();
    if (view === 'summary') {
      const rows = list.filter((n) => n.state === 'Established').map((n) => summaryRow(n));
      return ['Peer            AS        up/down state       |     #sent     #recvd', ...rows];
    }
    return list.flatMap((n) => extensive(n, summary.localAs, summary.routerId));
  }

  /** `neighbor A ipv4 unicast P next-hop N`, one line per route; `extensive`: the neighbor's full name and the attributes. */
  private showAdjRib(direction: 'in' | 'out', detailed: boolean, address?: string): string[] {
    const list = address === undefined ? this.speaker.neighbors() : this.speaker.neighbors(address);
    const summary = this.speaker.summary();
    const out: string[] = [];
    for (const n of list) {
      const name = detailed ? neighborName(n, summary.localAs, summary.routerId) : `neighbor ${n.address}`;
      for (const r of this.speaker.routes(direction === 'out' ? 'advertised' : 'received', n.address)) {
        const family = r.prefix.includes(':') ? 'ipv6 unicast' : 'ipv4 unicast';
        out.push(`${name} ${family} ${r.prefix} next-hop ${r.nextHop}${detailed ? attributesText(r) : ''}`);
      }
    }
    return out;
  }
}

/**
 * ExaBGP's `neighbor IP [, neighbor IP]` selector. tsbgp sends its routes to every neighbor, so a
 * selector must name them all (it may qualify each with local-ip, peer-as...): one that names a
 * subset is refused, saying which neighbors it leaves out, rather than announced to all.
 */
function checkSelector(matches: NeighborMatch[], neighbors: NeighborInfo[], s: { localAs: number; routerId: string }): void {
  const named = new Set<string>();
  for (const m of matches) {
    const n = neighbors.find((x) => x.address === m.address);
    const problem = !n
      ? 'is not a configured neighbor'
      : m.peerAs !== undefined && m.peerAs !== n.remoteAs
        ? `has peer-as ${n.remoteAs}, not ${m.peerAs}`
        : m.localAs !== undefined && m.localAs !== s.localAs
          ? `has local-as ${s.localAs}, not ${m.localAs}`
          : m.routerId !== undefined && m.routerId !== s.routerId
            ? `has router-id ${s.routerId}, not ${m.routerId}`
            : m.localIp !== undefined && m.localIp !== n.localAddress
              ? `has local-ip ${n.localAddress ?? 'auto'}, not ${m.localIp}`
              : undefined;
    if (problem) throw new TsbgpError(TsbgpErrorCode.UNKNOWN_NEIGHBOR, `no neighbor matching the selector: ${m.address} ${problem} (configured: ${neighbors.map((x) => x.address).join(', ') || 'none'})`);
    named.add(m.address);
  }
  const left = neighbors.filter((n) => !named.has(n.address)).map((n) => n.address);
  if (left.length) {
    throw refuse(`tsbgp announces its routes to every neighbor and cannot limit them to ${[...named].join(', ')}: name them all, or none (not named: ${left.join(', ')})`);
  }
}

/** ExaBGP's as-path for a route we originate: our AS, repeated to prepend. Anything else would be a path we did not take. */
function prependOf(asPath: number[], localAs: number): number {
  if (!asPath.length || asPath.some((a) => a !== localAs) || asPath.length - 1 > AS_PATH_PREPEND_MAX) {
    throw refuse(
      `as-path [ ${asPath.join(' ')} ] is not supported: tsbgp originates its routes, so the path is its AS ${localAs}, repeated at most ${AS_PATH_PREPEND_MAX + 1} times to prepend`,
    );
  }
  return asPath.length - 1;
}

/** A local route as `show routes` reads it, back as the spec to announce it again. */
function specOf(r: RouteEntry): RouteSpec {
  const input: RouteInput = { prefix: r.prefix, nextHop: r.nextHop, communities: r.communities, largeCommunities: r.largeCommunities };
  if (r.med !== undefined) input.med = r.med;
  const prepend = r.asPath === '' ? 0 : r.asPath.split(' ').length;
  if (prepend) input.asPathPrepend = prepend;
  return validateRoute(input);
}

/** Established peers a change could not be written to yet (not reading, held back): logged as a warning with `done`. */
function notOnTheWire(results: ChangeResult[]): string | undefined {
  const late = results.flatMap((r) =>
    r.peers.filter((p) => p.state === 'Established' && !p.sent && !(p.note ?? '').startsWith('unchanged')).map((p) => `${r.prefix} to ${p.neighbor}: ${p.note ?? 'not sent'}`),
  );
  return late.length ? `applied, but not yet on the wire: ${late.join('; ')}` : undefined;
}

/** Python's str(timedelta(seconds=n)): "0:05:03", "2 days, 1:00:00". */
export function timedelta(seconds: number): string {
  const s = Math.floor(seconds);
  const days = Math.floor(s / 86400);
  const rest = s % 86400;
  const hms = `${Math.floor(rest / 3600)}:${String(Math.floor((rest % 3600) / 60)).padStart(2, '0')}:${String(rest % 60).padStart(2, '0')}`;
  return days ? `${days} day${days === 1 ? '' : 's'}, ${hms}` : hms;
}

const pad = (s: string, n: number): string => s.padEnd(n);
const padLeft = (s: string, n: number): string => s.padStart(n);

/** '%-15s %-7s %9s %-12s %10d %10d' (ExaBGP's summary_template). */
function summaryRow(n: NeighborInfo): string {
  const upDown = n.state === 'Established' ? timedelta(n.uptime ?? 0) : 'down';
  return `${pad(n.address, 15)} ${pad(String(n.remoteAs), 7)} ${padLeft(upDown, 9)} ${pad(n.state.toLowerCase(), 12)} ${padLeft(String(n.messages.sent.update), 10)} ${padLeft(String(n.messages.received.update), 10)}`;
}

/** ExaBGP's neighbor name: `neighbor A local-ip L local-as X peer-as Y router-id R family-allowed in-open`. */
function neighborName(n: NeighborInfo, localAs: number, routerId: string): string {
  return `neighbor ${n.address} local-ip ${n.localAddress ?? 'auto'} local-as ${localAs} peer-as ${n.remoteAs} router-id ${routerId} family-allowed in-open`;
}

const kv = (k: string, a: string | number, b: string | number = '', c = ''): string => `   ${pad(k, 20)} ${padLeft(String(a), 15)} ${padLeft(String(b), 15)} ${padLeft(c, 15)}`;

/** Close to ExaBGP's `show neighbor extensive` block: the fields tsbgp knows. */
function extensive(n: NeighborInfo, localAs: number, routerId: string): string[] {
  const m = n.messages;
  return [
    `Neighbor ${n.address}`,
    '',
    kv('local', n.localAddress ?? 'auto'),
    kv('state', n.state.toUpperCase()),
    kv(n.uptime !== undefined ? 'up for' : 'down', n.uptime !== undefined ? timedelta(n.uptime) : n.since),
    '',
    kv('', 'local', 'peer'),
    kv('AS', localAs, n.remoteAs),
    kv('ID', routerId, n.peerId ?? '-'),
    kv('hold-time', n.configuredHoldTime, n.holdTime ?? '-'),
    '',
    kv('', 'sent', 'received'),
    kv('open:', m.sent.open, m.received.open),
    kv('update:', m.sent.update, m.received.update),
    kv('keepalive:', m.sent.keepalive, m.received.keepalive),
    kv('notification:', m.sent.notification, m.received.notification),
    kv('refresh:', m.sent.routeRefresh, m.received.routeRefresh),
    '',
  ];
}

/** ExaBGP's attribute text: ` origin igp as-path [ 65001 ] med 100 community [ 65000:1 ]`. */
function attributesText(r: RouteEntry): string {
  const list = (xs: string[]): string => (xs.length === 1 ? xs[0]! : `[ ${xs.join(' ')} ]`);
  let s = ` origin ${r.origin.toLowerCase()}`;
  if (r.asPath !== '') s += ` as-path [ ${r.asPath} ]`;
  if (r.med !== undefined) s += ` med ${r.med}`;
  if (r.localPref !== undefined) s += ` local-preference ${r.localPref}`;
  if (r.communities.length) s += ` community ${list(r.communities)}`;
  if (r.largeCommunities.length) s += ` large-community ${list(r.largeCommunities)}`;
  if (r.extendedCommunities.length) s += ` extended-community ${list(r.extendedCommunities)}`;
  return s;
}

const HELP = [
  'tsbgp runs these ExaBGP 4.2 text commands:',
  '  [neighbor IP [, neighbor IP ...]] announce route PREFIX next-hop ADDRESS [med M] [local-preference 100] [origin igp] [as-path [ OUR-AS ... ]] [community [A:B ...]] [large-community [A:B:C ...]]',
  '  [neighbor ...] withdraw route PREFIX [attributes, ignored]',
  '  [neighbor ...] announce attributes next-hop ADDRESS [...] nlri PREFIX [PREFIX ...]',
  '  [neighbor ...] withdraw attributes [...] nlri PREFIX [PREFIX ...]',
  '  show neighbor summary|extensive [ADDRESS]',
  '  show adj-rib in|out [extensive] [ADDRESS]',
  '  version, shutdown, help, # comment',
];
