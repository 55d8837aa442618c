// The state file: intents by owner round trip, atomic replacement, version 1 still read, refusing a corrupt file by name.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TsbgpError } from '../../src/errors.js';
import type { RouteSpec } from '../../src/routes/local-routes.js';
import { readState, writeState } from '../../src/daemon/file-store.js';
import type { OwnedIntent } from '../../src/routes/intents.js';

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
/** The operator's announcements of `routes`. */
const ops = (routes: RouteSpec[]): OwnedIntent[] => routes.map((route) => ({ owner: 'operator', intent: { kind: 'announce', route } }));
const INTENTS: OwnedIntent[] = [...ops(ROUTES), { owner: 'operator', intent: { kind: 'withdraw', prefix: '100.64.0.9/32' } }, { owner: 'health', intent: { kind: 'announce', route: { prefix: '100.64.0.2/32', nextHop: '10.10.0.5' } } }];
const intentsOf = async (file: string): Promise<OwnedIntent[] | undefined> => (await readState(file))?.intents;

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

Write('round trip through readState; the file is versioned JSON with the owner of each intent', async () => {
  const file = join(dir, 'state.json');
  await writeState(file, INTENTS, () => Date.UTC(2026, 11, 1, 12, 0, 0, 250));
  assert.equal(await readState(file), { savedAt: '2026-12-01T12:00:00.250Z', intents: INTENTS });
  const saved = JSON.parse(readFileSync(file, 'utf8')) as { version: number; savedAt: string; intents: unknown[] };
  assert.equal(Object.keys(saved), ['version', 'savedAt', 'intents']);
  assert.is(saved.version, 2);
  assert.equal(saved.intents[0], { owner: 'operator', prefix: '100.64.0.1/32', route: ROUTES[0] });
  assert.equal(saved.intents[2], { owner: 'operator', prefix: '100.64.0.9/32', withdrawn: true });
});

Write('config intents are never written: they come from the configuration file', async () => {
  try {
    await writeState(join(dir, 'state.json'), [{ owner: 'config', intent: { kind: 'announce', route: ROUTES[0]! } }]);
    assert.unreachable('should throw');
  } catch (e) {
    assert.match((e as Error).message, /config intents come from the configuration file/);
  }
});

Write('an empty list is saved as an empty list (not as "no state")', async () => {
  const file = join(dir, 'state.json');
  await writeState(file, []);
  assert.equal(await intentsOf(file), []);
});

Write('replaces the file and leaves no temp file behind', async () => {
  const file = join(dir, 'state.json');
  await writeState(file, ops(ROUTES));
  await writeState(file, ops([{ prefix: '100.64.0.1/32', nextHop: '10.10.0.4' }]));
  assert.equal(readdirSync(dir), ['state.json']);
  assert.equal(await intentsOf(file), ops([{ prefix: '100.64.0.1/32', nextHop: '10.10.0.4' }]));
});

Write('writes to one file land in call order: the last call wins', async () => {
  const file = join(dir, 'state.json');
  const hops = ['10.10.0.4', '10.10.0.5', '10.10.0.6', '10.10.0.5', '10.10.0.4', '10.10.0.7'];
  await Promise.all(hops.map((nextHop) => writeState(file, ops([{ prefix: '100.64.0.1/32', nextHop }]))));
  assert.equal(await intentsOf(file), ops([{ prefix: '100.64.0.1/32', nextHop: '10.10.0.7' }]));
  assert.equal(readdirSync(dir), ['state.json']);
});

Write('creates missing directories with mode 0750', async () => {
  const file = join(dir, 'var', 'lib', 'tsbgp', 'state.json');
  await writeState(file, ops(ROUTES));
  assert.equal(await intentsOf(file), ops(ROUTES));
  const umask = process.umask();
  assert.is(statSync(join(dir, 'var', 'lib', 'tsbgp')).mode & 0o777, 0o750 & ~umask);
});

Write('a write that cannot happen throws TSBGP_ERR_FILE naming the file, and cleans up', async () => {
  writeFileSync(join(dir, 'blocker'), 'a file where a directory should be');
  const file = join(dir, 'blocker', 'state.json');
  try {
    await writeState(file, ops(ROUTES));
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, TsbgpError);
    assert.is((e as TsbgpError).code, 'TSBGP_ERR_FILE');
    assert.ok((e as TsbgpError).message.startsWith(`cannot save the state file ${file}: `), (e as Error).message);
  }
  // A failed write does not block the next one to the same file.
  const ok = join(dir, 'state.json');
  await writeState(ok, ops(ROUTES));
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

Read('a symbolic link to a missing file is an error, not "no state"', async () => {
  const file = join(dir, 'state.json');
  symlinkSync(join(dir, 'gone', 'state.json'), file);
  try {
    await readState(file);
    assert.unreachable('should throw');
  } catch (e) {
    assert.is((e as TsbgpError).code, 'TSBGP_ERR_FILE');
    assert.is((e as TsbgpError).message, `state file ${file} is a symbolic link to ${join(dir, 'gone', 'state.json')}, which does not exist; fix the link or remove it`);
  }
});

Read('a version 1 file (the routes of the operator) is read as operator intents', async () => {
  const file = join(dir, 'state.json');
  writeFileSync(file, JSON.stringify({ version: 1, savedAt: '2026-01-01T00:00:00.000Z', routes: ROUTES }));
  assert.equal(await readState(file), { savedAt: '2026-01-01T00:00:00.000Z', intents: ops(ROUTES) });
});

Read('version 2: owners and intent shapes are checked', async () => {
  const v2 = (x: unknown) => JSON.stringify({ version: 2, savedAt: '2026-01-01T00:00:00.000Z', intents: [x] });
  const cases: [unknown, string][] = [
    [{ owner: 'config', prefix: '100.64.0.1/32', withdrawn: true }, 'intents[0]: owner "config" is not one of operator, health, peer'],
    [{ owner: 'operator', prefix: '100.64.0.1/32' }, 'intents[0]: expected either route or withdrawn: true'],
    [{ owner: 'operator', prefix: '100.64.0.1/32', route: { prefix: '100.64.0.2/32', nextHop: '10.0.0.1' } }, 'intents[0]: route is for 100.64.0.2/32, not 100.64.0.1/32'],
    [{ owner: 'operator', prefix: '100.64.0.1', withdrawn: true }, 'intents[0]: "100.64.0.1" has no prefix length'],
    [{ owner: 'operator', prefix: '100.64.0.1/32', withdrawn: true, why: 1 }, 'intents[0]: unknown key "why"'],
  ];
  for (const [x, text] of cases) {
    const e = await readError(v2(x));
    assert.ok(e.message.includes(`is not valid: ${text}`), `${e.message}\n  should contain: ${text}`);
  }
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
  assert.ok((await readError('{"version": 3, "intents": []}')).message.includes('version 3 is not supported (expected 2 or 1)'));
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
    [{ prefix: '10.0.0.0/8', nextHop: '10.0.0.2' }, 'routes[1]: 10.0.0.0/8 appears twice for owner operator'],
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
