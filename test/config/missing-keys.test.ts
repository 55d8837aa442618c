// A required key that is missing is reported at the line of the mapping it is missing from, at every level.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HEAD, configError, one, problems } from './problems.js';

const Top = suite('required top-level keys');

Top('a missing router-id, local-as or neighbors names the line where the top-level mapping starts', () => {
  one('local-as: 65001\nneighbors:\n  - address: 10.0.0.2\n    remote-as: 65002\n', 'router-id', 1, 'required key is missing, e.g. router-id: 10.10.0.7');
  one(HEAD.replace('local-as: 65001\n', ''), 'local-as', 1, 'required key is missing, e.g. local-as: 65001');
  one('router-id: 10.0.0.1\nlocal-as: 65001\n', 'neighbors', 1, 'required key is missing');
});

Top('after a comment header, the line is that of the first key', () => {
  one('# the watcher\n# AS 65001\n\nlocal-as: 65001\nneighbors:\n  - address: 10.0.0.2\n    remote-as: 65002\n', 'router-id', 4, 'required key is missing');
});

Top('the whole message is FILE:LINE: KEY: problem', () => {
  assert.is(
    configError('local-as: 65001\nneighbors:\n  - address: 10.0.0.2\n    remote-as: 65002\n', 'watcher.yaml').message,
    'watcher.yaml:1: router-id: required key is missing, e.g. router-id: 10.10.0.7',
  );
});

Top('every missing key is reported, each with a line', () => {
  const got = problems('log-level: info\n');
  assert.equal(
    got.map((p) => [p.line, p.path]),
    [
      [1, 'router-id'],
      [1, 'local-as'],
      [1, 'neighbors'],
    ],
  );
});

Top.run();

const Neighbor = suite('required neighbor keys');

Neighbor('a neighbor without remote-as or address names the line of its "- " item', () => {
  const second = `${HEAD}  - address: 10.0.0.3\n    port: 1179\n`;
  one(second, 'neighbors[1].remote-as', 6, 'required key is missing, e.g. remote-as: 65515');
  one(`${HEAD}  - remote-as: 65003\n    port: 1179\n`, 'neighbors[1].address', 6, 'required key is missing, e.g. address: 10.10.1.4');
});

Neighbor('a neighbor written as a flow mapping', () => {
  one(`${HEAD}  - {address: 10.0.0.3}\n`, 'neighbors[1].remote-as', 6, 'required key is missing');
});

Neighbor('a neighbor that is an alias: the line of the anchored mapping', () => {
  const text = `router-id: 10.0.0.1\nlocal-as: 65001\nbase: &n {port: 1179}\nneighbors:\n  - *n\n`;
  const got = problems(text);
  // base is an unknown key (line 3); the alias resolves to the mapping on line 3, which lacks both keys.
  assert.equal(
    got.map((p) => [p.line, p.path]),
    [
      [3, 'base'],
      [3, 'neighbors[0].address'],
      [3, 'neighbors[0].remote-as'],
    ],
  );
});

Neighbor.run();

const Route = suite('required route keys');

Route('a route without prefix or next-hop names its item line', () => {
  one(`${HEAD}routes:\n  - prefix: 100.64.0.1/32\n    next-hop: 10.10.0.4\n  - next-hop: 10.10.0.5\n`, 'routes[1].prefix', 9, 'required key is missing');
  one(`${HEAD}routes:\n  - prefix: 100.64.0.1/32\n`, 'routes[0].next-hop', 7, 'required key is missing');
});

Route.run();

const Empty = suite('a file with nothing to read');

Empty('empty, only comments, only a document marker: line 1', () => {
  one('', '', 1, 'the file is empty');
  one('# nothing here yet\n# really\n', '', 1, 'the file is empty');
  one('---\n', '', 1, 'the file is empty');
  assert.is(configError('', 'watcher.yaml').message, 'watcher.yaml:1: the file is empty; expected at least router-id, local-as and neighbors');
});

Empty('an explicit null names its own line', () => {
  one('# comment\n\nnull\n', '', 3, 'the file is empty');
});

Empty('a top level that is not a mapping names its line', () => {
  one('- 1\n', '', 1, 'expected a mapping with router-id, local-as, neighbors..., got a list');
  one('# comment\nrouter-id 10.0.0.1\n', '', 2, 'expected a mapping with router-id, local-as, neighbors..., got the string "router-id 10.0.0.1"');
  one('42\n', '', 1, 'got 42');
});

Empty.run();

const Alias = suite('an alias that names no anchor');

Alias('is reported at its key and line, instead of the key reading as absent and its default winning', () => {
  one(`${HEAD}    families: *fam\n`, 'neighbors[0].families', 6, 'the alias *fam names no anchor; an anchor &fam must come before it');
  one(`${HEAD}    families: *fam\n  - address: 10.0.0.3\n    remote-as: 65003\n    families: &fam [ipv6-unicast]\n`, 'neighbors[0].families', 6, 'names no anchor');
});

Alias('once: a required key or a list item made of it gets no second problem', () => {
  one(HEAD.replace('remote-as: 65002', 'remote-as: *asn'), 'neighbors[0].remote-as', 5, 'the alias *asn names no anchor');
  one(`${HEAD}  - *other\n`, 'neighbors[1]', 6, 'the alias *other names no anchor');
});

Alias.run();
