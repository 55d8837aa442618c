// Config loading: the example file, defaults, and every class of problem with its key path and line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TsbgpError } from '../../src/errors.js';
import { ConfigError, closest, loadConfig, parseConfig } from '../../src/config/load.js';
import { HEAD, one, problems } from './problems.js';
import { parseCommunity, parseLargeCommunity, validateRoute } from '../../src/routes/values.js';
import type { Config } from '../../src/config/types.js';

const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'azure-watcher.yaml');

const DEFAULT_NEIGHBOR = {
  address: '10.0.0.2',
  remoteAs: 65002,
  port: 179,
  passive: false,
  holdTime: 180,
  keepaliveTime: 60,
  sendHoldTime: 480,
  connectRetryTime: 5,
  families: ['ipv4-unicast'],
  gracefulRestart: { restartTimeSeconds: 120, notification: true },
} as const;

const Example = suite('examples/azure-watcher.yaml');

Example('loads into exactly the expected Config', async () => {
  const expected: Config = {
    routerId: '10.10.0.7',
    localAs: 65001,
    listen: { address: '0.0.0.0', port: 179 },
    neighbors: [
      {
        address: '10.10.1.4',
        remoteAs: 65515,
        port: 179,
        localAddress: '10.10.0.7',
        passive: false,
        holdTime: 180,
        keepaliveTime: 60,
        sendHoldTime: 480,
        connectRetryTime: 5,
        families: ['ipv4-unicast'],
        gracefulRestart: { restartTimeSeconds: 120, notification: true },
        description: 'Azure Route Server instance 0',
        profile: 'azure-route-server',
        maxRoutesOut: 1000,
        maxPrefixesIn: { limit: 10000, action: 'warn' },
      },
      {
        address: '10.10.1.5',
        remoteAs: 65515,
        port: 179,
        localAddress: '10.10.0.7',
        passive: false,
        holdTime: 180,
        keepaliveTime: 60,
        sendHoldTime: 480,
        connectRetryTime: 5,
        families: ['ipv4-unicast'],
        gracefulRestart: { restartTimeSeconds: 120, notification: true },
        description: 'Azure Route Server instance 1',
        profile: 'azure-route-server',
        maxRoutesOut: 1000,
        maxPrefixesIn: { limit: 10000, action: 'warn' },
      },
    ],
    routes: [{ prefix: '100.64.0.1/32', nextHop: '10.10.0.4' }],
    vips: [],
    control: { socket: '/run/tsbgp/tsbgpd.sock', mode: 0o660 },
    stateFile: '/var/lib/tsbgp/state.json',
    logLevel: 'info',
    processes: [],
  };
  assert.equal(await loadConfig(EXAMPLE), expected);
});

Example.run();

const Parse = suite('parseConfig');

Parse('a minimal file gets every default', () => {
  assert.equal(parseConfig(HEAD, 'test.yaml'), {
    routerId: '10.0.0.1',
    localAs: 65001,
    listen: { address: '0.0.0.0', port: 179 },
    neighbors: [DEFAULT_NEIGHBOR],
    routes: [],
    vips: [],
    control: { socket: '/run/tsbgp/tsbgpd.sock', mode: 0o660 },
    stateFile: '/var/lib/tsbgp/state.json',
    logLevel: 'info',
    processes: [],
  });
});

