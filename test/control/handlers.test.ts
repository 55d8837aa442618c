// dispatch(): each command calls the speaker with what it should, and every failure becomes a reply.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TsbgpError, TsbgpErrorCode } from '../../src/errors.js';
import { dispatch, tsbgpVersion } from '../../src/control/handlers.js';
import { type Reply, type Request, encodeLine } from '../../src/control/protocol.js';
import { parseRequest } from '../../src/control/requests.js';
import { FakeSpeaker, LOCAL_ROUTES, NEIGHBORS, OPERATOR_MOVE, SUMMARY, VIPS, WEB_MOVES, changeFor } from './fake-speaker.js';
import { SNAPSHOT } from './speaker-snapshot.js';

const request = (command: string, args?: unknown): Request => {
  const r = parseRequest(JSON.stringify({ v: 1, id: 1, command, ...(args === undefined ? {} : { args }) }));
  if (!r.ok) throw new Error(r.reply.error.message);
  return r.request;
};
const run = async (command: string, args?: unknown, speaker = new FakeSpeaker()) => {
  const reply = await dispatch(speaker, request(command, args), { version: '9.9.9' });
  return { reply, speaker };
};
const errorOf = (reply: Reply) => {
  if (reply.ok) throw new Error(`expected an error reply, got ${JSON.stringify(reply)}`);
  return [reply.error.code, reply.error.message] as const;
};

const Announce = suite('dispatch announce');

Announce('the route reaches the speaker checked and canonical; the reply carries its ChangeResult', async () => {
  const { reply, speaker } = await run('announce', {
    prefix: '2001:DB8:0:0::/48',
    nextHop: '2001:db8:0:0:0:0:0:5',
    med: 10,
    communities: ['65010:100', 'no-export'],
    largeCommunities: ['65010:1:2'],
    asPathPrepend: 2,
  });
  const route = { prefix: '2001:db8::/48', nextHop: '2001:db8::5', med: 10, communities: [65010 * 65536 + 100, 0xffffff01], largeCommunities: [[65010, 1, 2]], asPathPrepend: 2 };
  assert.equal(speaker.calls, [{ method: 'announce', args: [route] }]);
  assert.equal(reply, { v: 1, id: 1, ok: true, result: changeFor(route as never, '2001:db8::/48') });
});

Announce('bad values never reach the speaker: each gets its own code', async () => {
  const cases: [object, string, RegExp][] = [
    [{ prefix: '100.64.0.1', nextHop: '10.10.0.5' }, TsbgpErrorCode.BAD_PREFIX, /no prefix length; expected address\/length, e\.g\. 100\.64\.0\.1\/32/],
    [{ prefix: '100.64.0.1/24', nextHop: '10.10.0.5' }, TsbgpErrorCode.BAD_PREFIX, /host bits set; did you mean 100\.64\.0\.0\/24/],
    [{ prefix: '100.64.0.1/32', nextHop: '10.10.0' }, TsbgpErrorCode.BAD_NEXT_HOP, /not an IPv4 or IPv6 address/],
    [{ prefix: '100.64.0.1/32', nextHop: '2001:db8::1' }, TsbgpErrorCode.BAD_NEXT_HOP, /IPv6 but 100\.64\.0\.1\/32 is IPv4/],
    [{ prefix: '100.64.0.1/32', nextHop: '10.10.0.5', med: -1 }, TsbgpErrorCode.BAD_ARGUMENT, /med -1/],
    [{ prefix: '100.64.0.1/32', nextHop: '10.10.0.5', communities: ['65536:1'] }, TsbgpErrorCode.BAD_ARGUMENT, /community "65536:1"/],
    [{ prefix: '100.64.0.1/32', nextHop: '10.10.0.5', largeCommunities: ['1:2'] }, TsbgpErrorCode.BAD_ARGUMENT, /large community "1:2"/],
    [{ prefix: '100.64.0.1/32', nextHop: '10.10.0.5', asPathPrepend: 1.5 }, TsbgpErrorCode.BAD_ARGUMENT, /as-path-prepend 1\.5/],
  ];
  for (const [args, code, message] of cases) {
    const { reply, speaker } = await run('announce', args);
    const [c, m] = errorOf(reply);
    assert.is(c, code, JSON.stringify(args));
    assert.match(m, message);
    assert.equal(speaker.calls, [], 'the speaker was not called');
  }
});

