// Polls both route servers' RIBs for the VIP over one long-lived control connection each (FRR bgpd's vty socket, BIRD's control socket); a JSON line per answer, or one check with --once.
//   node rib-poll.mjs --frr VTY --bird CTL --out FILE [--interval 50] [--max-seconds 120] [--stop-file F]
//   node rib-poll.mjs --frr VTY --bird CTL --once [--want-nh IP] [--want-best-from IP] [--want-paths N] [--print]
// A record: {rs, tSend, t, paths: [{from, nh, best, stale}]} (µs since the epoch; `t` when the answer was
// complete), or {rs, tSend, t, error} when a route server did not answer within 1 s. No paths = the VIP is
// absent from that route server's RIB. --once exits 0 when, on both route servers, the best path has --want-nh,
// comes from --want-best-from, and there are --want-paths paths that are not stale; 1 when not, 2 on no answer.
// Unix sockets only: no network traffic. Bounded by --max-seconds (and --stop-file).
import fs from 'node:fs';
import net from 'node:net';
import { parseArgs } from 'node:util';
const { values: o } = parseArgs({ options: {
  frr: { type: 'string' }, bird: { type: 'string' }, prefix: { type: 'string', default: '100.64.0.1/32' },
  out: { type: 'string' }, interval: { type: 'string', default: '50' }, 'max-seconds': { type: 'string', default: '120' },
  'stop-file': { type: 'string' }, once: { type: 'boolean', default: false }, print: { type: 'boolean', default: false },
  'want-nh': { type: 'string' }, 'want-best-from': { type: 'string' }, 'want-paths': { type: 'string' },
  // BIRD's protocol name -> the watcher's address (when BIRD's route line does not say `from`)
  'bird-protocols': { type: 'string', default: 'watcher=10.10.0.7,watcher2=10.10.0.8' } } });
const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ANSWER_TIMEOUT_MS = 1000;
const birdProtocols = new Map(o['bird-protocols'].split(',').map((kv) => kv.split('=')));

// FRR: `show bgp ipv4 unicast P json` on bgpd's vty socket: the command ends with NUL, the answer with 3 NULs and a status byte.
const frrProtocol = {
  request: () => `show bgp ipv4 unicast ${o.prefix} json\0`,
  complete: (b) => b.length >= 4 && b[b.length - 4] === 0 && b[b.length - 3] === 0 && b[b.length - 2] === 0,
  parse(b) {
    const j = JSON.parse(b.subarray(0, b.length - 4).toString('utf8') || '{}');
    return (j.paths ?? []).map((p) => ({ from: p.peer?.peerId ?? null, nh: p.nexthops?.[0]?.ip ?? null, best: p.bestpath?.overall === true, stale: p.stale === true }));
  },
};
// BIRD: `show route for P all` on its control socket: lines "CODE-text" (more follow) or "CODE text" (the last);
// continuation lines start with a space. A route line names its protocol ([watcher 12:00:00.000 from 10.10.0.7] *),
// `*` marks the primary (best) route, BGP.next_hop follows in its attributes. "8001 Network not found" = absent.
const birdProtocol = {
  request: () => `show route for ${o.prefix} all\n`,
  complete: (b) => { const s = b.toString('utf8'); return s.endsWith('\n') && /(^|\n)\d{4} [^\n]*\n$/.test(s); },
  parse(b) {
    const paths = [];
    for (const raw of b.toString('utf8').split('\n')) {
      const line = /^\d{4}[- ]/.test(raw) ? raw.slice(5) : raw;
      const head = /\[(\S+) [^\]]*?(?: from (\S+))?\]( \*)?/.exec(line);
      if (head && /unicast|blackhole|unreachable/.test(line)) {
        paths.push({ from: head[2] ?? birdProtocols.get(head[1]) ?? head[1], nh: null, best: head[3] !== undefined, stale: /stale/i.test(line) });
        continue;
      }
      const nh = /BGP\.next_hop:\s*(\S+)/.exec(line);
      if (nh && paths.length) paths[paths.length - 1].nh ??= nh[1];
      if (/stale/i.test(line) && paths.length) paths[paths.length - 1].stale = true;
    }
    return paths;
  },
};

