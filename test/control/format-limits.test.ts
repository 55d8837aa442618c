// show neighbors with route limits: the Limits block as an operator reads it (exact text), and the JSON fields.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { jsonOutput, textOutput } from '../../src/control/format.js';
import type { NeighborInfo } from '../../src/control/types.js';
import { NEIGHBORS } from './fake-speaker.js';

const text = textOutput({ now: () => new Date('2025-03-01T12:02:03.000Z') });

/** The text of a neighbor from its Limits line on (the rest is format.test.ts's). */
const limitsBlock = (n: NeighborInfo): string[] => {
  const lines = text.neighbors({ neighbors: [n] }).split('\n');
  const at = lines.findIndex((l) => l.startsWith('  Limits'));
  return at < 0 ? [] : lines.slice(at, lines.findIndex((l, i) => i > at && !l.startsWith('    ')));
};

const Limits = suite('show neighbors: limits');

Limits('profile, max-routes-out and max-prefixes-in (cease), below the limit', () => {
  const n: NeighborInfo = {
    ...NEIGHBORS[0]!,
    profile: 'azure-route-server',
    limits: { routesOut: { limit: 1000, most: 999, held: 2 }, prefixesIn: { limit: 10000, action: 'cease', held: 40, over: false, exceeded: 0 } },
  };
  assert.equal(limitsBlock(n), [
    '  Limits (profile azure-route-server):',
    '    max-routes-out 1000 (held + in one UPDATE): 2 held, at most 999',
    '    max-prefixes-in 10000 (cease): 40 received, exceeded 0 times',
  ]);
});

Limits('max-prefixes-in (warn) above the limit, no profile', () => {
  const n: NeighborInfo = { ...NEIGHBORS[0]!, limits: { prefixesIn: { limit: 5, action: 'warn', held: 7, over: true, exceeded: 1 } } };
  assert.equal(limitsBlock(n), ['  Limits:', '    max-prefixes-in 5 (warn): 7 received, ABOVE the limit, exceeded 1 time']);
});

Limits('a neighbor without limits or profile shows no Limits block; JSON carries the fields as given', () => {
  assert.equal(limitsBlock(NEIGHBORS[0]!), []);
  const n: NeighborInfo = { ...NEIGHBORS[0]!, limits: { routesOut: { limit: 10, most: 9, held: 9 } } };
  const json = JSON.parse(jsonOutput.neighbors({ neighbors: [n] })) as { neighbors: NeighborInfo[] };
  assert.equal(json.neighbors[0]!.limits, { routesOut: { limit: 10, most: 9, held: 9 } });
});

Limits.run();
