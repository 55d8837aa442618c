// tsbgpd as an operator runs it: config checks, signals, exit status.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { shutdownCommunication } from '../../src/bgp/messages/index.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { until } from '../helpers/speakers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSBGPD = join(ROOT, 'src', 'cli', 'tsbgpd.js');
const EXAMPLE = join(ROOT, '..', 'examples', 'azure-watcher.yaml');
const dir = mkdtempSync(join(tmpdir(), 'tsbgpd-test-'));

const Daemon = suite('tsbgpd');

Daemon('--check-config accepts the example and names key and line of every problem', () => {
  const ok = spawnSync(process.execPath, [TSBGPD, '--check-config', EXAMPLE], { encoding: 'utf8' });
  assert.is(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /OK \(router-id 10\.10\.0\.7, AS 65001, 2 neighbors, 1 routes, 0 VIPs\)/);
  const vip = spawnSync(process.execPath, [TSBGPD, '--check-config', join(ROOT, '..', 'examples', 'azure-vip.yaml')], { encoding: 'utf8' });
  assert.is(vip.status, 0, vip.stderr);
  assert.match(vip.stdout, /OK \(router-id 10\.10\.0\.7, AS 65001, 2 neighbors, 0 routes, 1 VIPs\)/);
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'router-id: 10.10.0.7\nlocal-as: 65001\nneighbors:\n  - address: 10.10.1.4\n    remote-as: 65515\n    hold-time: 2\n');
  const r = spawnSync(process.execPath, [TSBGPD, '--check-config', bad], { encoding: 'utf8' });
  assert.is(r.status, 1);
  assert.match(r.stderr, /bad\.yaml:6: neighbors\[0\]\.hold-time/);
  const here = join(dir, 'local-address.yaml');
  writeFileSync(
    here,
    'router-id: 10.10.0.7\nlocal-as: 65001\nneighbors:\n  - { address: 127.0.0.2, remote-as: 65515, local-address: 127.0.0.1 }\n  - { address: 127.0.0.3, remote-as: 65515, local-address: 192.0.2.7 }\n',
  );
  const la = spawnSync(process.execPath, [TSBGPD, '--check-config', here], { encoding: 'utf8' });
  assert.is(la.status, 0, 'a warning, not a failure');
  assert.match(la.stdout, /OK \(router-id 10\.10\.0\.7, AS 65001, 2 neighbors/);
  assert.is(
    la.stderr,
    `${here}: warning: neighbors[1].local-address: 192.0.2.7 is not an address of this host; connecting to 127.0.0.3 fails (bind EADDRNOTAVAIL) until it is\n`,
  );
  const missing = spawnSync(process.execPath, [TSBGPD, '--config', join(dir, 'nope.yaml')], { encoding: 'utf8' });
  assert.is(missing.status, 1);
  assert.match(missing.stderr, /nope\.yaml/);
});

Daemon('runs on loopback, reloads on SIGHUP, and on SIGTERM sends Cease to its peer and exits 0', async () => {
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
  const port = await rs.listen('127.0.0.2');
  const file = join(dir, 'watcher.yaml');
  const write = (med: number): void =>
    writeFileSync(
      file,
      `router-id: 10.10.0.7
local-as: 65001
listen: false
neighbors:
  - { address: 127.0.0.2, remote-as: 65515, port: ${port} }
routes:
  - { prefix: 100.64.0.1/32, next-hop: 10.10.0.4, med: ${med} }
control: { socket: ${join(dir, 'tsbgpd.sock')} }
state-file: false
`,
    );
  write(1);
  const log: string[] = [];
  const d = spawn(process.execPath, [TSBGPD, '--config', file, '--no-pretty'], { stdio: ['ignore', 'pipe', 'pipe'] });
  d.stdout!.on('data', (c: Buffer) => log.push(c.toString()));
  try {
    await until('the initial table', () => rs.ofType('UPDATE').length >= 2, 10_000);
    write(2);
    process.kill(d.pid!, 'SIGHUP');
    await until('the re-diffed route', () => rs.ofType('UPDATE').length === 3);
    const u = rs.ofType('UPDATE')[2]!;
    assert.ok(u.attributes.some((a) => a.type === 'MULTI_EXIT_DISC' && a.med === 2));
    assert.is(rs.ofType('OPEN').length, 1, 'SIGHUP must not reset the session');
    const exited = new Promise<number | null>((r) => d.once('exit', (code) => r(code)));
    process.kill(d.pid!, 'SIGTERM');
    assert.is(await exited, 0);
    const n = rs.ofType('NOTIFICATION')[0];
    assert.equal(n && [n.code, n.subcode], [6, 2]);
    assert.equal(n && shutdownCommunication(n), { text: 'tsbgpd shutting down' });
    const lines = log.join('').trim().split('\n').map((l) => JSON.parse(l) as { msg: string; time: string });
    assert.ok(lines.some((l) => l.msg === 'OpenConfirm -> Established'));
    assert.match(lines[0]!.time, /T\d\d:\d\d:\d\d\.\d{3}Z$/, 'timestamps carry milliseconds');
  } finally {
    if (d.exitCode === null) d.kill('SIGKILL');
    await rs.close();
  }
});

