// The state file: round trip, atomic replacement, and refusing a corrupt file by name.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TsbgpError } from '../../src/errors.js';
import type { RouteSpec } from '../../src/routes/local-routes.js';
import { readState, writeState } from '../../src/config/state-file.js';

const ROUTES: RouteSpec[] = [
  {
    prefix: '100.64.0.1/32',
    nextHop: '10.10.0.5',
    med: 100,
    communities: [0xfde90064, 0xffffff01],
    largeCommunities: [[65001, 1, 4294967295]],
    asPathPrepend: 2,
  },
  { prefix: '2001:db8::/48', nextHop: '2001:db8::1' },
];

let dir = '';
const fresh = (): void => {
  dir = mkdtempSync(join(tmpdir(), 'tsbgp-state-'));
};
const cleanup = (): void => rmSync(dir, { recursive: true, force: true });

/** The TsbgpError readState throws for a file holding `text`. */
async function readError(text: string): Promise<TsbgpError> {
  const file = join(dir, 'state.json');
  writeFileSync(file, text);
  try {
    await readState(file);
  } catch (e) {
    if (e instanceof TsbgpError) return e;
    throw e;
  }
  throw new Error(`readState accepted ${text}`);
}

const Write = suite('writeState');
Write.before.each(fresh);
Write.after.each(cleanup);

Write('round trip through readState; the file is versioned JSON', async () => {
  const file = join(dir, 'state.json');
  const before = Date.now();
  await writeState(file, ROUTES);
  assert.equal(await readState(file), ROUTES);
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { version: number; savedAt: string; routes: RouteSpec[] };
  assert.equal(Object.keys(saved), ['version', 'savedAt', 'routes']);
  assert.is(saved.version, 1);
  assert.match(saved.savedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.ok(Date.parse(saved.savedAt) >= before - 1000 && Date.parse(saved.savedAt) <= Date.now() + 1000);
  assert.equal(saved.routes, ROUTES);
});

Write('an empty list is saved as an empty list (not as "no state")', async () => {
  const file = join(dir, 'state.json');
  await writeState(file, []);
  assert.equal(await readState(file), []);
});

Write('replaces the file and leaves no temp file behind', async () => {
  const file = join(dir, 'state.json');
  await writeState(file, ROUTES);
  await writeState(file, [{ prefix: '100.64.0.1/32', nextHop: '10.10.0.4' }]);
  assert.equal(readdirSync(dir), ['state.json']);
  assert.equal(await readState(file), [{ prefix: '100.64.0.1/32', nextHop: '10.10.0.4' }]);
});

Write('writes to one file land in call order: the last call wins', async () => {
  const file = join(dir, 'state.json');
  const hops = ['10.10.0.4', '10.10.0.5', '10.10.0.6', '10.10.0.5', '10.10.0.4', '10.10.0.7'];
  await Promise.all(hops.map((nextHop) => writeState(file, [{ prefix: '100.64.0.1/32', nextHop }])));
  assert.equal(await readState(file), [{ prefix: '100.64.0.1/32', nextHop: '10.10.0.7' }]);
  assert.equal(readdirSync(dir), ['state.json']);
});

Write('creates missing directories with mode 0750', async () => {
  const file = join(dir, 'var', 'lib', 'tsbgp', 'state.json');
  await writeState(file, ROUTES);
  assert.equal(await readState(file), ROUTES);
  const umask = process.umask();
  assert.is(statSync(join(dir, 'var', 'lib', 'tsbgp')).mode & 0o777, 0o750 & ~umask);
});

Write('a write that cannot happen throws TSBGP_ERR_FILE naming the file, and cleans up', async () => {
  writeFileSync(join(dir, 'blocker'), 'a file where a directory should be');
  const file = join(dir, 'blocker', 'state.json');
  try {
    await writeState(file, ROUTES);
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, TsbgpError);
    assert.is((e as TsbgpError).code, 'TSBGP_ERR_FILE');
    assert.ok((e as TsbgpError).message.startsWith(`cannot save the state file ${file}: `), (e as Error).message);
  }
  // A failed write does not block the next one to the same file.
  const ok = join(dir, 'state.json');
  await writeState(ok, ROUTES);
  assert.equal(readdirSync(dir).sort(), ['blocker', 'state.json']);
});

