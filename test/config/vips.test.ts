// The vips section: defaults filled in, each check kind, and every problem at file:line:key.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseConfig } from '../../src/config/load.js';
import { parseDuration } from '../../src/config/sections/vips.js';
import { HEAD, one } from './problems.js';

// HEAD is lines 1-5; `vips:` is line 6, the VIP starts on line 7.
const vip = (extra = '', candidates = `      - { name: ws1, next-hop: 10.10.0.4, check: { http: "http://10.10.0.4/" } }
      - { name: ws2, next-hop: 10.10.0.5, check: { tcp: "10.10.0.5:80" } }
`): string => `${HEAD}vips:
  - name: web
    prefix: 100.64.0.1/32
    candidates:
${candidates}${extra}`;

const Load = suite('vips');

Load('defaults: interval 200ms, timeout = interval, rise 3, fall 2, no watch, sticky, 30 s window, keep, start-wait 2 s', () => {
  const [v] = parseConfig(vip(), 't.yaml').vips;
  assert.equal(v, {
    name: 'web',
    prefix: '100.64.0.1/32',
    candidates: [
      { name: 'ws1', nextHop: '10.10.0.4', check: { kind: 'http', url: 'http://10.10.0.4/', expectStatus: 200, insecure: false } },
      { name: 'ws2', nextHop: '10.10.0.5', check: { kind: 'tcp', host: '10.10.0.5', port: 80 } },
    ],
    intervalMs: 200,
    timeoutMs: 200,
    rise: 3,
    fall: 2,
    watch: false,
    failback: { kind: 'sticky' },
    changeWindowMs: 30_000,
    allDown: 'keep',
    startWaitMs: 2000,
  });
});

Load('every key given; an exec check as a list; preferred-after; confirm', () => {
  const [v] = parseConfig(
    vip(
      `    interval: 100ms
    timeout: 80ms
    rise: 2
    fall: 1
    watch: true
    failback: { preferred-after: 1m }
    change-window: 0s
    all-down: withdraw
    start-wait: 500ms
    confirm: { http: "http://100.64.0.1/", expect-body-from: candidate-name }
`,
      `      - { name: ws1, next-hop: 10.10.0.4, check: { http: "https://10.10.0.4/health", expect-status: 204, expect-body: ok, insecure: true } }
      - { name: ws2, next-hop: 10.10.0.5, check: { tcp: "10.10.0.5:8080" } }
`,
    ),
    't.yaml',
  ).vips;
  assert.equal([v!.intervalMs, v!.timeoutMs, v!.rise, v!.fall, v!.watch, v!.changeWindowMs, v!.allDown, v!.startWaitMs], [100, 80, 2, 1, true, 0, 'withdraw', 500]);
  assert.equal(v!.failback, { kind: 'preferred-after', ms: 60_000 });
  assert.equal(v!.confirm, { url: 'http://100.64.0.1/', expectBodyFrom: 'candidate-name', insecure: false });
  assert.equal(v!.candidates[0]!.check, { kind: 'http', url: 'https://10.10.0.4/health', expectStatus: 204, expectBody: 'ok', insecure: true });
  const [e] = parseConfig(vip('', '      - { name: ws1, next-hop: 10.10.0.4, check: { exec: [/usr/local/bin/check, "--fast"] } }\n'), 't').vips;
  assert.equal(e!.candidates[0]!.check, { kind: 'exec', command: '/usr/local/bin/check', args: ['--fast'] });
});

Load('durations need a unit', () => {
  assert.equal([parseDuration('100ms'), parseDuration('2s'), parseDuration('1.5s'), parseDuration('1m'), parseDuration('100')], [100, 2000, 1500, 60_000, undefined]);
  one(vip('    interval: 100\n'), 'vips[0].interval', 12, 'expected a duration with its unit');
});

Load('problems name file:line:key', () => {
  one(vip('', '      - { name: ws1, next-hop: 10.10.0.4 }\n'), 'vips[0].candidates[0].check', 10, 'required key is missing, e.g. check:');
  one(vip('', '      - { name: ws1, next-hop: 100.64.0.1, check: { tcp: "10.10.0.4:80" } }\n'), 'vips[0].candidates[0].next-hop', 10, 'is the address of 100.64.0.1/32 itself');
  one(vip('', '      - { name: ws1, next-hop: 10.10.0.4, check: { tcp: "10.10.0.4" } }\n'), 'vips[0].candidates[0].check.tcp', 10, 'is not address:port');
  one(vip('', '      - { name: ws1, next-hop: 10.10.0.4, check: { tcp: "10.10.0.4:80", http: "http://x/" } }\n'), 'vips[0].candidates[0].check', 10, 'one check per candidate');
  one(vip('', '      - { name: ws1, next-hop: 10.10.0.4, check: { tcp: "10.10.0.4:80", expect-status: 200 } }\n'), 'vips[0].candidates[0].check.expect-status', 10, 'goes with an http check');
  one(vip('    watch: true\n', '      - { name: ws1, next-hop: 10.10.0.4, check: { exec: /bin/true } }\n'), 'vips[0].watch', 11, 'a watch needs an http or tcp check');
  one(vip('    failback: often\n'), 'vips[0].failback', 12, 'expected sticky, or {preferred-after: 60s}');
  one(vip('    all-down: panic\n'), 'vips[0].all-down', 12, 'expected keep or withdraw');
  one(vip('    rise: 0\n'), 'vips[0].rise', 12, '');
  one(`${HEAD}routes:\n  - { prefix: 100.64.0.1/32, next-hop: 10.10.0.4 }\n${vip().slice(HEAD.length)}`, 'vips[0].prefix', 10, 'is also in routes');
});

Load('overlapping VIP prefixes are refused at the second one (file:line:key); adjacent ones are accepted', () => {
  const second = (prefix: string): string => `${vip()}  - name: api
    prefix: ${prefix}
    candidates:
      - { name: ws1, next-hop: 10.10.0.4, check: { tcp: "10.10.0.4:80" } }
`;
  // The second VIP starts on line 12, its prefix on line 13.
  one(second('100.64.0.0/24'), 'vips[1].prefix', 13, 'overlaps 100.64.0.1/32, the prefix of another VIP');
  one(second('100.64.0.0/10'), 'vips[1].prefix', 13, 'overlaps 100.64.0.1/32');
  assert.equal(parseConfig(second('100.64.0.2/32'), 't.yaml').vips.map((v) => v.prefix), ['100.64.0.1/32', '100.64.0.2/32']);
  assert.equal(parseConfig(second('100.64.1.0/24'), 't.yaml').vips.map((v) => v.prefix), ['100.64.0.1/32', '100.64.1.0/24']);
});

Load('a candidate next hop inside the VIP prefix is refused; one outside it is accepted', () => {
  const wide = (nextHop: string): string => vip('', `      - { name: ws1, next-hop: ${nextHop}, check: { tcp: "10.10.0.4:80" } }\n`).replace('100.64.0.1/32', '100.64.0.0/24');
  one(wide('100.64.0.9'), 'vips[0].candidates[0].next-hop', 10, "inside the VIP's prefix 100.64.0.0/24");
  one(wide('100.64.0.255'), 'vips[0].candidates[0].next-hop', 10, "inside the VIP's prefix");
  assert.equal(parseConfig(wide('100.64.1.0'), 't.yaml').vips[0]!.candidates.map((c) => c.nextHop), ['100.64.1.0']);
});

Load.run();
