// Renderings of every reply, OpenBGPD bgpctl style: one output table, a text and a JSON implementation.
// Imported by bgpctl: types only from the rest of tsbgp.
import type {
  ErrorBody,
  NeighborActionResult,
  NeighborsResult,
  PingResult,
  ProcessesResult,
  RoutesResult,
  SummaryNeighbor,
  SummaryResult,
  VipHistoryResult,
  VipModeResult,
  VipMoveResult,
  VipsResult,
} from './protocol.js';
import type {
  CandidateInfo,
  ChangeResult,
  GracefulRestartSide,
  MessageCounts,
  NeighborInfo,
  PeerWrite,
  ReloadResult,
  RouteEntry,
  SaveOutcome,
  ShutdownResult,
  SpeakerEvent,
  StateFileStatus,
  VipInfo,
  VipMove,
  VipPairInfo,
} from './types.js';

/** One method per kind of reply; each returns whole lines (ending in a newline), or '' for nothing. */
export interface Output {
  neighbors(r: NeighborsResult): string;
  summary(r: SummaryResult): string;
  routes(r: RoutesResult): string;
  change(action: 'announce' | 'withdraw', r: ChangeResult): string;
  neighborAction(r: NeighborActionResult): string;
  reload(r: ReloadResult): string;
  shutdown(r: ShutdownResult): string;
  vips(r: VipsResult): string;
  processes(r: ProcessesResult): string;
  vipMove(r: VipMoveResult): string;
  vipMode(r: VipModeResult): string;
  vipHistory(r: VipHistoryResult): string;
  ping(r: PingResult): string;
  event(e: SpeakerEvent): string;
  error(e: ErrorBody): string;
}

export interface TextOptions {
  /** The clock for "Up/Down" columns (tests pass a fixed one). */
  now?: () => Date;
}

// ---- JSON: one object per reply or event, one line each ----------------------------------------------

const line = (value: unknown): string => JSON.stringify(value) + '\n';

export const jsonOutput: Output = {
  neighbors: line,
  summary: line,
  routes: line,
  change: (_action, r) => line(r),
  neighborAction: line,
  reload: line,
  shutdown: line,
  vips: line,
  processes: line,
  vipMove: line,
  vipMode: line,
  vipHistory: line,
  ping: line,
  event: line,
  error: (e) => line({ error: e }),
};

// ---- Text ------------------------------------------------------------------------------------------

/** OpenBGPD's fmt_timeframe: "01:02:03" under a day, "1d02h03m" under a week, then "2w3d04h". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return 'Never';
  const s = Math.floor(seconds);
  const two = (n: number): string => String(n).padStart(2, '0');
  const sec = s % 60;
  const min = Math.floor(s / 60) % 60;
  const hrs = Math.floor(s / 3600) % 24;
  const days = Math.floor(s / 86400);
  if (days === 0) return `${two(hrs)}:${two(min)}:${two(sec)}`;
  if (days < 7) return `${days}d${two(hrs)}h${two(min)}m`;
  return `${Math.floor(days / 7)}w${days % 7}d${two(hrs)}h`;
}

/** "85 µs" below a millisecond, then "4.1 ms". */
export function formatMicros(us: number): string {
  return us < 999.5 ? `${Math.round(us)} µs` : `${(us / 1000).toFixed(1)} ms`;
}

/** Check latencies and delays: "350 µs" below a millisecond, "1.2 ms", "2 ms", "80 ms", then "1.5 s", "30 s". */
export function formatMillis(ms: number): string {
  if (ms === 0) return '0 ms';
  if (ms < 0.9995) return formatMicros(ms * 1000);
  if (ms < 9.95) return `${Number.isInteger(ms) ? ms : ms.toFixed(1)} ms`;
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  return Number.isInteger(s) || s >= 100 ? `${Math.round(s)} s` : `${s.toFixed(1)} s`;
}

type Align = 'l' | 'r';