Write.run();

const Read = suite('readState');
Read.before.each(fresh);
Read.after.each(cleanup);

Read('a missing file is null (first start)', async () => {
  assert.is(await readState(join(dir, 'state.json')), null);
  assert.is(await readState(join(dir, 'no', 'such', 'dir', 'state.json')), null);
});

Read('corrupt JSON throws TSBGP_ERR_FILE naming the file', async () => {
  const e = await readError('{"version": 1, "routes": [');
  assert.is(e.code, 'TSBGP_ERR_FILE');
  assert.ok(e.message.startsWith(`state file ${join(dir, 'state.json')} is not valid: not JSON (`), e.message);
  assert.ok(e.message.endsWith('fix it, or move it away to start from the routes in the configuration'), e.message);
});

Read('a file of the wrong shape throws, saying what is wrong', async () => {
  assert.ok((await readError('')).message.includes('not JSON'));
  assert.ok((await readError('[]')).message.includes('expected a JSON object'));
  assert.ok((await readError('{"version": 2, "routes": []}')).message.includes('version 2 is not supported (expected 1)'));
  assert.ok((await readError('{"routes": []}')).message.includes('version undefined is not supported'));
  assert.ok((await readError('{"version": 1}')).message.includes('"routes" is not a list'));
});

Read('every route is validated: the problem names the route', async () => {
  const route = (r: unknown) => JSON.stringify({ version: 1, savedAt: '2024-01-01T00:00:00.000Z', routes: [{ prefix: '10.0.0.0/8', nextHop: '10.0.0.1' }, r] });
  const cases: [unknown, string][] = [
    [{ prefix: '100.64.0.1/24', nextHop: '10.0.0.1' }, 'routes[1]: 100.64.0.1/24 has host bits set; did you mean 100.64.0.0/24?'],
    [{ prefix: '100.64.0.1/32', nextHop: '224.0.0.1' }, 'routes[1]: next hop 224.0.0.1 is a multicast address'],
    [{ prefix: '100.64.0.1/32' }, 'routes[1]: next hop must be a string'],
    [{ prefix: '100.64.0.1/32', nextHop: '10.0.0.1', med: 'high' }, 'routes[1]: med "high" is not valid'],
    [{ prefix: '100.64.0.1/32', nextHop: '10.0.0.1', communities: [-1] }, 'routes[1]: community -1 is not a 32-bit number'],
    [{ prefix: '100.64.0.1/32', nextHop: '10.0.0.1', largeCommunities: [[1, 2]] }, 'routes[1]: large community [1,2] is not three 32-bit numbers'],
    [{ prefix: '100.64.0.1/32', nextHop: '10.0.0.1', colour: 'red' }, 'routes[1]: unknown key "colour"'],
    [{ prefix: '10.0.0.0/8', nextHop: '10.0.0.2' }, 'routes[1]: 10.0.0.0/8 appears twice'],
    ['100.64.0.1/32', 'routes[1]: expected an object'],
  ];
  for (const [r, text] of cases) {
    const e = await readError(route(r));
    assert.is(e.code, 'TSBGP_ERR_FILE');
    assert.ok(e.message.includes(`${join(dir, 'state.json')} is not valid: ${text}`), `${e.message}\n  should contain: ${text}`);
  }
});

Read('an unreadable path throws instead of returning null', async () => {
  try {
    await readState(dir);
    assert.unreachable('should throw');
  } catch (e) {
    assert.is((e as TsbgpError).code, 'TSBGP_ERR_FILE');
    assert.is((e as TsbgpError).message, `cannot read the state file ${dir}: it is a directory`);
  }
});

Read.run();
