// ControlServer and ControlClient over real Unix sockets in a temp dir: ordering, concurrency, limits, lifecycle.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TsbgpError } from '../../src/errors.js';
import { ControlClient, defaultSocketPath } from '../../src/control/client.js';
import { ControlServer, type ControlServerOptions } from '../../src/control/server.js';
import type { SpeakerEvent } from '../../src/control/types.js';
import { FakeSpeaker } from './fake-speaker.js';
import { Raw, cleanup, line, opened, recordingLogger, until, within } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'tsbgp-ctl-'));
let n = 0;
const socketPath = () => join(dir, `s${++n}.sock`);

async function start(o: Partial<ControlServerOptions> = {}) {
  const speaker = new FakeSpeaker();
  const logger = recordingLogger();
  const server = new ControlServer({ path: socketPath(), speaker, logger, version: '1.2.3', closeGraceMs: 100, ...o });
  await server.listen();
  opened.push(() => server.close());
  return { server, speaker, logger, path: server.path };
}

async function connect(path: string): Promise<ControlClient> {
  const c = await ControlClient.connect(path);
  opened.push(() => c.close());
  return c;
}

const state = (i: number): SpeakerEvent => ({ type: 'state', at: '2025-03-01T12:00:00.000Z', neighbor: '10.10.1.4', from: 'Active', to: 'Established', reason: `event ${i} ${'x'.repeat(100)}` });

const Requests = suite('ControlServer requests');

Requests('one connection: replies in request order even when the first is slow; others are served meanwhile', async () => {
  const { server, speaker, path } = await start();
  let release!: () => void;
  speaker.announceGate = new Promise((r) => (release = r));
  const a = await Raw.open(path);
  a.write(line({ v: 1, id: 1, command: 'announce', args: { prefix: '100.64.0.1/32', nextHop: '10.10.0.5' } }));
  await until(() => speaker.calls.length === 1, 2000, 'announce reached the speaker');
  // Written while the announce is in progress: they must wait for it.
  a.write(line({ v: 1, id: 2, command: 'ping' }));
  a.write(line({ v: 1, id: 3, command: 'withdraw', args: { prefix: '100.64.0.1/32' } }));
  // A second connection is answered while the first waits on its announce.
  const b = await connect(path);
  assert.equal(await within(2000, b.request('ping'), 'ping on b'), { pong: true, version: '1.2.3' });
  assert.is(a.buffered, 0, 'nothing answered on a before its announce completes');
  assert.equal(speaker.methods(), ['announce'], 'withdraw not started before announce finished');
  release();
  const replies = await a.read(3);
  assert.equal(replies.map((r) => [r.id, r.ok]), [[1, true], [2, true], [3, true]]);
  assert.equal(speaker.methods(), ['announce', 'withdraw']);
});

Requests('a client pipelining faster than it is answered waits in its own buffer: the server stops reading', async () => {
  const { speaker, path } = await start();
  let release!: () => void;
  speaker.announceGate = new Promise((r) => (release = r));
  const a = await Raw.open(path);
  a.write(line({ v: 1, id: 0, command: 'announce', args: { prefix: '100.64.0.1/32', nextHop: '10.10.0.5' } }));
  await until(() => speaker.calls.length === 1, 2000, 'announce reached the speaker');
  const COUNT = 20_000; // ~800 KB of requests: more than the kernel buffers between us
  a.write(Array.from({ length: COUNT }, (_, i) => line({ v: 1, id: i + 1, command: 'ping' })).join(''));
  // Had the server kept reading, our write would drain; it must not while the announce is held.
  const drained = await within(500, new Promise<boolean>((r) => a.socket.once('drain', () => r(true))), 'drain').catch(() => false);
  assert.not.ok(drained, 'the server read everything while a request was in progress');
  assert.ok(a.socket.writableLength > 0);
  release();
  const replies = await a.read(COUNT + 1, 10_000);
  assert.equal(replies.map((r) => r.id), Array.from({ length: COUNT + 1 }, (_, i) => i));
  assert.ok(replies.every((r) => r.ok));
});

