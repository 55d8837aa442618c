// The ExaBGP 4.2 text grammar: every form, valid and invalid, with the token and column a bad line is blamed on.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type ExaCommand, parseExaLine, tokenize } from '../../src/exabgp/grammar.js';

function ok(line: string): ExaCommand {
  const r = parseExaLine(line);
  if (!r.ok) throw new Error(`${line}: ${r.error.message}`);
  return r.command;
}

function bad(line: string, token: string, position: number, reason: RegExp): void {
  const r = parseExaLine(line);
  assert.not.ok(r.ok, `${line} should be refused`);
  if (r.ok) return;
  assert.is(r.error.token, token, `${line}: token`);
  assert.is(r.error.position, position, `${line}: position`);
  assert.match(r.error.reason, reason, `${line}: reason`);
}

const Tokens = suite('tokenize');
Tokens('brackets and commas are words of their own, with 1-based columns', () => {
  assert.equal(tokenize('community [65000:1,65000:2]'), [
    { text: 'community', column: 1 },
    { text: '[', column: 11 },
    { text: '65000:1', column: 12 },
    { text: ',', column: 19 },
    { text: '65000:2', column: 20 },
    { text: ']', column: 27 },
  ]);
});
Tokens.run();

const Route = suite('announce route');
Route('the reference setup line', () => {
  assert.equal(ok('announce route 100.64.0.1/32 next-hop 10.10.0.5'), { kind: 'announce', form: 'route', prefixes: ['100.64.0.1/32'], attributes: { nextHop: '10.10.0.5' } });
});
Route('every attribute, bracketed lists, case and extra spaces', () => {
  const c = ok('  ANNOUNCE Route 100.64.0.0/24   next-hop 10.10.0.5 med 100 local-preference 200 origin IGP as-path [ 65001 65001 ] community [ 65000:1 65000:2 no-export ] large-community [ 65000:1:2 ] extended-community [ target:65000:1 ]');
  assert.equal(c, {
    kind: 'announce',
    form: 'route',
    prefixes: ['100.64.0.0/24'],
    attributes: {
      nextHop: '10.10.0.5',
      med: 100,
      localPref: 200,
      origin: 'igp',
      asPath: [65001, 65001],
      communities: ['65000:1', '65000:2', 'no-export'],
      largeCommunities: ['65000:1:2'],
      extendedCommunities: ['target:65000:1'],
    },
  });
});
Route('single values without brackets, as ExaBGP accepts them; a numeric community; a host address without length', () => {
  const c = ok('announce route 100.64.0.1 next-hop 10.10.0.5 community 65000:1 large-community 1:2:3 as-path 65001 extended-community origin:10.0.0.1:7');
  assert.equal(c.kind === 'announce' && c.prefixes, ['100.64.0.1/32']);
  assert.equal(c.kind === 'announce' && c.attributes, { nextHop: '10.10.0.5', communities: ['65000:1'], largeCommunities: ['1:2:3'], asPath: [65001], extendedCommunities: ['origin:10.0.0.1:7'] });
  const n = ok('announce route 100.64.0.1/32 next-hop 10.10.0.5 community [ 4259840001 0xFDE80002 ]');
  assert.equal(n.kind === 'announce' && n.attributes.communities, ['65000:1', '65000:2']);
});
Route('IPv6: canonical prefix and next hop; next-hop self kept for the dispatcher', () => {
  const c = ok('announce route 2001:DB8:0::/48 next-hop 2001:db8::0:5');
  assert.equal(c.kind === 'announce' && [c.prefixes, c.attributes.nextHop], [['2001:db8::/48'], '2001:db8::5']);
  const s = ok('announce route 100.64.0.1/32 next-hop self');
  assert.is(s.kind === 'announce' && s.attributes.nextHop, 'self');
});
Route('bad tokens are named with their column', () => {
  bad('announce route 100.64.0.1/24 next-hop 10.10.0.5', '100.64.0.1/24', 16, /host bits set; did you mean 100\.64\.0\.0\/24/);
  bad('announce route 300.64.0.1/32 next-hop 10.10.0.5', '300.64.0.1/32', 16, /not an IPv4 or IPv6 address/);
  bad('announce route 100.64.0.1/33 next-hop 10.10.0.5', '100.64.0.1/33', 16, /bad prefix length/);
  bad('announce route 100.64.0.1/32 next-hop 10.10.0.x', '10.10.0.x', 39, /not an IPv4 or IPv6 address/);
  bad('announce route 100.64.0.1/32 next-hop 127.0.0.1', '127.0.0.1', 39, /loopback/);
  bad('announce route 100.64.0.1/32 next-hop 100.64.0.1', '100.64.0.1', 39, /itself/);
  bad('announce route 100.64.0.1/32 next-hop 2001:db8::5', '2001:db8::5', 39, /IPv6 but/);
  bad('announce route 100.64.0.1/32 next-hop 10.10.0.5 med x', 'x', 53, /med must be an integer 0\.\.4294967295/);
  bad('announce route 100.64.0.1/32 next-hop 10.10.0.5 med 4294967296', '4294967296', 53, /med must be/);
  bad('announce route 100.64.0.1/32 next-hop 10.10.0.5 local-preference -1', '-1', 66, /local-preference must be/);
  bad('announce route 100.64.0.1/32 next-hop 10.10.0.5 origin bgp', 'bgp', 56, /origin must be igp, egp or incomplete/);
  bad('announce route 100.64.0.1/32 next-hop 10.10.0.5 community [ 65000:70000 ]', '65000:70000', 61, /community "65000:70000" is not valid/);
  bad('announce route 100.64.0.1/32 next-hop 10.10.0.5 community [ ]', '[', 59, /empty list/);
  bad('announce route 100.64.0.1/32 next-hop 10.10.0.5 community [ 65000:1', '', 68, /expected a community or "\]"/);
  bad('announce route 100.64.0.1/32 next-hop 10.10.0.5 large-community 1:2', '1:2', 65, /large community "1:2" is not valid/);
  bad('announce route 100.64.0.1/32 next-hop 10.10.0.5 extended-community bogus', 'bogus', 68, /not an extended community/);
  bad('announce route 100.64.0.1/32 next-hop 10.10.0.5 as-path [ 65001 x ]', 'x', 65, /an AS number must be/);
  bad('announce route 100.64.0.1/32 next-hop 10.10.0.5 as-path [ 65001 ( 1 2 ) ]', '(', 65, /AS_SET is not supported/);
  bad('announce route 100.64.0.1/32 next-hop 10.10.0.5 med 1 med 2', 'med', 55, /med given twice/);
  bad('announce route 100.64.0.1/32 next-hop 10.10.0.5 colour blue', 'colour', 49, /unknown attribute "colour"/);
  bad('announce route 100.64.0.1/32 next-hop 10.10.0.5 label 100', 'label', 49, /label is not supported.*MPLS/);
  bad('announce route 100.64.0.1/32 next-hop 10.10.0.5 path-information 1', 'path-information', 49, /ADD-PATH/);
  bad('announce route 100.64.0.1/32 med 1', '', 35, /expected next-hop ADDRESS/);
  bad('announce route 100.64.0.1/32 next-hop', '', 38, /expected a next-hop address/);
  bad('announce route', '', 15, /expected a prefix/);
  bad('announce route 100.64.0.1/32 next-hop 10.10.0.5 nlri 100.64.0.2/32', 'nlri', 49, /"nlri" goes with "announce attributes"/);
  bad('announce bogus 1.2.3.0/24', 'bogus', 10, /expected "route" or "attributes"/);
  bad('announce flow route { }', 'flow', 10, /not supported: tsbgp carries no FlowSpec/);
  bad('announce eor', 'eor', 10, /End-of-RIB/);
});
Route.run();