/** Columns padded to their widest cell, two spaces apart, no trailing blanks. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[]): string {
  // A loop, not Math.max(...cells): a table of a million routes would overflow the call stack.
  const widths = header.map((h) => h.length);
  for (const r of rows) for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i]!, (r[i] ?? '').length);
  const render = (cells: readonly string[]): string =>
    cells
      .map((c, i) => {
        const w = widths[i] ?? 0;
        const last = i === cells.length - 1;
        return align[i] === 'r' ? c.padStart(w) : last ? c : c.padEnd(w);
      })
      .join('  ')
      .trimEnd() + '\n';
  return render(header) + rows.map(render).join('');
}

const plural = (n: number, one: string, many = one + 's'): string => `${n} ${n === 1 ? one : many}`;

const ORIGIN_LETTER: Readonly<Record<string, string>> = { igp: 'i', egp: 'e', incomplete: '?', i: 'i', e: 'e', '?': '?' };

function neighborBlock(n: NeighborInfo, now: Date): string {
  const out: string[] = [];
  out.push(`BGP neighbor is ${n.address}, remote AS ${n.remoteAs}, port ${n.port}`);
  if (n.description) out.push(` Description: ${n.description}`);
  const local = [n.localAddress ? `local address ${n.localAddress}` : 'local address any', n.passive ? 'passive' : 'active'];
  out.push(`  ${cap(local.join(', '))}`);
  if (n.state === 'Established') {
    out.push(`  BGP state = Established, up for ${formatDuration(n.uptime ?? secondsSince(n.since, now))}`);
  } else {
    out.push(`  BGP state = ${n.state}, for ${formatDuration(secondsSince(n.since, now))}`);
  }
  out.push(`  Last state change ${n.since}`);
  if (n.peerId) out.push(`  Remote router ID ${n.peerId}`);
  const hold = n.holdTime !== undefined ? `Hold time ${n.holdTime} s (configured ${n.configuredHoldTime} s)` : `Hold time configured ${n.configuredHoldTime} s`;
  out.push(`  ${hold}${n.keepaliveTime !== undefined ? `, keepalive ${n.keepaliveTime} s` : ''}`);
  const c = n.capabilities;
  if (c) {
    const agreed = [
      c.fourOctetAs && '4-octet AS',
      c.routeRefresh && 'route refresh',
      c.enhancedRouteRefresh && 'enhanced route refresh',
      c.extendedMessage && 'extended message',
      c.gracefulRestart && 'graceful restart',
    ].filter((x): x is string => typeof x === 'string');
    out.push('', '  Capabilities:');
    out.push(`    Sent:       ${c.local.join(', ') || 'none'}`);
    out.push(`    Received:   ${c.remote.join(', ') || 'none'}`);
    out.push(`    Negotiated: ${[`families ${c.families.join(' ') || 'none'}`, ...agreed].join(', ')}`);
  }
  const gr = n.gracefulRestart;
  if (gr?.negotiated) {
    const g = gr.negotiated;
    const side = (x: GracefulRestartSide): string => {
      const kept = x.families.filter((f) => f.forwardingPreserved).map((f) => f.family);
      const fams = x.families.length === 0 ? 'helper only' : `restarts ${x.families.map((f) => f.family).join(' ')}${kept.length ? `, forwarding kept for ${kept.join(' ')}` : ''}`;
      return `restart time ${x.restartTime} s, ${fams}${x.restarted ? ', has just restarted' : ''}`;
    };
    out.push('', '  Graceful restart:');
    out.push(`    Ours:       ${side(g.local)}`);
    out.push(`    Peer's:     ${side(g.peer)}`);
    out.push(`    Notification (RFC 8538): ${g.notification ? 'both sides' : 'not on both sides'}`);
  }
  if (gr?.stale) {
    const why = gr.stale.phase === 'restarting' ? 'the peer is restarting' : 'the peer is back, its End-of-RIB awaited';
    out.push('', `  Stale routes: ${plural(gr.stale.routes, 'route')} (${gr.stale.families.join(' ')}): ${why}`);
  }
  const rows: [string, keyof MessageCounts][] = [
    ['Opens', 'open'],
    ['Notifications', 'notification'],
    ['Updates', 'update'],
    ['Keepalives', 'keepalive'],
    ['Route Refresh', 'routeRefresh'],
    ['Total', 'total'],
  ];
  out.push('', '  Message statistics:');
  const msgs = table(
    ['', 'Sent', 'Received'],
    rows.map(([label, k]) => [label, String(n.messages.sent[k]), String(n.messages.received[k])]),
    ['l', 'r', 'r'],
  );
  const prefixes = table(['', 'Sent', 'Received'], [['Prefixes', String(n.prefixes.advertised), String(n.prefixes.received)]], ['l', 'r', 'r']);
  out.push(...indent(msgs, 4), '', '  Update statistics:', ...indent(prefixes, 4));
  const ig = n.prefixes.ignored;
  if (ig) {
    const why = [
      [ig.asPathLoop, 'our AS in the AS path (loop)'],
      [ig.nextHopOwnAddress, 'next hop is ours'],
      [ig.nextHopZero, 'next hop 0.0.0.0/8 or ::'],
      [ig.nextHopMulticast, 'next hop multicast'],
      [ig.nextHopReserved, 'next hop 240/4'],
    ] as const;
    out.push(`    Ignored on receipt (not valid): ${why.filter(([count]) => count > 0).map(([count, text]) => `${count} ${text}`).join(', ')}`);
  }
  const l = n.limits;
  if (l || n.profile) out.push('', `  Limits${n.profile ? ` (profile ${n.profile})` : ''}:`);
  if (l?.routesOut) {
    const r = l.routesOut;
    out.push(`    max-routes-out ${r.limit} (held + in one UPDATE): ${r.held} held, at most ${r.most}`);
  }
  if (l?.prefixesIn) {
    const r = l.prefixesIn;
    out.push(`    max-prefixes-in ${r.limit} (${r.action}): ${r.held} received${r.over ? ', ABOVE the limit' : ''}, exceeded ${plural(r.exceeded, 'time')}`);
  }
  const e = n.lastError;
  if (e) out.push('', `  Last error ${e.direction === 'local' ? '(local)' : e.direction}: ${e.text} (${e.code}/${e.subcode}) at ${e.at}`);
  if (n.connectError) {
    if (!e) out.push('');
    out.push(`  Connect error: ${n.connectError.text} at ${n.connectError.at}`);
  }
  return out.join('\n') + '\n';
}

const indent = (text: string, by: number): string[] => text.trimEnd().split('\n').map((l) => ' '.repeat(by) + l);
const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

function secondsSince(iso: string, now: Date): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? -1 : Math.max(0, (now.getTime() - t) / 1000);
}

function summaryRow(n: SummaryNeighbor, now: Date, withDescription: boolean): string[] {
  const row = [
    n.address,
    String(n.remoteAs),
    String(n.messagesReceived),
    String(n.messagesSent),
    formatDuration(secondsSince(n.since, now)),
    n.state === 'Established' ? String(n.received) : n.state,
    String(n.advertised),
  ];
  if (withDescription) row.push(n.description ?? '');
  return row;
}

function peerLine(action: 'announce' | 'withdraw', p: PeerWrite, width: number): string {
  let what: string;
  if (p.sent) what = `sent in ${p.micros === undefined ? '?' : formatMicros(p.micros)}`;
  else if (p.state !== 'Established') what = action === 'announce' ? 'will get the route when it comes up' : 'not established, nothing to withdraw';
  else what = p.note ?? 'not sent';
  return `${p.neighbor.padEnd(width)}  ${p.state.padEnd(11)}  ${what}`.trimEnd();
}

/** The save, apart from the wire time: durability is not what "sent in" measures. */
function savedText(s: SaveOutcome | undefined): string {
  if (!s) return '';
  return s.ok ? `, saved in ${formatMicros(s.micros)}` : `, NOT saved: ${s.error}`;
}

