// Reads back the failure-scenario runs of lab.sh (--scenarios): one RESULT line per run, and the
// summary tables against the targets.
//   node scenarios.mjs --run RUN.json --bgpctl BGPCTL --results RESULTS.jsonl   # one run -> RESULT line
//   node scenarios.mjs --summary RESULTS.jsonl                                   # the tables
//
// RUN.json (written by lab.sh): {scenario, speaker, run, policy, tFail, tEnd, tRecover?, setup, load,
// pcapRs1, pcapRs2, refLog?} with times in µs since the epoch (one host clock for every namespace); the
// watcher scenarios (lab/watcher-scenarios.sh) add {tWs1Fail?, rib, fibLog, grConfig, events} and, when
// the build cannot run them, {setup: "unsupported", reason}.
//
// Per run:
//   failure_to_ws2_ms  lt1's first answer from ws2 received after the web server's failure (tFail; in
//                      `double` tWs1Fail), minus that time (none: no answer from ws2 before tEnd)
//   lost               lt1 requests sent in [tFail, tEnd) that failed or timed out (200 ms)
//   moves              next-hop changes of 100.64.0.1/32 in the UPDATEs a route server received in
//                      [tFail, tEnd) from a watcher (capture in the route server's namespace), counted per
//                      watcher from the next hop it had announced before tFail, summed over the watchers;
//                      the larger of rs1's and rs2's counts
//   withdraws          withdrawals of the VIP in those UPDATEs, rs1 + rs2
//   updates_rs1/2      UPDATE messages each route server received from the watchers in [tFail, tEnd)
//   loop_moves         (reference, tsbgp-pipe: the reference loop drives the speaker) the moves the loop wrote
//                      into the pipe in [tFail, tEnd), from its log; each should be one move on both wires
// and for the watcher scenarios (restart, kill9, upgrade, primary-dies, primary-returns, double):
//   vip_absent_max_ms  the longest time the VIP was absent from a route server's RIB in [tFail, tEnd]: from
//                      the first poll that found no route to the next that found one (or to the last poll);
//                      the larger of the two route servers (vip_absent_rs1_ms, vip_absent_rs2_ms)
//   poll_ms_p50/max    the measured period of those polls (both route servers)
//   rib_moves          changes of the best route's next hop in those polls (absences skipped), the larger
//   fib_deleted        `Deleted 100.64.0.1` lines in the sdn's FIB log in the window
//   opens, notifications  OPENs and NOTIFICATIONs (code/subcode) the watchers sent the route servers in the window
//   eor_before_vip     sessions opened in the window on which the watcher sent End-of-RIB before the VIP
//   gr_families        the families in the GR capability of the watcher's last OPEN (absent: no GR capability)
//   gr_config          whether this build accepts the neighbor key graceful-restart
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { messages as decodeCapture, fibEvents, readJsonl as jl } from './wire.mjs';
const { values: o } = parseArgs({ options: { run: { type: 'string' }, bgpctl: { type: 'string' }, results: { type: 'string' },
  summary: { type: 'string' }, markdown: { type: 'boolean', default: false } } });
const VIPP = '100.64.0.1/32', WATCHER = '10.10.0.7', WATCHERS = ['10.10.0.7', '10.10.0.8'];
const RS = { rs1: '10.10.1.4', rs2: '10.10.1.5' };
const NAME = { '10.10.0.4': 'ws1', '10.10.0.5': 'ws2', '10.10.0.7': 'primary', '10.10.0.8': 'standby' };
const WATCHER_SCENARIOS = ['restart', 'kill9', 'upgrade', 'primary-dies', 'primary-returns', 'double'];
const messages = (pcap) => decodeCapture(pcap, o.bgpctl);
const quant = (vals, q) => { const b = [...vals].sort((x, y) => x - y); if (!b.length) return null; if (q === 'min') return b[0]; if (q === 'max') return b[b.length - 1];
  const m = b.length >> 1; return b.length % 2 ? b[m] : (b[m - 1] + b[m]) / 2; };
