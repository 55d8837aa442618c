// neighbors[].send-hold-time (RFC 9687): the default from the hold time, an explicit value, 0, and bad values with file:line:key.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/load.js';
import { HEAD, configError, one } from './problems.js';

/** The resolved sendHoldTime of the only neighbor, for HEAD plus neighbor lines. */
const sendHold = (lines: string): number => parseConfig(HEAD + lines, 'test.yaml').neighbors[0]!.sendHoldTime;

const Default = suite('send-hold-time default');

Default('max(480, 2 × hold-time) (RFC 9687 §4), from the neighbor\'s own hold time', () => {
  assert.is(sendHold(''), 480); // hold-time 180 by default: 360 < 480
  assert.is(sendHold('    hold-time: 90\n'), 480);
  assert.is(sendHold('    hold-time: 240\n'), 480);
  assert.is(sendHold('    hold-time: 241\n'), 482);
  assert.is(sendHold('    hold-time: 600\n'), 1200);
  assert.is(sendHold('    hold-time: 65535\n'), 131070);
});

Default('hold-time 0 (no keepalives) still gets 480: a peer that stops reading is caught all the same', () => {
  assert.is(sendHold('    hold-time: 0\n'), 480);
});

Default('each neighbor from its own hold time', () => {
  const c = parseConfig(`${HEAD}    hold-time: 300\n  - address: 10.0.0.3\n    remote-as: 65003\n    hold-time: 30\n`, 't');
  assert.equal(
    c.neighbors.map((n) => n.sendHoldTime),
    [600, 480],
  );
});

Default.run();

const Explicit = suite('send-hold-time given');

Explicit('an explicit value wins over the default, also one below the hold time', () => {
  assert.is(sendHold('    send-hold-time: 900\n'), 900);
  assert.is(sendHold('    hold-time: 600\n    send-hold-time: 500\n'), 500);
  assert.is(sendHold('    send-hold-time: 3\n'), 3);
  assert.is(sendHold('    send-hold-time: 131070\n'), 131070);
});

Explicit('0 disables it', () => {
  assert.is(sendHold('    send-hold-time: 0\n'), 0);
  assert.is(sendHold('    hold-time: 600\n    send-hold-time: 0\n'), 0);
});

Explicit('an empty value is the default', () => {
  assert.is(sendHold('    send-hold-time:\n'), 480);
});

Explicit.run();

const Bad = suite('send-hold-time problems');

Bad('1 and 2 are too short to mean anything but a flapping session', () => {
  one(`${HEAD}    send-hold-time: 1\n`, 'neighbors[0].send-hold-time', 6, '1 is too short; expected 0 (disabled) or 3..131070 seconds');
  one(`${HEAD}    send-hold-time: 2\n`, 'neighbors[0].send-hold-time', 6, 'expected 0 (disabled) or 3..131070');
});

Bad('out of range, negative, not an integer', () => {
  one(`${HEAD}    send-hold-time: 131071\n`, 'neighbors[0].send-hold-time', 6, '131071 is out of range; expected 0..131070');
  one(`${HEAD}    send-hold-time: -5\n`, 'neighbors[0].send-hold-time', 6, 'out of range');
  one(`${HEAD}    send-hold-time: 4.5\n`, 'neighbors[0].send-hold-time', 6, 'expected an integer 0..131070, got 4.5');
  one(`${HEAD}    send-hold-time: "480"\n`, 'neighbors[0].send-hold-time', 6, 'got the string "480"');
  one(`${HEAD}    send-hold-time: 8m\n`, 'neighbors[0].send-hold-time', 6, 'got the string "8m"');
  one(`${HEAD}    send-hold-time: [480]\n`, 'neighbors[0].send-hold-time', 6, 'got a list');
});

Bad('the whole line names file, line and key; on the second neighbor too', () => {
  const text = `${HEAD}  - address: 10.0.0.3\n    remote-as: 65003\n    send-hold-time: 2\n`;
  assert.is(
    configError(text, 'watcher.yaml').message,
    'watcher.yaml:8: neighbors[1].send-hold-time: 2 is too short; expected 0 (disabled) or 3..131070 seconds',
  );
});

Bad('misspellings point at it', () => {
  one(`${HEAD}    sendHoldTime: 480\n`, 'neighbors[0].sendHoldTime', 6, 'did you mean "send-hold-time"?');
  one(`${HEAD}    send-hold: 480\n`, 'neighbors[0].send-hold', 6, 'did you mean "send-hold-time"?');
  one(`${HEAD}    send_hold_time: 480\n`, 'neighbors[0].send_hold_time', 6, 'did you mean "send-hold-time"?');
});

Bad.run();