Announce.run();

const Withdraw = suite('dispatch withdraw');

Withdraw('the canonical prefix goes to speaker.withdraw', async () => {
  const { reply, speaker } = await run('withdraw', { prefix: '2001:DB8::/48' });
  assert.equal(speaker.calls, [{ method: 'withdraw', args: ['2001:db8::/48'] }]);
  assert.equal(reply, { v: 1, id: 1, ok: true, result: changeFor(undefined, '2001:db8::/48') });
});

Withdraw('a bad prefix is BAD_PREFIX and nothing is called', async () => {
  const { reply, speaker } = await run('withdraw', { prefix: '100.64.0.1' });
  assert.is(errorOf(reply)[0], 'TSBGP_ERR_BAD_PREFIX');
  assert.equal(speaker.calls, []);
});

Withdraw('announce and withdraw pass on the request\'s arrival time from the context', async () => {
  const speaker = new FakeSpeaker();
  const ctx = { version: '9.9.9', receivedAt: 1234.5 };
  await dispatch(speaker, request('announce', { prefix: '100.64.0.1/32', nextHop: '10.10.0.5' }), ctx);
  await dispatch(speaker, request('withdraw', { prefix: '100.64.0.1/32' }), ctx);
  assert.equal(speaker.calls.map((c) => [c.method, c.args[1]]), [['announce', 1234.5], ['withdraw', 1234.5]]);
});

Withdraw.run();

const Show = suite('dispatch show-*');

Show('show-neighbors: all, one, an unknown one with the speaker\'s own refusal', async () => {
  const all = await run('show-neighbors');
  assert.equal(all.speaker.calls, [{ method: 'neighbors', args: [] }]);
  assert.equal(all.reply, { v: 1, id: 1, ok: true, result: { neighbors: NEIGHBORS } });
  const one = await run('show-neighbors', { address: '127.0.0.3' });
  assert.equal(one.speaker.calls, [{ method: 'neighbors', args: ['127.0.0.3'] }]);
  assert.equal(one.reply.ok && one.reply.result, { neighbors: [NEIGHBORS[1]] });
  // Recorded from the real Speaker: it refuses an address that is not configured, naming those that are.
  const unknown = await run('show-neighbors', { address: '10.10.1.9' });
  assert.equal(errorOf(unknown.reply), ['TSBGP_ERR_UNKNOWN_NEIGHBOR', 'no neighbor 10.10.1.9 (configured: 127.0.0.2, 127.0.0.3)']);
  const bad = await run('show-neighbors', { address: 'rs0' });
  assert.equal(errorOf(bad.reply), ['TSBGP_ERR_BAD_ARGUMENT', '"rs0" is not an IPv4 or IPv6 address']);
  assert.equal(bad.speaker.calls, []);
});

Show('show-summary: the summary, each row with its neighbor message totals', async () => {
  const { reply, speaker } = await run('show-summary');
  assert.equal(speaker.methods(), ['summary', 'neighbors']);
  assert.ok(reply.ok);
  const r = reply.result as { neighbors: { address: string; messagesReceived: number; messagesSent: number }[]; routerId: string };
  assert.is(r.routerId, SUMMARY.routerId);
  assert.equal(r.neighbors.map((n) => [n.address, n.messagesReceived, n.messagesSent]), [['127.0.0.2', 3, 6], ['127.0.0.3', 3, 4]]);
});

/** A reply as it goes on the wire (show-routes' result is read as it is written). */
const wire = (reply: Reply): unknown => JSON.parse(encodeLine(reply));

Show('show-routes: the view and the neighbor go through; the rows are the speaker\'s', async () => {
  const local = await run('show-routes', { view: 'local' });
  assert.equal(local.speaker.calls, [{ method: 'routes', args: ['local'] }]);
  assert.equal(wire(local.reply), { v: 1, id: 1, ok: true, result: { view: 'local', routes: LOCAL_ROUTES } });
  const rcv = await run('show-routes', { view: 'received', neighbor: '127.0.0.2', prefix: '172.16.0.0/12' });
  assert.equal(rcv.speaker.calls, [{ method: 'routes', args: ['received', '127.0.0.2'] }]);
  assert.equal(wire(rcv.reply), { v: 1, id: 1, ok: true, result: { view: 'received', neighbor: '127.0.0.2', prefix: '172.16.0.0/12', routes: [SNAPSHOT.routes.received[1]] } });
});

