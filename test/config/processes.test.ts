// The processes section: argv lists or one string split like a shell's words, encoder text|json, every problem at file:line:key.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/load.js';
import { HEAD, one, problems } from './problems.js';

// HEAD is lines 1-5; `processes:` is line 6, its first entry from line 7.
const withProcesses = (body: string): string => `${HEAD}processes:\n${body}`;

const Load = suite('processes');

Load('none by default', () => {
  assert.equal(parseConfig(HEAD, 't.yaml').processes, []);
});

Load('the reference setup: one string split into argv, encoder json', () => {
  const c = parseConfig(withProcesses('  - name: route-announce\n    run: /usr/bin/socat stdout pipe:/etc/exabgp/exabgp.cmd\n    encoder: json\n'), 't.yaml');
  assert.equal(c.processes, [{ name: 'route-announce', run: ['/usr/bin/socat', 'stdout', 'pipe:/etc/exabgp/exabgp.cmd'], encoder: 'json' }]);
});

Load('an argv list kept word for word (numbers as written); encoder defaults to text; quotes in a string', () => {
  const c = parseConfig(
    withProcesses(
      '  - { name: hc, run: [/usr/bin/python3, -m, exabgp, healthcheck, --interval, 0.50, --cmd, "curl -sf http://127.0.0.1/"] }\n' +
        `  - { name: two, run: "/bin/sh -c 'echo a b; sleep 1'" }\n`,
    ),
    't.yaml',
  );
  assert.equal(c.processes, [
    { name: 'hc', run: ['/usr/bin/python3', '-m', 'exabgp', 'healthcheck', '--interval', '0.50', '--cmd', 'curl -sf http://127.0.0.1/'], encoder: 'text' },
    { name: 'two', run: ['/bin/sh', '-c', 'echo a b; sleep 1'], encoder: 'text' },
  ]);
});

Load.run();

const Problems = suite('processes problems');

Problems('run is required', () => {
  one(withProcesses('  - name: a\n'), 'processes[0].run', 7, 'required key is missing');
});

Problems('name is required', () => {
  one(withProcesses('  - run: /bin/true\n'), 'processes[0].name', 7, 'required key is missing');
});

Problems('names are unique', () => {
  one(withProcesses('  - { name: a, run: /bin/true }\n  - { name: a, run: /bin/false }\n'), 'processes[1].name', 8, 'duplicate process name "a" (first at line 7)');
});

Problems('an unknown encoder, with a guess', () => {
  one(withProcesses('  - { name: a, run: /bin/true, encoder: jsno }\n'), 'processes[0].encoder', 7, 'did you mean json?');
});

Problems('an unterminated quote in run', () => {
  one(withProcesses(`  - { name: a, run: "/bin/sh -c 'echo" }\n`), 'processes[0].run', 7, "unterminated ' quote");
});

Problems('an empty run, and a word that is not text', () => {
  one(withProcesses('  - { name: a, run: [] }\n'), 'processes[0].run', 7, 'no program to run');
  one(withProcesses('  - name: a\n    run:\n      - /bin/echo\n      - { x: 1 }\n'), 'processes[0].run[1]', 10, 'expected a word');
});

Problems('an unknown key, with a guess; not a list', () => {
  one(withProcesses('  - { name: a, run: /bin/true, encodr: json }\n'), 'processes[0].encodr', 7, 'did you mean "encoder"?');
  one(`${HEAD}processes: /bin/true\n`, 'processes', 6, 'expected a list of programs');
});

Problems('every problem of every entry', () => {
  const got = problems(withProcesses('  - { name: a }\n  - { run: /bin/true, encoder: xml }\n'));
  assert.equal(
    got.map((p) => `${p.line}:${p.path}`),
    ['7:processes[0].run', '8:processes[1].name', '8:processes[1].encoder'],
  );
});

Problems.run();