const isEor = (u) => u.type === 'UPDATE' && !u.nlri.length && !u.withdrawn.length && !Object.keys(u.raw.attributes ?? {}).length;

function wireOf(r, rs, addr, inWin) {   // what one route server received from the watchers
  const all = messages(r[rs === 'rs1' ? 'pcapRs1' : 'pcapRs2']).filter((m) => WATCHERS.includes(m.src) && m.dst === addr);
  const ups = all.filter((m) => m.type === 'UPDATE');
  const nh = new Map();   // per watcher: the next hop it had announced before tFail
  for (const u of ups.filter((u) => u.t != null && u.t < r.tFail)) {
    if (u.nlri.includes(VIPP)) nh.set(u.src, u.nh);
    if (u.withdrawn.includes(VIPP)) nh.set(u.src, null);
  }
  const startNh = nh.get(WATCHER) ?? null;
  const started = new Map(nh);
  const w = ups.filter((u) => inWin(u.t));
  let moves = 0, movesAfterRecover = 0, withdraws = 0;
  const seq = [], who = (u) => (r.tWs1Fail !== undefined ? `${NAME[u.src]}:` : '');   // name the watcher when there are two
  for (const u of w) {
    if (u.withdrawn.includes(VIPP)) { withdraws++; nh.set(u.src, null); seq.push(`${who(u)}withdraw@${((u.t - r.tFail) / 1000).toFixed(1)}ms`); }
    if (u.nlri.includes(VIPP)) {
      if (u.nh !== (nh.get(u.src) ?? null)) { moves++; if (r.tRecover && u.t >= r.tRecover) movesAfterRecover++; }
      seq.push(`${who(u)}${NAME[u.nh] ?? u.nh}@${((u.t - r.tFail) / 1000).toFixed(1)}ms`);
      nh.set(u.src, u.nh);
    }
    if (isEor(u) && r.rib) seq.push(`${who(u)}EoR@${((u.t - r.tFail) / 1000).toFixed(1)}ms`);
  }
  const inWindow = all.filter((m) => inWin(m.t));
  // the session must not have been reset in the window (an OPEN or NOTIFICATION from a watcher)
  const resets = inWindow.filter((m) => m.type === 'OPEN' || m.type === 'NOTIFICATION').length;
  const opens = inWindow.filter((m) => m.type === 'OPEN');
  const notifications = inWindow.filter((m) => m.type === 'NOTIFICATION').map((m) => `${m.raw.code}/${m.raw.subcode}`);
  // on each session opened in the window: did End-of-RIB come before the VIP?
  let eorBeforeVip = 0;
  for (const op of opens) {
    const first = ups.find((u) => u.src === op.src && u.connection === op.connection && u.t >= op.t && (isEor(u) || u.nlri.includes(VIPP)));
    if (first && isEor(first)) eorBeforeVip++;
  }
  const lastOpen = all.filter((m) => m.type === 'OPEN' && m.src === WATCHER).at(-1);
  const gr = lastOpen?.raw.capabilities?.find((c) => c.name === 'GRACEFUL_RESTART');
  const firstMove = w.find((u) => u.nlri.includes(VIPP) && u.nh !== (started.get(u.src) ?? null));
  return { startNh: NAME[startNh] ?? startNh, updates: w.length, moves, movesAfterRecover, withdraws, resets, seq, opens: opens.length, notifications, eorBeforeVip,
    grFamilies: gr ? (gr.families?.length ? gr.families.map((f) => f.family).join(',') : 'none') : lastOpen ? 'absent' : '?',
    grDetail: gr ? `flags ${gr.flags} restart-time ${gr.restartTime} families [${(gr.families ?? []).map((f) => `${f.family} F=${(f.flags & 0x80) ? 1 : 0}`).join(' ')}]` : null,
    firstMoveUs: firstMove ? firstMove.t - r.tFail : null };
}

