// GoBGP 3 on loopback (no namespace) sends more prefixes than max-prefixes-in: it gets Cease 6/1 and the session comes back. Runs in seconds.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Speaker } from '../../src/daemon/speaker.js';
import { config, freePort, memoryLogger, neighbor, until, waitState } from '../helpers/speakers.js';

const GoBgp = suite('GoBGP over max-prefixes-in (loopback)');

const have = spawnSync('gobgpd', ['--version'], { encoding: 'utf8' }).status === 0;

GoBgp('six prefixes against a limit of five: Cease 6/1 with AFI 1, SAFI 1, limit 5, as GoBGP records it', async () => {
  // An interop file, run with the matrix (npm run test:interop), where gobgpd is installed.
  assert.ok(have, 'gobgpd is not installed (Debian package gobgpd)');
  const dir = mkdtempSync(join(tmpdir(), 'tsbgp-gobgp-mpi-'));
  const bgpPort = await freePort('127.0.0.2');
  const apiPort = await freePort('127.0.0.1');
  writeFileSync(
    join(dir, 'gobgpd.toml'),
    `[global.config]
  as = 65515
  router-id = "10.10.1.4"
  port = ${bgpPort}
  local-address-list = ["127.0.0.2"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "127.0.0.1"
    peer-as = 65001
  [neighbors.transport.config]
    passive-mode = true
    local-address = "127.0.0.2"
`,
  );
  let log = '';
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const gobgpd: ChildProcess = spawn('gobgpd', ['-f', join(dir, 'gobgpd.toml'), '-t', 'toml', '-p', '--api-hosts', `127.0.0.1:${apiPort}`, '--pprof-disable'], { stdio: ['ignore', 'pipe', 'pipe'] });
  gobgpd.stdout!.on('data', (b: Buffer) => (log += b.toString()));
  gobgpd.stderr!.on('data', (b: Buffer) => (log += b.toString()));
  const gobgp = (...args: string[]) => spawnSync('gobgp', ['-p', String(apiPort), ...args], { encoding: 'utf8', timeout: 5000 });
  const w = new Speaker({
    config: config({
      routerId: '10.10.0.7',
      localAs: 65001,
      neighbors: [neighbor('127.0.0.2', 65515, { port: bgpPort, localAddress: '127.0.0.1', maxPrefixesIn: { limit: 5, action: 'cease' } })],
      routes: [{ prefix: '100.64.0.1/32', nextHop: '10.10.0.4' }],
    }),
    log: memoryLogger(lines),
  });
  try {
    await until('gobgpd to listen', () => gobgp('global').status === 0, 10_000);
    await w.start();
    await waitState(w, '127.0.0.2', 'Established', 15_000);
    for (let i = 0; i < 5; i++) assert.is(gobgp('global', 'rib', 'add', `10.20.${i}.0/24`).status, 0);
    await until('five prefixes from GoBGP', () => w.neighbors()[0]!.prefixes.received === 5, 10_000);
    assert.is(w.neighbors()[0]!.lastError, undefined);
    assert.is(gobgp('global', 'rib', 'add', '10.20.5.0/24').status, 0);
    await until('the Cease', () => w.neighbors()[0]!.lastError?.direction === 'sent', 10_000);
    assert.equal([w.neighbors()[0]!.lastError!.code, w.neighbors()[0]!.lastError!.subcode], [6, 1]);
    // GoBGP logs the NOTIFICATION it received: code 6, subcode 1, and our RFC 4486 data.
    await until('GoBGP to log the NOTIFICATION', () => /received notification" Code=6 Data="\[0 1 1 0 0 0 5\]" .*Subcode=1/.test(log), 10_000);
    assert.ok(w.neighbors()[0]!.limits?.prefixesIn?.exceeded === 1);
    // The usual back-off, then a new session (once GoBGP's own idle hold lets it in); GoBGP sends its
    // six again, and is ceased again at once.
    await until('the second Cease', () => w.neighbors()[0]!.limits?.prefixesIn?.exceeded === 2, 20_000);
    // GoBGP logs it a moment after we count it: wait for its line, as for the first.
    await until('GoBGP to log the second NOTIFICATION', () => (log.match(/Subcode=1/g) ?? []).length >= 2, 10_000);
    assert.is((log.match(/Subcode=1/g) ?? []).length, 2);
  } catch (e) {
    process.stderr.write(`gobgpd log:\n${log}\ntsbgp log:\n${lines.map((l) => `${l.level} ${l.msg ?? ''} ${JSON.stringify(l.obj)}`).join('\n')}\n`);
    throw e;
  } finally {
    await w.stop();
    gobgpd.kill('SIGTERM');
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        gobgpd.kill('SIGKILL');
        resolve();
      }, 3000);
      gobgpd.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
    rmSync(dir, { recursive: true, force: true });
  }
});

GoBgp.run();