Parse('listen: false and state-file: false turn them off; 4-octet AS; every neighbor key', () => {
  const c = parseConfig(
    `router-id: 192.0.2.1
local-as: 4200000000
listen: false
state-file: false
log-level: debug
neighbors:
  - address: 2001:DB8:0:0::2
    remote-as: 4294967295
    port: 1179
    local-address: 2001:db8::1
    passive: true
    hold-time: 90
    keepalive-time: 30
    send-hold-time: 600
    connect-retry: 3600
    families: [ipv6-unicast, ipv4-unicast]
    description: lab
    graceful-restart: { restart-time: 9, notification: false }
`,
    'test.yaml',
  );
  assert.is(c.listen, null);
  assert.is(c.stateFile, null);
  assert.is(c.logLevel, 'debug');
  assert.is(c.localAs, 4200000000);
  assert.equal(c.neighbors, [
    {
      address: '2001:db8::2',
      remoteAs: 4294967295,
      port: 1179,
      localAddress: '2001:db8::1',
      passive: true,
      holdTime: 90,
      keepaliveTime: 30,
      sendHoldTime: 600,
      connectRetryTime: 3600,
      families: ['ipv6-unicast', 'ipv4-unicast'],
      description: 'lab',
      gracefulRestart: { restartTimeSeconds: 9, notification: false },
    },
  ]);
});

Parse('listen on an IPv6 address and another port', () => {
  const c = parseConfig(HEAD + 'listen:\n  address: "::"\n  port: 1179\n', 'test.yaml');
  assert.equal(c.listen, { address: '::', port: 1179 });
});

Parse('keepalive-time: a third of a short hold-time by default; ignored with hold-time 0', () => {
  assert.is(parseConfig(HEAD + '    hold-time: 9\n', 't').neighbors[0]!.keepaliveTime, 3);
  assert.is(parseConfig(HEAD + '    hold-time: 0\n', 't').neighbors[0]!.keepaliveTime, 60);
  const zero = parseConfig(HEAD + '    hold-time: 0\n    keepalive-time: 100\n', 't').neighbors[0]!;
  assert.is(zero.holdTime, 0);
  assert.is(zero.keepaliveTime, 100);
  assert.is(parseConfig(HEAD + '    hold-time: 3\n    keepalive-time: 1\n', 't').neighbors[0]!.keepaliveTime, 1);
});

Parse('control mode: octal string, unquoted 0640, 0o640, decimal', () => {
  const mode = (v: string) => parseConfig(`${HEAD}control:\n  socket: /tmp/x.sock\n  mode: ${v}\n`, 't').control;
  assert.equal(mode('"0640"'), { socket: '/tmp/x.sock', mode: 0o640 });
  assert.is(mode('"640"').mode, 0o640);
  assert.is(mode('0640').mode, 0o640);
  assert.is(mode('0o640').mode, 0o640);
  assert.is(mode('416').mode, 0o640);
});

Parse('routes: canonical prefixes and next hops, communities as numbers', () => {
  const c = parseConfig(
    `${HEAD}    families: [ipv4-unicast, ipv6-unicast]
routes:
  - prefix: 100.64.0.1/32
    next-hop: 10.10.0.4
    med: 100
    communities: ["65001:100", no-export, no-advertise, no-export-subconfed]
    large-communities: ["65001:1:2", "4294967295:0:4294967295"]
    as-path-prepend: 2
  - prefix: 2001:DB8:0::/48
    next-hop: 2001:0db8::0001
  - prefix: 192.0.2.0/24
    next-hop: 10.0.0.2
`,
    't',
  );
  assert.equal(c.routes, [
    {
      prefix: '100.64.0.1/32',
      nextHop: '10.10.0.4',
      med: 100,
      communities: [65001 * 65536 + 100, 0xffffff01, 0xffffff02, 0xffffff03],
      largeCommunities: [
        [65001, 1, 2],
        [4294967295, 0, 4294967295],
      ],
      asPathPrepend: 2,
    },
    { prefix: '2001:db8::/48', nextHop: '2001:db8::1' },
    { prefix: '192.0.2.0/24', nextHop: '10.0.0.2' },
  ]);
});

Parse('local-address: loopback, IPv4 link-local (cloud VPN tunnels) and plain unicast are accepted', () => {
  for (const la of ['127.0.0.1', '169.254.21.2', '10.0.0.9']) {
    assert.is(parseConfig(HEAD + `    local-address: ${la}\n`, 't.yaml').neighbors[0]!.localAddress, la);
  }
});

