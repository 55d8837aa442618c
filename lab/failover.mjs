// Failover driver (runs inside the watcher namespace). For each failover it records the command's
// issue time t0 (µs since the epoch, same clock as tcpdump, `ip -ts monitor` and the load loop),
// issues the command, then waits (bounded) until the sdn FIB log shows the new next hop and the load
// log shows an answer from the new server, and lets things settle. One JSON line per failover to --out.
//   --speaker tsbgp --mode cli     : spawn `bgpctl announce P via NH --json` (what an operator types)
//   --speaker tsbgp --mode socket  : one JSON request on a persistent control-socket connection
//   --speaker tsbgp --mode alt     : alternate cli / socket
//   --speaker exabgp --mode pipe   : write `announce route P next-hop NH` to ExaBGP's API pipe (open fd)
//   --speaker exabgp --mode shell  : spawn /bin/sh -c 'echo "announce route ..." > PIPE'
//   --speaker exabgp --mode alt    : alternate shell / pipe
//   --speaker tsbgp-pipe ...       : the same three as exabgp, into tsbgpd's ExaBGP pipe (`exabgp: { pipe: }`)
import fs from 'node:fs';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
const { values: o } = parseArgs({ options: {
  speaker: { type: 'string' }, mode: { type: 'string', default: 'cli' }, count: { type: 'string', default: '2' },
  prefix: { type: 'string', default: '100.64.0.1/32' }, socket: { type: 'string' }, fifo: { type: 'string' },
  bgpctl: { type: 'string' }, 'fib-log': { type: 'string' }, 'load-log': { type: 'string' }, out: { type: 'string' },
  block: { type: 'string', default: '0' }, settle: { type: 'string', default: '1000' }, 'wait-timeout': { type: 'string', default: '8000' } } });
const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const NAME = { '10.10.0.4': 'ws1', '10.10.0.5': 'ws2' };
const vip = o.prefix.split('/')[0];

let sock, sockBuf = '', sockWaiters = new Map(), nextId = 1;
async function socketRequest(args) {
  if (!sock) {
    sock = net.createConnection(o.socket);
    sock.setEncoding('utf8');
    sock.on('data', (d) => {
      sockBuf += d;
      let i;
      while ((i = sockBuf.indexOf('\n')) >= 0) {
        const line = sockBuf.slice(0, i); sockBuf = sockBuf.slice(i + 1);
        try { const m = JSON.parse(line); const w = sockWaiters.get(m.id); if (w) { sockWaiters.delete(m.id); w(m); } } catch {}
      }
    });
    await new Promise((res, rej) => { sock.once('connect', res); sock.once('error', rej); });
    // warm the connection (so the measured request does not pay for connect)
    await new Promise((res) => { const id = nextId++; sockWaiters.set(id, res); sock.write(JSON.stringify({ v: 1, id, command: 'ping' }) + '\n'); setTimeout(res, 1000); });
  }
  const id = nextId++;
  const p = new Promise((res) => sockWaiters.set(id, res));
  const t0 = nowUs();
  sock.write(JSON.stringify({ v: 1, id, command: 'announce', args }) + '\n');
  const reply = await Promise.race([p, sleep(5000).then(() => ({ timeout: true }))]);
  return { t0, tReply: nowUs(), reply };
}
function cliRequest(nh) {
  return new Promise((resolve) => {
    const t0 = nowUs();
    const ch = spawn(process.execPath, [o.bgpctl, 'announce', o.prefix, 'via', nh, '--json'], { env: { ...process.env, TSBGP_SOCKET: o.socket } });
    let out = '';
    ch.stdout.on('data', (d) => (out += d));
    const k = setTimeout(() => ch.kill('SIGKILL'), 5000);
    ch.on('close', (code) => { clearTimeout(k); let reply; try { reply = JSON.parse(out); } catch { reply = { raw: out, code }; } resolve({ t0, tReply: nowUs(), reply }); });
  });
}
let fifoFd;
function exabgpRequest(nh) {
  fifoFd ??= fs.openSync(o.fifo, 'r+');
  const line = `announce route ${o.prefix} next-hop ${nh}\n`;
  const t0 = nowUs();
  fs.writeSync(fifoFd, line);
  return { t0, tReply: nowUs(), reply: null };
}
// what an ExaBGP operator types: a shell writes the command into the API pipe
function shellRequest(nh) {
  return new Promise((resolve) => {
    const t0 = nowUs();
    const ch = spawn('/bin/sh', ['-c', `echo "announce route ${o.prefix} next-hop ${nh}" > ${o.fifo}`]);
    const k = setTimeout(() => ch.kill('SIGKILL'), 5000);
    ch.on('close', (code) => { clearTimeout(k); resolve({ t0, tReply: nowUs(), reply: { code } }); });
  });
}
// incremental readers of the two logs
function tailer(file) { let off = 0; return () => { let s = ''; try { const st = fs.statSync(file); if (st.size > off) { const b = Buffer.alloc(st.size - off); const fd = fs.openSync(file, 'r'); fs.readSync(fd, b, 0, b.length, off); fs.closeSync(fd); off = st.size; s = b.toString(); } } catch {} return s; }; }
const fibTail = tailer(o['fib-log']), loadTail = tailer(o['load-log']);
fibTail(); loadTail();   // skip history

const count = Number(o.count);
let target = '10.10.0.5';
for (let i = 0; i < count; i++) {
  const mode = o.speaker === 'exabgp' || o.speaker === 'tsbgp-pipe'
    ? (o.mode === 'alt' ? (i % 2 === 0 ? 'shell' : 'pipe') : o.mode === 'shell' ? 'shell' : 'pipe')
    : o.mode === 'alt' ? (i % 2 === 0 ? 'cli' : 'socket') : o.mode;
  fibTail(); loadTail();
  const r = mode === 'pipe' ? exabgpRequest(target) : mode === 'shell' ? await shellRequest(target) : mode === 'socket' ? await socketRequest({ prefix: o.prefix, nextHop: target }) : await cliRequest(target);
  let fibSeen = false, ansSeen = false, fibBuf = '', loadBuf = '';
  const until = Date.now() + Number(o['wait-timeout']);
  while (Date.now() < until && !(fibSeen && ansSeen)) {
    fibBuf += fibTail(); loadBuf += loadTail();
    if (!fibSeen) fibSeen = fibBuf.split('\n').some((l) => !l.includes('Deleted') && l.includes(`${vip} via ${target} `));
    if (!ansSeen) ansSeen = loadBuf.split('\n').some((l) => l.includes(`"server":"${NAME[target]}"`));
    await sleep(5);
  }
  process.stdout.write(`  ${o.speaker}/${mode} -> ${NAME[target]}: fib ${fibSeen ? 'ok' : 'TIMEOUT'}, answer ${ansSeen ? 'ok' : 'TIMEOUT'}\n`);
  await sleep(Number(o.settle));
  fs.appendFileSync(o.out, JSON.stringify({ block: Number(o.block), i, speaker: o.speaker, mode, target, ...r, tEnd: nowUs(), fibSeen, ansSeen }) + '\n');
  target = target === '10.10.0.5' ? '10.10.0.4' : '10.10.0.5';
}
sock?.end();
process.exit(0);