const Withdraw = suite('withdraw route');
Withdraw('prefix alone, or with the attributes ExaBGP accepts (ignored; a loopback next hop is fine there)', () => {
  assert.equal(ok('withdraw route 100.64.0.1/32'), { kind: 'withdraw', form: 'route', prefixes: ['100.64.0.1/32'], attributes: {} });
  const c = ok('withdraw route 100.64.0.1/32 next-hop 127.0.0.1 med 5 community 65000:1');
  assert.equal(c.kind === 'withdraw' && c.attributes, { nextHop: '127.0.0.1', med: 5, communities: ['65000:1'] });
});
Withdraw('bad lines', () => {
  bad('withdraw route 100.64.0.1/31', '100.64.0.1/31', 16, /host bits set/);
  bad('withdraw route 100.64.0.1/32 next-hop nowhere', 'nowhere', 39, /not an IPv4 or IPv6 address/);
  bad('withdraw route', '', 15, /expected a prefix/);
  bad('withdraw flow match { }', 'flow', 10, /FlowSpec/);
});
Withdraw.run();

const Attributes = suite('announce/withdraw attributes ... nlri');
Attributes('several prefixes share the attributes', () => {
  assert.equal(ok('announce attributes next-hop 10.10.0.5 med 10 nlri 100.64.0.1/32 100.64.0.2 100.64.1.0/24'), {
    kind: 'announce',
    form: 'attributes',
    prefixes: ['100.64.0.1/32', '100.64.0.2/32', '100.64.1.0/24'],
    attributes: { nextHop: '10.10.0.5', med: 10 },
  });
  assert.equal(ok('withdraw attributes nlri 100.64.0.1/32 100.64.0.2/32'), { kind: 'withdraw', form: 'attributes', prefixes: ['100.64.0.1/32', '100.64.0.2/32'], attributes: {} });
});
Attributes('one bad prefix refuses the whole line, naming it', () => {
  bad('announce attributes next-hop 10.10.0.5 nlri 100.64.0.1/32 100.64.0.3/31', '100.64.0.3/31', 59, /host bits set/);
  bad('announce attributes next-hop 10.10.0.5 nlri 100.64.0.1/32 100.64.0.1/32', '100.64.0.1/32', 59, /listed twice/);
  bad('announce attributes next-hop 10.10.0.5 nlri 100.64.0.1/32 2001:db8::/48', '2001:db8::/48', 59, /IPv4 and IPv6 prefixes cannot share/);
  bad('announce attributes next-hop 10.10.0.5 nlri 10.10.0.5/32', '10.10.0.5/32', 45, /itself/);
  bad('announce attributes next-hop 10.10.0.5 nlri', '', 44, /at least one prefix after nlri/);
  bad('announce attributes med 5 nlri 100.64.0.1/32', 'attributes', 10, /expected next-hop ADDRESS among the attributes/);
  bad('announce attributes next-hop 10.10.0.5 100.64.0.1/32', '100.64.0.1/32', 40, /unknown attribute/);
});
Attributes.run();

