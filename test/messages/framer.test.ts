// Framer: a TCP byte stream, however it is split, yields the same whole messages (ws-style tests).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BgpError, DEFAULT_NEGOTIATED, Framer, type Negotiated, decodeMessage } from '../../src/bgp/messages/index.js';
import { notification, throwsBgp } from '../helpers/bgp-assert.js';
import { attr, cap, capParam, concat, hexList, openBody, updateBody } from '../helpers/build.js';
import { fromHex, hex, message } from '../helpers/hex.js';

const OPEN = message(1, openBody(capParam(cap(1, '00010001'), cap(2), cap(65, '0000fde9'))));
const KEEPALIVE = message(4, '');
const UPDATE = message(2, updateBody('18c6336500', attr(0x40, 1, '00') + attr(0x40, 2, '0201fde9') + attr(0x40, 3, 'c0000201'), '18c63364' + '10ac10'));
const EOR = message(2, updateBody('', ''));
const ROUTE_REFRESH = message(5, '00010001');
const NOTIFICATION = message(3, '0602' + '03' + '627965');
const MESSAGES = [OPEN, KEEPALIVE, UPDATE, KEEPALIVE, EOR, ROUTE_REFRESH, UPDATE, NOTIFICATION];
const STREAM = concat(...MESSAGES);
const EXPECTED = hexList(MESSAGES);

/** Everything the framer has ready, copied (views may alias buffers the framer reuses). */
function drain(f: Framer, out: Uint8Array[]): void {
  for (let m = f.next(); m !== undefined; m = f.next()) out.push(m.slice());
}

/** Push `chunks` one by one, draining after each, and return the messages in order. */
function frame(chunks: Uint8Array[], maxLength?: number): Uint8Array[] {
  const f = new Framer();
  if (maxLength !== undefined) f.maxLength = maxLength;
  const out: Uint8Array[] = [];
  for (const c of chunks) {
    f.push(c);
    drain(f, out);
  }
  assert.is(f.buffered, 0, 'nothing left over');
  return out;
}

const Split = suite('Framer: split streams');

Split('the stream split at every byte offset yields the same messages', () => {
  for (let i = 0; i <= STREAM.length; i++) {
    const got = frame([STREAM.subarray(0, i), STREAM.subarray(i)]);
    assert.equal(hexList(got), EXPECTED, `split at ${i}`);
  }
});

Split('the stream split at every pair of offsets yields the same messages', () => {
  for (let i = 0; i <= STREAM.length; i++) {
    for (let j = i; j <= STREAM.length; j += 3) {
      const got = frame([STREAM.subarray(0, i), STREAM.subarray(i, j), STREAM.subarray(j)]);
      assert.equal(hexList(got), EXPECTED, `split at ${i} and ${j}`);
    }
  }
});

Split('one byte at a time', () => {
  const chunks = Array.from(STREAM, (b) => new Uint8Array([b]));
  assert.equal(hexList(frame(chunks)), EXPECTED);
});

Split('messages already returned stay intact while later chunks arrive', () => {
  // The caller hands over fresh chunks each time (as a socket does); earlier messages must stay intact.
  const f = new Framer();
  const got: Uint8Array[] = [];
  const views: Uint8Array[] = [];
  for (let i = 0; i < STREAM.length; i += 7) {
    f.push(STREAM.slice(i, i + 7));
    for (let m = f.next(); m !== undefined; m = f.next()) {
      views.push(m);
      got.push(m.slice());
    }
  }
  assert.equal(hexList(views), hexList(got), 'returned views still hold their message after later pushes');
  assert.equal(hexList(got), EXPECTED);
});

Split('each framed message decodes', () => {
  const types = frame([STREAM]).map((m) => decodeMessage(m, DEFAULT_NEGOTIATED).type);
  assert.equal(types, ['OPEN', 'KEEPALIVE', 'UPDATE', 'KEEPALIVE', 'UPDATE', 'ROUTE_REFRESH', 'UPDATE', 'NOTIFICATION']);
});

Split.run();

const Many = suite('Framer: many messages in one chunk');

