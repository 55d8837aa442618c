// tsbgpd refuses a configuration that breaks Azure's rules: --check-config and the daemon itself, before it starts anything.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';

const TSBGPD = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'tsbgpd.js');
const dir = mkdtempSync(join(tmpdir(), 'tsbgpd-azure-'));

const BAD = `router-id: 10.10.0.7
local-as: 65520
listen: false
state-file: false
neighbors:
  - address: 127.0.0.2
    profile: azure-route-server
    families: [ipv6-unicast]
`;

const Refuse = suite('tsbgpd and the azure-route-server profile');

Refuse('--check-config and --config both refuse it, naming file:line:key and the rule', () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, BAD);
  for (const args of [['--check-config', file], ['--config', file, '--socket', join(dir, 'ctl.sock')]]) {
    const r = spawnSync(process.execPath, [TSBGPD, ...args], { encoding: 'utf8', timeout: 10_000 });
    assert.is(r.status, 1, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, /bad\.yaml:2: local-as: azure-route-server rule "peer AS not reserved" \(neighbors\[0\], line 7\).*65520 is one/);
    assert.match(r.stderr, /bad\.yaml:8: neighbors\[0\]\.families\[0\]: azure-route-server rule "IPv4 only"/);
  }
});

Refuse('with the rules kept, --check-config says OK', () => {
  const file = join(dir, 'good.yaml');
  writeFileSync(file, BAD.replace('65520', '65001').replace('ipv6-unicast', 'ipv4-unicast'));
  const r = spawnSync(process.execPath, [TSBGPD, '--check-config', file], { encoding: 'utf8', timeout: 10_000 });
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /OK \(router-id 10\.10\.0\.7, AS 65001, 1 neighbors/);
  rmSync(dir, { recursive: true, force: true });
});

Refuse.run();