const Neighbor = suite('neighbor selector');
Neighbor('one neighbor, several with "," attached or apart, qualifiers', () => {
  const one = ok('neighbor 10.10.1.4 announce route 100.64.0.1/32 next-hop 10.10.0.5');
  assert.equal(one.kind === 'announce' && one.neighbors, [{ address: '10.10.1.4' }]);
  const two = ok('neighbor 10.10.1.4, neighbor 10.10.1.5 withdraw route 100.64.0.1/32');
  assert.equal(two.kind === 'withdraw' && two.neighbors, [{ address: '10.10.1.4' }, { address: '10.10.1.5' }]);
  const apart = ok('neighbor 10.10.1.4 local-ip 10.10.0.7 local-as 65001 peer-as 65515 router-id 10.10.0.7 family-allowed in-open , neighbor 10.10.1.5 announce attributes next-hop 10.10.0.5 nlri 100.64.0.1/32');
  assert.equal(apart.kind === 'announce' && apart.neighbors, [
    { address: '10.10.1.4', localIp: '10.10.0.7', localAs: 65001, peerAs: 65515, routerId: '10.10.0.7', familyAllowed: 'in-open' },
    { address: '10.10.1.5' },
  ]);
});
Neighbor('bad selectors', () => {
  bad('neighbor 10.10.1.x announce route 100.64.0.1/32 next-hop 10.10.0.5', '10.10.1.x', 10, /not an IPv4 or IPv6 address/);
  bad('neighbor 10.10.1.4 peer-as big announce route 100.64.0.1/32 next-hop 10.10.0.5', 'big', 28, /peer-as must be an integer/);
  bad('neighbor 10.10.1.4 neighbor 10.10.1.5 announce route 100.64.0.1/32 next-hop 10.10.0.5', 'neighbor', 20, /separated by ","/);
  bad('neighbor 10.10.1.4 show neighbor summary', 'show', 20, /goes with announce or withdraw only/);
  bad('neighbor 10.10.1.4 teardown 2', 'teardown', 20, /goes with announce or withdraw only/);
});
Neighbor.run();

const Show = suite('show and the other commands');
Show('show neighbor summary|extensive [address], show adj-rib in|out [extensive] [address]', () => {
  assert.equal(ok('show neighbor summary'), { kind: 'show-neighbor', view: 'summary' });
  assert.equal(ok('show neighbor 10.10.1.4 extensive'), { kind: 'show-neighbor', view: 'extensive', address: '10.10.1.4' });
  assert.equal(ok('show adj-rib out'), { kind: 'show-adj-rib', direction: 'out', extensive: false });
  assert.equal(ok('show adj-rib out extensive'), { kind: 'show-adj-rib', direction: 'out', extensive: true });
  assert.equal(ok('show adj-rib in neighbor 10.10.1.4'), { kind: 'show-adj-rib', direction: 'in', extensive: false, address: '10.10.1.4' });
  assert.equal(ok('show adj-rib-out 10.10.1.5 extensive'), { kind: 'show-adj-rib', direction: 'out', extensive: true, address: '10.10.1.5' });
});
Show('version, shutdown, help, comments, blank lines', () => {
  assert.equal(ok('version'), { kind: 'version' });
  assert.equal(ok('shutdown'), { kind: 'shutdown' });
  assert.equal(ok('help'), { kind: 'help' });
  assert.equal(ok('# a comment'), { kind: 'comment' });
  assert.equal(ok('   '), { kind: 'nothing' });
  assert.equal(ok(''), { kind: 'nothing' });
});
Show('bad and unsupported commands', () => {
  bad('show neighbor', '', 14, /expected summary, extensive or configuration/);
  bad('show neighbor summary extensive', 'extensive', 23, /cannot go together/);
  bad('show neighbor summary bogus', 'bogus', 23, /one neighbor address/);
  bad('show adj-rib sideways', 'sideways', 14, /expected "in" or "out"/);
  bad('show routes', 'routes', 6, /expected "show neighbor/);
  bad('version 2', '2', 9, /takes no arguments/);
  bad('teardown 2', 'teardown', 1, /not supported: use bgpctl neighbor ADDRESS down/);
  bad('flush adj-rib out', 'flush', 1, /"flush adj-rib" is not supported/);
  bad('reload', 'reload', 1, /bgpctl reload/);
  bad('frobnicate now', 'frobnicate', 1, /unknown command "frobnicate"/);
  bad('{"v":1}', '{"v":1}', 1, /unknown command/);
});
Show.run();
