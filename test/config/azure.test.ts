// The azure-route-server profile and the route limits: each rule accepted and refused, at file:line:key.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { formatProblem, parseConfig } from '../../src/config/load.js';
import { configError, one, problems } from './problems.js';

/** Lines 1-2 the top, 3 `neighbors:`, the profile's neighbor from line 4 (profile on line 5); `extra` from line 6. */
const azure = (o: { localAs?: number | string; extra?: string; tail?: string } = {}): string => `router-id: 10.10.0.7
local-as: ${o.localAs ?? 65001}
neighbors:
  - address: 10.10.1.4
    profile: azure-route-server
${o.extra ?? ''}${o.tail ?? ''}`;

const Profile = suite('profile: azure-route-server');

Profile('remote-as defaults to 65515, families to IPv4, max-routes-out to 1000; no max-prefixes-in', () => {
  const [n] = parseConfig(azure(), 't.yaml').neighbors;
  assert.is(n!.remoteAs, 65515);
  assert.equal(n!.families, ['ipv4-unicast']);
  assert.is(n!.profile, 'azure-route-server');
  assert.is(n!.maxRoutesOut, 1000);
  assert.is(n!.maxPrefixesIn, undefined);
});

Profile('an explicit remote-as 65515, ipv4-unicast and a raised max-routes-out are accepted', () => {
  const [n] = parseConfig(azure({ extra: '    remote-as: 65515\n    families: [ipv4-unicast]\n    max-routes-out: 4000\n' }), 't.yaml').neighbors;
  assert.equal([n!.remoteAs, n!.families, n!.maxRoutesOut], [65515, ['ipv4-unicast'], 4000]);
});

Profile('rule "remote AS 65515": another remote-as is refused at its line', () => {
  one(azure({ extra: '    remote-as: 65516\n' }), 'neighbors[0].remote-as', 6, 'azure-route-server rule "remote AS 65515": Azure Route Server is always AS 65515, not 65516');
});

Profile('without the profile remote-as is still required', () => {
  one('router-id: 10.10.0.7\nlocal-as: 65001\nneighbors:\n  - address: 10.10.1.4\n', 'neighbors[0].remote-as', 4, 'required key is missing');
});

Profile('rule "IPv4 only": ipv6-unicast is refused at its item', () => {
  one(azure({ extra: '    families: [ipv4-unicast, ipv6-unicast]\n' }), 'neighbors[0].families[1]', 6, 'azure-route-server rule "IPv4 only": Azure Route Server does not support IPv6');
  one(azure({ extra: '    families:\n      - ipv6-unicast\n' }), 'neighbors[0].families[0]', 7, 'rule "IPv4 only"');
});

Profile('ipv6-unicast on a neighbor without the profile is fine beside one with it', () => {
  const c = parseConfig(azure({ tail: '  - address: 2001:db8::2\n    remote-as: 65002\n    families: [ipv6-unicast]\n' }), 't.yaml');
  assert.equal(c.neighbors.map((n) => n.families), [['ipv4-unicast'], ['ipv6-unicast']]);
});

Profile('rule "peer AS not reserved": every reserved range refused at local-as, naming the neighbor and its line', () => {
  for (const asn of [8074, 8075, 12076, 23456, 64496, 64511, 65515, 65517, 65520, 65535, 65540, 65551]) {
    const got = problems(azure({ localAs: asn }));
    // 23456 is AS_TRANS, refused for any neighbor before the profile is looked at.
    const text = asn === 23456 ? 'AS_TRANS' : `azure-route-server rule "peer AS not reserved" (neighbors[0], line 5): Azure refuses a peer AS of 8074, 8075, 12076, 65515, 65517-65520, 23456, 64496-64511, 65535-65551; ${asn} is one`;
    assert.is(got.length, 1, `${asn}: ${JSON.stringify(got)}`);
    assert.equal([got[0]!.path, got[0]!.line], ['local-as', 2], String(asn));
    assert.ok(got[0]!.message.includes(text), `${asn}: ${got[0]!.message}`);
  }
});

