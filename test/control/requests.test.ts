// parseRequest: every command's args, and every error path with its code.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { ErrorReply } from '../../src/control/protocol.js';
import { type ParseResult, parseRequest } from '../../src/control/requests.js';

const ok = (line: string) => {
  const r = parseRequest(line);
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.reply)}`);
  return r.request;
};
const err = (line: string): ErrorReply => {
  const r: ParseResult = parseRequest(line);
  if (r.ok) throw new Error(`expected an error for ${line}`);
  return r.reply;
};
const req = (command: string, args?: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ v: 1, id: 7, command, ...(args === undefined ? {} : { args }), ...extra });

const ParseRequest = suite('parseRequest');

ParseRequest('one example of every command parses to its typed request', () => {
  assert.equal(ok(req('announce', { prefix: '100.64.0.1/32', nextHop: '10.10.0.5', med: 10, communities: ['65010:100'], largeCommunities: ['65010:1:2'], asPathPrepend: 2 })), {
    v: 1,
    id: 7,
    command: 'announce',
    args: { prefix: '100.64.0.1/32', nextHop: '10.10.0.5', med: 10, communities: ['65010:100'], largeCommunities: ['65010:1:2'], asPathPrepend: 2 },
  });
  assert.equal(ok(req('announce', { prefix: 'p', nextHop: 'n' })).args, { prefix: 'p', nextHop: 'n' });
  assert.equal(ok(req('withdraw', { prefix: '100.64.0.1/32' })).args, { prefix: '100.64.0.1/32' });
  assert.equal(ok(req('show-neighbors')).args, {});
  assert.equal(ok(req('show-neighbors', { address: '10.10.1.4' })).args, { address: '10.10.1.4' });
  assert.equal(ok(req('show-summary', {})).args, {});
  assert.equal(ok(req('show-routes', { view: 'received', neighbor: '10.10.1.4' })).args, { view: 'received', neighbor: '10.10.1.4' });
  assert.equal(ok(req('show-routes')).args, { view: 'local' });
  assert.equal(ok(req('show-routes', { view: 'received', prefix: '10.0.0.0/8', limit: 5 })).args, { view: 'received', prefix: '10.0.0.0/8', limit: 5 });
  assert.equal(ok(req('neighbor', { address: '10.10.1.4', action: 'down', communication: 'maintenance' })).args, {
    address: '10.10.1.4',
    action: 'down',
    communication: 'maintenance',
  });
  assert.equal(ok(req('show-vips')).args, {});
  assert.equal(ok(req('show-vips', { name: 'web' })), { v: 1, id: 7, command: 'show-vips', args: { name: 'web' } });
  assert.equal(ok(req('vip-move', { name: 'web', candidate: 'ws2' })), { v: 1, id: 7, command: 'vip-move', args: { name: 'web', candidate: 'ws2' } });
  assert.equal(ok(req('vip-freeze', { name: 'web' })), { v: 1, id: 7, command: 'vip-freeze', args: { name: 'web' } });
  assert.equal(ok(req('vip-unfreeze', { name: 'web' })), { v: 1, id: 7, command: 'vip-unfreeze', args: { name: 'web' } });
  assert.equal(ok(req('vip-history', { name: 'web' })), { v: 1, id: 7, command: 'vip-history', args: { name: 'web' } });
  for (const c of ['reload', 'monitor', 'ping']) assert.equal(ok(req(c)), { v: 1, id: 7, command: c, args: {} });
  assert.equal(ok(req('shutdown')), { v: 1, id: 7, command: 'shutdown', args: {} });
  assert.equal(ok(req('shutdown', { hard: true })).args, { hard: true });
  assert.equal(ok(req('shutdown', { hard: false })).args, { hard: false });
  const notBool = err(req('shutdown', { hard: 'yes' }));
  assert.equal([notBool.error.code, notBool.error.message], ['TSBGP_ERR_BAD_REQUEST', 'shutdown: args.hard must be true or false, got "yes"']);
  assert.is(ok(JSON.stringify({ v: 1, id: 'abc', command: 'ping' })).id, 'abc');
  assert.is(ok(req('ping') + '\r').command, 'ping', 'trailing whitespace is JSON whitespace');
});

ParseRequest('malformed JSON: BAD_REQUEST with id null', () => {
  for (const line of ['{"v":1,', 'hello', '{"v":1,"id":3,"command":"ping"']) {
    const r = err(line);
    assert.is(r.error.code, 'TSBGP_ERR_BAD_REQUEST');
    assert.is(r.id, null);
    assert.match(r.error.message, /^malformed JSON/);
    assert.is(r.v, 1);
    assert.is(r.ok, false);
  }
});

ParseRequest('not an object: BAD_REQUEST naming what came', () => {
  for (const [line, what] of [['[1,2]', 'an array'], ['42', '42'], ['null', 'null'], ['"ping"', '"ping"']] as const) {
    const r = err(line);
    assert.is(r.error.code, 'TSBGP_ERR_BAD_REQUEST');
    assert.is(r.error.message, `a request must be a JSON object, got ${what}`);
  }
});

ParseRequest('protocol version: missing or unsupported says which versions are supported; id kept', () => {
  const missing = err(JSON.stringify({ id: 3, command: 'ping' }));
  assert.equal([missing.error.code, missing.id], ['TSBGP_ERR_BAD_REQUEST', 3]);
  assert.is(missing.error.message, 'missing field v (protocol version); this tsbgpd supports protocol version 1');
  const two = err(JSON.stringify({ v: 2, id: 'x', command: 'ping' }));
  assert.equal([two.error.code, two.id], ['TSBGP_ERR_BAD_REQUEST', 'x']);
  assert.is(two.error.message, 'unsupported protocol version 2; this tsbgpd supports protocol version 1');
  assert.match(err(JSON.stringify({ v: '1', id: 1, command: 'ping' })).error.message, /unsupported protocol version "1"/);
});

ParseRequest('id: must be a string or a number; the reply then has id null', () => {
  for (const [id, got] of [[undefined, 'nothing'], [null, 'null'], [true, 'true'], [{ a: 1 }, 'an object']] as const) {
    const r = err(JSON.stringify({ v: 1, id, command: 'ping' }));
    assert.equal([r.error.code, r.id], ['TSBGP_ERR_BAD_REQUEST', null]);
    assert.is(r.error.message, `field id must be a string or a number, got ${got}`);
  }
});

ParseRequest('command: missing or not a string is BAD_REQUEST; an unknown one UNKNOWN_COMMAND listing the commands', () => {
  const missing = err(JSON.stringify({ v: 1, id: 1 }));
  assert.equal([missing.error.code, missing.error.message], ['TSBGP_ERR_BAD_REQUEST', 'field command must be a string, got nothing']);
  assert.is(err(JSON.stringify({ v: 1, id: 1, command: 5 })).error.message, 'field command must be a string, got 5');
  const unknown = err(req('halt'));
  assert.equal([unknown.error.code, unknown.id], ['TSBGP_ERR_UNKNOWN_COMMAND', 7]);
  assert.is(
    unknown.error.message,
    'unknown command "halt"; commands: announce, withdraw, show-neighbors, show-summary, show-routes, show-vips, neighbor, vip-move, vip-freeze, vip-unfreeze, vip-history, reload, shutdown, monitor, ping, exabgp',
  );
  // Not fooled by Object.prototype.
  assert.is(err(req('toString')).error.code, 'TSBGP_ERR_UNKNOWN_COMMAND');
  assert.is(err(req('__proto__')).error.code, 'TSBGP_ERR_UNKNOWN_COMMAND');
});

ParseRequest('unknown top-level field is refused', () => {
  const r = err(req('ping', undefined, { argz: {} }));
  assert.equal([r.error.code, r.id, r.error.message], ['TSBGP_ERR_BAD_REQUEST', 7, 'unknown field argz; a request has v, id, command, args']);
});

ParseRequest('args: every bad shape names the field', () => {
  const cases: [string, unknown, string][] = [
    ['ping', [1], 'ping: args must be an object, got an array'],
    ['ping', 'x', 'ping: args must be an object, got "x"'],
    ['ping', { x: 1 }, 'ping: unknown field args.x; expected no args'],
    ['announce', { nextHop: '10.0.0.1' }, 'announce: args.prefix is required'],
    ['announce', { prefix: 1, nextHop: '10.0.0.1' }, 'announce: args.prefix must be a string, got 1'],
    ['announce', { prefix: 'p' }, 'announce: args.nextHop is required'],
    ['announce', { prefix: 'p', nextHop: 'n', med: '10' }, 'announce: args.med must be a number, got "10"'],
    ['announce', { prefix: 'p', nextHop: 'n', asPathPrepend: null }, 'announce: args.asPathPrepend must be a number, got null'],
    ['announce', { prefix: 'p', nextHop: 'n', communities: '65000:1' }, 'announce: args.communities must be a list of strings, got "65000:1"'],
    ['announce', { prefix: 'p', nextHop: 'n', largeCommunities: ['1:2:3', 4] }, 'announce: args.largeCommunities[1] must be a string, got 4'],
    ['announce', { prefix: 'p', nextHop: 'n', nexthop: 'n' }, 'announce: unknown field args.nexthop; expected prefix, nextHop, med, communities, largeCommunities, asPathPrepend'],
    ['withdraw', {}, 'withdraw: args.prefix is required'],
    ['show-neighbors', { address: 4 }, 'show-neighbors: args.address must be a string, got 4'],
    ['show-routes', { view: 'all' }, 'show-routes: args.view must be one of local, received, advertised, got "all"'],
    ['show-routes', { neighbor: false }, 'show-routes: args.neighbor must be a string, got false'],
    ['show-routes', { prefix: 8 }, 'show-routes: args.prefix must be a string, got 8'],
    ['show-routes', { limit: '5' }, 'show-routes: args.limit must be a number, got "5"'],
    ['show-routes', { max: 5 }, 'show-routes: unknown field args.max; expected view, neighbor, prefix, limit'],
    ['neighbor', { address: '10.0.0.1' }, 'neighbor: args.action is required (one of up, down, refresh)'],
    ['neighbor', { address: '10.0.0.1', action: 'reset' }, 'neighbor: args.action must be one of up, down, refresh, got "reset"'],
    ['neighbor', { action: 'up' }, 'neighbor: args.address is required'],
    ['neighbor', { address: '10.0.0.1', action: 'down', communication: 7 }, 'neighbor: args.communication must be a string, got 7'],
    ['show-vips', { name: 4 }, 'show-vips: args.name must be a string, got 4'],
    ['show-vips', { vip: 'web' }, 'show-vips: unknown field args.vip; expected name'],
    ['vip-move', { candidate: 'ws2' }, 'vip-move: args.name is required'],
    ['vip-move', { name: 'web' }, 'vip-move: args.candidate is required'],
    ['vip-move', { name: 'web', candidate: ['ws2'] }, 'vip-move: args.candidate must be a string, got an array'],
    ['vip-move', { name: 'web', to: 'ws2' }, 'vip-move: args.candidate is required'],
    ['vip-move', { name: 'web', candidate: 'ws2', force: true }, 'vip-move: unknown field args.force; expected name, candidate'],
    ['vip-freeze', undefined, 'vip-freeze: args.name is required'],
    ['vip-freeze', { name: null }, 'vip-freeze: args.name must be a string, got null'],
    ['vip-freeze', { name: 'web', frozen: false }, 'vip-freeze: unknown field args.frozen; expected name'],
    ['vip-unfreeze', { name: { web: 1 } }, 'vip-unfreeze: args.name must be a string, got an object'],
    ['vip-history', {}, 'vip-history: args.name is required'],
    ['vip-history', { name: 'web', limit: 5 }, 'vip-history: unknown field args.limit; expected name'],
  ];
  for (const [command, args, message] of cases) {
    const r = err(req(command, args));
    assert.equal([r.error.code, r.id, r.error.message], ['TSBGP_ERR_BAD_REQUEST', 7, message], `${command} ${JSON.stringify(args)}`);
  }
});

ParseRequest.run();
