// The failover end to end: the bgpctl binary -> control socket -> a real Speaker -> one UPDATE on a scripted route server's wire; the VIP commands against it.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ControlServer } from '../../src/control/server.js';
import { Speaker } from '../../src/daemon/speaker.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { config, memoryLogger, neighbor, until, waitState } from '../helpers/speakers.js';
import { cleanup, opened } from './harness.js';

const BGPCTL = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'bgpctl.js');
const VIP = '100.64.0.1/32';

/** Run bgpctl as an operator does, without blocking this process (the daemon answering it lives here). */
function bgpctl(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BGPCTL, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bgpctl ${args.join(' ')} did not finish: ${stderr}`));
    }, 10_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

const EndToEnd = suite('bgpctl announce end to end');

EndToEnd('bgpctl announce ... via a new next hop: the route server sees exactly one UPDATE, the new NEXT_HOP, no withdraw', async () => {
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
  const port = await rs.listen('127.0.0.2');
  opened.push(() => rs.close());
  const speaker = new Speaker({
    config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port })], routes: [{ prefix: VIP, nextHop: '10.10.0.4' }] }),
    log: memoryLogger(),
    random: () => 0.5,
  });
  await speaker.start();
  opened.push(() => speaker.stop());
  await waitState(speaker, '127.0.0.2', 'Established');
  await until('the table and its End-of-RIB', () => rs.ofType('UPDATE').length === 2);
  const server = new ControlServer({ path: join(mkdtempSync(join(tmpdir(), 'tsbgp-e2e-')), 'tsbgpd.sock'), speaker, closeGraceMs: 100 });
  await server.listen();
  opened.push(() => server.close());

  const before = rs.received.length;
  const r = await bgpctl(['announce', VIP, 'via', '10.10.0.5', '--socket', server.path]);
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stderr, '');
  const time = String.raw`(\d+ µs|\d+\.\d ms)`; // measured: whatever it is, it is said in µs or ms
  assert.ok(new RegExp(String.raw`^announce 100\.64\.0\.1/32 via 10\.10\.0\.5: sent to 1 of 1 neighbor in ${time}\n127\.0\.0\.2  Established  sent in ${time}\n$`).test(r.stdout), r.stdout);

  // The reply came once the UPDATE was in the kernel: it is on the route server's side by now or soon.
  await until('the UPDATE', () => rs.received.length > before);
  const after = rs.received.slice(before).map((x) => x.message);
  assert.is(after.length, 1, `the route server got ${after.map((m) => m.type).join(', ')}`);
  const u = after[0]!;
  assert.ok(u.type === 'UPDATE');
  assert.equal(u.withdrawn, []);
  assert.equal(u.nlri, [{ prefix: VIP }]);
  assert.equal(u.attributes.find((a) => a.type === 'NEXT_HOP'), { type: 'NEXT_HOP', flags: 0x40, nextHop: '10.10.0.5' });
  assert.not.ok(u.attributes.some((a) => a.type === 'MP_UNREACH_NLRI'), 'no withdraw in the attributes either');
});

EndToEnd('bgpctl show vips and vip NAME ... against a real Speaker with no VIPs: an empty list, UNKNOWN_VIP (exit 1)', async () => {
  const speaker = new Speaker({ config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [] }), log: memoryLogger(), random: () => 0.5 });
  await speaker.start();
  opened.push(() => speaker.stop());
  const server = new ControlServer({ path: join(mkdtempSync(join(tmpdir(), 'tsbgp-e2e-')), 'tsbgpd.sock'), speaker, closeGraceMs: 100 });
  await server.listen();
  opened.push(() => server.close());
  const show = await bgpctl(['show', 'vips', '--socket', server.path]);
  assert.equal([show.status, show.stdout, show.stderr], [0, 'no VIPs configured\n', '']);
  const move = await bgpctl(['vip', 'web', 'move', 'ws2', '--json', '--socket', server.path]);
  assert.equal([move.status, JSON.parse(move.stdout)], [1, { error: { code: 'TSBGP_ERR_UNKNOWN_VIP', message: 'no VIP web (configured: none)' } }]);
  const freeze = await bgpctl(['vip', 'web', 'freeze', '--socket', server.path]);
  assert.equal([freeze.status, freeze.stderr], [1, 'bgpctl: no VIP web (configured: none) [TSBGP_ERR_UNKNOWN_VIP]\n']);
});

EndToEnd.after.each(cleanup);
EndToEnd.run();
