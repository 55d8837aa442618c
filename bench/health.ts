// The watcher's own path: a decision -> the UPDATE handed to the kernel for two peers, beside a bare write of the same bytes.
import http from 'node:http';
import type net from 'node:net';
import { realClock } from '../src/bgp/fsm/clock.js';
import type { VipConfig } from '../src/config/types.js';
import { Speaker } from '../src/daemon/speaker.js';
import { realProber } from '../src/health/probes.js';
import { RawPeer } from '../test/helpers/raw-peer.js';
import { config, memoryLogger, neighbor, until, waitState } from '../test/helpers/speakers.js';

export interface HealthFigures {
  moves: number;
  p50: number;
  p99: number;
  floorP50: number;
  floorP99: number;
}

const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/**
 * `moves` moves of a VIP between two healthy loopback HTTP candidates, each through the watcher's
 * decision path (vip move: decision, health intent, plan, one UPDATE per peer); the figure is the
 * decision -> kernel time the move records for its slower peer. Floor: the same two sockets written
 * 55 octets each, timed from the call to the last write callback.
 */
export async function runHealthBench(moves = 500): Promise<HealthFigures> {
  const servers = await Promise.all(['ws1', 'ws2'].map((name) => new Promise<http.Server>((r) => { const s = http.createServer((_q, res) => res.end(name)); s.listen({ host: '127.0.0.1', port: 0 }, () => r(s)); })));
  const peers = [new RawPeer({ asn: 65515, bgpId: '10.10.1.4' }), new RawPeer({ asn: 65515, bgpId: '10.10.1.5' })];
  const ports = [await peers[0]!.listen('127.0.0.2'), await peers[1]!.listen('127.0.0.3')];
  const vip: VipConfig = {
    name: 'web',
    prefix: '100.64.0.1/32',
    candidates: servers.map((s, i) => ({ name: `ws${i + 1}`, nextHop: `10.10.0.${4 + i}`, check: { kind: 'http' as const, url: `http://127.0.0.1:${(s.address() as net.AddressInfo).port}/`, expectStatus: 200, insecure: false } })),
    intervalMs: 200, timeoutMs: 100, rise: 1, fall: 2, watch: true, failback: { kind: 'sticky' }, changeWindowMs: 0, allDown: 'keep', startWaitMs: 2000,
  };
  const w = new Speaker({ config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port: ports[0]! }), neighbor('127.0.0.3', 65515, { port: ports[1]! })], vips: [vip] }), log: memoryLogger(), prober: realProber(realClock) });
  await w.start();
  try {
    await waitState(w, '127.0.0.2', 'Established');
    await waitState(w, '127.0.0.3', 'Established');
    await until('the VIP announced', () => w.vips()[0]!.current !== undefined, 5000);
    const times: number[] = [];
    for (let i = 0; i < moves; i++) {
      const m = await w.vipMove('web', i % 2 ? 'ws1' : 'ws2');
      const us = m.wire.map((x) => x.micros ?? NaN);
      if (us.every(Number.isFinite)) times.push(Math.max(...us));
    }
    const floor: number[] = [];
    const bytes = Buffer.alloc(55, 0xff);
    for (let i = 0; i < moves; i++) {
      const t0 = performance.now();
      await Promise.all(peers.map((p) => new Promise<void>((r) => p.socket!.write(bytes, () => r()))));
      floor.push((performance.now() - t0) * 1000);
    }
    times.sort((a, b) => a - b);
    floor.sort((a, b) => a - b);
    return { moves: times.length, p50: pct(times, 50), p99: pct(times, 99), floorP50: pct(floor, 50), floorP99: pct(floor, 99) };
  } finally {
    await w.stop();
    await Promise.all(peers.map((p) => p.close()));
    for (const s of servers) s.close();
  }
}
