// The state store: saves coalesced (a burst costs at most two writes), failures retried with back-off, an honest status.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../src/bgp/fsm/clock.js';
import { type StateBackend, StateStore } from '../../src/daemon/store.js';
import type { OwnedIntent } from '../../src/routes/intents.js';

const quiet = { info() {}, warn() {}, error() {} };
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

/** A backend that records writes; each write waits until the test lets it finish (or fail). */
function backend(): StateBackend & { writes: OwnedIntent[][]; finish(error?: string): void; pending: number } {
  const queue: { resolve: () => void; reject: (e: Error) => void }[] = [];
  const b = {
    path: '/state.json',
    writes: [] as OwnedIntent[][],
    read: async () => null,
    write(intents: readonly OwnedIntent[]): Promise<void> {
      b.writes.push([...intents]);
      return new Promise<void>((resolve, reject) => queue.push({ resolve, reject }));
    },
    finish(error?: string) {
      const w = queue.shift();
      if (!w) throw new Error('no write in flight');
      if (error) w.reject(new Error(error));
      else w.resolve();
    },
    get pending() {
      return queue.length;
    },
  };
  return b;
}

const intent = (nextHop: string): OwnedIntent => ({ owner: 'operator', intent: { kind: 'announce', route: { prefix: '100.64.0.1/32', nextHop } } });

const Coalesce = suite('coalescing');

Coalesce('a burst of 100 changes costs two writes, and the last one holds the last change', async () => {
  const b = backend();
  let current = intent('10.10.0.4');
  const clock = new ManualClock();
  const store = new StateStore(b, { stored: () => [current], get: () => current.intent }, clock, quiet);
  const first = store.save(0);
  // Nothing is written in the tick of the change: the UPDATE's write goes first.
  assert.is(b.writes.length, 0);
  await turn();
  assert.is(b.writes.length, 1);
  const rest: Promise<unknown>[] = [];
  for (let i = 0; i < 99; i++) {
    current = intent(`10.10.0.${10 + i}`);
    rest.push(store.save(0));
  }
  b.finish();
  assert.equal(await first, { ok: true, micros: 0 });
  await turn();
  assert.is(b.writes.length, 2, 'everything that came during the first write is covered by one more');
  assert.equal(b.writes[1], [intent('10.10.0.108')]);
  b.finish();
  for (const o of await Promise.all(rest)) assert.equal(o, { ok: true, micros: 0 });
  assert.is(b.pending, 0);
  assert.equal(store.status(), { path: '/state.json', savedAt: new Date(clock.wall()).toISOString() });
});

Coalesce.run();

const Failure = suite('failures');

Failure('a failed save is reported, retried with back-off, and the status says since when it is unsaved', async () => {
  const b = backend();
  const clock = new ManualClock();
  const store = new StateStore(b, { stored: () => [intent('10.10.0.5')], get: () => intent('10.10.0.5').intent }, clock, quiet, { retryMinMs: 1000, retryMaxMs: 4000 });
  const first = store.save(0);
  await turn();
  clock.advance(5);
  b.finish('no space left on the device');
  assert.equal(await first, { ok: false, error: 'no space left on the device' });
  const failedAt = new Date(clock.wall()).toISOString();
  assert.equal(store.status(), { path: '/state.json', unsavedSince: failedAt, error: 'no space left on the device' });
  assert.ok(store.failing);
  assert.is(b.writes.length, 1);
  clock.advance(999);
  assert.is(b.writes.length, 1);
  clock.advance(1);
  assert.is(b.writes.length, 2, 'retried after 1 s');
  b.finish('no space left on the device');
  await turn();
  clock.advance(1999);
  assert.is(b.writes.length, 2);
  clock.advance(1);
  assert.is(b.writes.length, 3, 'then after 2 s');
  b.finish('no space left on the device');
  await turn();
  // A new change does not wait for the 4 s back-off: it tries at once and gets that attempt's outcome.
  const again = store.save(clock.now());
  await turn();
  assert.is(b.writes.length, 4);
  b.finish();
  assert.equal(await again, { ok: true, micros: 0 });
  const savedAt = new Date(clock.wall()).toISOString();
  await turn();
  clock.advance(10_000);
  assert.is(b.writes.length, 4, 'no retry once saved');
  assert.not.ok(store.failing);
  assert.equal(store.status(), { path: '/state.json', savedAt });
});

Failure('flush at shutdown: one last attempt; false while the change is not on disk', async () => {
  const b = backend();
  const clock = new ManualClock();
  const store = new StateStore(b, { stored: () => [intent('10.10.0.5')], get: () => intent('10.10.0.5').intent }, clock, quiet);
  const first = store.save(0);
  await turn();
  b.finish('read-only file system');
  await first;
  const flushed = store.flush();
  await turn();
  assert.is(b.writes.length, 2, 'the retry timer is not waited for');
  b.finish('read-only file system');
  assert.is(await flushed, false);
  const again = store.flush();
  await turn();
  b.finish();
  assert.is(await again, true);
});

Failure.run();
