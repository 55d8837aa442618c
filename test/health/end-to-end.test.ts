// The watcher end to end on loopback: real HTTP candidates, the real probes; a server dies, the peer sees one UPDATE, no withdraw.
import http from 'node:http';
import type net from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { realClock } from '../../src/bgp/fsm/clock.js';
import type { VipConfig } from '../../src/config/types.js';
import { Speaker } from '../../src/daemon/speaker.js';
import { realProber } from '../../src/health/probes.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { config, memoryLogger, neighbor, until, waitState } from '../helpers/speakers.js';

const VIP = '100.64.0.1/32';

/** An HTTP server answering its name, whose connections can all be cut at once (a crash). */
async function server(name: string): Promise<{ port: number; crash(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const s = http.createServer((_req, res) => res.end(name));
  s.on('connection', (c) => {
    sockets.add(c);
    c.once('close', () => sockets.delete(c));
  });
  await new Promise<void>((r) => s.listen({ host: '127.0.0.1', port: 0 }, r));
  const port = (s.address() as net.AddressInfo).port;
  return {
    port,
    crash: () =>
      new Promise<void>((r) => {
        s.close(() => r());
        for (const c of sockets) c.destroy();
      }),
  };
}

const E2E = suite('a VIP on loopback');

E2E('ws1 crashes: one UPDATE with the next hop of ws2 reaches the peer, no withdraw; show vips and the history say why', async () => {
  const ws1 = await server('ws1');
  const ws2 = await server('ws2');
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
  const port = await rs.listen('127.0.0.2');
  const vip: VipConfig = {
    name: 'web',
    prefix: VIP,
    candidates: [
      { name: 'ws1', nextHop: '10.10.0.4', check: { kind: 'http', url: `http://127.0.0.1:${ws1.port}/`, expectStatus: 200, insecure: false } },
      { name: 'ws2', nextHop: '10.10.0.5', check: { kind: 'http', url: `http://127.0.0.1:${ws2.port}/`, expectStatus: 200, insecure: false } },
    ],
    intervalMs: 100,
    timeoutMs: 80,
    rise: 2,
    fall: 2,
    watch: true,
    failback: { kind: 'sticky' },
    changeWindowMs: 0,
    allDown: 'keep',
    startWaitMs: 2000,
  };
  const w = new Speaker({ config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port })], vips: [vip] }), log: memoryLogger(), prober: realProber(realClock) });
  await w.start();
  try {
    await waitState(w, '127.0.0.2', 'Established');
    const hops = (): string[] => rs.ofType('UPDATE').flatMap((u) => (u.nlri.some((n) => n.prefix === VIP) ? u.attributes.flatMap((a) => (a.type === 'NEXT_HOP' ? [a.nextHop] : [])) : []));
    await until('the VIP via ws1', () => hops().length === 1, 5000);
    assert.equal(hops(), ['10.10.0.4']);
    await until('the watch connected', () => w.vips()[0]!.candidates.every((c) => c.watch === 'connected'), 5000);
    await ws1.crash();
    await until('the failover', () => hops().length === 2, 5000);
    assert.equal(hops(), ['10.10.0.4', '10.10.0.5']);
    assert.not.ok(rs.ofType('UPDATE').some((u) => u.withdrawn.length > 0), 'no withdraw');
    const v = w.vips('web')[0]!;
    assert.equal([v.current?.candidate, v.candidates[0]!.health], ['ws2', 'down']);
    const move = w.vipHistory('web').at(-1)!;
    assert.equal([move.from, move.to], ['ws1', 'ws2']);
    assert.ok(move.cause === 'watch' || move.cause === 'health', move.cause);
    assert.ok(move.wire[0]!.micros !== undefined, JSON.stringify(move.wire));
    try {
      await w.announce({ prefix: VIP, nextHop: '10.10.0.4' });
      assert.unreachable('a manual announce of an automatic VIP must be refused');
    } catch (e) {
      assert.is((e as { code?: string }).code, 'TSBGP_ERR_OWNED');
    }
  } finally {
    await w.stop();
    await rs.close();
    await ws2.crash();
  }
});

E2E.run();