Profile('the ASNs right next to the reserved ranges are accepted', () => {
  for (const asn of [8073, 8076, 12075, 12077, 23455, 23457, 64495, 64512, 65514, 65516, 65521, 65534]) {
    assert.is(parseConfig(azure({ localAs: asn }), 't.yaml').localAs, asn);
  }
});

Profile('rule "2-octet peer AS": a 4-octet local AS is refused at local-as', () => {
  one(azure({ localAs: 65552 }), 'local-as', 2, 'azure-route-server rule "2-octet peer AS" (neighbors[0], line 5): Azure accepts only 2-octet peer AS numbers (1..65534); 65552 is a 4-octet one');
  one(azure({ localAs: 4200000000 }), 'local-as', 2, '4200000000 is a 4-octet one');
});

Profile('the same local AS is fine without the profile (reserved or 4-octet)', () => {
  for (const asn of [65515, 4200000000]) {
    const c = parseConfig(`router-id: 10.10.0.7\nlocal-as: ${asn}\nneighbors:\n  - address: 10.10.1.4\n    remote-as: 65002\n`, 't.yaml');
    assert.is(c.localAs, asn);
  }
});

Profile('rule "route limit": max-routes-out above 4000 is refused under the profile, not without it', () => {
  one(azure({ extra: '    max-routes-out: 4001\n' }), 'neighbors[0].max-routes-out', 6, 'azure-route-server rule "route limit": Azure Route Server takes at most 1000 routes per peer (4000 by support request), not 4001');
  const c = parseConfig('router-id: 10.10.0.7\nlocal-as: 65001\nneighbors:\n  - address: 10.10.1.4\n    remote-as: 65002\n    max-routes-out: 4001\n', 't.yaml');
  assert.is(c.neighbors[0]!.maxRoutesOut, 4001);
});

Profile('an unknown profile: did you mean', () => {
  one(azure().replace('profile: azure-route-server', 'profile: azure-routeserver'), 'neighbors[0].profile', 5, 'did you mean azure-route-server?');
});

Profile('every problem at once, formatted FILE:LINE: KEY: rule', () => {
  const e = configError(azure({ localAs: 65515, extra: '    remote-as: 65001\n    families: [ipv6-unicast]\n' }), 'watcher.yaml');
  assert.equal(
    e.problems.map((p) => formatProblem('watcher.yaml', p).split(':').slice(0, 4).join(':')),
    ['watcher.yaml:2: local-as: azure-route-server rule "peer AS not reserved" (neighbors[0], line 5)', 'watcher.yaml:6: neighbors[0].remote-as: azure-route-server rule "remote AS 65515"', 'watcher.yaml:7: neighbors[0].families[0]: azure-route-server rule "IPv4 only"'],
  );
});

Profile('the identical-sessions rule: two profile neighbors get the same remote AS and families whatever is written', () => {
  const c = parseConfig(azure({ tail: '  - address: 10.10.1.5\n    profile: azure-route-server\n' }), 't.yaml');
  const [a, b] = c.neighbors;
  assert.equal([a!.remoteAs, a!.families, a!.maxRoutesOut], [b!.remoteAs, b!.families, b!.maxRoutesOut]);
  // What could make them differ is refused: another remote AS or family on the second.
  one(azure({ tail: '  - address: 10.10.1.5\n    profile: azure-route-server\n    remote-as: 65000\n' }), 'neighbors[1].remote-as', 8, 'rule "remote AS 65515"');
});

Profile.run();

const Limits = suite('max-routes-out and max-prefixes-in');

const plain = (extra: string, tail = ''): string => `router-id: 10.10.0.7
local-as: 65001
neighbors:
  - address: 10.10.1.4
    remote-as: 65002
${extra}${tail}`;

Limits('absent: unlimited; given: kept', () => {
  assert.equal(parseConfig(plain(''), 't').neighbors[0]!.maxRoutesOut, undefined);
  assert.equal(parseConfig(plain('    max-routes-out: 2\n'), 't').neighbors[0]!.maxRoutesOut, 2);
});