/**
 * A warning for stderr when a change reached the wire but not the state file, else undefined.
 * bgpctl still exits 0: the route is in effect, which is what its exit status answers (a health
 * script that saw a failure would fail over again); what a restart would undo is said here.
 */
export function notSavedWarning(action: 'announce' | 'withdraw', r: ChangeResult): string | undefined {
  if (!r.saved || r.saved.ok) return undefined;
  const since = r.saved.since ? `, last saved ${r.saved.since}` : '';
  return `bgpctl: warning: ${action} ${r.prefix} is on the wire but not in the state file${since}; a restart of tsbgpd would undo it (${r.saved.error})\n`;
}

function stateFileLine(s: StateFileStatus): string {
  if (s.unsavedSince) return `state file ${s.path}: NOT SAVED since ${s.unsavedSince}${s.error ? `: ${s.error}` : ', saving'}\n`;
  if (s.savedAt) return `state file ${s.path}: saved at ${s.savedAt}\n`;
  return `state file ${s.path}: up to date, not written since start\n`;
}

// ---- VIPs ----

/** Candidate names cannot hold parentheses (config NAME), so "(none)" and "(withdrawn)" are never a name. */
const moveText = (m: { from?: string; to?: string }): string => `${m.from ?? '(none)'} -> ${m.to ?? '(withdrawn)'}`;

