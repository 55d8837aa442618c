// A strict parser of the Prometheus text format 0.0.4 and OpenMetrics 1.0 text, for tests: any line out of the grammar throws.
// Written here because parse-prometheus-text-format (the npm package) merges a labelled histogram's series into one and drops their labels.

export type FamilyType = 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped' | 'info' | 'stateset' | 'gaugehistogram' | 'unknown';

export interface Sample {
  /** The sample's own name (e.g. x_bucket), not its family's. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Family {
  name: string;
  type: FamilyType;
  help?: string;
  samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES: readonly FamilyType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped', 'info', 'stateset', 'gaugehistogram', 'unknown'];
/** The sample names a family of each type may have, as suffixes of its name. */
const SUFFIXES: { readonly [T in FamilyType]: readonly string[] } = {
  counter: ['', '_total', '_created'],
  gauge: [''],
  histogram: ['_bucket', '_sum', '_count', '_created'],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
  summary: ['', '_sum', '_count', '_created'],
  untyped: [''],
  unknown: [''],
  info: ['_info'],
  stateset: [''],
};

export interface Exposition {
  openMetrics: boolean;
  families: Map<string, Family>;
}

/** `openMetrics`: the text must end with "# EOF" and nothing after it. */
export function parseExposition(text: string, openMetrics: boolean): Exposition {
  const families = new Map<string, Family>();
  const series = new Set<string>();
  let current: Family | undefined;
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error('the exposition does not end with a newline');
  lines.pop();
  if (openMetrics) {
    if (lines.at(-1) !== '# EOF') throw new Error('OpenMetrics text does not end with # EOF');
    lines.pop();
  }
  const family = (name: string, line: number): Family => {
    if (!NAME.test(name)) throw new Error(`line ${line}: bad metric name ${JSON.stringify(name)}`);
    let f = families.get(name);
    if (!f) {
      f = { name, type: 'untyped', samples: [] };
      families.set(name, f);
    } else if (f !== current) throw new Error(`line ${line}: family ${name} is not contiguous`);
    current = f;
    return f;
  };
  lines.forEach((raw, i) => {
    const n = i + 1;
    if (raw === '') {
      if (openMetrics) throw new Error(`line ${n}: an empty line in OpenMetrics text`);
      return;
    }
    if (raw.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (!m) {
        if (openMetrics) throw new Error(`line ${n}: not a HELP or TYPE line: ${raw}`);
        return; // a comment
      }
      const f = family(m[2]!, n);
      if (m[1] === 'HELP') {
        if (f.help !== undefined) throw new Error(`line ${n}: a second HELP for ${f.name}`);
        f.help = m[3]!;
      } else {
        if (!(TYPES as readonly string[]).includes(m[3]!)) throw new Error(`line ${n}: unknown type ${m[3]}`);
        if (f.samples.length > 0) throw new Error(`line ${n}: TYPE after samples of ${f.name}`);
        f.type = m[3] as FamilyType;
      }
      return;
    }
    const s = parseSample(raw, n);
    const f = current && SUFFIXES[current.type].some((x) => s.name === current!.name + x) ? current : family(s.name, n);
    if (f.type !== 'untyped' && !SUFFIXES[f.type].some((x) => s.name === f.name + x)) throw new Error(`line ${n}: ${s.name} cannot be a sample of the ${f.type} ${f.name}`);
    if (openMetrics && f.type === 'counter' && s.name === f.name) throw new Error(`line ${n}: an OpenMetrics counter sample must end in _total`);
    const key = `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}`;
    if (series.has(key)) throw new Error(`line ${n}: the series ${key} appears twice`);
    series.add(key);
    f.samples.push(s);
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return { openMetrics, families };
}

function parseSample(line: string, n: number): Sample {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?\d+(?:\.\d+)?)?$/.exec(line);
  if (!m) throw new Error(`line ${n}: not a sample: ${line}`);
  const value = number(m[3]!, n);
  return { name: m[1]!, labels: m[2] ? parseLabels(m[2], n) : {}, value };
}

function number(text: string, n: number): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(text)) throw new Error(`line ${n}: not a number: ${text}`);
  return Number(text);
}

/** `{a="x",b="y\"z"}`: label names by the grammar, values with only \\, \" and \n escapes, no name twice. */
function parseLabels(text: string, n: number): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 1;
  while (text[i] !== '}') {
    const eq = text.indexOf('=', i);
    const name = text.slice(i, eq);
    if (eq < 0 || !LABEL.test(name)) throw new Error(`line ${n}: bad label name at ${text.slice(i)}`);
    if (name in labels) throw new Error(`line ${n}: label ${name} twice`);
    if (text[eq + 1] !== '"') throw new Error(`line ${n}: label ${name}: the value is not quoted`);
    let v = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        const e = text[++j];
        if (e === '\\' || e === '"') v += e;
        else if (e === 'n') v += '\n';
        else throw new Error(`line ${n}: label ${name}: bad escape \\${e}`);
      } else v += text[j];
    }
    if (text[j] !== '"') throw new Error(`line ${n}: label ${name}: the value is not closed`);
    labels[name] = v;
    i = j + 1;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw new Error(`line ${n}: expected , or } after label ${name}`);
  }
  if (i !== text.length - 1) throw new Error(`line ${n}: text after the labels`);
  return labels;
}

/** Per series: buckets cumulative in increasing `le`, a +Inf bucket equal to _count. */
function checkHistogram(f: Family): void {
  const bySeries = new Map<string, { buckets: [number, number][]; count?: number }>();
  for (const s of f.samples) {
    const { le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    const e = bySeries.get(key) ?? { buckets: [] };
    bySeries.set(key, e);
    if (s.name === `${f.name}_bucket`) {
      if (le === undefined) throw new Error(`${f.name}: a bucket without le`);
      e.buckets.push([number(le, 0), s.value]);
    } else if (s.name === `${f.name}_count`) e.count = s.value;
  }
  for (const [key, e] of bySeries) {
    for (let i = 1; i < e.buckets.length; i++) {
      if (!(e.buckets[i]![0] > e.buckets[i - 1]![0]) || e.buckets[i]![1] < e.buckets[i - 1]![1]) throw new Error(`${f.name}${key}: buckets not cumulative in increasing le`);
    }
    const inf = e.buckets.at(-1);
    if (!inf || inf[0] !== Infinity || inf[1] !== e.count) throw new Error(`${f.name}${key}: the +Inf bucket must exist and equal _count`);
  }
}