Parse('an anchor and alias are followed', () => {
  const c = parseConfig(`${HEAD}    families: &fam [ipv4-unicast, ipv6-unicast]
  - address: 10.0.0.3
    remote-as: 65003
    families: *fam
`, 't');
  assert.equal(c.neighbors[1]!.families, ['ipv4-unicast', 'ipv6-unicast']);
});

Parse.run();

const Problems = suite('parseConfig problems: key path and line');

Problems('top level: missing keys name the line of the mapping, bad values name theirs', () => {
  one('local-as: 65001\nneighbors:\n  - address: 10.0.0.2\n    remote-as: 65002\n', 'router-id', 1, 'required key is missing');
  one(HEAD.replace('10.0.0.1', '0.0.0.0'), 'router-id', 1, '0.0.0.0 is not a valid BGP identifier');
  one(HEAD.replace('router-id: 10.0.0.1', 'router-id: 2001:db8::1'), 'router-id', 1, 'is not a dotted quad');
  one(HEAD.replace('router-id: 10.0.0.1', 'router-id: 10.0.0.01'), 'router-id', 1, 'is not a dotted quad');
  one(HEAD.replace('65001', '0'), 'local-as', 2, '0 is out of range; expected 1..4294967295');
  one(HEAD.replace('65001', '4294967296'), 'local-as', 2, 'out of range');
  one(HEAD.replace('65001', '1.10'), 'local-as', 2, 'write the AS number as a plain integer: 65546');
  one(HEAD.replace('65001', '"65001"'), 'local-as', 2, 'expected an integer 1..4294967295, got the string "65001"');
  one(HEAD.replace('65001', '23456'), 'local-as', 2, 'AS_TRANS');
  one(HEAD + 'log-level: warning\n', 'log-level', 6, 'did you mean warn?');
  one(HEAD + 'state-file:\n', 'state-file', 6, 'expected a file path, or false');
  one(HEAD + 'listen: true\n', 'listen', 6, 'expected a mapping with address and port, or false');
  one(HEAD + 'listen:\n  port: 70000\n', 'listen.port', 7, '70000 is out of range; expected 1..65535');
  one(HEAD + 'listen:\n  address: 224.0.0.5\n', 'listen.address', 7, 'multicast');
});

Problems('an empty file, and a file that is not a mapping', () => {
  one('# nothing\n', '', 1, 'the file is empty');
  one('- 1\n', '', 1, 'expected a mapping');
});

Problems('unknown keys name the key and the likely intended one', () => {
  one(HEAD + 'nieghbors: []\n', 'nieghbors', 6, 'unknown key "nieghbors"; did you mean "neighbors"?');
  one(HEAD + 'routerId: 10.0.0.1\n', 'routerId', 6, 'did you mean "router-id"?');
  one(HEAD + '    hold_time: 90\n', 'neighbors[0].hold_time', 6, 'unknown key "hold_time"; did you mean "hold-time"?');
  one(HEAD + '    keepalive: 30\n', 'neighbors[0].keepalive', 6, 'did you mean "keepalive-time"?');
  one(HEAD + 'control:\n  sockt: /x\n', 'control.sockt', 7, 'did you mean "socket"?');
  one(HEAD + 'colour: blue\n', 'colour', 6, 'unknown key "colour"; expected one of router-id, local-as, listen');
});

Problems('a duplicate key names both lines', () => {
  one(HEAD + '    remote-as: 65003\n', 'neighbors[0].remote-as', 6, 'duplicate key (first at line 5)');
});