const causeText = (m: VipMove): string => (m.detail ? `${m.cause}: ${m.detail}` : m.cause);

/** Per neighbor, named: the route servers are not interchangeable when one is slow or down. */
function wireText(wire: VipMove['wire']): string {
  if (wire.length === 0) return 'no neighbors';
  return wire.map((w) => `${w.neighbor} ${w.micros !== undefined ? formatMicros(w.micros) : (w.note ?? 'not sent')}`).join(', ');
}

/** A move inside the previous one's change window is sent at once, but Azure applies it only when the window ends. */
function effectiveNote(m: VipMove): string | undefined {
  return m.effectiveAt !== m.at ? `takes effect ~${m.effectiveAt} (change window)` : undefined;
}

/** From the failure seen (first failed check, or the watch's reset) to the decision. */
function detectText(m: VipMove): string | undefined {
  if (!m.failureSeenAt) return undefined;
  const ms = Date.parse(m.at) - Date.parse(m.failureSeenAt);
  return Number.isNaN(ms) ? undefined : formatMillis(Math.max(0, ms));
}

/** One move on one line: what, why, when, how long to detect, the wire, the confirmation, when it takes effect. */
function moveLine(m: VipMove): string {
  const detect = detectText(m);
  const parts = [
    `${moveText(m)} (${causeText(m)}) at ${m.at}`,
    ...(detect !== undefined ? [`${detect} after the failure`] : []),
    `on the wire ${wireText(m.wire)}`,
    ...(m.confirmedMs !== undefined ? [`confirmed in ${formatMillis(m.confirmedMs)}`] : []),
    ...(effectiveNote(m) ? [effectiveNote(m)!] : []),
  ];
  return parts.join(', ');
}

const currentText = (v: VipInfo): string => (v.current ? `via ${v.current.candidate} (${v.current.nextHop}) since ${v.current.since}` : 'not announced');
const modeText = (v: VipInfo): string => (v.mode === 'frozen' ? 'frozen (no automatic moves)' : 'automatic');
const MODE_MEANS = { frozen: 'no automatic moves until unfrozen', automatic: 'its health checks may move it' } as const;

/** The run of checks in a row that counts now: passes toward `rise`, failures toward `fall`. */
function streakText(c: CandidateInfo): string {
  if (c.passes > 0) return `passes ${c.passes}`;
  if (c.fails > 0) return `fails ${c.fails}`;
  return '-';
}