Many('3000 messages pushed at once come out in order', () => {
  const list: Uint8Array[] = [];
  for (let i = 0; i < 1000; i++) list.push(KEEPALIVE, i % 2 ? UPDATE : EOR, ROUTE_REFRESH);
  const got = frame([concat(...list)]);
  assert.is(got.length, 3000);
  assert.equal(hexList(got), hexList(list));
});

Many('a partial message stays buffered until its last byte arrives', () => {
  const f = new Framer();
  f.push(concat(KEEPALIVE, UPDATE.subarray(0, 30)));
  assert.is(hex(f.next()!), hex(KEEPALIVE));
  assert.is(f.next(), undefined);
  assert.is(f.buffered, 30);
  f.push(UPDATE.subarray(30, UPDATE.length - 1));
  assert.is(f.next(), undefined);
  f.push(UPDATE.subarray(UPDATE.length - 1));
  assert.is(hex(f.next()!), hex(UPDATE));
  assert.is(f.next(), undefined);
  assert.is(f.buffered, 0);
});

Many('fewer than 19 octets is not yet a header', () => {
  const f = new Framer();
  f.push(KEEPALIVE.subarray(0, 18));
  assert.is(f.next(), undefined);
  f.push(new Uint8Array(0));
  assert.is(f.next(), undefined);
  f.push(KEEPALIVE.subarray(18));
  assert.is(hex(f.next()!), hex(KEEPALIVE));
});

Many.run();

const Copies = suite('Framer: copies only the span (ws receiver)');

/** Run `fn` counting the octets Uint8Array.prototype.set copies meanwhile (REVIEW probe 4). */
function countingCopies<T>(fn: () => T): { result: T; copied: number } {
  const set = Uint8Array.prototype.set;
  let copied = 0;
  Uint8Array.prototype.set = function (this: Uint8Array, a: ArrayLike<number>, offset?: number) {
    copied += a.length;
    return set.call(this, a, offset);
  } as typeof set;
  try {
    return { result: fn(), copied };
  } finally {
    Uint8Array.prototype.set = set;
  }
}

Copies('a message wholly inside one pushed chunk is a view of that chunk, even after a message spanned into it', () => {
  const first = concat(KEEPALIVE, UPDATE.subarray(0, 30));
  const second = concat(UPDATE.subarray(30), OPEN, KEEPALIVE);
  const f = new Framer();
  f.push(first);
  const keepalive = f.next()!;
  assert.is(keepalive.buffer, first.buffer);
  assert.is(f.next(), undefined);
  f.push(second);
  const update = f.next()!;
  assert.is(hex(update), hex(UPDATE));
  assert.is.not(update.buffer, first.buffer, 'the spanning message is a copy');
  assert.is.not(update.buffer, second.buffer, 'the spanning message is a copy');
  const open = f.next()!;
  assert.is(hex(open), hex(OPEN));
  assert.is(open.buffer, second.buffer, 'OPEN lies inside the second chunk: no copy');
  assert.is(open.byteOffset, second.byteOffset + UPDATE.length - 30);
  assert.is(f.next()!.buffer, second.buffer);
  assert.is(f.buffered, 0);
});

Copies('a header split across chunks is read in place: only the spanning message is copied', () => {
  const stream = concat(KEEPALIVE, UPDATE, KEEPALIVE);
  for (let at = KEEPALIVE.length + 1; at < KEEPALIVE.length + 19; at++) {
    const a = stream.slice(0, at);
    const b = stream.slice(at);
    const { result, copied } = countingCopies(() => frame([a, b]));
    assert.equal(hexList(result), hexList([KEEPALIVE, UPDATE, KEEPALIVE]), `split at ${at}`);
    assert.is(copied, UPDATE.length, `split at ${at}`);
  }
});

