// Reads back one lab run (lab.sh's temp dir) and prints the figures: per failover, command-to-wire
// per route server (tcpdump on the watcher's veth, timestamps from tshark), the bgpctl reply, command
// to sdn FIB change (`ip -ts monitor route` in sdn), command to lt1's first answer from the new web
// server, lost requests, and the wire check (read back with `bgpctl decode --json`): exactly one
// UPDATE per route server carrying the VIP, no withdraw of the VIP.
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { fibEvents, messages as decodeCapture, readJsonl as jl } from './wire.mjs';
const { values: o } = parseArgs({ options: { tmp: { type: 'string' }, bgpctl: { type: 'string' }, 'fib-log': { type: 'string' }, mode: { type: 'string', default: 'single' } } });
const VIP = '100.64.0.1', VIPP = '100.64.0.1/32';
const RS = { '10.10.1.4': 'rs1 (FRR)', '10.10.1.5': 'rs2 (BIRD)' };
const NAME = { '10.10.0.4': 'ws1', '10.10.0.5': 'ws2' };
const records = jl(`${o.tmp}/records.jsonl`);
const blocks = jl(`${o.tmp}/blocks.jsonl`);
const ms = (us) => (us == null ? '   n/a' : (us / 1000).toFixed(2).padStart(7) + ' ms');
const median = (a) => { const b = a.filter((x) => x != null).sort((x, y) => x - y); if (!b.length) return null; const m = b.length >> 1; return b.length % 2 ? b[m] : (b[m - 1] + b[m]) / 2; };

const fib = fibEvents(o['fib-log']);
const messages = (pcap) => decodeCapture(pcap, o.bgpctl);
const wireMessages = (pcap) => messages(pcap).filter((m) => m.type === 'UPDATE' && m.src === '10.10.0.7');
function findMicros(x, acc = []) {
  if (Array.isArray(x)) x.forEach((y) => findMicros(y, acc));
  else if (x && typeof x === 'object') { if ('micros' in x && ('neighbor' in x || 'address' in x)) acc.push(x); else Object.values(x).forEach((y) => findMicros(y, acc)); }
  return acc;
}

const rows = [];
for (const b of blocks) {
  const wire = wireMessages(b.pcap);
  const load = jl(b.load);
  const recs = records.filter((r) => r.block === b.block).sort((x, y) => x.t0 - y.t0);
  recs.forEach((r, k) => {
    const end = Math.min(recs[k + 1]?.t0 ?? Infinity, r.tEnd ?? Infinity);
    const inWin = (t) => t >= r.t0 && t < end;
    const row = { ...r, wire: {}, check: {} };
    for (const rs of Object.keys(RS)) {
      const ups = wire.filter((u) => u.dst === rs && u.t != null && inWin(u.t));
      const vipUps = ups.filter((u) => u.nlri.includes(VIPP));
      const wd = ups.filter((u) => u.withdrawn.includes(VIPP));
      row.wire[rs] = vipUps.length ? vipUps[0].t - r.t0 : null;
      row.check[rs] = { updates: ups.length, vip: vipUps.length, withdraws: wd.length, nh: vipUps.map((u) => u.nh) };
    }
    row.rsOut = {};   // route server -> sdn: first UPDATE with the VIP after the command (capture in sdn)
    for (const rs of Object.keys(RS)) {
      const u = messages(b.pcapSdn).find((m) => m.type === 'UPDATE' && m.src === rs && m.dst === '10.10.1.1' && m.t != null && inWin(m.t) && m.nlri.includes(VIPP));
      row.rsOut[rs] = u ? u.t - r.t0 : null;
      row.check[rs].sdnNh = u?.nh;
    }
    row.refreshes = messages(b.pcap).filter((m) => /REFRESH/.test(m.type) && m.dst === '10.10.0.7').map((m) => m.src);
    const f = fib.find((e) => e.t >= r.t0 && e.t < end && !e.text.startsWith('Deleted') && e.text.startsWith(`${VIP} via ${r.target} `));
    row.fib = f ? f.t - r.t0 : null;
    row.fibDeleted = fib.filter((e) => e.t >= r.t0 && e.t < end && e.text.startsWith(`Deleted ${VIP}`)).length;
    const a = load.filter((q) => q.server === NAME[r.target] && q.tRecv > r.t0 && q.tRecv < end).sort((x, y) => x.tRecv - y.tRecv)[0];
    row.answer = a ? a.tRecv - r.t0 : null;
    const win = load.filter((q) => q.tSend >= r.t0 - 200_000 && q.tSend < end);
    row.requests = win.length;
    row.lost = win.filter((q) => q.error).length;
    row.lostKinds = [...new Set(win.filter((q) => q.error).map((q) => q.error))];
    row.peers = findMicros(r.reply);
    row.cmd = r.tReply - r.t0;
    rows.push(row);
  });
}
const label = (r) => r.speaker === 'exabgp' ? (r.mode === 'shell' ? 'ExaBGP (sh echo>pipe)' : 'ExaBGP (API pipe)')
  : r.speaker === 'tsbgp-pipe' ? (r.mode === 'shell' ? 'tsbgp (sh echo>pipe)' : 'tsbgp (ExaBGP pipe, fd)')
  : r.mode === 'socket' ? 'tsbgp (control socket)' : 'tsbgp (bgpctl CLI)';
const okCheck = (r) => Object.keys(RS).every((rs) => r.check[rs].vip === 1 && r.check[rs].updates === 1 && r.check[rs].withdraws === 0 && r.check[rs].nh[0] === r.target);