Daemon('bgpctl shutdown --hard: the answer first, then Cease / Hard Reset to a peer with N, exit 0; bgpctl shutdown: Cease 6/2, the peer keeps our routes', async () => {
  const BGPCTL = join(ROOT, 'src', 'cli', 'bgpctl.js');
  for (const hard of [true, false]) {
    const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4', capabilities: [{ type: 'GRACEFUL_RESTART', flags: 0x4, restartTime: 120, families: [] }] });
    const port = await rs.listen('127.0.0.2');
    const file = join(dir, 'shutdown.yaml');
    const sock = join(dir, 'shutdown.sock');
    writeFileSync(
      file,
      `router-id: 10.10.0.7\nlocal-as: 65001\nlisten: false\nneighbors:\n  - { address: 127.0.0.2, remote-as: 65515, port: ${port} }\nroutes:\n  - { prefix: 100.64.0.1/32, next-hop: 10.10.0.4 }\ncontrol: { socket: ${sock} }\nstate-file: false\n`,
    );
    const d = spawn(process.execPath, [TSBGPD, '--config', file, '--no-pretty'], { stdio: ['ignore', 'ignore', 'ignore'] });
    const exited = new Promise<number | null>((r) => d.once('exit', (code) => r(code)));
    try {
      await until('the initial table', () => rs.ofType('UPDATE').length >= 2, 10_000);
      const r = spawnSync(process.execPath, [BGPCTL, 'shutdown', ...(hard ? ['--hard'] : []), '--json', '--socket', sock], { encoding: 'utf8', timeout: 10_000 });
      assert.is(r.status, 0, r.stderr);
      assert.equal(JSON.parse(r.stdout), {
        mode: hard ? 'hard' : 'graceful',
        peers: [{ neighbor: '127.0.0.2', state: 'Established', sends: hard ? 'hard-reset' : 'cease', keepsRoutes: !hard }],
      });
      assert.is(await exited, 0);
      const n = rs.ofType('NOTIFICATION');
      assert.equal(n.map((m) => `${m.code}/${m.subcode}`), [hard ? '6/9' : '6/2']);
      assert.not.ok(rs.ofType('UPDATE').some((u) => u.withdrawn.length > 0), 'no withdraw before either stop');
    } finally {
      if (d.exitCode === null) d.kill('SIGKILL');
      await rs.close();
    }
  }
});

