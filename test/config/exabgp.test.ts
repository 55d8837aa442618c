// The `exabgp` section: the named pipe's path and mode, and the file:line:key of every mistake.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'tsbgp-cfg-exa-'));
let n = 0;
const BASE = 'router-id: 10.10.0.7\nlocal-as: 65001\nneighbors:\n  - { address: 10.10.1.4, remote-as: 65515 }\n';

async function load(extra: string) {
  const file = join(dir, `c${++n}.yaml`);
  writeFileSync(file, BASE + extra);
  return loadConfig(file);
}

async function problem(extra: string): Promise<string> {
  try {
    await load(extra);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`accepted: ${extra}`);
}

const Exa = suite('config exabgp');
Exa('pipe with its default mode, or the mode given', async () => {
  assert.is((await load('')).exabgp, undefined);
  assert.equal((await load('exabgp: { pipe: /run/tsbgp/exabgp.cmd }\n')).exabgp, { pipe: '/run/tsbgp/exabgp.cmd', pipeMode: 0o600 });
  assert.equal((await load('exabgp:\n  pipe: /run/x.cmd\n  pipe-mode: "0660"\n')).exabgp, { pipe: '/run/x.cmd', pipeMode: 0o660 });
});
Exa('mistakes name line and key', async () => {
  assert.match(await problem('exabgp: { pipe: exabgp.cmd }\n'), /:5: exabgp\.pipe.*not an absolute path/);
  assert.match(await problem('exabgp:\n  pipe: /run/x.cmd\n  pipe-mode: rw\n'), /:7: exabgp\.pipe-mode.*not a file mode/);
  assert.match(await problem('exabgp:\n  pipe-mode: "0660"\n'), /:6: exabgp\.pipe-mode.*goes with pipe/);
  assert.match(await problem('exabgp:\n  pipes: /run/x.cmd\n'), /exabgp\.pipes/);
});
Exa.run();
