// The fake speaker's fixtures are what the real Speaker answers today: a fresh recording equals the committed one.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { recordSnapshot } from './snapshot.js';
import { SNAPSHOT } from './speaker-snapshot.js';

const Snapshot = suite('speaker snapshot');

Snapshot('a real Speaker on loopback answers exactly what speaker-snapshot.ts holds (else: node dist/test/control/record-snapshot.js)', async () => {
  const fresh = await recordSnapshot();
  // Compared as JSON: what crosses the control socket.
  assert.equal(JSON.parse(JSON.stringify(fresh)), JSON.parse(JSON.stringify(SNAPSHOT)));
});

Snapshot.run();