/** One of a pair of watchers: its role, the partner and its route for the VIP, whether the two agree. */
function pairLine(p: VipPairInfo): string {
  const role = p.role === 'primary' ? 'primary' : p.following ? 'standby (following the partner)' : 'standby (own checks decide)';
  const r = p.partnerRoute;
  const route = r ? `its route via ${r.candidate !== undefined ? `${r.candidate} (${r.nextHop})` : r.nextHop}${r.stale ? ' (stale: it is restarting)' : ''}` : 'no route from it';
  const agree = p.agreement === 'agree' ? 'agree' : `${p.agreement}: ${p.detail ?? '-'}`;
  return `  pair ${role}, partner ${p.partner} ${p.partnerState}, ${route}; ${agree}; ${plural(p.disagreements, 'disagreement')}`;
}

function vipBlock(v: VipInfo): string {
  const out: string[] = [];
  out.push(`VIP ${v.name}  ${v.prefix}  ${modeText(v)}  ${currentText(v)}`);
  const window = v.changeWindowMs === 0 ? 'no change window' : `change window ${formatMillis(v.changeWindowMs)}`;
  out.push(`  failback ${v.failback}, ${window}, all down: ${v.allDown}`);
  if (v.pair) out.push(pairLine(v.pair));
  const withWatch = v.candidates.some((c) => c.watch !== undefined);
  const header = ['candidate', 'next hop', 'health', 'streak', 'last check'];
  if (withWatch) header.push('watch');
  const rows = v.candidates.map((c) => {
    const check = c.lastCheck ? `${c.lastCheck.detail} (${formatMillis(c.lastCheck.latencyMs)})` : '-';
    const row = [c.name, c.nextHop, c.health, streakText(c), check];
    if (withWatch) row.push(c.watch ?? '-');
    return row;
  });
  out.push(...indent(table(header, rows, header.map(() => 'l')), 2));
  out.push(`  last move: ${v.lastMove ? moveLine(v.lastMove) : 'none'}`);
  return out.join('\n') + '\n';
}

function eventText(e: SpeakerEvent): string {
  const via = (nh: string | undefined): string => (nh ? ` via ${nh}` : '');
  switch (e.type) {
    case 'state':
      return `${e.at}  ${e.neighbor}  state ${e.from} -> ${e.to}${e.reason ? `: ${e.reason}` : ''}`;
    case 'route':
      return `${e.at}  ${e.neighbor}  ${e.direction} ${e.action} ${e.prefix}${via(e.nextHop)}`;
    case 'local':
      return `${e.at}  local  ${e.action} ${e.prefix}${via(e.nextHop)}`;
    case 'notification':
      return `${e.at}  ${e.neighbor}  notification ${e.direction} ${e.code}/${e.subcode} ${e.text}`;
    case 'health':
      return `${e.at}  vip ${e.vip}  ${e.candidate} is ${e.health}${e.detail ? `: ${e.detail}` : ''}`;
    case 'vip':
      return `${e.at}  vip ${e.vip}  moved ${moveText(e)} (${e.detail ? `${e.cause}: ${e.detail}` : e.cause})`;
    default: {
      const never: never = e;
      return JSON.stringify(never);
    }
  }
}

