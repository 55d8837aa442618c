// Asks tsbgpd for its health-checked VIPs (control API `show-vips`, one JSON line on the socket) and
// says whether the VIP is steady on the wanted candidate: announced there, every candidate's health
// `up`, and every watch connection `connected` (when the VIP watches). With --established it asks
// `show-summary` instead and says whether every configured neighbor is Established.
//   node vip-state.mjs --socket S [--vip web] [--want ws1] [--print]
//   node vip-state.mjs --socket S --established [--print]
// Exit: 0 steady (established), 1 not (yet), 3 tsbgpd does not know the command (for show-vips: the VIP
// owner has not landed), 2 unreachable or malformed answer.
import net from 'node:net';
import { parseArgs } from 'node:util';
const { values: o } = parseArgs({ options: { socket: { type: 'string' }, vip: { type: 'string', default: 'web' },
  want: { type: 'string', default: 'ws1' }, print: { type: 'boolean', default: false }, established: { type: 'boolean', default: false } } });
const command = o.established ? 'show-summary' : 'show-vips';
const reply = await new Promise((resolve) => {
  const s = net.createConnection(o.socket);
  let buf = '';
  const t = setTimeout(() => { s.destroy(); resolve(null); }, 2000);
  s.setEncoding('utf8');
  s.on('error', () => { clearTimeout(t); resolve(null); });
  s.on('connect', () => s.write(JSON.stringify({ v: 1, id: 1, command, args: {} }) + '\n'));
  s.on('data', (d) => {
    buf += d;
    const i = buf.indexOf('\n');
    if (i < 0) return;
    clearTimeout(t); s.end();
    try { resolve(JSON.parse(buf.slice(0, i))); } catch { resolve(null); }
  });
});
if (!reply) process.exit(2);
if (o.print) process.stdout.write(JSON.stringify(reply) + '\n');
if (reply.ok === false) process.exit(/UNKNOWN_COMMAND$/.test(String(reply.error?.code)) ? 3 : 2);
if (o.established) {
  const ns = reply.result?.neighbors ?? [];
  process.exit(ns.length > 0 && ns.every((n) => n.state === 'Established') ? 0 : 1);
}
const vip = (reply.result?.vips ?? []).find((v) => v.name === o.vip);
if (!vip) process.exit(1);
const steady = vip.current?.candidate === o.want &&
  vip.candidates.every((c) => c.health === 'up' && (c.watch === undefined || c.watch === 'connected'));
process.exit(steady ? 0 : 1);