Requests('many clients at once, each with several requests in flight: every reply matches its request', async () => {
  const { server, speaker, path } = await start();
  const clients = await Promise.all(Array.from({ length: 20 }, () => connect(path)));
  const results = await within(
    5000,
    Promise.all(
      clients.flatMap((c, i) =>
        Array.from({ length: 10 }, async (_, j) => {
          const prefix = `100.64.${i}.${j}/32`;
          const r = await c.request('withdraw', { prefix });
          return r.prefix === prefix;
        }),
      ),
    ),
    '200 requests',
  );
  assert.is(results.length, 200);
  assert.ok(results.every(Boolean));
  assert.is(speaker.calls.length, 200);
});

Requests('malformed JSON, a bad version, an unknown command: error replies, and the connection keeps working', async () => {
  const { server, path, speaker } = await start();
  const a = await Raw.open(path);
  a.write('{"v":1,"id":1,\n');
  // Opens like JSON (`{`), so it is read as JSON; a line that does not is an ExaBGP text line (test/exabgp).
  a.write(Buffer.from([0x7b, 0xff, 0xfe, 0x00, 0x0a]));
  a.write(line({ v: 9, id: 2, command: 'ping' }));
  a.write(line({ v: 1, id: 3, command: 'explode' }));
  a.write(line({ v: 1, id: 4, command: 'announce', args: { prefix: '100.64.0.1/32' } }));
  a.write(line({ v: 1, id: 5, command: 'ping' }));
  const r = await a.read(6);
  assert.equal(
    r.map((x) => [x.id, x.ok, x.error?.code]),
    [
      [null, false, 'TSBGP_ERR_BAD_REQUEST'],
      [null, false, 'TSBGP_ERR_BAD_REQUEST'],
      [2, false, 'TSBGP_ERR_BAD_REQUEST'],
      [3, false, 'TSBGP_ERR_UNKNOWN_COMMAND'],
      [4, false, 'TSBGP_ERR_BAD_REQUEST'],
      [5, true, undefined],
    ],
  );
  assert.match(r[2].error.message, /supports protocol version 1/);
  assert.is(r[4].error.message, 'announce: args.nextHop is required');
  assert.equal(speaker.calls, []);
});

Requests('a line over 64 KiB gets an error reply (id null), is skipped whole, and the next request is answered', async () => {
  const { server, path } = await start();
  const a = await Raw.open(path);
  const big = line({ v: 1, id: 1, command: 'announce', args: { prefix: '100.64.0.1/32', nextHop: '10.10.0.5', communities: Array(9000).fill('65000:1') } });
  assert.ok(big.length > 65536);
  // Sent in pieces, as a real client's large write arrives.
  for (let i = 0; i < big.length; i += 5000) a.write(big.slice(i, i + 5000));
  a.write(line({ v: 1, id: 2, command: 'ping' }));
  const [err, pong] = await a.read(2);
  assert.equal([err.id, err.ok, err.error.code], [null, false, 'TSBGP_ERR_BAD_REQUEST']);
  assert.is(err.error.message, `request line of ${big.length - 1} bytes is longer than the limit of 65536`);
  assert.equal(pong, { v: 1, id: 2, ok: true, result: { pong: true, version: '1.2.3' } });
});

Requests('the client: an error reply rejects with a TsbgpError carrying its code', async () => {
  const { server, path } = await start();
  const c = await connect(path);
  try {
    await c.request('show-neighbors', { address: '10.10.1.9' });
    assert.unreachable('should reject');
  } catch (e) {
    assert.instance(e, TsbgpError);
    assert.equal([(e as TsbgpError).code, (e as TsbgpError).message], ['TSBGP_ERR_UNKNOWN_NEIGHBOR', 'no neighbor 10.10.1.9 (configured: 127.0.0.2, 127.0.0.3)']);
  }
  // Still usable afterwards.
  assert.is((await c.request('show-summary')).routerId, '10.10.0.4');
});

Requests('the client: a request the daemon could not read (too long, so no id) still rejects, and the next one works', async () => {
  const { path, speaker } = await start();
  const c = await connect(path);
  const huge = { prefix: '100.64.0.1/32', nextHop: '10.10.0.5', communities: Array<string>(9000).fill('65000:1') };
  try {
    await within(2000, c.request('announce', huge), 'over-long request');
    assert.unreachable('should reject');
  } catch (e) {
    assert.instance(e, TsbgpError);
    assert.is((e as TsbgpError).code, 'TSBGP_ERR_BAD_REQUEST');
    assert.match((e as TsbgpError).message, /is longer than the limit of 65536$/);
  }
  assert.equal(await within(2000, c.request('ping'), 'ping'), { pong: true, version: '1.2.3' });
  assert.equal(speaker.calls, []);
});