Problems('neighbors', () => {
  one(HEAD.replace(/neighbors:[^]*/, 'neighbors: []\n'), 'neighbors', 3, 'at least one neighbor is required');
  one(HEAD.replace(/neighbors:[^]*/, 'neighbors:\n  address: 10.0.0.2\n'), 'neighbors', 4, 'expected a list of neighbors');
  one(HEAD.replace('    remote-as: 65002\n', '    port: 179\n'), 'neighbors[0].remote-as', 4, 'required key is missing');
  one(HEAD.replace('10.0.0.2', '10.0.0.256'), 'neighbors[0].address', 4, '"10.0.0.256" is not an IPv4 or IPv6 address');
  one(HEAD.replace('10.0.0.2', '224.0.0.1'), 'neighbors[0].address', 4, 'multicast');
  one(HEAD + '  - address: 10.0.0.2\n    remote-as: 65003\n', 'neighbors[1].address', 6, '10.0.0.2 is already neighbors[0] (line 4)');
  one(HEAD + '  - address: 10.0.0.3\n    remote-as: 65003\n  - address: "10.0.0.3"\n    remote-as: 65004\n', 'neighbors[2].address', 8, 'already neighbors[1]');
  one(HEAD + '    port: 0\n', 'neighbors[0].port', 6, '0 is out of range; expected 1..65535');
  one(HEAD + '    local-address: 2001:db8::1\n', 'neighbors[0].local-address', 6, 'different families');
  one(HEAD + '    local-address: 0.1.2.3\n', 'neighbors[0].local-address', 6, 'in 0.0.0.0/8');
  one(HEAD + '    local-address: 240.0.0.1\n', 'neighbors[0].local-address', 6, 'class E');
  one(HEAD + '    local-address: 224.0.0.5\n', 'neighbors[0].local-address', 6, 'multicast');
  one(HEAD.replace('10.0.0.2', '2001:db8::2') + '    local-address: fe80::1\n', 'neighbors[0].local-address', 6, 'link-local');
  one(HEAD + '    passive: yes\n', 'neighbors[0].passive', 6, 'expected true or false, got the string "yes"');
  one(HEAD + '    hold-time: 2\n', 'neighbors[0].hold-time', 6, 'expected 0 (no keepalives) or 3..65535');
  one(HEAD + '    hold-time: 65536\n', 'neighbors[0].hold-time', 6, 'out of range');
  one(HEAD + '    keepalive-time: 0\n', 'neighbors[0].keepalive-time', 6, 'expected 1..21845');
  one(HEAD + '    connect-retry: 3601\n', 'neighbors[0].connect-retry', 6, 'expected 1..3600');
  one(HEAD + '    description: 42\n', 'neighbors[0].description', 6, 'expected text');
});

Problems('keepalive-time more than a third of hold-time names both keys', () => {
  one(
    HEAD + '    hold-time: 180\n    keepalive-time: 61\n',
    'neighbors[0].keepalive-time',
    7,
    'keepalive-time 61 is more than a third of hold-time 180; expected at most 60',
  );
  one(HEAD + '    keepalive-time: 70\n', 'neighbors[0].keepalive-time', 6, 'more than a third of hold-time 180');
});

Problems('families', () => {
  one(HEAD + '    families: [ipv6]\n', 'neighbors[0].families[0]', 6, 'did you mean ipv6-unicast?');
  one(HEAD + '    families: [ipv4-unicast, ipv4-unicast]\n', 'neighbors[0].families[1]', 6, 'ipv4-unicast is listed twice');
  one(HEAD + '    families: []\n', 'neighbors[0].families', 6, 'at least one family');
  one(HEAD + '    families: ipv4-unicast\n', 'neighbors[0].families', 6, 'expected a list of families');
});