function ribOf(r) {   // the route servers' RIBs as rib-poll.mjs saw them in [tFail, tEnd]
  const samples = jl(r.rib).filter((s) => s.t >= r.tFail && s.t <= r.tEnd);
  const out = { periods: [], errors: 0 };
  for (const rs of Object.keys(RS)) {
    const ss = samples.filter((s) => s.rs === rs).sort((a, b) => a.t - b.t);
    for (let i = 1; i < ss.length; i++) out.periods.push((ss[i].t - ss[i - 1].t) / 1000);
    let absentSince = null, absentMaxUs = 0, stillAbsent = false, lastNh, nhChanges = 0, lastFrom, lastStale = false, again = false;
    const seq = [];
    for (const s of ss) {
      if (s.error) { out.errors++; continue; }
      const best = s.paths.find((p) => p.best);
      if (!best) {
        if (absentSince === null) { absentSince = s.t; seq.push(`absent@${((s.t - r.tFail) / 1000).toFixed(0)}ms`); }
        continue;
      }
      if (absentSince !== null) { absentMaxUs = Math.max(absentMaxUs, s.t - absentSince); absentSince = null; again = true; }
      if (lastNh !== undefined && best.nh !== lastNh) nhChanges++;
      if (again || best.nh !== lastNh || best.from !== lastFrom || best.stale !== lastStale)
        seq.push(`${NAME[best.from] ?? best.from}:${NAME[best.nh] ?? best.nh}${best.stale ? '(stale)' : ''}@${((s.t - r.tFail) / 1000).toFixed(0)}ms`);
      lastNh = best.nh; lastFrom = best.from; lastStale = best.stale; again = false;
    }
    if (absentSince !== null && ss.length) { absentMaxUs = Math.max(absentMaxUs, ss.at(-1).t - absentSince); stillAbsent = true; }
    out[rs] = { samples: ss.length, absentMaxUs, stillAbsent, nhChanges, seq };
  }
  return out;
}

function analyseRun(r) {
  const inWin = (t) => t != null && t >= r.tFail && t < r.tEnd;
  const res = { scenario: r.scenario, speaker: r.speaker, run: r.run, policy: r.policy, setup: r.setup };
  if (r.reason) res.reason = r.reason;
  if (r.setup !== 'ok') return res;
  const load = jl(r.load);
  const tWs = r.tWs1Fail ?? r.tFail;   // when the web server failed
  const a = load.filter((q) => q.server === 'ws2' && q.tRecv > tWs && q.tRecv < r.tEnd).sort((x, y) => x.tRecv - y.tRecv)[0];
  res.failureToWs2Us = a ? a.tRecv - tWs : null;
  const win = load.filter((q) => q.tSend >= r.tFail && q.tSend < r.tEnd);
  res.requests = win.length;
  res.lost = win.filter((q) => q.error).length;
  res.lostKinds = [...new Set(win.filter((q) => q.error).map((q) => q.error))];
  res.answersWs1 = win.filter((q) => q.server === 'ws1').length;
  res.answersWs2 = win.filter((q) => q.server === 'ws2').length;
  res.rs = {};
  for (const [rs, addr] of Object.entries(RS)) res.rs[rs] = wireOf(r, rs, addr, inWin);
  res.moves = Math.max(res.rs.rs1.moves, res.rs.rs2.moves);
  res.movesAfterRecover = Math.max(res.rs.rs1.movesAfterRecover, res.rs.rs2.movesAfterRecover);
  res.withdraws = res.rs.rs1.withdraws + res.rs.rs2.withdraws;
  if (r.refLog) {
    res.referenceMoves = fs.existsSync(r.refLog) ? fs.readFileSync(r.refLog, 'utf8').split('\n').filter(Boolean) : [];
    // each line: "$EPOCHREALTIME move wsN (...)", seconds with 6 decimals -> µs without a float
    const loopTimes = res.referenceMoves.map((l) => Number(l.split(' ')[0].replace(/[.,]/, ''))).filter((t) => inWin(t));
    res.loopMoves = loopTimes.length;
    // the speaker's own part: the loop's first move (logged right after its echo into the pipe returned) to the
    // first UPDATE moving the VIP on a route server's wire
    const wire = [res.rs.rs1.firstMoveUs, res.rs.rs2.firstMoveUs].filter((x) => x != null);
    res.loopToWireUs = loopTimes.length && wire.length ? Math.min(...wire) + r.tFail - loopTimes[0] : null;
  }
  if (r.rib) {
    const rib = ribOf(r);
    res.rib = rib;
    res.vipAbsentMaxUs = Math.max(rib.rs1.absentMaxUs, rib.rs2.absentMaxUs);
    res.pollMsP50 = quant(rib.periods, 'med');
    res.pollMsMax = quant(rib.periods, 'max');
    res.ribMoves = Math.max(rib.rs1.nhChanges, rib.rs2.nhChanges);
    res.fibDeleted = fibEvents(r.fibLog).filter((e) => inWin(e.t) && e.text.startsWith('Deleted 100.64.0.1')).length;
    res.grConfig = r.grConfig;
    res.pairHoldS = r.pairHoldS;
    if (r.pairConfig) res.pairConfig = r.pairConfig;
    res.events = r.events;
  }
  return res;
}

