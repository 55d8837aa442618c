// A YAML syntax error is reported as FILE:LINE: KEY: problem, KEY being the last key before the error that the parser read intact.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { HEAD, configError, problems } from './problems.js';

// Two neighbors; lines 1-7, tests append from line 8 on.
const TWO = `${HEAD}  - address: 10.0.0.3\n    remote-as: 65003\n`;

/** Every line of the message parseConfig throws for `text`, the file called watcher.yaml. */
const lines = (text: string): string[] => configError(text, 'watcher.yaml').message.split('\n');

const Indent = suite('bad indentation inside a neighbor');

Indent('a line indented too far names the key whose value it broke', () => {
  assert.equal(lines(`${TWO}      hold-time: 90\n    port: 1179\n`), [
    'watcher.yaml:7: neighbors[1].remote-as: YAML syntax error (column 16): Nested mappings are not allowed in compact mappings',
    'watcher.yaml:7: neighbors[1].remote-as: YAML syntax error (column 16): Implicit keys need to be on a single line',
  ]);
});

Indent('a line indented too little names the key before it', () => {
  assert.equal(lines(`${TWO}    hold-time: 90\n  port: 1179\n`), [
    'watcher.yaml:9: neighbors[1].hold-time: YAML syntax error (column 1): All mapping items must start at the same column',
  ]);
  assert.equal(lines(`${TWO}   hold-time: 90\n`), ['watcher.yaml:8: neighbors[1].remote-as: YAML syntax error (column 1): Sequence item without - indicator']);
});

Indent.run();

const Flow = suite('an unclosed flow collection');

Flow('a list left open in a neighbor names its key, at the line where it should have ended', () => {
  assert.equal(lines(`${TWO}    hold-time: [90\n    port: 1179\n`), [
    'watcher.yaml:9: neighbors[1].hold-time: YAML syntax error (column 5): Flow sequence in block collection must be sufficiently indented and end with a ]',
  ]);
});

Flow('a mapping left open names its last key, not the key the parser met next', () => {
  assert.equal(lines(`${HEAD}control: {socket: /run/x.sock, mode: "0660"\nstate-file: /var/lib/x.json\n`), [
    'watcher.yaml:7: control.mode: YAML syntax error (column 1): Flow map in block collection must be sufficiently indented and end with a }',
  ]);
});

Flow('left open at the very end of the file: the last line, said so', () => {
  assert.equal(lines(`${HEAD}control: {socket: /run/x.sock, mode: "0660"\n`), [
    'watcher.yaml:6: control.mode: YAML syntax error at the end of the file: Flow map in block collection must be sufficiently indented and end with a }',
  ]);
});

Flow.run();

const Quote = suite('an unclosed quote in a route');

Quote('swallows the rest of the file; the error names the route key where the quote opened', () => {
  assert.equal(lines(`${HEAD}routes:\n  - prefix: "100.64.0.1/32\n    next-hop: 10.10.0.4\nlog-level: info\n`), [
    'watcher.yaml:9: routes[0].prefix: YAML syntax error at the end of the file: Missing closing "quote',
  ]);
  // No newline at the end: still the last line.
  assert.equal(lines(`${HEAD}routes:\n  - prefix: 100.64.0.1/32\n    next-hop: '10.10.0.4`), [
    "watcher.yaml:8: routes[0].next-hop: YAML syntax error at the end of the file: Missing closing 'quote",
  ]);
});

Quote('text after a closing quote names that key and column', () => {
  assert.equal(lines(`${HEAD}routes:\n  - prefix: "100.64.0.1/32"x\n    next-hop: 10.10.0.4\n`), [
    'watcher.yaml:7: routes[0].prefix: YAML syntax error (column 28): Unexpected scalar at node end',
  ]);
});

Quote.run();

const Tab = suite('a tab as indentation');

Tab('names its line and the key before it', () => {
  assert.equal(lines(`${HEAD}\thold-time: 90\n`), ['watcher.yaml:6: neighbors[0].remote-as: YAML syntax error (column 1): Tabs are not allowed as indentation']);
});

Tab('what the parser then makes of the line is not taken for a key (it re-roots hold-time at the top level)', () => {
  const got = problems(`${TWO}\t  hold-time: 90\n    port: 1179\n`);
  assert.ok(got.length >= 2, JSON.stringify(got));
  assert.equal([...new Set(got.map((p) => `${p.line} ${p.path}`))], ['8 neighbors[1].remote-as']);
});

Tab.run();

const Whole = suite('errors of the whole document');

Whole('a second document names its line and no key', () => {
  assert.equal(lines(`${HEAD}---\nrouter-id: 10.0.0.9\n`), [
    'watcher.yaml:6: YAML syntax error (column 1): a second document starts here; the configuration must be a single YAML document',
  ]);
});

Whole('an error before the first key names no key', () => {
  const got = problems('@router-id: 10.0.0.1\n');
  assert.ok(got.length >= 1);
  assert.ok(
    got.every((p) => p.path === '' && p.line === 1),
    JSON.stringify(got),
  );
});

Whole.run();