Problems('routes', () => {
  const route = (lines: string) => `${HEAD}routes:\n  - prefix: 100.64.0.1/32\n    next-hop: 10.10.0.4\n${lines}`;
  // Lines: 6 routes, 7 prefix, 8 next-hop, 9 first added line.
  one(
    `${HEAD}routes:\n  - prefix: 100.64.0.1/24\n    next-hop: 10.10.0.4\n`,
    'routes[0].prefix',
    7,
    '100.64.0.1/24 has host bits set; did you mean 100.64.0.0/24?',
  );
  one(`${HEAD}routes:\n  - prefix: 100.64.0.1\n    next-hop: 10.10.0.4\n`, 'routes[0].prefix', 7, 'has no prefix length; expected address/length, e.g. 100.64.0.1/32');
  one(`${HEAD}routes:\n  - prefix: 100.64.0.0/33\n    next-hop: 10.10.0.4\n`, 'routes[0].prefix', 7, 'bad prefix length "33"; expected 0..32');
  one(`${HEAD}routes:\n  - next-hop: 10.10.0.4\n`, 'routes[0].prefix', 7, 'required key is missing');
  one(`${HEAD}routes:\n  - prefix: 100.64.0.1/32\n`, 'routes[0].next-hop', 7, 'required key is missing');
  one(route('').replace('10.10.0.4', '2001:db8::4'), 'routes[0].next-hop', 8, 'next hop 2001:db8::4 is IPv6 but 100.64.0.1/32 is IPv4');
  one(route('').replace('10.10.0.4', '0.0.0.0'), 'routes[0].next-hop', 8, 'in 0.0.0.0/8');
  one(route('').replace('10.10.0.4', '239.1.1.1'), 'routes[0].next-hop', 8, 'multicast');
  one(route('').replace('10.10.0.4', '255.255.255.255'), 'routes[0].next-hop', 8, 'broadcast');
  one(route('    med: 4294967296\n'), 'routes[0].med', 9, 'expected 0..4294967295');
  one(route('    as-path-prepend: 11\n'), 'routes[0].as-path-prepend', 9, 'expected 0..10');
  one(route('    communities: ["65001:100", "65536:1"]\n'), 'routes[0].communities[1]', 9, 'community "65536:1" is not valid; expected A:B');
  one(route('    communities: [no-exports]\n'), 'routes[0].communities[0]', 9, 'no-export, no-advertise, no-export-subconfed');
  one(route('    large-communities: ["1:2"]\n'), 'routes[0].large-communities[0]', 9, 'large community "1:2" is not valid; expected A:B:C');
  one(route('    colour: red\n'), 'routes[0].colour', 9, 'unknown key "colour"');
  one(
    route('  - prefix: 100.64.0.1/32\n    next-hop: 10.10.0.5\n'),
    'routes[1].prefix',
    9,
    '100.64.0.1/32 is already routes[0] (line 7)',
  );
});

Problems('a route whose family no neighbor has names the prefix and the family', () => {
  one(`${HEAD}routes:\n  - prefix: 2001:db8::/48\n    next-hop: 2001:db8::1\n`, 'routes[0].prefix', 7, '2001:db8::/48 is ipv6-unicast but no neighbor has ipv6-unicast');
  one(`${HEAD}    families: [ipv6-unicast]\nroutes:\n  - prefix: 10.0.0.0/8\n    next-hop: 10.0.0.1\n`, 'routes[0].prefix', 8, 'no neighbor has ipv4-unicast');
});

Problems('control', () => {
  one(HEAD + 'control:\n  mode: "0999"\n', 'control.mode', 7, 'is not a file mode');
  one(HEAD + 'control:\n  mode: 660\n', 'control.mode', 7, '660 is not a file mode; expected octal such as "0660"');
  one(HEAD + `control:\n  socket: /${'x'.repeat(107)}\n`, 'control.socket', 7, 'at most 107');
  one(HEAD + 'control: /run/x.sock\n', 'control', 6, 'expected a mapping with socket and mode');
});