for (const b of blocks) {
  const rr = rows.find((r) => r.block === b.block)?.refreshes ?? [];
  const opens = Object.keys(RS).map((rs) => `${RS[rs]} ${messages(b.pcap).filter((m) => m.type === 'OPEN' && m.src === '10.10.0.7' && m.dst === rs).length}`).join(', ');
  console.log(`block ${b.block} (${b.speaker}): ROUTE-REFRESH received from ${rr.length ? rr.map((a) => RS[a] ?? a).join(', ') : 'nobody'}; sessions opened by the watcher: ${opens}`);
}
if (o.mode === 'single') {
  for (const r of rows) {
    const from = NAME[r.target === '10.10.0.5' ? '10.10.0.4' : '10.10.0.5'];
    console.log(`\n=== ${r.i === 0 ? 'Failover' : 'Failback'} ${from} -> ${NAME[r.target]}  (${label(r)}: bgpctl announce ${VIPP} via ${r.target})`);
    console.log(`  bgpctl: answered after ${ms(r.cmd)} (process start to exit)`);
    for (const p of r.peers) console.log(`    reply: ${String(p.neighbor ?? p.address).padEnd(10)} ${p.state}  sent=${p.sent}  ${p.micros} µs (tsbgpd: request to UPDATE handed to the kernel)`);
    for (const rs of Object.keys(RS)) console.log(`  command -> wire        ${RS[rs].padEnd(11)} ${ms(r.wire[rs])}   (tcpdump on the watcher veth)`);
    for (const rs of Object.keys(RS)) console.log(`  command -> ${RS[rs].padEnd(11)} UPDATE to sdn ${ms(r.rsOut[rs])}   (next hop passed on: ${r.check[rs].sdnNh ?? '-'})`);
    console.log(`  command -> sdn FIB via ${NAME[r.target]}   ${ms(r.fib)}   (ip -ts monitor route in sdn${r.fibDeleted ? `; ${r.fibDeleted} route deletions seen!` : ''})`);
    console.log(`  command -> lt1 first answer from ${NAME[r.target]} ${ms(r.answer)}`);
    console.log(`  requests lost: ${r.lost} of ${r.requests} sent in the window${r.lostKinds.length ? ` (${r.lostKinds.join(', ')})` : ''}`);
    for (const rs of Object.keys(RS)) { const c = r.check[rs]; console.log(`  wire check ${RS[rs].padEnd(11)}: ${c.updates} UPDATE(s), ${c.vip} with ${VIPP} (NEXT_HOP ${c.nh.join(',') || '-'}), ${c.withdraws} withdraw of ${VIPP}`); }
    console.log(`  => ${okCheck(r) ? 'OK: exactly one UPDATE per route server, implicit replace, no withdraw' : 'CHECK FAILED'}`);
  }
} else {
  const groups = {};
  for (const r of rows) (groups[label(r)] ??= []).push(r);
  console.log(`\nPer failover (${rows.length}):`);
  console.log('block  speaker                 to    wire rs1   wire rs2   rs1->sdn   rs2->sdn    sdn FIB    lt1 answer  lost  1-UPDATE/no-withdraw');
  for (const r of rows) console.log(`${String(r.block).padStart(5)}  ${label(r).padEnd(23)} ${NAME[r.target]}  ${ms(r.wire['10.10.1.4'])} ${ms(r.wire['10.10.1.5'])} ${ms(r.rsOut['10.10.1.4'])} ${ms(r.rsOut['10.10.1.5'])} ${ms(r.fib)} ${ms(r.answer)}  ${String(r.lost).padStart(4)}  ${okCheck(r) ? 'yes' : 'NO ' + JSON.stringify(r.check)}`);
  const stats = {};
  console.log('\nMedians                     n   cmd->wire rs1  cmd->wire rs2  cmd->wire both  cmd->sdn FIB  cmd->lt1 answer  lost (total)  checks ok');
  for (const [k, rs] of Object.entries(groups)) {
    const s = stats[k] = {
      n: rs.length, w1: median(rs.map((r) => r.wire['10.10.1.4'])), w2: median(rs.map((r) => r.wire['10.10.1.5'])),
      w: median(rs.flatMap((r) => [r.wire['10.10.1.4'], r.wire['10.10.1.5']])), fib: median(rs.map((r) => r.fib)),
      ans: median(rs.map((r) => r.answer)), lost: rs.reduce((a, r) => a + r.lost, 0), ok: rs.filter(okCheck).length };
    console.log(`${k.padEnd(24)} ${String(s.n).padStart(3)}  ${ms(s.w1)}     ${ms(s.w2)}     ${ms(s.w)}      ${ms(s.fib)}    ${ms(s.ans)}       ${String(s.lost).padStart(4)}       ${s.ok}/${s.n}`);
  }
  const ratio = (a, b) => (a != null && b ? (a / b).toFixed(3) : 'n/a');
  // tsbgpd's ExaBGP pipe is set only against the same write into ExaBGP's (the same command, the other speaker)
  const PIPE_PEER = { 'tsbgp (sh echo>pipe)': 'ExaBGP (sh echo>pipe)', 'tsbgp (ExaBGP pipe, fd)': 'ExaBGP (API pipe)' };
  for (const [k, t] of Object.entries(stats).filter(([k]) => k.startsWith('tsbgp')))
    for (const [e, ex] of Object.entries(stats).filter(([e]) => e.startsWith('ExaBGP') && (PIPE_PEER[k] ?? e) === e))
      console.log(`ratio ${k.padEnd(23)} / ${e.padEnd(21)}: command-to-wire ${ratio(t.w, ex.w).padStart(7)}, command-to-forwarding-table ${ratio(t.fib, ex.fib)}, command-to-first-answer ${ratio(t.ans, ex.ans)}`);
}
fs.writeFileSync(`${o.tmp}/rows.json`, JSON.stringify(rows, null, 1));