Daemon('a session that does not come up: the socket error at warn once per reason, and in show neighbors (text and --json)', async () => {
  const BGPCTL = join(ROOT, 'src', 'cli', 'bgpctl.js');
  // A port nobody listens on: take one, then free it.
  const probe = net.createServer();
  const closedPort = await new Promise<number>((r) => probe.listen(0, '127.0.0.1', () => r((probe.address() as net.AddressInfo).port)));
  await new Promise<void>((r) => probe.close(() => r()));
  const sock = join(dir, 'connect-error.sock');
  const file = join(dir, 'connect-error.yaml');
  // 192.0.2.7 (TEST-NET-1) is on no interface here: the bind fails before anything is sent.
  writeFileSync(
    file,
    `router-id: 10.10.0.7
local-as: 65001
listen: false
neighbors:
  - { address: 127.0.0.1, remote-as: 65515, port: ${closedPort}, connect-retry: 1 }
  - { address: 127.0.0.3, remote-as: 65515, port: ${closedPort}, local-address: 192.0.2.7, connect-retry: 1 }
control: { socket: ${sock} }
state-file: false
`,
  );
  const log: string[] = [];
  const d = spawn(process.execPath, [TSBGPD, '--config', file, '--no-pretty'], { stdio: ['ignore', 'pipe', 'pipe'] });
  d.stdout!.on('data', (c: Buffer) => log.push(c.toString()));
  const lines = () => log.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string; peer?: string });
  try {
    const refused = (l: { level: number; msg: string }) => l.level === 40 && /ECONNREFUSED 127\.0\.0\.1:/.test(l.msg);
    const bind = (l: { level: number; msg: string }) => l.level === 40 && /bind EADDRNOTAVAIL 192\.0\.2\.7/.test(l.msg);
    await until('both reasons at warn', () => lines().some(refused) && lines().some(bind), 10_000);
    // Retried every second: give it three more tries, which must not repeat the warning.
    await new Promise((r) => setTimeout(r, 3500));
    assert.is(lines().filter(refused).length, 1, 'once per reason, not every retry');
    assert.is(lines().filter(bind).length, 1, 'once per reason, not every retry');
    const j = spawnSync(process.execPath, [BGPCTL, 'show', 'neighbors', '-j', '--socket', sock], { encoding: 'utf8', timeout: 10_000 });
    assert.is(j.status, 0, j.stderr);
    const ns = JSON.parse(j.stdout) as { neighbors: { address: string; connectError?: { text: string; at: string } }[] };
    const byAddress = new Map(ns.neighbors.map((n) => [n.address, n.connectError?.text]));
    assert.match(byAddress.get('127.0.0.1') ?? '', /^connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
    assert.match(byAddress.get('127.0.0.3') ?? '', /^bind EADDRNOTAVAIL 192\.0\.2\.7/);
    const t = spawnSync(process.execPath, [BGPCTL, 'show', 'neighbors', '127.0.0.3', '--socket', sock], { encoding: 'utf8', timeout: 10_000 });
    assert.match(t.stdout, /\n  Connect error: bind EADDRNOTAVAIL 192\.0\.2\.7\S* at \d{4}-/);
  } finally {
    if (d.exitCode === null) d.kill('SIGKILL');
  }
});

Daemon('--pretty: one line per event, the peer first', async () => {
  const probe = net.createServer();
  const closedPort = await new Promise<number>((r) => probe.listen(0, '127.0.0.1', () => r((probe.address() as net.AddressInfo).port)));
  await new Promise<void>((r) => probe.close(() => r()));
  const file = join(dir, 'pretty.yaml');
  writeFileSync(
    file,
    `router-id: 10.10.0.7\nlocal-as: 65001\nlisten: false\nneighbors:\n  - { address: 127.0.0.1, remote-as: 65515, port: ${closedPort}, connect-retry: 1 }\ncontrol: { socket: ${join(dir, 'pretty.sock')} }\nstate-file: false\n`,
  );
  let out = '';
  const d = spawn(process.execPath, [TSBGPD, '--config', file, '--pretty'], { stdio: ['ignore', 'pipe', 'pipe'] });
  d.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  try {
    await until('the refused connection logged', () => /connect ECONNREFUSED/.test(out), 10_000);
    await until('its line complete', () => out.endsWith('\n'), 2000);
    const lines = out.trimEnd().split('\n');
    for (const l of lines) assert.match(l, /^\[\d\d:\d\d:\d\d\.\d{3}\] [A-Z]+: /, `one line per event: ${JSON.stringify(l)}`);
    assert.ok(lines.some((l) => /^\[[^\]]+\] WARN: 127\.0\.0\.1 connection to the peer failed: connect ECONNREFUSED 127\.0\.0\.1:\d+ /.test(l)), out);
  } finally {
    if (d.exitCode === null) d.kill('SIGKILL');
  }
});

Daemon.run();

process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
