// The packed install as a new user gets it: npm pack, npm i -g into a scratch prefix (offline), then the installed commands.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

const Install = suite('packed install');
const scratch = mkdtempSync(join(tmpdir(), 'tsbgp-install-'));
Install.after(() => rmSync(scratch, { recursive: true, force: true }));

const npm = (args: string[], cwd: string): string => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });

Install('npm pack ships dist/src, examples and docs (not tests or benchmarks); npm i -g gives tsbgpd, bgpctl and tsbgpctl that work', () => {
  // --ignore-scripts: `npm test` has just built dist/ (pretest); the prepack build is the same `npm run build`.
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.is(pkg.scripts['prepack'], 'npm run build');
  const [packed] = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', scratch], REPO)) as [{ filename: string; files: { path: string }[] }];
  const files = packed.files.map((f) => f.path);
  for (const f of ['dist/src/cli/tsbgpd.js', 'dist/src/cli/bgpctl.js', 'dist/src/version.js', 'examples/azure-vip.yaml', 'examples/tsbgpd.service', 'docs/migrating-from-exabgp.md', 'README.md', 'package.json']) {
    assert.ok(files.includes(f), `${f} is in the tarball`);
  }
  assert.not.ok(files.some((f) => f.startsWith('dist/test/') || f.startsWith('dist/bench/') || f.startsWith('dist/scripts/')), 'no tests, benchmarks or scripts in the tarball');
  // The dependencies travel inside it (bundleDependencies): an offline host can install it.
  assert.ok(files.some((f) => f.startsWith('node_modules/commander/')), 'commander is bundled');

  const prefix = join(scratch, 'prefix');
  npm(['i', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', join(scratch, packed.filename)], scratch);
  const bin = (name: string): string => join(prefix, 'bin', name);
  // Run from the scratch directory, with the installed bin/ first on PATH: nothing of the clone is used.
  const env = { ...process.env, PATH: `${join(prefix, 'bin')}:${process.env['PATH'] ?? ''}` };
  const run = (name: string, args: string[]) => spawnSync(bin(name), args, { cwd: scratch, env, encoding: 'utf8', timeout: 10_000 });

  for (const name of ['tsbgpd', 'bgpctl', 'tsbgpctl']) {
    assert.ok(existsSync(bin(name)), `${name} is installed`);
    const v = run(name, ['--version']);
    assert.is(v.status, 0, v.stderr);
    assert.is(v.stdout.trim(), VERSION);
  }
  const help = run('tsbgpctl', ['--help']);
  assert.is(help.status, 0, help.stderr);
  assert.match(help.stdout, /^Usage: tsbgpctl /);
  assert.match(help.stdout.replace(/\s+/g, ' '), /tsbgp's bgpctl \(also installed as tsbgpctl\), not OpenBGPD's/);
  const example = join(prefix, 'lib', 'node_modules', 'tsbgp', 'examples', 'azure-vip.yaml');
  const check = run('tsbgpd', ['--check-config', example]);
  assert.is(check.status, 0, check.stderr);
  assert.match(check.stdout, /OK \(router-id 10\.10\.0\.7, AS 65001, 2 neighbors, 0 routes, 1 VIPs\)/);
});

Install.run();
