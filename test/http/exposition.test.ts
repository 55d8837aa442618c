// The strict exposition parser the metrics tests rely on: it keeps what is valid and refuses what is not.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseExposition } from '../helpers/exposition.js';

const P = suite('parseExposition');

const HIST = `# HELP h x
# TYPE h histogram
h_bucket{le="1",vip="a"} 1
h_bucket{le="+Inf",vip="a"} 2
h_sum{vip="a"} 3.5
h_count{vip="a"} 2
h_bucket{le="1",vip="b"} 0
h_bucket{le="+Inf",vip="b"} 1
h_sum{vip="b"} 9
h_count{vip="b"} 1
`;

P('a labelled histogram keeps each series and its labels', () => {
  const h = parseExposition(HIST, false).families.get('h')!;
  assert.is(h.type, 'histogram');
  assert.equal(
    h.samples.filter((s) => s.name === 'h_count').map((s) => [s.labels.vip, s.value]),
    [
      ['a', 2],
      ['b', 1],
    ],
  );
});

P('escapes in label values, and OpenMetrics counters with # EOF', () => {
  const om = parseExposition('# TYPE c counter\nc_total{t="a\\"b\\\\c\\nd"} 4\n# EOF\n', true);
  assert.equal(om.families.get('c')!.samples, [{ name: 'c_total', labels: { t: 'a"b\\c\nd' }, value: 4 }]);
});

P('refused: bad lines, a series twice, a broken histogram, a missing # EOF', () => {
  const bad: [string, boolean][] = [
    ['x{a="1"} one\n', false],
    ['x{a=1} 1\n', false],
    ['x{a="\\t"} 1\n', false],
    ['x 1\nx 2\n', false],
    ['x 1', false],
    ['# TYPE g gauge\ng 1\n# TYPE g counter\n', false],
    [HIST.replace('h_count{vip="a"} 2', 'h_count{vip="a"} 3'), false],
    [HIST.replace('h_bucket{le="+Inf",vip="a"} 2', 'h_bucket{le="+Inf",vip="a"} 0'), false],
    ['# TYPE c counter\nc_total 1\n', true],
    ['# TYPE c counter\nc 1\n# EOF\n', true],
    ['# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n', false],
  ];
  for (const [text, om] of bad) assert.throws(() => parseExposition(text, om), undefined, JSON.stringify(text));
});

P.run();