Copies('256 KiB of UPDATEs in 64 KiB reads: at most the spanning messages are copied, every other one is a view', () => {
  const m = UPDATE;
  const stream = new Uint8Array(Math.ceil(262144 / m.length) * m.length);
  for (let i = 0; i < stream.length; i += m.length) stream.set(m, i);
  const READ = 65536;
  // Each read in its own buffer, as a socket hands them over.
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < stream.length; at += READ) chunks.push(stream.slice(at, at + READ));
  const f = new Framer();
  const { result: got, copied } = countingCopies(() => {
    const out: Uint8Array[] = [];
    for (const c of chunks) {
      f.push(c);
      for (let msg = f.next(); msg !== undefined; msg = f.next()) out.push(msg);
    }
    return out;
  });
  assert.is(got.length, stream.length / m.length);
  let spanning = 0;
  for (let i = 0; i < got.length; i++) {
    const start = i * m.length;
    const end = start + m.length;
    const k = Math.floor(start / READ);
    const inside = Math.floor((end - 1) / READ) === k;
    const msg = got[i]!;
    assert.is(hex(msg), hex(m), `message ${i}`);
    if (inside) assert.is(msg.buffer, chunks[k]!.buffer, `message ${i} lies inside read ${k}`);
    else {
      spanning += m.length;
      assert.ok(chunks.every((c) => c.buffer !== msg.buffer), `message ${i} spans reads: a copy of its own`);
    }
  }
  assert.is(spanning, 4 * m.length, 'four messages straddle the four read boundaries');
  assert.ok(copied <= spanning, `${copied} octets copied of ${stream.length}; the spanning messages hold ${spanning}`);
});

Copies('a 65535-octet message arriving one octet at a time is copied once', () => {
  const huge = message(2, updateBody('', attr(0xd0, 99, 'ab'.repeat(65535 - 27))));
  const chunks = Array.from(huge, (b) => new Uint8Array([b]));
  const { result, copied } = countingCopies(() => frame(chunks, 65535));
  assert.equal(result.map((m) => m.length), [65535]);
  assert.is(hex(result[0]!), hex(huge));
  assert.is(copied, 65535);
});

Copies.run();

const Pinning = suite('decoded values do not pin the received chunk');

/** Every Uint8Array reachable from `v` (decoded messages are plain objects and arrays). */
function byteArrays(v: unknown, out: Uint8Array[] = []): Uint8Array[] {
  if (v instanceof Uint8Array) out.push(v);
  else if (Array.isArray(v)) for (const x of v) byteArrays(x, out);
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) byteArrays(x, out);
  return out;
}

Pinning('opaque attributes, capabilities and NOTIFICATION data are copies, not views of the chunk', () => {
  // The framer hands out views of a socket's read; an Adj-RIB-In or a lastError that kept a view
  // would keep the whole read (64 KiB) alive for one attribute.
  const messages = [
    message(1, openBody(capParam(cap(65, '0000fde9'), cap(240, 'c0ffee'), cap(73, '01' + 'ff' + '00')))),
    message(2, updateBody('', attr(0x40, 1, '00') + attr(0x40, 2, '') + attr(0xc0, 99, '0102') + attr(0x80, 14, '001946' + '04c0000201000203'))),
    message(2, updateBody('', attr(0x80, 15, '001946' + '0102'))),
    message(3, '0602' + '03' + '627965'),
  ];
  const chunk = concat(...messages);
  const f = new Framer();
  f.push(chunk);
  const kinds: string[] = [];
  for (let m = f.next(); m !== undefined; m = f.next()) {
    assert.is(m.buffer, chunk.buffer, 'the framed message itself is a view');
    const decoded = decodeMessage(m, DEFAULT_NEGOTIATED);
    const arrays = byteArrays(decoded);
    assert.ok(arrays.length > 0, `${decoded.type} carries bytes`);
    for (const a of arrays) assert.is.not(a.buffer, chunk.buffer, `${decoded.type}: ${hex(a)} is a view of the chunk`);
    kinds.push(decoded.type);
  }
  assert.equal(kinds, ['OPEN', 'UPDATE', 'UPDATE', 'NOTIFICATION']);
});

