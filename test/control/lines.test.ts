// LineSplitter: lines split at every offset, the length limit, and copies of the caller's buffers.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type LineItem, LineSplitter, MAX_LINE_BYTES } from '../../src/control/lines.js';

const Splitter = suite('LineSplitter');

const feed = (s: LineSplitter, ...chunks: string[]): LineItem[] => chunks.flatMap((c) => s.push(Buffer.from(c)));

Splitter('lines split at every offset come out whole; CR and blank lines dropped', () => {
  const text = '{"a":1}\r\n\n{"b":"é"}\n  \n{"c":3}\n';
  const bytes = Buffer.from(text);
  for (let i = 0; i <= bytes.length; i++) {
    for (let j = i; j <= bytes.length; j++) {
      const s = new LineSplitter(100);
      const got = [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)].flatMap((b) => s.push(Buffer.from(b)));
      assert.equal(got, [
        { kind: 'line', line: '{"a":1}' },
        { kind: 'line', line: '{"b":"é"}' },
        { kind: 'line', line: '{"c":3}' },
      ], `split at ${i}, ${j}`);
    }
  }
});

Splitter('a line over the limit becomes one overflow, and the next line is read', () => {
  const s = new LineSplitter(10);
  assert.equal(feed(s, '0123456789\n'), [{ kind: 'line', line: '0123456789' }], 'exactly the limit is fine');
  assert.equal(feed(s, '0123456789\r\n'), [{ kind: 'line', line: '0123456789' }], 'a CR does not count');
  assert.equal(feed(s, '01234567890\nok\n'), [{ kind: 'overflow', bytes: 11 }, { kind: 'line', line: 'ok' }]);
  // Spread over many reads: reported once, at its newline, with its full size.
  assert.equal(feed(s, '0123456', '789abc', 'def', 'ghi\nnext\n'), [{ kind: 'overflow', bytes: 19 }, { kind: 'line', line: 'next' }]);
  assert.is(MAX_LINE_BYTES, 65536);
});

Splitter('chunks are copied: reusing the caller buffer does not change a pending line', () => {
  const s = new LineSplitter(100);
  const b = Buffer.from('abc');
  assert.equal(s.push(b), []);
  b.write('xyz');
  assert.equal(s.push(Buffer.from('\n')), [{ kind: 'line', line: 'abc' }]);
});

Splitter('end(): the last line without a newline still comes out; nothing pending gives nothing', () => {
  const s = new LineSplitter(10);
  assert.equal(feed(s, 'ab\ncd'), [{ kind: 'line', line: 'ab' }]);
  assert.equal(s.end(), [{ kind: 'line', line: 'cd' }]);
  assert.equal(s.end(), []);
  assert.equal(feed(s, '0123456789abc'), []);
  assert.equal(s.end(), [{ kind: 'overflow', bytes: 13 }], 'an over-long tail is still reported');
  assert.equal(new LineSplitter(10).end(), []);
});

Splitter.run();