Requests.after.each(cleanup);
Requests.run();

const Monitor = suite('ControlServer monitor');

Monitor('a subscriber gets every event in order, one line each, after the ok reply', async () => {
  const { server, speaker, path } = await start();
  const a = await Raw.open(path);
  a.write(line({ v: 1, id: 'm', command: 'monitor' }));
  assert.equal(await a.read(1), [{ v: 1, id: 'm', ok: true, result: { monitoring: true } }]);
  assert.is(speaker.subscribers, 1);
  const events = [state(1), { type: 'local', at: '2025-03-01T12:00:01.000Z', action: 'announce', prefix: '100.64.0.1/32', nextHop: '10.10.0.5' } as SpeakerEvent];
  for (const e of events) speaker.emit(e);
  assert.equal(await a.read(2), events.map((event) => ({ v: 1, event })));
  a.socket.destroy();
  await a.closed;
  await until(() => speaker.subscribers === 0, 2000, 'unsubscribe on close');
});

Monitor('ControlClient.monitor: events reach the callback; close() ends it quietly; a daemon going away rejects', async () => {
  const { server, speaker, path } = await start();
  const c = await connect(path);
  const got: SpeakerEvent[] = [];
  let firstEvent!: () => void;
  const seen = new Promise<void>((r) => (firstEvent = r));
  const watching = c.monitor((e) => {
    got.push(e);
    firstEvent();
  });
  await until(() => speaker.subscribers > 0, 2000, 'subscribed');
  speaker.emit(state(7));
  await within(2000, seen, 'event');
  assert.equal(got, [state(7)]);
  c.close();
  await within(2000, watching, 'monitor resolves on close()');

  const d = await connect(path);
  const outcome = d.monitor(() => {}).then(
    () => 'resolved',
    (e: unknown) => e,
  );
  await until(() => speaker.subscribers > 0, 2000, 'subscribed');
  await within(3000, server.close(), 'close');
  const e = await within(2000, outcome, 'monitor settles when the daemon closes');
  assert.instance(e, TsbgpError);
  assert.is((e as TsbgpError).code, 'TSBGP_ERR_UNREACHABLE');
  assert.is((e as TsbgpError).message, `tsbgpd at ${path} closed the connection`);
});

Monitor('a subscriber that stops reading is dropped with a warning; a reading one and other clients carry on', async () => {
  const { server, speaker, logger, path } = await start();
  const slow = await Raw.open(path);
  slow.write(line({ v: 1, id: 1, command: 'monitor' }));
  await slow.read(1);
  slow.socket.pause(); // stops reading: the kernel buffers fill, then the server's
  const reader = await connect(path);
  let received = 0;
  void reader.monitor(() => received++).catch(() => {});
  await until(() => speaker.subscribers === 2, 2000, 'two subscribers');

  const started = Date.now();
  const LIMIT = 40_000; // ~6 MB of events: well past 1 MiB plus any kernel buffering
  let emitted = 0;
  while (speaker.subscribers === 2 && emitted < LIMIT) {
    for (let i = 0; i < 100; i++) speaker.emit(state(emitted++));
    await new Promise((r) => setImmediate(r)); // let the reading client read
  }
  assert.is(speaker.subscribers, 1, `slow subscriber dropped after ${emitted} events`);
  assert.ok(emitted < LIMIT);
  const warn = logger.entries.find((e) => e.level === 'warn');
  assert.is(warn?.msg, 'monitor subscriber is not reading; dropping it');
  assert.equal((warn?.obj as { monitor: boolean; limit: number }).limit, 1024 * 1024);
  // The reading subscriber got every event; another client is answered at once.
  await until(() => received >= emitted, 3000, `all ${emitted} events read`);
  const c = await connect(path);
  assert.equal(await within(1000, c.request('ping'), 'ping after the drop'), { pong: true, version: '1.2.3' });
  slow.socket.resume();
  await within(3000, slow.closed, 'slow subscriber closed');
  assert.ok(Date.now() - started < 5000, 'bounded in time');
});

