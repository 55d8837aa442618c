// Asks tsbgpd for its health-checked VIPs (control API `show-vips`, one JSON line on the socket) and
// says whether the VIP is steady on the wanted candidate: announced there, every candidate's health
// `up`, and every watch connection `connected` (when the VIP watches).
//   node vip-state.mjs --socket S [--vip web] [--want ws1] [--print]
// Exit: 0 steady, 1 not (yet), 3 tsbgpd does not know `show-vips` (the VIP owner has not landed),
// 2 unreachable or malformed answer.
import net from 'node:net';
import { parseArgs } from 'node:util';
const { values: o } = parseArgs({ options: { socket: { type: 'string' }, vip: { type: 'string', default: 'web' },
  want: { type: 'string', default: 'ws1' }, print: { type: 'boolean', default: false } } });
const reply = await new Promise((resolve) => {
  const s = net.createConnection(o.socket);
  let buf = '';
  const t = setTimeout(() => { s.destroy(); resolve(null); }, 2000);
  s.setEncoding('utf8');
  s.on('error', () => { clearTimeout(t); resolve(null); });
  s.on('connect', () => s.write(JSON.stringify({ v: 1, id: 1, command: 'show-vips', args: {} }) + '\n'));
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
if (reply.ok === false) process.exit(reply.error?.code === 'UNKNOWN_COMMAND' ? 3 : 2);
const vip = (reply.result?.vips ?? []).find((v) => v.name === o.vip);
if (!vip) process.exit(1);
const steady = vip.current?.candidate === o.want &&
  vip.candidates.every((c) => c.health === 'up' && (c.watch === undefined || c.watch === 'connected'));
process.exit(steady ? 0 : 1);