Problems('several problems at once: all reported, in file order, one FILE:LINE: KEY: problem line each', () => {
  const text = `router-id: 0.0.0.0
local-as: 65001
neighbors:
  - address: 10.0.0.2
    remote-as: 65002
    hold-time: 2
    holdtime: 90
routes:
  - prefix: 100.64.0.1/24
    next-hop: 224.0.0.1
log-level: loud
`;
  let error: unknown;
  try {
    parseConfig(text, '/etc/tsbgp/tsbgpd.yaml');
  } catch (e) {
    error = e;
  }
  assert.instance(error, ConfigError);
  assert.instance(error, TsbgpError);
  const e = error as ConfigError;
  assert.is(e.code, 'TSBGP_ERR_CONFIG');
  assert.is(e.file, '/etc/tsbgp/tsbgpd.yaml');
  assert.equal(
    e.problems.map((p) => [p.line, p.path]),
    [
      [1, 'router-id'],
      [6, 'neighbors[0].hold-time'],
      [7, 'neighbors[0].holdtime'],
      [9, 'routes[0].prefix'],
      [10, 'routes[0].next-hop'],
      [11, 'log-level'],
    ],
  );
  const lines = e.message.split('\n');
  assert.is(lines.length, 6);
  assert.is(lines[0], '/etc/tsbgp/tsbgpd.yaml:1: router-id: 0.0.0.0 is not a valid BGP identifier (RFC 6286); use an address of this host');
  assert.is(lines[2], '/etc/tsbgp/tsbgpd.yaml:7: neighbors[0].holdtime: unknown key "holdtime"; did you mean "hold-time"?');
  assert.is(lines[3], '/etc/tsbgp/tsbgpd.yaml:9: routes[0].prefix: 100.64.0.1/24 has host bits set; did you mean 100.64.0.0/24?');
});

Problems('a YAML syntax error names its line and the key before it', () => {
  const got = problems(`${HEAD}routes:\n  - prefix: [100.64.0.1/32\n    next-hop: 10.10.0.4\nlog-level: info\n`);
  assert.ok(got.length >= 1);
  assert.is(got[0]!.path, 'routes[0].prefix');
  assert.ok(got[0]!.message.startsWith('YAML syntax error'), got[0]!.message);
  assert.ok(got.every((p) => p.line !== undefined && p.line >= 7 && p.line <= 9), JSON.stringify(got));
  const tab = problems(`${HEAD}\thold-time: 90\n`);
  assert.is(tab[0]!.line, 6);
  assert.ok(tab[0]!.message.includes('Tabs'), tab[0]!.message);
  const dupDoc = problems(`${HEAD}---\nrouter-id: 10.0.0.9\n`);
  assert.is(dupDoc[0]!.line, 6);
});

Problems.run();

const Load = suite('loadConfig');

