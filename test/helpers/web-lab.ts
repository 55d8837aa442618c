// The status page on loopback for tests and the screenshot script: a real Speaker, two raw BGP peers, a VIP over two HTTP candidates, headless Debian chromium.
import { existsSync } from 'node:fs';
import http from 'node:http';
import type net from 'node:net';
import puppeteer, { type Browser } from 'puppeteer-core';
import { realClock } from '../../src/bgp/fsm/clock.js';
import type { VipConfig } from '../../src/config/types.js';
import { Speaker } from '../../src/daemon/speaker.js';
import { realProber } from '../../src/health/probes.js';
import { attachWeb, nodeHttpHost, type WebHandle, type WebOptions } from '../../src/http/web.js';
import { RawPeer } from './raw-peer.js';
import { config, memoryLogger, neighbor, until, waitState } from './speakers.js';

export const LAB_VIP = '100.64.0.1/32';
export const LAB_PEERS = ['127.0.0.2', '127.0.0.3'] as const;
export const CHROMIUM = '/usr/bin/chromium';

/** An HTTP server answering its name, whose connections can all be cut at once (a crash). */
async function candidate(name: string): Promise<{ port: number; crash(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const s = http.createServer((_req, res) => res.end(name));
  s.on('connection', (c) => {
    sockets.add(c);
    c.once('close', () => sockets.delete(c));
  });
  await new Promise<void>((r) => s.listen({ host: '127.0.0.1', port: 0 }, r));
  return {
    port: (s.address() as net.AddressInfo).port,
    crash: () =>
      new Promise<void>((r) => {
        s.close(() => r());
        for (const c of sockets) c.destroy();
      }),
  };
}

export interface WebLab {
  url: string;
  speaker: Speaker;
  peers: RawPeer[];
  web: WebHandle;
  crashWs1(): Promise<void>;
  close(): Promise<void>;
}

/** Everything up: both sessions Established, both candidates healthy, the VIP announced via ws1. */
export async function startWebLab(opts: WebOptions = {}): Promise<WebLab> {
  const ws1 = await candidate('ws1');
  const ws2 = await candidate('ws2');
  const peers = [new RawPeer({ asn: 65515, bgpId: '10.10.1.4' }), new RawPeer({ asn: 65515, bgpId: '10.10.1.5' })];
  const ports = await Promise.all(peers.map((p, i) => p.listen(LAB_PEERS[i]!)));
  const vip: VipConfig = {
    name: 'web',
    prefix: LAB_VIP,
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
  const speaker = new Speaker({
    config: config({
      routerId: '10.10.0.7',
      localAs: 65001,
      neighbors: LAB_PEERS.map((a, i) => neighbor(a, 65515, { port: ports[i]!, description: `route server ${i + 1}` })),
      vips: [vip],
    }),
    log: memoryLogger(),
    prober: realProber(realClock),
  });
  const server = http.createServer();
  const web = attachWeb(nodeHttpHost(server), speaker, opts);
  await speaker.start();
  const close = async (): Promise<void> => {
    web.close();
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
    await speaker.stop();
    await Promise.all(peers.map((p) => p.close()));
    await Promise.allSettled([ws1.crash(), ws2.crash()]);
  };
  try {
    for (const a of LAB_PEERS) await waitState(speaker, a, 'Established');
    await until('both candidates up and the VIP via ws1', () => {
      const v = speaker.vips('web')[0]!;
      return v.current?.candidate === 'ws1' && v.candidates.every((c) => c.health === 'up');
    }, 5000);
    await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
  } catch (e) {
    await close();
    throw e;
  }
  const { port } = server.address() as net.AddressInfo;
  return { url: `http://127.0.0.1:${port}/`, speaker, peers, web, crashWs1: ws1.crash, close };
}

/** Debian's chromium, headless; a missing chromium is an error (the test fails, it does not skip). */
export async function launchChromium(): Promise<{ browser: Browser; kill(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install the Debian package chromium (.ci/run does)`);
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 20000,
    protocolTimeout: 20000,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--window-size=1280,900'],
    defaultViewport: { width: 1280, height: 900 },
  });
  const pid = browser.process()?.pid;
  return {
    browser,
    kill: async () => {
      // Closed politely within a bound, then killed by its PID (never by name).
      await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 3000))]);
      if (pid !== undefined) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}