Limits('max-routes-out below 2 (nothing could be held) is refused', () => {
  one(plain('    max-routes-out: 1\n'), 'neighbors[0].max-routes-out', 6, '1 is out of range; expected 2..10000000');
});

Limits('max-prefixes-in: N is cease; a mapping takes limit and action', () => {
  assert.equal(parseConfig(plain('    max-prefixes-in: 100\n'), 't').neighbors[0]!.maxPrefixesIn, { limit: 100, action: 'cease' });
  assert.equal(parseConfig(plain('    max-prefixes-in: { limit: 5, action: warn }\n'), 't').neighbors[0]!.maxPrefixesIn, { limit: 5, action: 'warn' });
  assert.equal(parseConfig(plain('    max-prefixes-in: { limit: 4294967295 }\n'), 't').neighbors[0]!.maxPrefixesIn, { limit: 4294967295, action: 'cease' });
});

Limits('max-prefixes-in problems at their keys', () => {
  one(plain('    max-prefixes-in: 0\n'), 'neighbors[0].max-prefixes-in', 6, '0 is out of range; expected 1..4294967295');
  one(plain('    max-prefixes-in: { limit: 5, action: drop }\n'), 'neighbors[0].max-prefixes-in.action', 6, 'is not an action; expected cease or warn');
  one(plain('    max-prefixes-in: { limit: 5, action: wran }\n'), 'neighbors[0].max-prefixes-in.action', 6, 'did you mean warn?');
  one(plain('    max-prefixes-in: { action: warn }\n'), 'neighbors[0].max-prefixes-in.limit', 6, 'required key is missing');
  one(plain('    max-prefixes-in: [5]\n'), 'neighbors[0].max-prefixes-in', 6, 'expected a number, or a mapping { limit: N, action: cease|warn }');
});

/** `count` routes 100.64.0.i/32 (lines after `routes:`). */
const routes = (count: number): string =>
  'routes:\n' + Array.from({ length: count }, (_, i) => `  - { prefix: 100.64.${i >> 8}.${i & 255}/32, next-hop: 10.10.0.4 }\n`).join('');

Limits('the file\'s routes must fit in limit - 1: limit - 1 accepted, limit and limit + 1 refused at max-routes-out', () => {
  assert.is(parseConfig(plain('    max-routes-out: 5\n', routes(4)), 't').routes.length, 4);
  for (const n of [5, 6]) {
    one(plain('    max-routes-out: 5\n', routes(n)), 'neighbors[0].max-routes-out', 6, `routes and vips send ${n} prefixes to 10.10.1.4; max-routes-out 5 leaves room for 4`);
  }
});

Limits('under the profile the default 1000 holds 999 routes; the 1000th is refused at the profile line', () => {
  assert.is(parseConfig(azure({ tail: routes(999) }), 't').routes.length, 999);
  one(azure({ tail: routes(1000) }), 'neighbors[0].profile', 5, 'max-routes-out 1000 leaves room for 999');
});

Limits('VIPs count too, and routes of a family the neighbor does not carry do not', () => {
  const vips = 'vips:\n  - name: web\n    prefix: 100.64.9.1/32\n    candidates:\n      - { name: ws1, next-hop: 10.10.0.4, check: { tcp: "10.10.0.4:80" } }\n';
  one(plain('    max-routes-out: 3\n', routes(2) + vips), 'neighbors[0].max-routes-out', 6, 'routes and vips send 3 prefixes');
  const v6 = '  - address: 2001:db8::2\n    remote-as: 65002\n    families: [ipv6-unicast]\n';
  const six = 'routes:\n  - { prefix: "2001:db8:1::/48", next-hop: "2001:db8::4" }\n  - { prefix: "2001:db8:2::/48", next-hop: "2001:db8::4" }\n  - { prefix: 100.64.0.1/32, next-hop: 10.10.0.4 }\n';
  assert.is(parseConfig(plain('    max-routes-out: 2\n', v6 + six), 't').routes.length, 3);
});

Limits.run();