const msOf = (us) => (us == null ? 'none' : String(Math.round(us / 1000)));
const num = (v) => (v == null ? 'none' : Number.isInteger(v) ? String(v) : v.toFixed(1));
function resultLine(x) {
  if (x.setup === 'unsupported') return `RESULT scenario=${x.scenario} speaker=${x.speaker} status=unsupported reason="${x.reason}"`;
  if (x.setup !== 'ok') return `RESULT scenario=${x.scenario} speaker=${x.speaker} status=setup-failed setup=${x.setup} failure_to_ws2_ms=none lost=none moves=none withdraws=none`;
  let l = `RESULT scenario=${x.scenario} speaker=${x.speaker} failure_to_ws2_ms=${msOf(x.failureToWs2Us)} lost=${x.lost} moves=${x.moves} withdraws=${x.withdraws} updates_rs1=${x.rs.rs1.updates} updates_rs2=${x.rs.rs2.updates}`;
  if (x.loopMoves !== undefined) l += ` loop_moves=${x.loopMoves} loop_to_wire_ms=${x.loopToWireUs == null ? 'none' : (x.loopToWireUs / 1000).toFixed(1)}`;
  if (x.rib) {
    l += ` vip_absent_max_ms=${msOf(x.vipAbsentMaxUs)} vip_absent_rs1_ms=${msOf(x.rib.rs1.absentMaxUs)}${x.rib.rs1.stillAbsent ? '+' : ''} vip_absent_rs2_ms=${msOf(x.rib.rs2.absentMaxUs)}${x.rib.rs2.stillAbsent ? '+' : ''}` +
      ` poll_ms_p50=${num(x.pollMsP50)} poll_ms_max=${num(x.pollMsMax)} rib_moves=${x.ribMoves} fib_deleted=${x.fibDeleted}` +
      ` opens=${x.rs.rs1.opens + x.rs.rs2.opens} notifications=${[...x.rs.rs1.notifications, ...x.rs.rs2.notifications].join(',') || 'none'}` +
      ` eor_before_vip=${x.rs.rs1.eorBeforeVip + x.rs.rs2.eorBeforeVip} gr_families=${x.rs.rs1.grFamilies} gr_config=${x.grConfig}${x.pairConfig ? ` pair_config=${x.pairConfig}` : ''}`;
  }
  return l;
}