class Client {   // one connection, one request at a time; reconnects after an error or a silent route server
  constructor(rs, path, proto) { Object.assign(this, { rs, path, proto, sock: null, buf: Buffer.alloc(0), waiter: null, greeted: proto !== birdProtocol }); }
  connect() {
    return new Promise((resolve) => {
      const s = net.createConnection(this.path);
      const fail = () => { s.destroy(); this.sock = null; this.fire(null); resolve(false); };
      s.once('error', fail);
      s.on('close', () => { if (this.sock === s) { this.sock = null; this.fire(null); } });
      s.on('data', (d) => { this.buf = Buffer.concat([this.buf, d]); if (this.proto.complete(this.buf)) { const b = this.buf; this.buf = Buffer.alloc(0); this.fire(b); } });
      s.once('connect', () => { this.sock = s; resolve(true); });
    });
  }
  fire(b) { const w = this.waiter; this.waiter = null; if (w) w(b); else if (b) this.early = b; }   // early: an answer before anyone waits (the greeting)
  async ask() {   // -> paths, or null when no answer
    if (!this.sock) {
      this.greeted = this.proto !== birdProtocol; this.buf = Buffer.alloc(0); this.early = null;
      if (!(await this.connect())) return null;
    }
    const answer = () => new Promise((resolve) => {
      if (this.early) { const b = this.early; this.early = null; resolve(b); return; }
      this.waiter = resolve; setTimeout(() => { if (this.waiter === resolve) { this.waiter = null; this.sock?.destroy(); this.sock = null; resolve(null); } }, ANSWER_TIMEOUT_MS); });
    if (!this.greeted) { if (!(await answer())) return null; this.greeted = true; }   // BIRD's "0001 BIRD ... ready."
    const p = answer();
    this.sock.write(this.proto.request());
    const b = await p;
    if (!b) return null;
    try { return this.proto.parse(b); } catch { return null; }
  }
  close() { this.sock?.end(); }
}

const clients = [o.frr && new Client('rs1', o.frr, frrProtocol), o.bird && new Client('rs2', o.bird, birdProtocol)].filter(Boolean);

if (o.once) {
  const got = {};
  for (const c of clients) got[c.rs] = await c.ask();
  clients.forEach((c) => c.close());
  if (o.print) process.stdout.write(JSON.stringify(got) + '\n');
  if (Object.values(got).some((v) => v === null)) process.exit(2);
  const ok = Object.values(got).every((paths) => {
    const best = paths.find((p) => p.best);
    return best && (!o['want-nh'] || best.nh === o['want-nh']) && (!o['want-best-from'] || best.from === o['want-best-from']) &&
      (!o['want-paths'] || paths.filter((p) => !p.stale && (!o['want-nh'] || p.nh === o['want-nh'])).length >= Number(o['want-paths']));
  });
  process.exit(ok ? 0 : 1);
}

const fd = fs.openSync(o.out, 'a');
const intervalMs = Number(o.interval), deadline = Date.now() + Number(o['max-seconds']) * 1000;
const stop = () => Date.now() >= deadline || (o['stop-file'] && fs.existsSync(o['stop-file']));
process.on('SIGTERM', () => process.exit(0));
await Promise.all(clients.map(async (c) => {
  let next = Date.now();
  while (!stop()) {
    const tSend = nowUs();
    const paths = await c.ask();
    fs.writeSync(fd, JSON.stringify(paths ? { rs: c.rs, tSend, t: nowUs(), paths } : { rs: c.rs, tSend, t: nowUs(), error: 'no answer' }) + '\n');
    next += intervalMs;
    const wait = next - Date.now();
    if (wait > 0) await sleep(wait); else next = Date.now();   // late: poll again at once, do not try to catch up
  }
  c.close();
}));
process.exit(0);
