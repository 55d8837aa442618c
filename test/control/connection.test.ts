// ControlConnection over a pair of PassThrough streams, as over a child's stdio: order, errors, back-pressure.
import { PassThrough } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ControlConnection, connectionSettings } from '../../src/control/connection.js';
import { LineSplitter } from '../../src/control/lines.js';
import type { ChangeResult, RouteSpec } from '../../src/control/types.js';
import { FakeSpeaker } from './fake-speaker.js';

const line = (o: object) => JSON.stringify(o) + '\n';

/** A connection between two PassThroughs: what the test writes is the request stream, what it reads the replies. */
function pair(speaker = new FakeSpeaker()) {
  const input = new PassThrough();
  const output = new PassThrough();
  const conn = new ControlConnection(input, output, connectionSettings({ speaker, version: '1.2.3' }));
  const replies: any[] = [];
  /** Replies read so far, whether or not read() has taken them. */
  const count = { received: 0 };
  const splitter = new LineSplitter(Number.MAX_SAFE_INTEGER);
  let waiting: (() => void) | undefined;
  const reading = () =>
    output.on('data', (b: Buffer) => {
      for (const item of splitter.push(b)) {
        if (item.kind !== 'line') continue;
        replies.push(JSON.parse(item.line));
        count.received++;
      }
      waiting?.();
    });
  /** Resolves once `count` replies are in (bounded: rejects after 5 s). */
  const read = (count: number): Promise<any[]> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${count} replies, have ${replies.length}`)), 5000);
      const check = () => {
        if (replies.length < count) return;
        clearTimeout(timer);
        waiting = undefined;
        resolve(replies.splice(0, count));
      };
      waiting = check;
      check();
    });
  return { input, output, conn, speaker, replies, count, reading, read };
}

const Streams = suite('ControlConnection over streams');

Streams('requests in, replies out in the same order, one JSON line each; a bad line gets its error and the next is answered', async () => {
  const p = pair();
  p.reading();
  p.input.write(line({ v: 1, id: 1, command: 'ping' }) + '{"v":1,\n' + line({ v: 1, id: 3, command: 'withdraw', args: { prefix: '100.64.0.1/32' } }));
  p.input.write(line({ v: 1, id: 'x', command: 'nope' }));
  const r = await p.read(4);
  assert.equal(r.map((x) => [x.id, x.ok, x.error?.code]), [
    [1, true, undefined],
    [null, false, 'TSBGP_ERR_BAD_REQUEST'],
    [3, true, undefined],
    ['x', false, 'TSBGP_ERR_UNKNOWN_COMMAND'],
  ]);
  assert.equal(r[0].result, { pong: true, version: '1.2.3' });
  assert.equal(p.speaker.methods(), ['withdraw']);
});

Streams('an output nobody reads holds the requests back; once read, every reply comes, in order', async () => {
  const p = pair();
  const COUNT = 2000; // ~4 MB of replies: far past what a PassThrough and our low-water mark hold
  p.input.write(Array.from({ length: COUNT }, (_, i) => line({ v: 1, id: i, command: 'show-neighbors' })).join(''));
  // Bounded: each turn either handles a request or finds the connection waiting for its reader.
  for (let i = 0; i < 200; i++) await new Promise((r) => setImmediate(r));
  const handled = p.speaker.calls.length;
  assert.ok(handled > 0 && handled < COUNT / 4, `${handled} requests handled while nobody read`);
  for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
  assert.is(p.speaker.calls.length, handled, 'no more handled while nobody reads');
  p.reading();
  const replies = await p.read(COUNT);
  assert.equal(replies.map((r) => r.id), Array.from({ length: COUNT }, (_, i) => i));
  assert.is(p.speaker.calls.length, COUNT);
});

Streams('destroy(): both streams are destroyed, the connection is closed, a monitor subscription ends', async () => {
  const p = pair();
  p.reading();
  p.input.write(line({ v: 1, id: 1, command: 'monitor' }));
  await p.read(1);
  assert.is(p.speaker.subscribers, 1);
  p.conn.destroy();
  await p.conn.closed;
  assert.ok(p.input.destroyed && p.output.destroyed);
  assert.is(p.speaker.subscribers, 0);
});

Streams.run();

const Turns = suite('ControlConnection: one request per event-loop turn');

/** A speaker whose announce settles at once (no I/O), as a cheap command does: nothing in it yields. */
class Instant extends FakeSpeaker {
  constructor(private readonly atFirstAnnounce: () => void) {
    super();
  }
  override announce(route: RouteSpec): Promise<ChangeResult> {
    if (this.calls.length === 0) this.atFirstAnnounce();
    return super.announce(route);
  }
}

const announce = (id: number) => line({ v: 1, id, command: 'announce', args: { prefix: '100.64.0.1/32', nextHop: id % 2 ? '10.10.0.5' : '10.10.0.6' } });
const COUNT = 200;
const burst = Array.from({ length: COUNT }, (_, i) => announce(i)).join('');

Turns('a pipelined burst yields between requests: a callback queued at the first runs before the second is handled', async () => {
  let callsWhenTimerRan = -1;
  const speaker: Instant = new Instant(() => setImmediate(() => (callsWhenTimerRan = speaker.calls.length)));
  const p = pair(speaker);
  p.reading();
  p.input.write(burst);
  const replies = await p.read(COUNT);
  assert.equal(replies.map((r) => r.id), Array.from({ length: COUNT }, (_, i) => i));
  await new Promise((r) => setImmediate(r));
  // Without the yield the whole burst runs on promise continuations, before any timer, I/O or other client.
  assert.is(callsWhenTimerRan, 1);
});

Turns('another client, whose request arrives while the burst is being handled, is answered at once', async () => {
  const b = new PassThrough();
  const bOut = new PassThrough();
  // b's request comes as I/O does: in a later turn of the event loop, once a's burst has begun.
  const speaker = new Instant(() => setImmediate(() => b.write(line({ v: 1, id: 'b', command: 'ping' }))));
  const a = pair(speaker);
  new ControlConnection(b, bOut, connectionSettings({ speaker, version: '1.2.3' }));
  a.reading();
  let aRepliesAtPong = -1;
  bOut.once('data', () => (aRepliesAtPong = a.count.received));
  a.input.write(burst);
  await a.read(COUNT);
  await new Promise((r) => setImmediate(r));
  assert.ok(aRepliesAtPong >= 0, 'b was answered');
  assert.ok(aRepliesAtPong <= 2, `b's pong came after ${aRepliesAtPong} of a's ${COUNT} replies`);
});

Turns.run();

const Arrival = suite('ControlConnection: the arrival time');

Arrival('announce and withdraw get the clock time their line was read, not the time they were handled', async () => {
  const speaker = new FakeSpeaker();
  let release!: () => void;
  speaker.announceGate = new Promise((r) => (release = r));
  const clock = { t: 100, now: () => clock.t };
  const input = new PassThrough();
  const output = new PassThrough();
  new ControlConnection(input, output, connectionSettings({ speaker, clock }));
  output.resume();
  input.write(announce(1) + line({ v: 1, id: 2, command: 'withdraw', args: { prefix: '100.64.0.1/32' } }));
  await new Promise((r) => setImmediate(r));
  clock.t = 250; // the withdraw waits behind the announce; its time still starts when it came
  release();
  for (let i = 0; i < 10 && speaker.calls.length < 2; i++) await new Promise((r) => setImmediate(r));
  assert.equal(speaker.calls.map((c) => [c.method, c.args[1]]), [['announce', 100], ['withdraw', 100]]);
});

Arrival.run();