if (o.run) {
  const r = JSON.parse(fs.readFileSync(o.run, 'utf8'));
  const x = analyseRun(r);
  console.log(resultLine(x));
  const notes = [];
  if (x.setup === 'ok') {
    if (!x.rib) for (const rs of Object.keys(RS)) if (x.rs[rs].resets) notes.push(`${rs}: ${x.rs[rs].resets} OPEN/NOTIFICATION in the window (session reset)`);
    if (x.rs.rs1.moves !== x.rs.rs2.moves) notes.push(`rs1 saw ${x.rs.rs1.moves} moves, rs2 ${x.rs.rs2.moves}`);
    if (x.rs.rs1.startNh !== 'ws1' || x.rs.rs2.startNh !== 'ws1') notes.push(`next hop at the failure: rs1 ${x.rs.rs1.startNh}, rs2 ${x.rs.rs2.startNh} (expected ws1)`);
    notes.push(`wire rs1 [${x.rs.rs1.seq.join(' ')}] rs2 [${x.rs.rs2.seq.join(' ')}]; lt1 ${x.requests} requests, ${x.answersWs1} from ws1, ${x.answersWs2} from ws2, lost ${x.lost}${x.lostKinds.length ? ` (${x.lostKinds.join(',')})` : ''}`);
    if (x.rib) {
      notes.push(`RIB (best route: watcher:next hop@ms from t_fail) rs1 [${x.rib.rs1.seq.join(' ')}] rs2 [${x.rib.rs2.seq.join(' ')}]; ${x.rib.rs1.samples}+${x.rib.rs2.samples} polls, ${x.rib.errors} unanswered`);
      const ev = (x.events ?? '').split(' ').filter(Boolean).map((e) => { const [k, t] = e.split('@'); return `${k} ${((Number(t) - r.tFail) / 1000).toFixed(0)}ms`; });
      notes.push(`events from t_fail: ${ev.join(', ') || '-'}${r.tWs1Fail ? `, ws1 failed ${((r.tWs1Fail - r.tFail) / 1000).toFixed(0)}ms` : ''}; watcher's GR capability: ${x.rs.rs1.grDetail ?? x.rs.rs1.grFamilies}`);
    }
  }
  process.stderr.write(notes.map((n) => `        ${n}\n`).join(''));
  fs.appendFileSync(o.results, JSON.stringify(x) + '\n');
  process.exit(0);
}