Monitor('a client pipelining requests without reading is held back, not buffered; others are served; it gets every reply once it reads', async () => {
  const { speaker, logger, path } = await start();
  const hog = await Raw.open(path);
  hog.socket.pause();
  const held = logger.next('control client is slow to read; waiting before the next request');
  const COUNT = 2000; // ~4.6 MB of replies
  hog.write(Array.from({ length: COUNT }, (_, i) => line({ v: 1, id: i, command: 'show-neighbors' })).join(''));
  await within(5000, held, 'the server holds the hog back');
  const handled = speaker.calls.length;
  // What sits unread: the kernel's socket buffers plus at most 64 KiB and one reply of ours.
  assert.ok(handled < COUNT / 4, `${handled} requests handled before holding back`);
  const c = await connect(path);
  assert.is((await within(1000, c.request('ping'), 'ping while the hog is held')).pong, true);
  assert.is(speaker.calls.length, handled, 'no more of the hog requests handled while it does not read');
  hog.socket.resume();
  const replies = await hog.read(COUNT, 10_000);
  assert.equal(replies.map((r) => r.id), Array.from({ length: COUNT }, (_, i) => i));
  assert.ok(replies.every((r) => r.ok && r.result.neighbors.length === 2));
  assert.not.ok(logger.entries.some((e) => e.level === 'warn'), 'nobody was dropped');
});

Monitor.after.each(cleanup);
Monitor.run();

const Lifecycle = suite('ControlServer lifecycle');

Lifecycle('socket mode is 0660 by default, as configured otherwise; a missing parent directory is created', async () => {
  const { server, path } = await start();
  assert.ok(lstatSync(path).isSocket());
  assert.is(lstatSync(path).mode & 0o777, 0o660);
  await within(3000, server.close(), 'close');
  const nested = join(dir, 'run', 'tsbgp', 'tsbgpd.sock');
  const s2 = new ControlServer({ path: nested, mode: 0o600, speaker: new FakeSpeaker() });
  await s2.listen();
  opened.push(() => s2.close());
  assert.is(lstatSync(nested).mode & 0o777, 0o600);
});

Lifecycle('a stale socket (its daemon was killed) is replaced', async () => {
  const path = socketPath();
  const script = `require('net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`;
  spawnSync(process.execPath, ['-e', script]);
  assert.ok(lstatSync(path).isSocket(), 'the stale socket is there');
  try {
    await ControlClient.connect(path);
    assert.unreachable('nothing listens on a stale socket');
  } catch (e) {
    assert.is((e as TsbgpError).code, 'TSBGP_ERR_UNREACHABLE');
    assert.match((e as TsbgpError).message, /nothing is listening there; is it running\? \(ECONNREFUSED\)/);
  }
  const { server, logger } = await start({ path });
  assert.ok(logger.entries.some((e) => e.msg === 'removing stale control socket'));
  const c = await connect(path);
  assert.is((await c.request('ping')).pong, true);
});

Lifecycle('another live server on the path: refuse to start, and leave it working', async () => {
  const first = await start();
  try {
    await start({ path: first.path });
    assert.unreachable('second listen should fail');
  } catch (e) {
    assert.instance(e, TsbgpError);
    assert.equal([(e as TsbgpError).code, (e as TsbgpError).message], ['TSBGP_ERR_FILE', `another tsbgpd is listening on ${first.path}`]);
  }
  const c = await connect(first.path);
  assert.is((await c.request('ping')).pong, true);
});

Lifecycle('a regular file on the path is not replaced', async () => {
  const path = socketPath();
  writeFileSync(path, 'keep me');
  try {
    await start({ path });
    assert.unreachable('should refuse');
  } catch (e) {
    assert.equal([(e as TsbgpError).code, (e as TsbgpError).message], ['TSBGP_ERR_FILE', `${path} exists and is not a socket; refusing to replace it`]);
  }
  assert.is(readFileSync(path, 'utf8'), 'keep me');
});

Lifecycle('close(): stops listening, ends every connection, unsubscribes, removes the socket file', async () => {
  const { server, speaker, path } = await start();
  const a = await Raw.open(path);
  a.write(line({ v: 1, id: 1, command: 'monitor' }));
  await a.read(1);
  const b = await connect(path);
  await b.request('ping');
  assert.is(server.connectionCount, 2);
  await within(3000, server.close(), 'close');
  await within(1000, a.closed, 'a closed');
  assert.is(speaker.subscribers, 0);
  assert.is(server.connectionCount, 0);
  assert.not.ok(existsSync(path), 'socket file removed');
  try {
    await b.request('ping');
    assert.unreachable('connection should be gone');
  } catch (e) {
    assert.is((e as TsbgpError).code, 'TSBGP_ERR_UNREACHABLE');
  }
});

