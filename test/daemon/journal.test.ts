// The state journal: appends replayed over the snapshot, a torn tail dropped and cut, compaction, a stale journal skipped.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../src/bgp/fsm/clock.js';
import { writeState } from '../../src/daemon/file-store.js';
import { JournaledFile } from '../../src/daemon/journal.js';
import { StateStore, fileBackend } from '../../src/daemon/store.js';
import { type OwnedIntent, RouteIntents } from '../../src/routes/intents.js';

const VIP = '100.64.0.1/32';
const op = (nextHop: string, prefix = VIP): OwnedIntent => ({ owner: 'operator', intent: { kind: 'announce', route: { prefix, nextHop } } });
let dir = '';
const J = suite('JournaledFile');
J.before.each(() => void (dir = mkdtempSync(join(tmpdir(), 'tsbgp-journal-'))));
J.after.each(() => rmSync(dir, { recursive: true, force: true }));

J('appends are replayed over the snapshot, in order; a cleared intent goes', async () => {
  const file = join(dir, 'state.json');
  const f = new JournaledFile(file, () => Date.UTC(2026, 11, 1));
  assert.is(await f.read(), null);
  await f.compact([op('10.10.0.4'), op('10.10.0.4', '100.64.0.2/32')]);
  await f.append([op('10.10.0.5')]);
  await f.append([op('10.10.0.6')]);
  await f.append([{ owner: 'operator', prefix: '100.64.0.2/32', cleared: true }]);
  await f.close();
  const again = new JournaledFile(file);
  assert.equal(await again.read(), { savedAt: '2026-12-01T00:00:00.000Z', intents: [op('10.10.0.6')] });
  assert.is(readFileSync(`${file}.journal`, 'utf8').split('\n').filter(Boolean).length, 3);
  // The snapshot was written once: each change cost one line.
  assert.equal((JSON.parse(readFileSync(file, 'utf8')) as { intents: unknown[] }).intents.length, 2);
});

J('a torn last line (a crash in the write) was never saved: dropped, and cut before the next append', async () => {
  const file = join(dir, 'state.json');
  const f = new JournaledFile(file);
  await f.compact([op('10.10.0.4')]);
  await f.append([op('10.10.0.5')]);
  await f.close();
  appendFileSync(`${file}.journal`, '{"seq":2,"at":"2026-12-01T00:00:00.000Z","chan');
  const g = new JournaledFile(file);
  assert.equal((await g.read())?.intents, [op('10.10.0.5')]);
  await g.append([op('10.10.0.6')]);
  await g.close();
  const lines = readFileSync(`${file}.journal`, 'utf8').split('\n');
  assert.is(lines.length, 3, 'two whole lines and the empty rest');
  assert.ok(lines.every((l) => l === '' || JSON.parse(l)), 'no torn text left');
  assert.equal((await new JournaledFile(file).read())?.intents, [op('10.10.0.6')]);
});

J('a broken line before the end is an error naming the journal and the line', async () => {
  const file = join(dir, 'state.json');
  writeFileSync(`${file}.journal`, '{"seq":1,"at":"x","changes":[]}\nnot json\n{"seq":3,"at":"x","changes":[]}\n');
  try {
    await new JournaledFile(file).read();
    assert.unreachable('must refuse');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'TSBGP_ERR_FILE');
    assert.match((e as Error).message, new RegExp(`state journal ${file}.journal:2 is not valid: not JSON`));
  }
});

J('compaction empties the journal; a journal a crash left behind the snapshot is skipped by sequence', async () => {
  const file = join(dir, 'state.json');
  const f = new JournaledFile(file);
  await f.compact([op('10.10.0.4')]);
  for (const nh of ['10.10.0.5', '10.10.0.6']) await f.append([op(nh)]);
  await f.compact([op('10.10.0.6')]);
  assert.is(statSync(`${file}.journal`).size, 0);
  await f.append([op('10.10.0.7')]);
  await f.close();
  assert.equal((await new JournaledFile(file).read())?.intents, [op('10.10.0.7')]);
  // A crash after the snapshot's rename and before the truncation: old lines stay behind it.
  await writeState(file, [op('10.10.0.8')], Date.now, 3);
  assert.equal((await new JournaledFile(file).read())?.intents, [op('10.10.0.8')]);
});

J.run();

const S = suite('the store on the journal');
S.before.each(() => void (dir = mkdtempSync(join(tmpdir(), 'tsbgp-journal-'))));
S.after.each(() => rmSync(dir, { recursive: true, force: true }));

S('100 failovers: one snapshot, then one journal line each; a fresh read gives the last', async () => {
  const file = join(dir, 'state.json');
  const intents = new RouteIntents();
  const store = new StateStore(fileBackend(file), intents, new ManualClock(), { info() {}, warn() {}, error() {} });
  for (let i = 0; i < 100; i++) {
    intents.set('operator', op(i % 2 ? '10.10.0.5' : '10.10.0.4').intent);
    assert.equal((await store.save(0, [{ owner: 'operator', prefix: VIP }])).ok, true);
  }
  intents.clear('operator', VIP);
  await store.save(0, [{ owner: 'operator', prefix: VIP }]);
  assert.ok(await store.flush());
  assert.is(readFileSync(`${file}.journal`, 'utf8').split('\n').filter(Boolean).length, 100, 'the first save is the snapshot');
  assert.equal((await fileBackend(file).read())?.intents, []);
});

S.run();