// ------------------------------------------------------------------ summary
const allRows = jl(o.summary);
const rows = allRows.filter((r) => !WATCHER_SCENARIOS.includes(r.scenario));
const ORDER = ['crash', 'host-down', 'flaky', 'recover-sticky', 'recover-preferred'];
const scenarios = [...new Set(rows.map((r) => r.scenario))].sort((a, b) => ORDER.indexOf(a) - ORDER.indexOf(b));
const fmt = (v, unit = '') => (v == null ? '-' : !Number.isFinite(v) ? 'none' : (Number.isInteger(v) ? String(v) : v.toFixed(1)) + unit);
function stats(rs) {
  const ok = rs.filter((r) => r.setup === 'ok');
  // a run that did not reach ws2 counts as +Infinity (so it can only raise the median; "none" when it is the median)
  const f = ok.map((r) => (r.failureToWs2Us == null ? Infinity : r.failureToWs2Us / 1000));
  const s = { n: rs.length, ok: ok.length, none: f.filter((v) => !Number.isFinite(v)).length };
  for (const [k, vals] of Object.entries({ f, lost: ok.map((r) => r.lost), moves: ok.map((r) => r.moves), withdraws: ok.map((r) => r.withdraws),
    u1: ok.map((r) => r.rs.rs1.updates), u2: ok.map((r) => r.rs.rs2.updates), mar: ok.map((r) => r.movesAfterRecover),
    // the first UPDATE moving the VIP on a route server's wire (the earlier of the two), from t_fail: the speakers
    // without FRR's ~50 ms and lt1's 50 ms request spacing (not a target; context for the ratios)
    w: ok.map((r) => { const a = [r.rs.rs1.firstMoveUs, r.rs.rs2.firstMoveUs].filter((x) => x != null); return a.length ? Math.min(...a) / 1000 : Infinity; }) }))
    s[k] = { med: quant(vals, 'med'), min: quant(vals, 'min'), max: quant(vals, 'max'), all: vals };
  return s;
}
const cell = (x, unit = '') => (x.med == null ? '-' : `${fmt(x.med, unit)} (${fmt(x.min)}..${fmt(x.max)})`);
const table = [];
const S = {};
const SPEAKERS = ['tsbgp', 'reference', 'tsbgp-pipe'];   // tsbgp-pipe: tsbgpd driven by the reference loop through its ExaBGP pipe
for (const sc of scenarios) for (const sp of SPEAKERS) {
  const rs = rows.filter((r) => r.scenario === sc && r.speaker === sp);
  if (!rs.length) continue;
  (S[sc] ??= {})[sp] = stats(rs);
}
const rat = (a, b) => (a == null || b == null ? '-' : !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? (a === b ? '1' : 'n/a') : (a / b).toFixed(2));
for (const sc of scenarios) for (const sp of SPEAKERS) {
  const s = S[sc]?.[sp];
  if (!s) continue;
  const r = S[sc].reference, q = sp !== 'reference' && r ? `${rat(s.f.med, r.f.med)} / ${rat(s.lost.med, r.lost.med)} / ${rat(s.moves.med, r.moves.med)}` : '';
  const qw = sp !== 'reference' && r ? rat(s.w.med, r.w.med) : '';
  const unsupported = rows.filter((r) => r.scenario === sc && r.speaker === sp && r.setup === 'unsupported').length;
  table.push([sc, sp, `${s.ok}/${s.n}${unsupported ? ` (${unsupported} unsupported)` : ''}`, cell(s.f, ' ms'), String(s.none), cell(s.lost), cell(s.moves), cell(s.withdraws), cell(s.u1), cell(s.u2), q, cell(s.w, ' ms'), qw]);
}
const head = ['scenario', 'speaker', 'runs ok', 'failure->ws2 median (min..max)', 'none', 'lost', 'moves', 'withdraws', 'updates rs1', 'updates rs2', 'tsbgp/ref medians (failure->ws2 / lost / moves)', 'failure->wire (first move on a route server)', 'tsbgp/ref'];
const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => c.padEnd(widths[i])).join('  ');
const out = [];
const verdict = (cond) => (cond == null ? 'NOT MEASURED' : cond ? 'met' : 'NOT MET');
if (rows.length) {
out.push('Per scenario and speaker: median (min..max) over the runs; a run that did not reach ws2 counts as "none" (+inf)');
out.push(line(head)); for (const r of table) out.push(line(r));

// targets, as the issue states them; "met" only from measured figures
out.push('', 'Targets (tsbgp, built-in checks; the reference beside it):');
const T = [];
const ratio = (sc) => { const t = S[sc]?.tsbgp?.f.med, r = S[sc]?.reference?.f.med; return t == null || r == null ? null : t / r; };
const has = (sc, sp = 'tsbgp') => S[sc]?.[sp] && S[sc][sp].ok > 0;
for (const [sc, limit] of [['crash', 100], ['host-down', 500]]) {
  const t = S[sc]?.tsbgp, r = S[sc]?.reference;
  if (!t && !r) continue;
  T.push([`${sc}: tsbgp median failure->ws2 < ${limit} ms`, has(sc) ? `${fmt(t.f.med, ' ms')}` : '-', r ? `reference ${fmt(r.f.med, ' ms')}` : '', verdict(has(sc) ? t.f.med < limit : null)]);
  const q = ratio(sc);
  T.push([`${sc}: tsbgp median <= 1/3 of the reference's`, q == null || !Number.isFinite(q) ? (has(sc) && has(sc, 'reference') ? 'n/a (none)' : '-') : `ratio ${q.toFixed(3)}`, '',
    verdict(has(sc) && has(sc, 'reference') ? (Number.isFinite(q) && q <= 1 / 3) : null)]);
}
if (S.flaky) {
  const t = S.flaky.tsbgp, r = S.flaky.reference;
  T.push(['flaky: tsbgp 0 moves in every run', has('flaky') ? `moves max ${t.moves.max}, runs with a move ${t.moves.all.filter((m) => m > 0).length}/${t.ok}` : '-',
    r ? `reference moved in ${r.moves.all.filter((m) => m > 0).length}/${r.ok} runs (median ${fmt(r.moves.med)})` : '', verdict(has('flaky') ? t.moves.max === 0 : null)]);
}
for (const [sc, want, what] of [['recover-sticky', 0, 'sticky: nothing moves after ws1 returns'], ['recover-preferred', 1, 'preferred-after: exactly one move after ws1 returns']]) {
  if (!S[sc]) continue;
  const t = S[sc].tsbgp, r = S[sc].reference;
  T.push([`${sc}: ${what}`, has(sc) ? `moves after return ${t.mar.all.join(',')}; failover reached ws2 in ${t.ok - t.none}/${t.ok}` : '-',
    r ? `reference after return: ${fmt(r.mar.med)} median` : '', verdict(has(sc) ? t.mar.all.every((m) => m === want) && t.none === 0 : null)]);
}
const allT = Object.values(S).map((x) => x.tsbgp).filter((x) => x && x.ok);
const allR = Object.values(S).map((x) => x.reference).filter((x) => x && x.ok);
T.push(['0 withdraws everywhere (tsbgp)', allT.length ? `max ${Math.max(...allT.map((s) => s.withdraws.max))}` : '-',
  allR.length ? `reference max ${Math.max(...allR.map((s) => s.withdraws.max))}` : '', verdict(allT.length ? allT.every((s) => s.withdraws.max === 0) : null)]);
const tw = [0, 1, 2, 3].map((i) => Math.max(...T.map((r) => r[i].length)));
for (const r of T) out.push('  ' + r.map((c, i) => c.padEnd(tw[i])).join('  '));

// issue 11: the reference loop, unchanged, drives tsbgpd through its ExaBGP pipe: every move it writes must be
// one move on both route servers' wires, as with ExaBGP
const P = [];
for (const sc of scenarios) {
  const pipe = rows.filter((r) => r.scenario === sc && r.speaker === 'tsbgp-pipe');
  if (!pipe.length) continue;
  const unsupported = pipe.find((r) => r.setup === 'unsupported');
  const each = (sp) => {
    const ok = rows.filter((r) => r.scenario === sc && r.speaker === sp && r.setup === 'ok');
    const same = ok.filter((r) => r.rs.rs1.moves === r.loopMoves && r.rs.rs2.moves === r.loopMoves).length;
    const failed = rows.filter((x) => x.scenario === sc && x.speaker === sp && x.setup !== 'ok' && x.setup !== 'unsupported').length;
    return { ok, same, text: `${same}/${ok.length} runs${failed ? ` (+${failed} setup failed)` : ''} (loop moves ${ok.map((r) => r.loopMoves).join(',') || '-'}; wire ${ok.map((r) => `${r.rs.rs1.moves}/${r.rs.rs2.moves}`).join(',') || '-'})` };
  };
  const t = each('tsbgp-pipe'), r = each('reference');
  const l2w = (e) => { const v = e.ok.map((x) => x.loopToWireUs).filter((x) => x != null).map((x) => x / 1000); return v.length ? `${fmt(quant(v, 'med'), ' ms')} (${fmt(quant(v, 'min'))}..${fmt(quant(v, 'max'))})` : '-'; };
  P.push([`${sc}: the loop's first move -> first UPDATE on a wire, median (min..max)`, unsupported ? '-' : `tsbgp-pipe ${l2w(t)}`, r.ok.length ? `reference ${l2w(r)}` : '', '(figure)']);
  P.push([`${sc}: every move the loop wrote, once on both wires`, unsupported ? `UNSUPPORTED: ${unsupported.reason}` : `tsbgp-pipe ${t.text}`,
    r.ok.length ? `reference ${r.text}` : '', unsupported ? 'UNSUPPORTED' : verdict(t.ok.length ? t.same === t.ok.length && t.ok.length === pipe.length : null)]);
}
if (P.length) {
  out.push('', 'The reference loop through tsbgpd\'s ExaBGP pipe (tsbgp-pipe; ExaBGP beside it):');
  const pw = [0, 1, 2, 3].map((i) => Math.max(...P.map((r) => r[i].length)));
  for (const r of P) out.push('  ' + r.map((c, i) => c.padEnd(pw[i])).join('  '));
}
}