Load('a missing or unreadable file: one problem naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbgp-config-'));
  try {
    const missing = join(dir, 'nope.yaml');
    try {
      await loadConfig(missing);
      assert.unreachable('should throw');
    } catch (e) {
      assert.instance(e, ConfigError);
      assert.is((e as ConfigError).message, `${missing}: cannot read the configuration file: it does not exist`);
    }
    try {
      await loadConfig(dir);
      assert.unreachable('should throw');
    } catch (e) {
      assert.is((e as ConfigError).message, `${dir}: cannot read the configuration file: it is a directory`);
    }
    const file = join(dir, 'tsbgpd.yaml');
    writeFileSync(file, HEAD + '    hold-time: 1\n');
    try {
      await loadConfig(file);
      assert.unreachable('should throw');
    } catch (e) {
      assert.ok((e as ConfigError).message.startsWith(`${file}:6: neighbors[0].hold-time: `), (e as Error).message);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Load.run();

const Route = suite('validateRoute');

/** The TsbgpError code and message validateRoute throws for `input`. */
function routeError(input: Parameters<typeof validateRoute>[0]): { code: string; message: string } {
  try {
    validateRoute(input);
  } catch (e) {
    if (e instanceof TsbgpError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error(`validateRoute accepted ${JSON.stringify(input)}`);
}

Route('canonical prefix and next hop; every option converted', () => {
  assert.equal(
    validateRoute({
      prefix: '2001:DB8:0:0::/32',
      nextHop: '2001:db8:0:0:0:0:0:5',
      med: 0,
      communities: ['1:2', 'no-export'],
      largeCommunities: ['1:2:3'],
      asPathPrepend: 0,
    }),
    { prefix: '2001:db8::/32', nextHop: '2001:db8::5', med: 0, communities: [65538, 0xffffff01], largeCommunities: [[1, 2, 3]], asPathPrepend: 0 },
  );
  assert.equal(validateRoute({ prefix: '100.64.0.1/32', nextHop: '10.10.0.5' }), { prefix: '100.64.0.1/32', nextHop: '10.10.0.5' });
  assert.equal(validateRoute({ prefix: '0.0.0.0/0', nextHop: '10.0.0.3' }), { prefix: '0.0.0.0/0', nextHop: '10.0.0.3' });
});

Route('bad prefixes: TSBGP_ERR_BAD_PREFIX with what was meant', () => {
  assert.equal(routeError({ prefix: '100.64.0.1/24', nextHop: '10.0.0.1' }), {
    code: 'TSBGP_ERR_BAD_PREFIX',
    message: '100.64.0.1/24 has host bits set; did you mean 100.64.0.0/24?',
  });
  assert.equal(routeError({ prefix: '2001:db8::1/32', nextHop: '2001:db8::2' }).message, '2001:db8::1/32 has host bits set; did you mean 2001:db8::/32?');
  assert.is(routeError({ prefix: 'vip', nextHop: '10.0.0.1' }).code, 'TSBGP_ERR_BAD_PREFIX');
  assert.is(routeError({ prefix: '2001:db8::/129', nextHop: '2001:db8::1' }).message, '"2001:db8::/129" has a bad prefix length "129"; expected 0..128 for IPv6');
  assert.is(routeError({ prefix: '10.0.0.0/x', nextHop: '10.0.0.1' }).code, 'TSBGP_ERR_BAD_PREFIX');
});

Route('bad next hops: TSBGP_ERR_BAD_NEXT_HOP', () => {
  const bad = ['0.0.0.0', '0.1.2.3', '127.0.0.1', '127.255.255.254', '169.254.0.1', '224.0.0.1', '239.255.255.255', '240.0.0.1', '255.255.255.255', '100.64.0.1', 'ws2', '10.0.0'];
  for (const nextHop of bad) assert.is(routeError({ prefix: '100.64.0.1/32', nextHop }).code, 'TSBGP_ERR_BAD_NEXT_HOP', nextHop);
  for (const nextHop of ['::', '::1', 'fe80::1', 'febf::1', 'ff02::1', 'ff00::']) assert.is(routeError({ prefix: '2001:db8::/48', nextHop }).code, 'TSBGP_ERR_BAD_NEXT_HOP', nextHop);
  assert.is(routeError({ prefix: '2001:db8::5/128', nextHop: '2001:db8::5' }).code, 'TSBGP_ERR_BAD_NEXT_HOP');
  assert.is(routeError({ prefix: '100.64.0.1/32', nextHop: '127.0.0.2' }).message, 'next hop 127.0.0.2 is a loopback address (127.0.0.0/8); expected a unicast address another host can forward to');
  assert.is(routeError({ prefix: '100.64.0.1/32', nextHop: '100.64.0.1' }).message, 'next hop 100.64.0.1 is the address of 100.64.0.1/32 itself; expected the address of the server behind it');
  assert.is(
    routeError({ prefix: '2001:db8::/48', nextHop: '10.0.0.1' }).message,
    'next hop 10.0.0.1 is IPv4 but 2001:db8::/48 is IPv6; expected an IPv6 next hop',
  );
  // Just outside the refused ranges.
  assert.is(validateRoute({ prefix: '100.64.0.1/32', nextHop: '223.255.255.255' }).nextHop, '223.255.255.255');
  for (const nextHop of ['1.0.0.0', '126.255.255.255', '128.0.0.0', '169.253.255.255', '169.255.0.0', '100.64.0.2']) {
    assert.is(validateRoute({ prefix: '100.64.0.1/32', nextHop }).nextHop, nextHop);
  }
  assert.is(validateRoute({ prefix: '2001:db8::/48', nextHop: 'fec0::1' }).nextHop, 'fec0::1');
  assert.is(validateRoute({ prefix: '2001:db8::/48', nextHop: '2001:db8::1' }).nextHop, '2001:db8::1');
});

Route('bad options: TSBGP_ERR_BAD_ARGUMENT saying what is expected', () => {
  assert.equal(routeError({ prefix: '100.64.0.1/32', nextHop: '10.0.0.1', med: -1 }), {
    code: 'TSBGP_ERR_BAD_ARGUMENT',
    message: 'med -1 is not valid; expected an integer 0..4294967295',
  });
  assert.is(routeError({ prefix: '100.64.0.1/32', nextHop: '10.0.0.1', asPathPrepend: 1.5 }).message, 'as-path-prepend 1.5 is not valid; expected an integer 0..10');
  assert.is(routeError({ prefix: '100.64.0.1/32', nextHop: '10.0.0.1', communities: ['1:2:3'] }).code, 'TSBGP_ERR_BAD_ARGUMENT');
  assert.is(routeError({ prefix: '100.64.0.1/32', nextHop: '10.0.0.1', largeCommunities: ['1:2'] }).code, 'TSBGP_ERR_BAD_ARGUMENT');
  // What the control API may hand over from JSON.
  const fromJson = JSON.parse('{"prefix":"100.64.0.1/32","nextHop":"10.0.0.1","communities":"1:2"}') as Parameters<typeof validateRoute>[0];
  assert.is(routeError(fromJson).message, 'communities must be a list of strings, e.g. ["65001:100"]');
  assert.is(routeError({ prefix: 5, nextHop: '10.0.0.1' } as unknown as Parameters<typeof validateRoute>[0]).code, 'TSBGP_ERR_BAD_PREFIX');
});

Route.run();

const Community = suite('parseCommunity');

Community('A:B and the well-known names', () => {
  assert.is(parseCommunity('65001:100'), 0xfde90064);
  assert.is(parseCommunity('0:0'), 0);
  assert.is(parseCommunity('65535:65535'), 0xffffffff);
  assert.is(parseCommunity('no-export'), 0xffffff01);
  assert.is(parseCommunity('no-advertise'), 0xffffff02);
  assert.is(parseCommunity('no-export-subconfed'), 0xffffff03);
});

Community('refuses everything else with TSBGP_ERR_BAD_ARGUMENT', () => {
  for (const text of ['65536:0', '1:65536', '1', '1:2:3', ':1', '1:', '-1:2', 'NO_EXPORT', 'constructor', '4294967295', '']) {
    try {
      parseCommunity(text);
      assert.unreachable(text);
    } catch (e) {
      assert.instance(e, TsbgpError, text);
      assert.is((e as TsbgpError).code, 'TSBGP_ERR_BAD_ARGUMENT', text);
    }
  }
});

Community.run();

const Large = suite('parseLargeCommunity');

Large('three 32-bit numbers', () => {
  assert.equal(parseLargeCommunity('65001:1:2'), [65001, 1, 2]);
  assert.equal(parseLargeCommunity('4294967295:4294967295:0'), [4294967295, 4294967295, 0]);
  for (const text of ['1:2', '1:2:3:4', '4294967296:0:0', 'a:b:c', '1::2']) {
    try {
      parseLargeCommunity(text);
      assert.unreachable(text);
    } catch (e) {
      assert.is((e as TsbgpError).code, 'TSBGP_ERR_BAD_ARGUMENT', text);
      assert.ok((e as TsbgpError).message.includes('expected A:B:C'), text);
    }
  }
});

Large.run();

const Closest = suite('closest');

Closest('case styles, prefixes, near spellings; nothing when far', () => {
  const keys = ['router-id', 'local-as', 'neighbors', 'hold-time', 'keepalive-time'];
  assert.is(closest('routerId', keys), 'router-id');
  assert.is(closest('LOCAL_AS', keys), 'local-as');
  assert.is(closest('neighbours', keys), 'neighbors');
  assert.is(closest('nieghbors', keys), 'neighbors');
  assert.is(closest('keepalive', keys), 'keepalive-time');
  assert.is(closest('colour', keys), undefined);
  assert.is(closest('xy', keys), undefined);
});

Closest.run();