Lifecycle('close() completes in a process with nothing else to do, even with a stuck, idle connection', async () => {
  // The daemon awaits close() at shutdown and then saves its state: close() must not leave the
  // event loop with nothing to wait for. A connection paused behind a request that never finishes
  // is such a case: nothing is read or written on it until the grace period ends. The server runs
  // alone in a child process; this process is its client.
  const here = dirname(fileURLToPath(import.meta.url));
  const path = socketPath();
  const script = `
    import { ControlServer } from ${JSON.stringify(join(here, '..', '..', 'src', 'control', 'server.js'))};
    import { FakeSpeaker } from ${JSON.stringify(join(here, 'fake-speaker.js'))};
    const speaker = new FakeSpeaker();
    speaker.announceGate = new Promise(() => {});
    const server = new ControlServer({ path: ${JSON.stringify(path)}, speaker, closeGraceMs: 50 });
    await server.listen();
    console.log('listening');
    while (speaker.calls.length === 0) await new Promise((r) => setTimeout(r, 5));
    await server.close();
    console.log('closed');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  opened.push(() => child.kill('SIGKILL'));
  let out = '';
  let err = '';
  child.stderr.on('data', (b: Buffer) => (err += b));
  const exited = new Promise<number | null>((r) => child.once('close', r));
  await within(5000, new Promise<void>((r) => child.stdout.on('data', (b: Buffer) => ((out += b), out.includes('listening') && r()))), 'child listening');
  // A client that never answers the server's FIN and has sent more than the server will buffer
  // (so that the server stops reading): the server's side of it is idle until destroyed.
  const a = await Raw.open(path, { allowHalfOpen: true });
  a.write(line({ v: 1, id: 0, command: 'announce', args: { prefix: '100.64.0.1/32', nextHop: '10.10.0.5' } }) + line({ v: 1, id: 1, command: 'ping' }).repeat(5000));
  const status = await within(5000, exited, 'child exit');
  assert.is(out, 'listening\nclosed\n', err);
  assert.is(status, 0);
});

Lifecycle.after.each(cleanup);
Lifecycle.run();

const Backlog = suite('ControlServer listen backlog');

Backlog('2000 clients connecting at once (before the server accepts any) all get their pong', async () => {
  const { path } = await start();
  const COUNT = 2000;
  // Every connect() is issued in this one synchronous loop, so all 2000 wait in the listen queue.
  const clients = Array.from({ length: COUNT }, () => Raw.open(path));
  const settled = await within(20_000, Promise.allSettled(clients), `${COUNT} connects`);
  const failed = settled.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  assert.is(failed.length, 0, `${failed.length} connects failed, e.g. ${(failed[0]?.reason as Error | undefined)?.message}`);
  const raws = settled.map((r) => (r as PromiseFulfilledResult<Raw>).value);
  for (const [i, r] of raws.entries()) r.write(line({ v: 1, id: i, command: 'ping' }));
  const pongs = await within(20_000, Promise.all(raws.map((r) => r.read(1, 20_000))), `${COUNT} pongs`);
  assert.equal(pongs.map(([p]) => [p.id, p.result.pong]), raws.map((_, i) => [i, true]));
});

Backlog.after.each(cleanup);
Backlog.run();

const Client = suite('ControlClient.connect');

Client('no socket: UNREACHABLE naming the path, the errno, and how to point elsewhere', async () => {
  const path = join(dir, 'nope', 'tsbgpd.sock');
  try {
    await ControlClient.connect(path);
    assert.unreachable('should fail');
  } catch (e) {
    assert.instance(e, TsbgpError);
    assert.is((e as TsbgpError).code, 'TSBGP_ERR_UNREACHABLE');
    assert.is((e as TsbgpError).message, `cannot reach tsbgpd at ${path}: is it running? (ENOENT); if it listens elsewhere, use --socket or TSBGP_SOCKET`);
  }
});

Client('default path: $TSBGP_SOCKET, else /run/tsbgp/tsbgpd.sock', () => {
  assert.is(defaultSocketPath({}), '/run/tsbgp/tsbgpd.sock');
  assert.is(defaultSocketPath({ TSBGP_SOCKET: '/tmp/x.sock' }), '/tmp/x.sock');
});

Client.after.each(cleanup);
Client.run();
