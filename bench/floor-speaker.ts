// The start-up floor: the least a Node speaker does for a tsbgpd config (read the YAML, answer the control socket, OPEN, send every route); `node floor-speaker.js CONFIG`.
import { readFileSync, unlinkSync } from 'node:fs';
import net from 'node:net';
import { parse } from 'yaml';
import { DEFAULT_NEGOTIATED, type Negotiated, type PathAttribute, encodeMessage, endOfRib, makeOpen } from '../src/bgp/messages/index.js';

interface Yaml {
  'router-id': string;
  'local-as': number;
  neighbors: { address: string; port: number; 'remote-as': number; 'local-address'?: string; 'hold-time'?: number }[];
  routes: { prefix: string; 'next-hop': string }[];
  control: { socket: string };
}

const c = parse(readFileSync(process.argv[2]!, 'utf8')) as Yaml;
const send: Negotiated = { ...DEFAULT_NEGOTIATED, fourOctetAs: true };

// Every route, grouped by next hop, packed into UPDATEs of at most 4096 octets (as a speaker must).
const byHop = new Map<string, string[]>();
for (const r of c.routes) {
  const list = byHop.get(r['next-hop']);
  if (list) list.push(r.prefix);
  else byHop.set(r['next-hop'], [r.prefix]);
}
const updates: Uint8Array[] = [];
for (const [nextHop, prefixes] of byHop) {
  const attributes: PathAttribute[] = [
    { type: 'ORIGIN', origin: 0 },
    { type: 'AS_PATH', segments: [{ segmentType: 2, asns: [c['local-as']] }] },
    { type: 'NEXT_HOP', nextHop },
  ];
  // A /32 takes 5 octets; 800 of them and the attributes fit in 4096.
  for (let i = 0; i < prefixes.length; i += 800) {
    updates.push(encodeMessage({ type: 'UPDATE', withdrawn: [], attributes, nlri: prefixes.slice(i, i + 800).map((prefix) => ({ prefix })) }, send));
  }
}
updates.push(encodeMessage(endOfRib(1, 1), send));
const table = Buffer.concat(updates);
const keepalive = Buffer.from('ffffffffffffffffffffffffffffffff001304', 'hex');

try {
  unlinkSync(c.control.socket);
} catch {
  /* absent */
}
net
  .createServer((s) => {
    s.on('error', () => {});
    s.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        const id = /"id":(\d+|"[^"]*")/.exec(line)?.[1];
        if (id) s.write(`{"v":1,"id":${id},"ok":true,"result":{"pong":true,"version":"floor"}}\n`);
      }
    });
  })
  .listen(c.control.socket);

for (const n of c.neighbors) {
  const open = encodeMessage(makeOpen({ asn: c['local-as'], holdTime: n['hold-time'] ?? 180, bgpId: c['router-id'], capabilities: [{ type: 'MULTIPROTOCOL', afi: 1, safi: 1 }] }), DEFAULT_NEGOTIATED);
  const s = net.connect({ host: n.address, port: n.port, ...(n['local-address'] ? { localAddress: n['local-address'] } : {}) });
  s.setNoDelay(true);
  s.on('error', () => {});
  s.once('connect', () => s.write(open));
  let seenOpen = false;
  let sent = false;
  let buf = Buffer.alloc(0);
  s.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    while (buf.length >= 19 && buf.length >= buf.readUInt16BE(16)) {
      const type = buf[18];
      buf = buf.subarray(buf.readUInt16BE(16));
      if (type === 1 && !seenOpen) {
        seenOpen = true;
        s.write(keepalive);
      } else if (type === 4 && seenOpen && !sent) {
        sent = true;
        s.write(table);
        setInterval(() => s.write(keepalive), 20_000).unref();
      }
    }
  });
}

process.on('SIGTERM', () => process.exit(0));
