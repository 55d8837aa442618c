// Operator-style load loop (runs in lt1): one HTTP GET to the VIP every --interval ms, each with a
// --timeout ms deadline, a fresh TCP connection each time. Bounded by --max-seconds and
// --max-requests; stops early when --stop-file exists. One JSON line per request to --out:
// {seq, tSend, tRecv, server} or {seq, tSend, tRecv, error} (times in µs since the epoch).
import fs from 'node:fs';
import http from 'node:http';
import { parseArgs } from 'node:util';
const { values: o } = parseArgs({ options: {
  out: { type: 'string' }, target: { type: 'string', default: '100.64.0.1' },
  interval: { type: 'string', default: '50' }, timeout: { type: 'string', default: '200' },
  'max-seconds': { type: 'string', default: '60' }, 'max-requests': { type: 'string', default: '1200' },
  'stop-file': { type: 'string' } } });
const nowUs = () => Math.round((performance.timeOrigin + performance.now()) * 1000);
const fd = fs.openSync(o.out, 'a');
const maxReq = Number(o['max-requests']), timeout = Number(o.timeout);
const deadline = Date.now() + Number(o['max-seconds']) * 1000;
let seq = 0, pending = 0, stopping = false;
function one() {
  const rec = { seq: seq++, tSend: nowUs() };
  pending++;
  let done = false;
  const finish = (extra) => {
    if (done) return; done = true; pending--;
    fs.writeSync(fd, JSON.stringify({ ...rec, tRecv: nowUs(), ...extra }) + '\n');
  };
  const req = http.get({ host: o.target, port: 80, path: '/', agent: false, timeout }, (res) => {
    let body = '';
    res.setEncoding('utf8');
    res.on('data', (c) => (body += c));
    res.on('end', () => finish({ server: body.trim() }));
    res.on('error', (e) => finish({ error: e.code ?? e.message }));
  });
  req.on('timeout', () => { finish({ error: 'timeout' }); req.destroy(); });
  req.on('error', (e) => finish({ error: e.code ?? e.message }));
  setTimeout(() => { if (!done) { finish({ error: 'timeout' }); req.destroy(); } }, timeout + 5).unref();
}
const timer = setInterval(() => {
  if (seq >= maxReq || Date.now() >= deadline || (o['stop-file'] && fs.existsSync(o['stop-file']))) {
    if (!stopping) { stopping = true; clearInterval(timer); setTimeout(() => process.exit(0), timeout + 50); }
    return;
  }
  one();
}, Number(o.interval));
process.on('SIGTERM', () => process.exit(0));
