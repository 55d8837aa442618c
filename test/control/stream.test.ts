// show-routes over the socket: a 200,000-row table streamed in chunks, read lazily, other clients served meanwhile; filter, limit, errors.
import { mkdtempSync } from 'node:fs';
import { type Socket, createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TsbgpError, TsbgpErrorCode } from '../../src/errors.js';
import { ControlClient } from '../../src/control/client.js';
import { encodeLine, okReply } from '../../src/control/protocol.js';
import { ControlServer } from '../../src/control/server.js';
import type { RouteEntry, RouteView } from '../../src/control/types.js';
import { FakeSpeaker } from './fake-speaker.js';
import { Raw, cleanup, line, opened, until, within } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'tsbgp-stream-'));
let n = 0;
const ROWS = 200_000;

/** Row i: 10.x.y.z/32 with i in its last three octets, so that 10.1.0.0/16 holds rows 65536..131071. */
function row(i: number): RouteEntry {
  return {
    prefix: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`,
    neighbor: '10.10.1.4',
    nextHop: '10.10.1.4',
    asPath: '65515 64500',
    origin: 'IGP',
    med: i,
    communities: ['65515:1'],
    largeCommunities: [],
    extendedCommunities: [],
  };
}

/** A speaker whose received table is a generator: it counts what was read and whether it was let go. */
class TableSpeaker extends FakeSpeaker {
  produced = 0;
  returned = false;
  constructor(private readonly size = ROWS) {
    super();
  }
  /** Throw after this many rows (a neighbor removed under a running `show routes`). */
  failAfter: number | undefined;
  override routes(view: RouteView, neighbor?: string): Iterable<RouteEntry> {
    this.calls.push({ method: 'routes', args: neighbor === undefined ? [view] : [view, neighbor] });
    const self = this;
    return (function* () {
      try {
        for (let i = 0; i < self.size; i++) {
          if (self.failAfter === i) throw new TsbgpError(TsbgpErrorCode.UNKNOWN_NEIGHBOR, 'no neighbor 10.10.1.4 (configured: none)');
          self.produced++;
          yield row(i);
        }
      } finally {
        self.returned = true;
      }
    })();
  }
}

async function start(size = ROWS) {
  const speaker = new TableSpeaker(size);
  const server = new ControlServer({ path: join(dir, `s${++n}.sock`), speaker, version: '1.2.3', closeGraceMs: 100 });
  await server.listen();
  opened.push(() => server.close());
  return { speaker, path: server.path };
}

async function client(path: string): Promise<ControlClient> {
  const c = await ControlClient.connect(path);
  opened.push(() => c.close());
  return c;
}

/** A socket that keeps the raw text it receives; `lineDone` once a chunk ends a line. */
function rawText(path: string): Promise<{ socket: Socket; text: () => string; firstData: Promise<void>; lineDone: () => boolean }> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    opened.push(() => socket.destroy());
    const chunks: string[] = [];
    let done = false;
    let first!: () => void;
    const firstData = new Promise<void>((r) => (first = r));
    socket.setEncoding('utf8').on('data', (s: string) => {
      chunks.push(s);
      done = s.endsWith('\n');
      first();
    });
    socket.on('error', () => {});
    socket.once('connect', () => resolve({ socket, text: () => chunks.join(''), firstData, lineDone: () => done }));
    socket.once('error', reject);
  });
}

const Stream = suite('show-routes streamed');

Stream('ControlClient reads a 200,000-row reply: one line, every row in order', async () => {
  const { path, speaker } = await start();
  const c = await client(path);
  const r = await within(30_000, c.request('show-routes', { view: 'received' }), 'the table');
  assert.is(r.routes.length, ROWS);
  assert.equal(r.routes[0], row(0));
  assert.equal(r.routes[ROWS - 1], row(ROWS - 1));
  assert.ok(r.routes.every((x, i) => x.med === i));
  assert.equal([r.view, r.truncated], ['received', undefined]);
  assert.is(speaker.produced, ROWS);
});

Stream('the rows are read as they are written, and another client is answered while the table streams', async () => {
  const { path, speaker } = await start();
  const a = await rawText(path);
  const b = await client(path);
  a.socket.write(line({ v: 1, id: 1, command: 'show-routes', args: { view: 'received' } }));
  await within(10_000, a.firstData, 'the first bytes of the table');
  const producedAtFirstBytes = speaker.produced;
  const pong = await within(10_000, b.request('ping'), "b's ping, sent once a's table has begun");
  const producedAtPong = speaker.produced;
  assert.ok(producedAtFirstBytes < ROWS / 10, `${producedAtFirstBytes} of ${ROWS} rows read before the first bytes went out`);
  assert.is(pong.pong, true);
  assert.ok(producedAtPong < ROWS, `b was answered only after all ${ROWS} rows were read`);
  assert.not.ok(a.lineDone(), "a's table was still streaming when b got its pong");
  await until(a.lineDone, 30_000, "a's table");
  assert.is((JSON.parse(a.text()) as { result: { routes: unknown[] } }).result.routes.length, ROWS);
});

Stream('the streamed line is byte for byte what encodeLine gives for the same result', async () => {
  const { path } = await start();
  const a = await rawText(path);
  a.socket.write(line({ v: 1, id: 'r', command: 'show-routes', args: { view: 'received', neighbor: '10.10.1.4', prefix: '10.1.0.0/16', limit: 2500 } }));
  await until(a.lineDone, 10_000, 'the table');
  const routes = Array.from({ length: 2500 }, (_, i) => row(65536 + i));
  assert.is(a.text(), encodeLine(okReply('r', { view: 'received', neighbor: '10.10.1.4', prefix: '10.1.0.0/16', routes, truncated: true })));
});

Stream('prefix and limit: only rows inside the prefix, at most limit of them; bad values are refused', async () => {
  const { path, speaker } = await start();
  const c = await client(path);
  const inside = await c.request('show-routes', { view: 'received', prefix: '10.1.0.0/16' });
  assert.is(inside.routes.length, 65536);
  assert.ok(inside.routes.every((x) => x.prefix.startsWith('10.1.')));
  assert.equal([inside.prefix, inside.truncated], ['10.1.0.0/16', undefined]);
  const few = await c.request('show-routes', { view: 'received', prefix: '10.2.0.0/24', limit: 3 });
  assert.equal(few.routes.map((x) => x.prefix), ['10.2.0.0/32', '10.2.0.1/32', '10.2.0.2/32']);
  assert.is(few.truncated, true);
  assert.ok(speaker.returned, 'the generator was let go at the limit');
  const all = await c.request('show-routes', { view: 'received', prefix: '10.3.0.0/24', limit: 256 });
  assert.equal([all.routes.length, all.truncated], [256, undefined], 'a limit that leaves nothing out');
  for (const [args, code, message] of [
    [{ view: 'received', prefix: '10.1.0.1/16' }, 'TSBGP_ERR_BAD_PREFIX', '10.1.0.1/16 has host bits set; did you mean 10.1.0.0/16?'],
    [{ view: 'received', limit: -1 }, 'TSBGP_ERR_BAD_ARGUMENT', 'limit -1 is not valid; expected an integer 0..4294967295'],
    [{ view: 'received', limit: 1.5 }, 'TSBGP_ERR_BAD_ARGUMENT', 'limit 1.5 is not valid; expected an integer 0..4294967295'],
  ] as const) {
    const e = await c.request('show-routes', args).catch((x: unknown) => x);
    assert.instance(e, TsbgpError);
    assert.equal([(e as TsbgpError).code, (e as TsbgpError).message], [code, message]);
  }
});

Stream('a client that goes away mid-table: the rows stop being read and the source is let go', async () => {
  const { path, speaker } = await start();
  const a = await rawText(path);
  a.socket.write(line({ v: 1, id: 1, command: 'show-routes', args: { view: 'received' } }));
  await within(10_000, a.firstData, 'the first bytes');
  a.socket.destroy();
  await until(() => speaker.returned, 10_000, 'the generator returned');
  assert.ok(speaker.produced < ROWS, `${speaker.produced} rows read`);
});

Stream('an error on the first rows is an error reply; an error mid-table closes the connection', async () => {
  const { path, speaker } = await start();
  const c = await client(path);
  speaker.failAfter = 0;
  const early = await c.request('show-routes', { view: 'received' }).catch((x: unknown) => x);
  assert.equal([(early as TsbgpError).code, (early as TsbgpError).message], ['TSBGP_ERR_UNKNOWN_NEIGHBOR', 'no neighbor 10.10.1.4 (configured: none)']);
  speaker.failAfter = 10;
  const inFirstChunk = await c.request('show-routes', { view: 'received' }).catch((x: unknown) => x);
  assert.is((inFirstChunk as TsbgpError).code, 'TSBGP_ERR_UNKNOWN_NEIGHBOR', 'nothing was written yet: still an error reply');
  speaker.failAfter = 50_000;
  const late = await within(10_000, c.request('show-routes', { view: 'received' }).catch((x: unknown) => x), 'the cut table');
  assert.instance(late, TsbgpError);
  assert.is((late as TsbgpError).code, 'TSBGP_ERR_UNREACHABLE', 'a short table is never passed off as the whole one');
});

Stream('monitor events that come while a table streams on the same connection wait until after its line', async () => {
  const { path, speaker } = await start(20_000);
  const a = await Raw.open(path);
  a.write(line({ v: 1, id: 'm', command: 'monitor' }));
  await a.read(1);
  const event = { type: 'local', at: '2025-03-01T12:00:00.000Z', action: 'withdraw', prefix: '100.64.0.1/32' } as const;
  a.socket.once('data', () => speaker.emit(event));
  a.write(line({ v: 1, id: 't', command: 'show-routes', args: { view: 'received' } }));
  const [table, ev] = await a.read(2, 30_000);
  assert.equal([table.id, table.result.routes.length], ['t', 20_000]);
  assert.equal(ev, { v: 1, event });
});

Stream.after.each(cleanup);
Stream.run();