Show('show-routes: a bad neighbor, prefix or limit never reaches the speaker', async () => {
  for (const [args, code] of [
    [{ neighbor: 'rs0' }, 'TSBGP_ERR_BAD_ARGUMENT'],
    [{ prefix: '100.64.0.1' }, 'TSBGP_ERR_BAD_PREFIX'],
    [{ limit: -1 }, 'TSBGP_ERR_BAD_ARGUMENT'],
  ] as const) {
    const { reply, speaker } = await run('show-routes', args);
    assert.is(errorOf(reply)[0], code, JSON.stringify(args));
    assert.equal(speaker.calls, []);
  }
});

Show.run();

const Neighbor = suite('dispatch neighbor');

Neighbor('up, down (with and without a communication), refresh: the matching speaker call, then the state', async () => {
  const cases: [object, unknown[]][] = [
    [{ address: '127.0.0.2', action: 'up' }, [{ method: 'neighborUp', args: ['127.0.0.2'] }]],
    [{ address: '127.0.0.2', action: 'down' }, [{ method: 'neighborDown', args: ['127.0.0.2'] }]],
    [{ address: '127.0.0.2', action: 'down', communication: 'maintenance' }, [{ method: 'neighborDown', args: ['127.0.0.2', 'maintenance'] }]],
    [{ address: '127.0.0.2', action: 'refresh' }, [{ method: 'neighborRefresh', args: ['127.0.0.2'] }]],
  ];
  for (const [args, calls] of cases) {
    const { reply, speaker } = await run('neighbor', args);
    assert.equal(speaker.calls, [...calls, { method: 'neighbors', args: ['127.0.0.2'] }], JSON.stringify(args));
    assert.equal(reply.ok && reply.result, { neighbor: '127.0.0.2', action: (args as { action: string }).action, state: 'Established' });
  }
});

Neighbor('a communication over 255 octets, or with up, is refused before the speaker hears of it', async () => {
  const long = await run('neighbor', { address: '127.0.0.2', action: 'down', communication: 'é'.repeat(128) });
  assert.equal(errorOf(long.reply), ['TSBGP_ERR_BAD_ARGUMENT', 'shutdown communication is 256 octets of UTF-8; RFC 9003 allows at most 255']);
  assert.equal(long.speaker.calls, []);
  const up = await run('neighbor', { address: '127.0.0.2', action: 'up', communication: 'x' });
  assert.is(errorOf(up.reply)[0], 'TSBGP_ERR_BAD_ARGUMENT');
  assert.equal(up.speaker.calls, []);
  const fits = await run('neighbor', { address: '127.0.0.2', action: 'down', communication: 'é'.repeat(127) + 'x' });
  assert.ok(fits.reply.ok, '255 octets is fine');
});

Neighbor('an unknown neighbor: the speaker\'s TsbgpError keeps its code and text', async () => {
  const { reply } = await run('neighbor', { address: '10.10.1.9', action: 'up' });
  assert.equal(reply, { v: 1, id: 1, ok: false, error: { code: 'TSBGP_ERR_UNKNOWN_NEIGHBOR', message: 'no neighbor 10.10.1.9 (configured: 127.0.0.2, 127.0.0.3)' } });
});

Neighbor.run();

const Vips = suite('dispatch show-vips, vip-move, vip-freeze, vip-unfreeze, vip-history');

const vipRun = (command: string, args?: unknown, speaker = new FakeSpeaker().withVips()) => run(command, args, speaker);