Pinning('the data of a decode error is a copy too', () => {
  const chunk = concat(message(2, updateBody('', attr(0x40, 1, '00') + attr(0x40, 99, 'abcd'))));
  const f = new Framer();
  f.push(chunk);
  const m = f.next()!;
  assert.is(m.buffer, chunk.buffer);
  const e = throwsBgp(() => decodeMessage(m, DEFAULT_NEGOTIATED), 3, 2, '406302abcd');
  assert.is.not(e.data.buffer, chunk.buffer);
});

Pinning.run();

const HeaderErrors = suite('Framer: header errors');

HeaderErrors('a bad marker throws Connection Not Synchronized (1/1) and keeps throwing', () => {
  const f = new Framer();
  const bad = KEEPALIVE.slice();
  bad[3] = 0;
  f.push(concat(KEEPALIVE, bad, KEEPALIVE));
  assert.is(hex(f.next()!), hex(KEEPALIVE));
  const first = throwsBgp(() => f.next(), 1, 1);
  const again = throwsBgp(() => f.next(), 1, 1);
  assert.is(again, first);
  f.push(KEEPALIVE);
  throwsBgp(() => f.next(), 1, 1);
});

HeaderErrors('a bad marker is found before the whole header has a chance to be a message', () => {
  const f = new Framer();
  f.push(fromHex('ff'.repeat(15) + '00' + '0013' + '04'));
  throwsBgp(() => f.next(), 1, 1);
});

HeaderErrors('length below 19 and bad types are header errors too, and sticky', () => {
  const short = new Framer();
  short.push(fromHex('ff'.repeat(16) + '0012' + '04'));
  throwsBgp(() => short.next(), 1, 2, '0012');
  throwsBgp(() => short.next(), 1, 2, '0012');
  const type = new Framer();
  type.push(fromHex('ff'.repeat(16) + '0013' + '07'));
  throwsBgp(() => type.next(), 1, 3, '07');
  throwsBgp(() => type.next(), 1, 3, '07');
});

HeaderErrors.run();

const MaxLength = suite('Framer: maxLength');

// A 5000-octet UPDATE: one optional transitive unknown attribute with an extended length fills it.
const BIG = message(2, updateBody('', attr(0xd0, 99, '00'.repeat(5000 - 27))));
const EXT: Negotiated = { ...DEFAULT_NEGOTIATED, extendedMessage: true };

MaxLength('4096 until Extended Message is agreed: a 5000-octet message is Bad Message Length', () => {
  assert.is(BIG.length, 5000);
  const f = new Framer();
  assert.is(f.maxLength, 4096);
  f.push(BIG);
  throwsBgp(() => f.next(), 1, 2, '1388');
});

MaxLength('switched to 65535 after the OPEN exchange, the same stream frames', () => {
  const f = new Framer();
  f.push(concat(OPEN, KEEPALIVE, BIG.subarray(0, 100)));
  assert.is(hex(f.next()!), hex(OPEN));
  assert.is(hex(f.next()!), hex(KEEPALIVE));
  f.maxLength = 65535;
  assert.is(f.next(), undefined);
  f.push(BIG.subarray(100));
  const big = f.next();
  assert.is(big?.length, 5000);
  assert.is(decodeMessage(big!, EXT).type, 'UPDATE');
});

MaxLength('a 65535-octet message frames at every split of a few offsets', () => {
  const huge = message(2, updateBody('', attr(0xd0, 99, 'ab'.repeat(65535 - 27))));
  for (const at of [0, 1, 18, 19, 4096, 65534, 65535]) {
    const got = frame([concat(KEEPALIVE, huge).subarray(0, 19 + at), concat(KEEPALIVE, huge).subarray(19 + at)], 65535);
    assert.equal(got.map((m) => m.length), [19, 65535], `split at ${at}`);
  }
});

MaxLength('the error is a BgpError a session can turn into a NOTIFICATION', () => {
  const f = new Framer();
  f.push(BIG);
  try {
    f.next();
    assert.unreachable('should throw');
  } catch (e) {
    assert.instance(e, BgpError);
    assert.is(notification((e as BgpError).code, (e as BgpError).subcode, hex((e as BgpError).data)), notification(1, 2, '1388'));
  }
});

MaxLength.run();
