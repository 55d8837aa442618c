// RoutesReply (rows read one at a time, filtered, limited) and insidePrefix.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TsbgpError } from '../../src/errors.js';
import { RoutesReply, insidePrefix } from '../../src/control/routes-reply.js';
import type { RouteEntry } from '../../src/control/types.js';

const row = (prefix: string): RouteEntry => ({ prefix, nextHop: '10.10.1.4', asPath: '65515', origin: 'IGP', communities: [], largeCommunities: [], extendedCommunities: [] });
const ROWS = ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '192.0.2.0/24', '2001:db8::/32'].map(row);

/** A source that counts what was read from it and whether it was let go. */
function counted(rows: RouteEntry[]) {
  const state = { read: 0, returned: false };
  function* gen(): Generator<RouteEntry> {
    try {
      for (const r of rows) {
        state.read++;
        yield r;
      }
    } finally {
      state.returned = true;
    }
  }
  return { state, rows: gen() };
}

const Reply = suite('RoutesReply');

Reply('JSON is the RoutesResult: the head, every row, no truncated without a limit', () => {
  const r = new RoutesReply({ view: 'received', neighbor: '10.10.1.4' }, ROWS, undefined);
  assert.is(JSON.stringify(r), JSON.stringify({ view: 'received', neighbor: '10.10.1.4', routes: ROWS }));
});

Reply('a limit: that many rows, truncated only when a matching row was left out', () => {
  const json = (limit: number, keep?: (p: string) => boolean) => JSON.parse(JSON.stringify(new RoutesReply({ view: 'local' }, ROWS, keep, limit)));
  assert.equal(json(2), { view: 'local', routes: ROWS.slice(0, 2), truncated: true });
  assert.equal(json(5), { view: 'local', routes: ROWS }, 'exactly as many rows as the limit: nothing left out');
  assert.equal(json(0), { view: 'local', routes: [], truncated: true });
  assert.equal(json(1, (p) => p.startsWith('192.')), { view: 'local', routes: [ROWS[3]] }, 'the one row left out did not match');
  assert.equal(JSON.parse(JSON.stringify(new RoutesReply({ view: 'local' }, [], undefined, 0))), { view: 'local', routes: [] });
});

Reply('rows are read as they are asked for (one ahead), and the source is let go at the limit', () => {
  const { state, rows } = counted(ROWS);
  const r = new RoutesReply({ view: 'local' }, rows, undefined, 2);
  assert.is(state.read, 1, 'the first row is read at once, so that its error is the handler\'s');
  assert.is(r.next(), ROWS[0]);
  assert.is(state.read, 2);
  assert.is(r.next(), ROWS[1]);
  assert.is(r.next(), undefined);
  assert.ok(r.truncated);
  assert.ok(state.returned, 'the generator was returned');
  assert.is(state.read, 3);
});

Reply('an error from the first read is thrown by the constructor', () => {
  function* failing(): Generator<RouteEntry> {
    throw new Error('no such neighbor');
  }
  assert.throws(() => new RoutesReply({ view: 'local' }, failing(), undefined), /no such neighbor/);
});

Reply.run();

const Inside = suite('insidePrefix');

Inside('equal or more specific, on any bit boundary; never across families', () => {
  const cases: [string, string[]][] = [
    ['10.0.0.0/8', ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24']],
    ['10.0.0.0/7', ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24']],
    ['10.1.0.0/17', ['10.1.2.0/24']],
    ['10.1.2.0/24', ['10.1.2.0/24']],
    ['0.0.0.0/0', ['10.0.0.0/8', '10.1.0.0/16', '10.1.2.0/24', '192.0.2.0/24']],
    ['2001::/16', ['2001:db8::/32']],
    ['::/0', ['2001:db8::/32']],
    ['10.1.128.0/17', []],
  ];
  for (const [outer, want] of cases) {
    const f = insidePrefix(outer);
    assert.equal(ROWS.map((r) => r.prefix).filter(f.test), want, outer);
  }
  assert.not.ok(insidePrefix('10.1.0.0/16').test('10.0.0.0/8'), 'a less specific prefix is not inside');
});

Inside('the filter is checked and canonical like an announced prefix', () => {
  assert.is(insidePrefix('2001:DB8:0::/32').prefix, '2001:db8::/32');
  for (const [text, message] of [
    ['10.1.0.0', /"10\.1\.0\.0" has no prefix length/],
    ['10.1.0.1/16', /host bits set; did you mean 10\.1\.0\.0\/16/],
    ['x', /not a prefix/],
  ] as const) {
    assert.throws(() => insidePrefix(text), (e: unknown) => e instanceof TsbgpError && e.code === 'TSBGP_ERR_BAD_PREFIX' && message.test(e.message), text);
  }
});

Inside.run();
