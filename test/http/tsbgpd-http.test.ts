// tsbgpd with and without `http:`: the listener exists only when configured, serves /metrics, and closes at SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import WebSocket from 'ws';
import * as assert from 'uvu/assert';
import { RawPeer } from '../helpers/raw-peer.js';
import { get, scrape, value } from '../helpers/scrape.js';
import { until } from '../helpers/speakers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSBGPD = join(ROOT, 'src', 'cli', 'tsbgpd.js');
const dir = mkdtempSync(join(tmpdir(), 'tsbgpd-http-'));

/** A port that was free a moment ago (the daemon's port cannot be 0). */
async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen({ host: '127.0.0.1', port: 0 }, r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function configText(peerPort: number, http: string): string {
  return `router-id: 10.10.0.7
local-as: 65001
listen: false
neighbors:
  - { address: 127.0.0.2, remote-as: 65515, port: ${peerPort} }
control: { socket: ${join(dir, 'tsbgpd.sock')} }
state-file: false
${http}`;
}

/** Run tsbgpd on `file` until `body` is done, then SIGTERM it and expect exit 0. */
async function withDaemon(file: string, body: (log: () => string) => Promise<void>): Promise<void> {
  const out: string[] = [];
  const d = spawn(process.execPath, [TSBGPD, '--config', file, '--no-pretty'], { stdio: ['ignore', 'pipe', 'pipe'] });
  d.stdout!.on('data', (c: Buffer) => out.push(c.toString()));
  d.stderr!.on('data', (c: Buffer) => out.push(c.toString()));
  try {
    await body(() => out.join(''));
    const exited = new Promise<number | null>((r) => d.once('exit', (code) => r(code)));
    process.kill(d.pid!, 'SIGTERM');
    assert.is(await exited, 0, out.join(''));
  } finally {
    if (d.exitCode === null && d.signalCode === null) d.kill('SIGKILL');
  }
}

async function refused(port: number): Promise<boolean> {
  try {
    await get(port, '/metrics');
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ECONNREFUSED';
  }
}

/** The first message the page's WebSocket sends (its snapshot), within 5 s. */
function firstMessage(port: number): Promise<{ type: string; neighbors: { address: string; state: string }[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/events`);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error('no WebSocket message in 5 s'));
    }, 5000);
    ws.once('message', (data) => {
      clearTimeout(timer);
      ws.close();
      resolve(JSON.parse(String(data)));
    });
    ws.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

const D = suite('tsbgpd http:');

D('with http: /metrics answers with the session Established, / is the status page and /events its snapshot; after SIGTERM nothing listens', async () => {
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
  const peerPort = await rs.listen('127.0.0.2');
  const port = await freePort();
  const file = join(dir, 'on.yaml');
  writeFileSync(file, configText(peerPort, `http: { port: ${port} }\n`));
  try {
    await withDaemon(file, async (log) => {
      await until('http listening', () => log().includes('"http listening"'), 10_000);
      await until('Established in the metrics', () => log().includes('OpenConfirm -> Established'), 10_000);
      const s = await scrape(port);
      assert.is(value(s, 'tsbgp_neighbor_state', { neighbor: '127.0.0.2', state: 'Established' }), 1);
      const page = await get(port, '/');
      assert.is(page.status, 200);
      assert.match(String(page.headers['content-type']), /text\/html/);
      assert.match(page.body, /<title>[^<]*tsbgp/);
      const snapshot = await firstMessage(port);
      assert.is(snapshot.type, 'snapshot');
      assert.equal(snapshot.neighbors.map((n) => [n.address, n.state]), [['127.0.0.2', 'Established']]);
    });
    assert.ok(await refused(port), 'closed with the daemon');
  } finally {
    await rs.close();
  }
});

D('without http: no listener', async () => {
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
  const peerPort = await rs.listen('127.0.0.2');
  const port = await freePort();
  const file = join(dir, 'off.yaml');
  writeFileSync(file, configText(peerPort, ''));
  try {
    await withDaemon(file, async (log) => {
      await until('Established', () => log().includes('OpenConfirm -> Established'), 10_000);
      assert.not.ok(log().includes('http listening'));
      // The default port is not ours to probe (another program may hold it); a listener would have logged itself.
      assert.ok(await refused(port));
    });
  } finally {
    await rs.close();
  }
});

D('--check-config warns when http.address is not loopback', () => {
  const file = join(dir, 'wide.yaml');
  writeFileSync(file, configText(179, 'http: { address: 0.0.0.0 }\n'));
  const r = spawnSync(process.execPath, [TSBGPD, '--check-config', file], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: http\.address 0\.0\.0\.0 is not loopback/);
  writeFileSync(file, configText(179, 'http: {}\n'));
  const quiet = spawnSync(process.execPath, [TSBGPD, '--check-config', file], { encoding: 'utf8' });
  assert.is([quiet.status, quiet.stderr].join('|'), '0|');
});

D.after(() => rmSync(dir, { recursive: true, force: true }));
D.run();