// ------------------------------------------------------------------ the watcher scenarios
const wrows = allRows.filter((r) => WATCHER_SCENARIOS.includes(r.scenario));
if (wrows.length) {
  const wsc = WATCHER_SCENARIOS.filter((sc) => wrows.some((r) => r.scenario === sc));
  const pad = (rs) => { const w = rs[0].map((_, i) => Math.max(...rs.map((r) => r[i].length))); return rs.map((r) => r.map((c, i) => c.padEnd(w[i])).join('  ')); };
  const mm = (vals, unit = '') => (vals.length ? `${fmt(quant(vals, 'med'), unit)} (${fmt(quant(vals, 'min'))}..${fmt(quant(vals, 'max'))})` : '-');
  const tab = [['scenario', 'runs ok', 'lost', 'moves', 'vip absent max', 'failure->ws2', 'withdraws', 'rib moves', 'fib deleted', 'opens', 'poll p50 / max', 'gr families', 'gr config']];
  const targets = [['scenario', 'target', 'measured (every run)', 'verdict']];
  const holdMs = (wrows.find((r) => r.pairHoldS)?.pairHoldS ?? 9) * 1000;
  for (const sc of wsc) {
    const rs = wrows.filter((r) => r.scenario === sc), ok = rs.filter((r) => r.setup === 'ok');
    const unsupported = rs.find((r) => r.setup === 'unsupported');
    if (!ok.length) {
      const why = unsupported ? `UNSUPPORTED: ${unsupported.reason}` : `setup failed: ${[...new Set(rs.map((r) => r.setup))].join(', ')}`;
      tab.push([sc, `0/${rs.length}`, ...Array(11).fill('-')]);
      targets.push([sc, 'all targets', why, unsupported ? 'UNSUPPORTED' : 'NOT MEASURED']);
      continue;
    }
    const col = (f) => ok.map(f);
    const pc = ok.find((r) => r.pairConfig && r.pairConfig !== 'spec')?.pairConfig;
    const label = pc === 'plain' ? `${sc} (LAB_PAIR_PLAIN: two watchers, no pair)` : pc === 'no-gr' ? `${sc} (LAB_PAIR_GR=0: pair without GR)` : sc;
    const f2 = col((r) => (r.failureToWs2Us == null ? Infinity : r.failureToWs2Us / 1000));
    tab.push([label, `${ok.length}/${rs.length}`, mm(col((r) => r.lost)), mm(col((r) => r.moves)), mm(col((r) => r.vipAbsentMaxUs / 1000), ' ms'), mm(f2, ' ms'),
      mm(col((r) => r.withdraws)), mm(col((r) => r.ribMoves)), mm(col((r) => r.fibDeleted)), mm(col((r) => r.rs.rs1.opens + r.rs.rs2.opens)),
      `${fmt(quant(col((r) => r.pollMsP50), 'med'))} / ${fmt(quant(col((r) => r.pollMsMax), 'max'))} ms`, [...new Set(col((r) => r.rs.rs1.grFamilies))].join(','), [...new Set(col((r) => r.grConfig))].join(',')]);
    const every = (what, vals, cond) => targets.push([label, what, vals.map((v) => fmt(v)).join(', '), verdict(vals.every(cond))]);
    if (sc !== 'double') {
      every('0 lost requests', col((r) => r.lost), (v) => v === 0);
      every('0 next-hop changes at the route servers (moves)', col((r) => r.moves), (v) => v === 0);
    } else {
      every(`failure->ws2 within the hold time + the crash target (${holdMs} + 100 ms)`, f2, (v) => v <= holdMs + 100);
    }
    every('the VIP never absent from a route server (vip_absent_max_ms)', col((r) => r.vipAbsentMaxUs / 1000), (v) => v === 0);
    every('0 withdraws', col((r) => r.withdraws), (v) => v === 0);
    if (ok.length < rs.length) targets.push([label, '(runs whose setup failed are not counted)', `${rs.length - ok.length} of ${rs.length}: ${[...new Set(rs.filter((r) => r.setup !== 'ok').map((r) => r.setup))].join(', ')}`, 'NOT MEASURED']);
  }
  out.push('', 'The watcher scenarios (tsbgp): median (min..max) over the runs; vip absent and failure->ws2 in ms ("none" = never reached ws2)');
  out.push(...pad(tab));
  out.push('', 'Targets of the watcher scenarios (issue 10):');
  out.push(...pad(targets).map((l) => '  ' + l));
}
const text = out.join('\n');
console.log(text);
