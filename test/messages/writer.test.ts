// Writer: a buffer sized up front; an encoder that writes more than its length() said throws.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Writer } from '../../src/bgp/messages/writer.js';
import { hex } from '../helpers/hex.js';

const Fixed = suite('Writer: fixed size');

Fixed('fills its buffer exactly, big-endian, and result() is a view of what was written', () => {
  const w = new Writer(11);
  w.u8(0x01);
  w.u16(0x0203);
  w.u24(0x040506);
  w.u32(0x0708090a);
  w.raw(new Uint8Array([0x0b]));
  assert.is(w.pos, 11);
  assert.is(hex(w.result()), '0102030405060708090a0b');
  assert.is(w.result().buffer, w.bytes.buffer);
});

Fixed('every write past the end throws RangeError and leaves pos where it was', () => {
  const writes: [string, (w: Writer) => void][] = [
    ['u8', (w) => w.u8(1)],
    ['u16', (w) => w.u16(1)],
    ['u24', (w) => w.u24(1)],
    ['u32', (w) => w.u32(1)],
    ['raw', (w) => w.raw(new Uint8Array(2))],
    ['reserve', (w) => w.reserve(2)],
  ];
  for (const [name, write] of writes) {
    const w = new Writer(3);
    w.u16(0xffff);
    if (name === 'u8') w.u8(0);
    assert.throws(() => write(w), (e: unknown) => e instanceof RangeError, name);
    assert.is(w.pos, name === 'u8' ? 3 : 2, name);
  }
});

Fixed.run();

const Patch = suite('Writer: reserve / patch');

Patch('a reserved 1- or 2-octet field receives the length written after it', () => {
  const w = new Writer(9);
  const two = w.reserve(2);
  const one = w.reserve(1);
  w.u32(0xdeadbeef);
  w.patch(one, 1);
  w.u16(0);
  w.patch(two, 2);
  assert.is(hex(w.result()), '0007' + '04' + 'deadbeef' + '0000');
});

Patch.run();