Vips('show-vips: all, or the one named; an unknown name is the speaker\'s UNKNOWN_VIP naming those configured', async () => {
  const all = await vipRun('show-vips');
  assert.equal(all.speaker.calls, [{ method: 'vips', args: [] }]);
  assert.equal(all.reply, { v: 1, id: 1, ok: true, result: { vips: VIPS } });
  const one = await vipRun('show-vips', { name: 'api' });
  assert.equal(one.speaker.calls, [{ method: 'vips', args: ['api'] }]);
  assert.equal(one.reply.ok && one.reply.result, { vips: [VIPS[1]] });
  const unknown = await vipRun('show-vips', { name: 'db' });
  assert.equal(errorOf(unknown.reply), ['TSBGP_ERR_UNKNOWN_VIP', 'no VIP db (configured: web, api)']);
  const none = await run('show-vips');
  assert.equal(none.reply.ok && none.reply.result, { vips: [] }, 'no VIPs configured: an empty list, not an error');
});

Vips('vip-move: the speaker moves it, then the VIP as it is after the move comes with the move', async () => {
  const { reply, speaker } = await vipRun('vip-move', { name: 'web', candidate: 'ws1' });
  assert.equal(speaker.calls, [
    { method: 'vipMove', args: ['web', 'ws1'] },
    { method: 'vips', args: ['web'] },
  ]);
  assert.equal(reply.ok && reply.result, {
    move: {
      at: '2026-12-01T12:05:00.000Z',
      from: 'ws2',
      to: 'ws1',
      cause: 'operator',
      detail: 'requested by bgpctl',
      wire: [
        { neighbor: '10.10.1.4', micros: 295 },
        { neighbor: '10.10.1.5', micros: 1240 },
      ],
      confirmedMs: 38,
      effectiveAt: '2026-12-01T12:05:00.000Z',
    },
    vip: { ...VIPS[0]!, current: { candidate: 'ws1', nextHop: '10.10.0.4', since: '2026-12-01T12:05:00.000Z' }, lastMove: OPERATOR_MOVE },
  });
});

Vips('vip-move: an unknown VIP or candidate is UNKNOWN_VIP; OWNED and other codes from the speaker are kept', async () => {
  const vip = await vipRun('vip-move', { name: 'db', candidate: 'ws1' });
  assert.equal(errorOf(vip.reply), ['TSBGP_ERR_UNKNOWN_VIP', 'no VIP db (configured: web, api)']);
  const cand = await vipRun('vip-move', { name: 'web', candidate: 'ws9' });
  assert.equal(errorOf(cand.reply), ['TSBGP_ERR_UNKNOWN_VIP', 'no candidate ws9 in VIP web (candidates: ws1, ws2)']);
  assert.equal(cand.speaker.methods(), ['vipMove'], 'nothing is read after a refused move');
  const speaker = new FakeSpeaker().withVips();
  speaker.throwing.vipMove = new TsbgpError(TsbgpErrorCode.OWNED, '100.64.0.1/32 is decided by the partner watcher (owner peer); it cannot be changed by hand while it is');
  const owned = await vipRun('vip-move', { name: 'web', candidate: 'ws1' }, speaker);
  assert.equal(errorOf(owned.reply), ['TSBGP_ERR_OWNED', '100.64.0.1/32 is decided by the partner watcher (owner peer); it cannot be changed by hand while it is']);
});

Vips('vip-freeze and vip-unfreeze: the mode before is read, then set; `changed` says whether it was the other one', async () => {
  const speaker = new FakeSpeaker().withVips();
  const freeze = await vipRun('vip-freeze', { name: 'web' }, speaker);
  assert.equal(speaker.calls, [
    { method: 'vips', args: ['web'] },
    { method: 'vipFreeze', args: ['web', true] },
  ]);
  assert.equal(freeze.reply.ok && freeze.reply.result, { vip: { ...VIPS[0]!, mode: 'frozen' }, changed: true });
  const again = await vipRun('vip-freeze', { name: 'web' }, speaker);
  assert.equal(again.reply.ok && again.reply.result, { vip: { ...VIPS[0]!, mode: 'frozen' }, changed: false });
  speaker.calls.splice(0);
  const thaw = await vipRun('vip-unfreeze', { name: 'web' }, speaker);
  assert.equal(speaker.calls, [
    { method: 'vips', args: ['web'] },
    { method: 'vipFreeze', args: ['web', false] },
  ]);
  assert.equal(thaw.reply.ok && thaw.reply.result, { vip: VIPS[0], changed: true });
  const notFrozen = await vipRun('vip-unfreeze', { name: 'web' }, speaker);
  assert.equal(notFrozen.reply.ok && notFrozen.reply.result, { vip: VIPS[0], changed: false });
});

