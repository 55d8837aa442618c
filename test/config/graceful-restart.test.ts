// neighbors[].graceful-restart (RFC 4724, RFC 8538): the default, false, a map, and bad values with file:line:key.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/load.js';
import type { NeighborConfig } from '../../src/config/types.js';
import { HEAD, configError, one } from './problems.js';

const gr = (lines: string): NeighborConfig['gracefulRestart'] => parseConfig(HEAD + lines, 'test.yaml').neighbors[0]!.gracefulRestart;

const Values = suite('graceful-restart values');

Values('absent, empty or true: enabled, restart time 120 s, notification on', () => {
  assert.equal(gr(''), { restartTimeSeconds: 120, notification: true });
  assert.equal(gr('    graceful-restart:\n'), { restartTimeSeconds: 120, notification: true });
  assert.equal(gr('    graceful-restart: true\n'), { restartTimeSeconds: 120, notification: true });
});

Values('false turns it off', () => {
  assert.is(gr('    graceful-restart: false\n'), false);
});

Values('a map: each key on its own, the other keeps its default', () => {
  assert.equal(gr('    graceful-restart: { restart-time: 9 }\n'), { restartTimeSeconds: 9, notification: true });
  assert.equal(gr('    graceful-restart:\n      notification: false\n'), { restartTimeSeconds: 120, notification: false });
  assert.equal(gr('    graceful-restart: { restart-time: 4095, notification: true }\n'), { restartTimeSeconds: 4095, notification: true });
  assert.equal(gr('    graceful-restart: {}\n'), { restartTimeSeconds: 120, notification: true });
});

Values('each neighbor its own', () => {
  const c = parseConfig(`${HEAD}    graceful-restart: false\n  - address: 10.0.0.3\n    remote-as: 65003\n    graceful-restart: { restart-time: 30 }\n`, 't');
  assert.equal(
    c.neighbors.map((n) => n.gracefulRestart),
    [false, { restartTimeSeconds: 30, notification: true }],
  );
});

Values.run();

const Bad = suite('graceful-restart problems');

Bad('restart-time: 1..4095 (12 bits, RFC 4724 §3), an integer', () => {
  one(`${HEAD}    graceful-restart: { restart-time: 0 }\n`, 'neighbors[0].graceful-restart.restart-time', 6, '0 is out of range; expected 1..4095');
  one(`${HEAD}    graceful-restart: { restart-time: 4096 }\n`, 'neighbors[0].graceful-restart.restart-time', 6, '4096 is out of range; expected 1..4095');
  one(`${HEAD}    graceful-restart: { restart-time: 2m }\n`, 'neighbors[0].graceful-restart.restart-time', 6, 'expected an integer 1..4095, got the string "2m" (seconds; RFC 4724 gives it 12 bits)');
});

Bad('notification: true or false', () => {
  one(`${HEAD}    graceful-restart: { notification: yes please }\n`, 'neighbors[0].graceful-restart.notification', 6, 'expected true or false, got the string "yes please"');
});

Bad('neither a boolean nor a map', () => {
  one(`${HEAD}    graceful-restart: 120\n`, 'neighbors[0].graceful-restart', 6, 'expected false, true or a mapping such as { restart-time: 120, notification: true }, got 120');
  one(`${HEAD}    graceful-restart: [120]\n`, 'neighbors[0].graceful-restart', 6, 'got a list');
});

Bad('misspelt keys point at the right one', () => {
  one(`${HEAD}    graceful-restart: { restart_time: 30 }\n`, 'neighbors[0].graceful-restart.restart_time', 6, 'did you mean "restart-time"?');
  one(`${HEAD}    gracefulRestart: false\n`, 'neighbors[0].gracefulRestart', 6, 'did you mean "graceful-restart"?');
});

Bad('the whole line names file, line and key; on a nested line too', () => {
  const text = `${HEAD}    graceful-restart:\n      restart-time: 9\n      notification: 1\n`;
  assert.is(configError(text, 'watcher.yaml').message, 'watcher.yaml:8: neighbors[0].graceful-restart.notification: expected true or false, got 1');
});

Bad.run();
