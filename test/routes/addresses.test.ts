// ip-num behind the route validator: the special ranges at their edges, containment, overlap, and that the decode path never loads it.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { prefixHolds, prefixesOverlap } from '../../src/routes/addresses.js';
import { TsbgpErrorCode } from '../../src/errors.js';
import { badLocalAddressReason, badNextHopReason, parseAddress, parseNextHop } from '../../src/routes/values.js';

const addr = (t: string) => parseAddress(t)!;

const Ranges = suite('special ranges, as ranges');

Ranges('next hop: each refused range refuses its first and last address and accepts its neighbours', () => {
  const refused = ['0.0.0.0', '0.255.255.255', '127.0.0.1', '127.255.255.255', '169.254.0.0', '169.254.255.255', '224.0.0.0', '239.255.255.255', '240.0.0.0', '255.255.255.254', '255.255.255.255', '::', '::1', 'fe80::', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'ff00::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff'];
  for (const t of refused) assert.ok(badNextHopReason(addr(t)), `${t} should be refused`);
  const accepted = ['1.0.0.0', '126.255.255.255', '128.0.0.0', '169.253.255.255', '169.255.0.0', '223.255.255.255', '10.10.0.4', '::2', 'fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fec0::', 'feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '2001:db8::5'];
  for (const t of accepted) assert.is(badNextHopReason(addr(t)), null, `${t} should be accepted`);
});

Ranges('next hop: the reason names the range; a refusal is TSBGP_ERR_BAD_NEXT_HOP', () => {
  assert.match(badNextHopReason(addr('239.1.2.3'))!, 'multicast');
  assert.match(badNextHopReason(addr('250.0.0.1'))!, 'class E');
  assert.match(badNextHopReason(addr('fe80::1'))!, 'link-local');
  assert.throws(() => parseNextHop('0.1.2.3', undefined, '100.64.0.1/32'), (e: { code?: string }) => e.code === TsbgpErrorCode.BAD_NEXT_HOP);
  assert.is(parseNextHop('10.10.0.4', undefined, '100.64.0.1/32'), '10.10.0.4');
});

Ranges('local-address: 0/8, class E, multicast, broadcast, IPv6 link-local refused; loopback, IPv4 link-local, unicast accepted', () => {
  for (const t of ['0.1.2.3', '240.0.0.1', '224.0.0.5', '255.255.255.255', '::', 'fe80::1', 'ff02::1']) assert.ok(badLocalAddressReason(addr(t)), `${t} should be refused`);
  for (const t of ['127.0.0.1', '169.254.10.1', '10.10.0.7', '2001:db8::7', '::1']) assert.is(badLocalAddressReason(addr(t)), null, `${t} should be accepted`);
});

const Prefixes = suite('containment and overlap');

Prefixes('prefixHolds: first and last address in, one past either edge out, other family out', () => {
  assert.ok(prefixHolds('100.64.0.0/24', addr('100.64.0.0')));
  assert.ok(prefixHolds('100.64.0.0/24', addr('100.64.0.255')));
  assert.not.ok(prefixHolds('100.64.0.0/24', addr('100.63.255.255')));
  assert.not.ok(prefixHolds('100.64.0.0/24', addr('100.64.1.0')));
  assert.ok(prefixHolds('2001:db8::/48', addr('2001:db8:0:ffff::1')));
  assert.not.ok(prefixHolds('2001:db8::/48', addr('2001:db8:1::')));
  assert.not.ok(prefixHolds('0.0.0.0/0', addr('::1')));
});

Prefixes('prefixesOverlap: equal, nested either way, adjacent, disjoint, across families', () => {
  assert.ok(prefixesOverlap('100.64.0.0/24', '100.64.0.0/24'));
  assert.ok(prefixesOverlap('100.64.0.0/24', '100.64.0.7/32'));
  assert.ok(prefixesOverlap('100.64.0.7/32', '100.64.0.0/16'));
  assert.not.ok(prefixesOverlap('100.64.0.0/24', '100.64.1.0/24'));
  assert.not.ok(prefixesOverlap('100.64.0.1/32', '100.64.0.2/32'));
  assert.ok(prefixesOverlap('2001:db8::/32', '2001:db8:5::/48'));
  assert.not.ok(prefixesOverlap('2001:db8::/32', '2001:db9::/32'));
  assert.not.ok(prefixesOverlap('0.0.0.0/0', '::/0'));
});

const Loading = suite('who loads ip-num');

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Import the modules in a fresh node and answer whether ip-num's entry is in the CommonJS cache. */
function loadsIpNum(modules: string[]): boolean {
  const imports = modules.map((m) => `await import(${JSON.stringify(join(DIST, m))});`).join('');
  const script = `${imports}const { createRequire } = await import('node:module');const r = createRequire(import.meta.url);console.log(JSON.stringify(Object.keys(r.cache).some((k) => k.includes('/node_modules/ip-num/'))));`;
  const out = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  assert.is(out.status, 0, out.stderr);
  return JSON.parse(out.stdout.trim()) as boolean;
}

Loading('the decode path (messages, framer, FSM, session) does not load it', () => {
  assert.is(loadsIpNum(['src/bgp/messages/index.js', 'src/bgp/messages/framer.js', 'src/bgp/fsm/fsm.js', 'src/bgp/fsm/session.js', 'src/bgp/fsm/receive.js']), false);
});

Loading('the route validator does (so the check above can see it)', () => {
  assert.is(loadsIpNum(['src/routes/values.js']), true);
});

Loading('only src/routes/addresses.ts names ip-num, and as a type import (the value comes through createRequire)', () => {
  const src = join(DIST, '..', 'src');
  const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.ts'));
  const naming = files.filter((f) => readFileSync(join(src, f), 'utf8').includes("'ip-num'"));
  assert.equal(naming, ['routes/addresses.ts']);
  const text = readFileSync(join(src, 'routes/addresses.ts'), 'utf8');
  assert.equal(text.match(/^import .*'ip-num';$/gm), ["import type * as IpNum from 'ip-num';"]);
  assert.ok(text.includes("createRequire(import.meta.url)('ip-num')"));
});

Ranges.run();
Prefixes.run();
Loading.run();
