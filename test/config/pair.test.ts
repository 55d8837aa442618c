// The pair section: role, partner (an iBGP neighbor) and the standby's prepend, every problem at file:line:key.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig, parseConfig } from '../../src/config/load.js';
import { problems, one } from './problems.js';

// Lines 1-7: two route servers and the partner watcher; `pair:` is line 8, its keys from line 9.
const HEAD = `router-id: 10.10.0.8
local-as: 65001
neighbors:
  - { address: 10.10.1.4, remote-as: 65515 }
  - { address: 10.10.1.5, remote-as: 65515 }
  - { address: 10.10.0.7, remote-as: 65001 }
  - { address: 10.10.0.9, remote-as: 65002 }
`;
const pair = (body: string): string => `${HEAD}pair:\n${body}`;

const Load = suite('pair');

Load('no pair: a single watcher', () => {
  assert.is(parseConfig(HEAD, 't.yaml').pair, undefined);
});

Load('standby: prepend defaults to 2; the partner address in canonical form', () => {
  assert.equal(parseConfig(pair('  role: standby\n  partner: 10.10.0.7\n'), 't.yaml').pair, { role: 'standby', partner: '10.10.0.7', prepend: 2 });
  assert.equal(parseConfig(pair('  role: standby\n  partner: 10.10.0.7\n  prepend: 1\n'), 't.yaml').pair, { role: 'standby', partner: '10.10.0.7', prepend: 1 });
});

Load('primary: no prepend', () => {
  assert.equal(parseConfig(pair('  role: primary\n  partner: 10.10.0.7\n'), 't.yaml').pair, { role: 'primary', partner: '10.10.0.7', prepend: 0 });
});

Load.run();

const Problems = suite('pair problems');

Problems('prepend on the primary is refused at its line', () => {
  one(pair('  role: primary\n  partner: 10.10.0.7\n  prepend: 2\n'), 'pair.prepend', 11, 'prepend is for the standby');
});

Problems('prepend 0 or above 10 is out of range', () => {
  one(pair('  role: standby\n  partner: 10.10.0.7\n  prepend: 0\n'), 'pair.prepend', 11, 'expected 1..10');
  one(pair('  role: standby\n  partner: 10.10.0.7\n  prepend: 11\n'), 'pair.prepend', 11, 'expected 1..10');
});

Problems('a role that is neither, with a guess', () => {
  one(pair('  role: stanby\n  partner: 10.10.0.7\n'), 'pair.role', 9, 'did you mean standby?');
});

Problems('the partner must be a configured neighbor', () => {
  one(pair('  role: standby\n  partner: 10.10.0.6\n'), 'pair.partner', 10, '10.10.0.6 is not one of neighbors (10.10.1.4, 10.10.1.5, 10.10.0.7, 10.10.0.9)');
});

Problems('the partner must be iBGP: its remote-as is local-as', () => {
  one(pair('  role: primary\n  partner: 10.10.0.9\n'), 'pair.partner', 10, 'neighbors[3] (10.10.0.9) has remote-as 65002; the partner watcher is an iBGP neighbor: its remote-as must be local-as 65001');
});

Problems('role and partner are required; unknown keys get a guess', () => {
  const got = problems(pair('  prepnd: 2\n'));
  assert.equal(
    got.map((p) => [p.path, p.line]),
    [
      ['pair.prepnd', 9],
      ['pair.role', 9],
      ['pair.partner', 9],
    ],
  );
  assert.ok(got[0]!.message.includes('did you mean "prepend"?'), got[0]!.message);
});

Problems('a partner that is not an address', () => {
  one(pair('  role: standby\n  partner: watcher-a\n'), 'pair.partner', 10, 'not an IPv4 or IPv6 address');
});

Problems.run();

const Examples = suite('examples/azure-pair-*.yaml');

Examples('the two example watchers fit together: each is the other\'s partner over iBGP, the same VIPs, one primary and one standby', async () => {
  const root = new URL('../../../examples/', import.meta.url);
  const primary = await loadConfig(new URL('azure-pair-primary.yaml', root).pathname);
  const standby = await loadConfig(new URL('azure-pair-standby.yaml', root).pathname);
  assert.equal(primary.pair, { role: 'primary', partner: standby.routerId, prepend: 0 });
  assert.equal(standby.pair, { role: 'standby', partner: primary.routerId, prepend: 2 });
  assert.equal(standby.vips, primary.vips);
  for (const c of [primary, standby]) {
    const rs = c.neighbors.filter((n) => n.remoteAs === 65515);
    assert.equal([rs.length, rs.map((n) => n.holdTime)], [2, [30, 30]], 'a dead primary stays at the route servers for up to the hold time: 30 s, not 180');
  }
});

Examples.run();
