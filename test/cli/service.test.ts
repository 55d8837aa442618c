// examples/tsbgpd.service: systemd-analyze verify finds nothing to say, and its tsbgpd command lines are real.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const TSBGPD = join(REPO, 'dist', 'src', 'cli', 'tsbgpd.js');
const UNIT = readFileSync(join(REPO, 'examples', 'tsbgpd.service'), 'utf8');

const Service = suite('systemd unit');
const dir = mkdtempSync(join(tmpdir(), 'tsbgp-unit-'));
Service.after(() => rmSync(dir, { recursive: true, force: true }));

/** The values of KEY= in the unit, in order. */
const values = (key: string): string[] => [...UNIT.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!);

Service('has what the issue asks: reload = SIGHUP, restart on failure, run and state directories, a group, KillMode=process', () => {
  assert.equal(values('ExecStart'), ['/usr/bin/tsbgpd --config /etc/tsbgp/tsbgpd.yaml --no-pretty']);
  assert.equal(values('ExecReload'), ['/bin/kill -HUP $MAINPID']);
  assert.equal(values('Restart'), ['on-failure']);
  assert.equal(values('RuntimeDirectory'), ['tsbgp']);
  assert.equal(values('StateDirectory'), ['tsbgp']);
  assert.equal(values('Group'), ['tsbgp']);
  assert.equal(values('KillMode'), ['process']);
  assert.equal(values('AmbientCapabilities'), ['CAP_NET_BIND_SERVICE']);
  assert.equal(values('RestartPreventExitStatus'), ['75']);
});

Service('systemd-analyze verify accepts it with no warning (its ExecStart pointed at the built tsbgpd)', () => {
  // /usr/bin/tsbgpd does not exist here, and verify checks that ExecStart's program is executable:
  // the copy runs the built daemon through node, everything else unchanged.
  const copy = join(dir, 'tsbgpd.service');
  writeFileSync(copy, UNIT.replaceAll('/usr/bin/tsbgpd', `${process.execPath} ${TSBGPD}`));
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', copy], { encoding: 'utf8', timeout: 20_000 });
  assert.is(r.error, undefined, 'systemd-analyze runs (Debian package systemd, installed by .ci/run)');
  assert.is(r.status, 0, r.stderr);
  // verify exits 0 on an unknown key or a bad value, only warning: any line about the unit fails the test.
  assert.equal(r.stderr.split('\n').filter((l) => l.includes('tsbgpd.service')), []);
  // And the unmodified unit is really read: its missing /usr/bin/tsbgpd is reported.
  const original = join(dir, 'original', 'tsbgpd.service');
  mkdirSync(dirname(original));
  writeFileSync(original, UNIT);
  const o = spawnSync('systemd-analyze', ['verify', '--man=no', original], { encoding: 'utf8', timeout: 20_000 });
  assert.match(o.stderr, /\/usr\/bin\/tsbgpd is not executable/);
});

Service('its ExecStartPre runs: tsbgpd --check-config on a config (an example in place of /etc/tsbgp/tsbgpd.yaml)', () => {
  const [pre] = values('ExecStartPre');
  const words = pre!.split(' ').map((w) => (w === '/etc/tsbgp/tsbgpd.yaml' ? join(REPO, 'examples', 'azure-vip.yaml') : w));
  assert.is(words[0], '/usr/bin/tsbgpd');
  const r = spawnSync(process.execPath, [TSBGPD, ...words.slice(1)], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /azure-vip\.yaml: OK/);
  // ExecStart's options are tsbgpd's.
  const help = spawnSync(process.execPath, [TSBGPD, '--help'], { encoding: 'utf8' }).stdout;
  for (const flag of values('ExecStart')[0]!.split(' ').filter((w) => w.startsWith('--'))) assert.ok(help.includes(flag), `tsbgpd --help lists ${flag}`);
});

Service.run();