Vips('vip-freeze of an unknown VIP: UNKNOWN_VIP, and nothing is frozen', async () => {
  const { reply, speaker } = await vipRun('vip-freeze', { name: 'db' });
  assert.equal(errorOf(reply), ['TSBGP_ERR_UNKNOWN_VIP', 'no VIP db (configured: web, api)']);
  assert.equal(speaker.methods(), ['vips']);
});

Vips('vip-history: the moves oldest first, with the VIP\'s name and prefix; unknown is UNKNOWN_VIP', async () => {
  const { reply, speaker } = await vipRun('vip-history', { name: 'web' });
  assert.equal(speaker.calls, [
    { method: 'vipHistory', args: ['web'] },
    { method: 'vips', args: ['web'] },
  ]);
  assert.equal(reply.ok && reply.result, { name: 'web', prefix: '100.64.0.1/32', moves: WEB_MOVES });
  const empty = await vipRun('vip-history', { name: 'api' });
  assert.equal(empty.reply.ok && empty.reply.result, { name: 'api', prefix: '100.64.0.2/32', moves: [] });
  const unknown = await vipRun('vip-history', { name: 'db' });
  assert.equal(errorOf(unknown.reply), ['TSBGP_ERR_UNKNOWN_VIP', 'no VIP db (configured: web, api)']);
});

Vips.run();

const Misc = suite('dispatch reload, monitor, ping');

Misc('reload returns the speaker result', async () => {
  const { reply, speaker } = await run('reload');
  assert.equal(speaker.methods(), ['reload']);
  assert.equal(reply.ok && reply.result, speaker.reloadResult);
});

Misc('monitor acknowledges without subscribing (the server does that once the reply is out)', async () => {
  const { reply, speaker } = await run('monitor');
  assert.equal(reply, { v: 1, id: 1, ok: true, result: { monitoring: true } });
  assert.equal(speaker.calls, []);
});

Misc('ping answers the version without touching the speaker; the default version is package.json', async () => {
  const { reply, speaker } = await run('ping');
  assert.equal(reply, { v: 1, id: 1, ok: true, result: { pong: true, version: '9.9.9' } });
  assert.equal(speaker.calls, []);
  assert.match(tsbgpVersion(), /^\d+\.\d+\.\d+/);
  const dflt = await dispatch(new FakeSpeaker(), request('ping'));
  assert.equal(dflt.ok && dflt.result, { pong: true, version: tsbgpVersion() });
});

Misc.run();

const Failures = suite('dispatch failures');

Failures('a TsbgpError from the speaker becomes an error reply with its code', async () => {
  const speaker = new FakeSpeaker();
  speaker.throwing.announce = new TsbgpError(TsbgpErrorCode.CONFIG, 'no neighbor takes IPv6');
  const { reply } = await run('announce', { prefix: '100.64.0.1/32', nextHop: '10.10.0.5' }, speaker);
  assert.equal(errorOf(reply), ['TSBGP_ERR_CONFIG', 'no neighbor takes IPv6']);
});

Failures('anything else thrown (sync or async, Error or not) is TSBGP_ERR_INTERNAL with the message', async () => {
  for (const [method, command, thrown, message] of [
    ['summary', 'show-summary', new TypeError('x is undefined'), 'show-summary failed: x is undefined'],
    ['reload', 'reload', new Error('disk on fire'), 'reload failed: disk on fire'],
    ['routes', 'show-routes', 'a string', 'show-routes failed: a string'],
    ['vipHistory', 'vip-history', new RangeError('index out of range'), 'vip-history failed: index out of range'],
  ] as const) {
    const speaker = new FakeSpeaker().withVips();
    speaker.throwing[method] = thrown;
    const { reply } = await run(command, command === 'vip-history' ? { name: 'web' } : undefined, speaker);
    assert.equal(reply, { v: 1, id: 1, ok: false, error: { code: 'TSBGP_ERR_INTERNAL', message } });
  }
});

Failures.run();