export function textOutput(o: TextOptions = {}): Output {
  const now = o.now ?? (() => new Date());
  return {
    neighbors(r) {
      if (r.neighbors.length === 0) return 'no neighbors configured\n';
      const t = now();
      return r.neighbors.map((n) => neighborBlock(n, t)).join('\n');
    },

    summary(r) {
      const t = now();
      const head =
        `BGP router identifier ${r.routerId}, local AS number ${r.localAs}\n` +
        `tsbgpd up ${formatDuration(r.uptime)}, ${plural(r.localRoutes, 'local route')}\n` +
        (r.stateFile ? stateFileLine(r.stateFile) : '');
      if (r.neighbors.length === 0) return head + '\nno neighbors configured\n';
      const withDescription = r.neighbors.some((n) => n.description);
      const header = ['Neighbor', 'AS', 'MsgRcvd', 'MsgSent', 'Up/Down', 'State/PfxRcd', 'PfxSnt'];
      const align: Align[] = ['l', 'r', 'r', 'r', 'l', 'r', 'r'];
      if (withDescription) {
        header.push('Description');
        align.push('l');
      }
      return head + '\n' + table(header, r.neighbors.map((n) => summaryRow(n, t, withDescription)), align);
    },

    routes(r) {
      const from = r.neighbor ? (r.view === 'received' ? ` from ${r.neighbor}` : ` to ${r.neighbor}`) : '';
      const which = `${r.view} routes${from}${r.prefix ? ` inside ${r.prefix}` : ''}`;
      // A limited table says so at its end, where the eye lands after reading it.
      const more = r.truncated ? `\nmore ${which} than shown: the limit is ${plural(r.routes.length, 'route')}\n` : '';
      if (r.routes.length === 0) return r.truncated ? `${which}: none shown (--limit 0)\n` : `no ${which}\n`;
      const flag = r.view === 'local' ? 'L' : r.view === 'received' ? '*' : '>';
      const stale = r.routes.some((e) => e.stale);
      const withNeighbor = r.view !== 'local';
      const withCommunities = r.routes.some((e) => e.communities.length + e.largeCommunities.length + e.extendedCommunities.length > 0);
      const header = ['flags', 'prefix', 'nexthop', 'MED', 'LP', 'aspath origin'];
      const align: Align[] = ['l', 'l', 'l', 'r', 'r', 'l'];
      if (withNeighbor) {
        header.splice(1, 0, 'neighbor');
        align.splice(1, 0, 'l');
      }
      if (withCommunities) {
        header.push('communities');
        align.push('l');
      }
      const rows = r.routes.map((e: RouteEntry) => {
        const origin = ORIGIN_LETTER[e.origin.toLowerCase()] ?? e.origin;
        const prefix = e.pathId !== undefined ? `${e.prefix} (path ${e.pathId})` : e.prefix;
        const row = [e.stale ? 'S' : flag, prefix, e.nextHop, e.med === undefined ? '' : String(e.med), e.localPref === undefined ? '' : String(e.localPref), `${e.asPath} ${origin}`.trim()];
        if (withNeighbor) row.splice(1, 0, e.neighbor ?? '');
        if (withCommunities) row.push([...e.communities, ...e.largeCommunities, ...e.extendedCommunities].join(' '));
        return row;
      });
      const staleLegend = stale ? ', S = received, stale (kept while the neighbor restarts)' : '';
      const legend = `flags: L = local, * = received${staleLegend}, > = advertised; origin: i = IGP, e = EGP, ? = incomplete\n\n`;
      return legend + table(header, rows, align) + more;
    },

    change(action, r) {
      const via = action === 'announce' && r.route ? ` via ${r.route.nextHop}` : '';
      const sent = r.peers.filter((p) => p.sent).length;
      let head: string;
      if (!r.changed) head = action === 'announce' ? 'unchanged, nothing sent' : 'not announced, nothing sent';
      else if (r.peers.length === 0) head = 'no neighbors configured';
      else head = `sent to ${sent} of ${plural(r.peers.length, 'neighbor')} in ${formatMicros(r.wireMicros)}${savedText(r.saved)}`;
      const width = Math.max(0, ...r.peers.map((p) => p.neighbor.length));
      return `${action} ${r.prefix}${via}: ${head}\n` + r.peers.map((p) => peerLine(action, p, width) + '\n').join('');
    },

    neighborAction(r) {
      const what = r.action === 'refresh' ? 'route refresh' : r.action;
      return `neighbor ${r.neighbor}: ${what} requested, state now ${r.state}\n`;
    },

    reload(r) {
      const counts = [
        `${plural(r.neighborsAdded.length, 'neighbor')} added`,
        `${r.neighborsRemoved.length} removed`,
        `${r.neighborsReset.length} reset`,
        `${plural(r.routesChanged.length, 'route')} changed`,
      ];
      const total = r.neighborsAdded.length + r.neighborsRemoved.length + r.neighborsReset.length + r.routesChanged.length;
      if (total === 0) return 'reloaded: no changes\n';
      const rows = [
        ...r.neighborsAdded.map((a) => ['added', a]),
        ...r.neighborsRemoved.map((a) => ['removed', a]),
        ...r.neighborsReset.map((a) => ['reset', a]),
        ...r.routesChanged.map((p) => ['route', p]),
      ];
      return `reloaded: ${counts.join(', ')}\n` + rows.map(([k, v]) => `${k!.padEnd(7)}  ${v}\n`).join('');
    },

    shutdown(r) {
      const head =
        r.mode === 'graceful'
          ? 'tsbgpd is stopping for a restart: peers that negotiated graceful restart keep our routes until it is back\n'
          : 'tsbgpd is stopping for good (hard): peers flush our routes\n';
      const what = { nothing: 'TCP close, no NOTIFICATION', cease: 'Cease / Administrative Shutdown (6/2)', 'hard-reset': 'Cease / Hard Reset (6/9)' } as const;
      const rows = r.peers.map((p) => {
        // Without a connection nothing is sent, and the peer holds nothing of this session.
        const connected = p.state === 'Established' || p.state === 'OpenConfirm' || p.state === 'OpenSent';
        return [p.neighbor, p.state, connected ? what[p.sends] : '-', !connected ? '-' : p.keepsRoutes ? 'keeps our routes' : 'flushes our routes'];
      });
      return head + (rows.length ? '\n' + table(['Neighbor', 'State', 'Sent', 'Routes'], rows, ['l', 'l', 'l', 'l']) : '');
    },

    vips(r) {
      if (r.vips.length === 0) return 'no VIPs configured\n';
      return r.vips.map(vipBlock).join('\n');
    },

    processes(r) {
      if (r.processes.length === 0) return 'no processes configured\n';
      const rows = r.processes.map((p) => {
        const exit = p.lastExit ? `${p.lastExit.signal ?? `code ${p.lastExit.code}`} after ${formatMillis(p.lastExit.ranMs)}` : '-';
        const state = p.state === 'restarting' && p.restartAt ? `restarting at ${p.restartAt.slice(11, 19)}` : p.state;
        return [p.name, state, p.pid === undefined ? '-' : String(p.pid), String(p.restarts), exit, String(p.dropped), p.encoder, p.run.join(' ')];
      });
      return table(['Name', 'State', 'PID', 'Restarts', 'Last exit', 'Dropped', 'Encoder', 'Run'], rows, ['l', 'l', 'r', 'r', 'l', 'r', 'l', 'l']);
    },

    vipMove(r) {
      const v = r.vip;
      return `vip ${v.name} moved ${moveLine(r.move)}\n` + `vip ${v.name} ${v.prefix} ${v.mode}: ${MODE_MEANS[v.mode]}; ${currentText(v)}\n`;
    },

    vipMode(r) {
      const v = r.vip;
      const frozen = v.mode === 'frozen';
      const what = r.changed ? (frozen ? 'frozen' : 'unfrozen') : frozen ? 'already frozen' : 'not frozen';
      return `vip ${v.name} ${v.prefix} ${what}: ${MODE_MEANS[v.mode]}; ${currentText(v)}\n`;
    },

    vipHistory(r) {
      if (r.moves.length === 0) return `VIP ${r.name}  ${r.prefix}: no moves recorded\n`;
      const header = ['time', 'move', 'cause', 'failure->decision', 'on the wire', 'confirmed', 'detail'];
      const rows = r.moves.map((m) => [
        m.at,
        moveText(m),
        m.cause,
        detectText(m) ?? '-',
        wireText(m.wire),
        m.confirmedMs !== undefined ? formatMillis(m.confirmedMs) : '-',
        [m.detail, effectiveNote(m)].filter((x) => x).join('; '),
      ]);
      return `VIP ${r.name}  ${r.prefix}: ${plural(r.moves.length, 'move')}, oldest first\n\n` + table(header, rows, header.map(() => 'l'));
    },

    ping(r) {
      return `pong: tsbgpd ${r.version}\n`;
    },

    event(e) {
      return eventText(e) + '\n';
    },

    error(e) {
      return `bgpctl: ${e.message} [${e.code}]\n`;
    },
  };
}
