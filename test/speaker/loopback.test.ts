// Speakers on loopback: two tsbgp speakers, and tsbgp against a scripted peer that records the wire.
import net from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../src/bgp/fsm/clock.js';
import { DEFAULT_NEGOTIATED, KEEPALIVE, encodeMessage, makeNotification, shutdownCommunication } from '../../src/bgp/messages/index.js';
import { Speaker } from '../../src/daemon/speaker.js';
import { message } from '../helpers/hex.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { config, freePort, memoryLogger, neighbor, until, waitState } from '../helpers/speakers.js';

const VIP = '100.64.0.1/32';

/** A watcher (AS 65001) connected to a scripted route server (AS 65515) on 127.0.0.2. */
async function watcherWithRawPeer(o: { clock?: ManualClock; enhancedRouteRefresh?: boolean; holdTime?: number } = {}) {
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4', ...(o.enhancedRouteRefresh ? { enhancedRouteRefresh: true } : {}), ...(o.holdTime === undefined ? {} : { holdTime: o.holdTime }) });
  const port = await rs.listen('127.0.0.2');
  const w = new Speaker({
    config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port })], routes: [{ prefix: VIP, nextHop: '10.10.0.4' }] }),
    log: memoryLogger(),
    ...(o.clock ? { clock: o.clock } : {}),
    random: () => 0.5,
  });
  await w.start();
  await waitState(w, '127.0.0.2', 'Established');
  // The initial table and its End-of-RIB.
  await until('End-of-RIB', () => rs.ofType('UPDATE').some((u) => u.nlri.length === 0 && u.attributes.length === 0));
  return { rs, w };
}

const Wire = suite('watcher against a scripted route server');

Wire('the initial table, End-of-RIB, then one UPDATE replacing the next hop — no withdraw', async () => {
  const { rs, w } = await watcherWithRawPeer();
  try {
    const before = rs.ofType('UPDATE');
    assert.is(before.length, 2);
    assert.equal(before[0]!.nlri, [{ prefix: VIP }]);
    assert.equal(before[0]!.attributes.find((a) => a.type === 'NEXT_HOP'), { type: 'NEXT_HOP', flags: 0x40, nextHop: '10.10.0.4' });
    const result = await w.announce({ prefix: VIP, nextHop: '10.10.0.5' });
    assert.ok(result.changed);
    assert.equal(result.peers.map((p) => [p.neighbor, p.sent]), [['127.0.0.2', true]]);
    assert.ok(result.peers[0]!.micros! >= 0);
    await until('the replacement UPDATE', () => rs.ofType('UPDATE').length === 3);
    const u = rs.ofType('UPDATE')[2]!;
    assert.equal(u.withdrawn, []);
    assert.equal(u.nlri, [{ prefix: VIP }]);
    assert.equal(u.attributes.find((a) => a.type === 'NEXT_HOP'), { type: 'NEXT_HOP', flags: 0x40, nextHop: '10.10.0.5' });
    assert.not.ok(rs.ofType('UPDATE').some((x) => x.withdrawn.length > 0), 'a withdraw reached the route server');
  } finally {
    await w.stop();
    await rs.close();
  }
});

Wire('an identical announce sends nothing; a withdraw sends the withdrawal', async () => {
  const { rs, w } = await watcherWithRawPeer();
  try {
    const same = await w.announce({ prefix: VIP, nextHop: '10.10.0.4' });
    assert.not.ok(same.changed);
    assert.equal(same.peers.map((p) => p.sent), [false]);
    const gone = await w.withdraw(VIP);
    assert.ok(gone.changed);
    await until('the withdrawal', () => rs.ofType('UPDATE').length === 3);
    assert.equal(rs.ofType('UPDATE')[2]!.withdrawn, [{ prefix: VIP }]);
    // Idempotent, as the identical announce above: nothing sent, and the reply says why.
    const again = await w.withdraw(VIP);
    assert.not.ok(again.changed);
    assert.equal(again.peers.map((p) => [p.sent, p.note]), [[false, 'not announced: nothing sent']]);
    await new Promise((r) => setTimeout(r, 50));
    assert.is(rs.ofType('UPDATE').length, 3, 'no UPDATE for a withdraw of what is not announced');
  } finally {
    await w.stop();
    await rs.close();
  }
});

Wire('a ROUTE-REFRESH is answered with the whole Adj-RIB-Out between BoRR and EoRR', async () => {
  const { rs, w } = await watcherWithRawPeer({ enhancedRouteRefresh: true });
  try {
    const n = rs.received.length;
    rs.send({ type: 'ROUTE_REFRESH', afi: 1, safi: 1, subtype: 0 });
    await until('the refreshed table', () => rs.ofType('ROUTE_REFRESH').length === 2);
    const after = rs.received.slice(n).map((r) => r.message);
    assert.equal(after.map((m) => (m.type === 'ROUTE_REFRESH' ? `RR${m.subtype}` : m.type)), ['RR1', 'UPDATE', 'RR2']);
    const u = after[1]!;
    assert.ok(u.type === 'UPDATE' && u.nlri[0]?.prefix === VIP);
  } finally {
    await w.stop();
    await rs.close();
  }
});

Wire('shutdown to a peer without graceful restart sends Cease / Administrative Shutdown with its communication', async () => {
  const { rs, w } = await watcherWithRawPeer();
  await w.stop('graceful', 'maintenance window');
  await until('the NOTIFICATION', () => rs.ofType('NOTIFICATION').length === 1);
  const n = rs.ofType('NOTIFICATION')[0]!;
  assert.equal([n.code, n.subcode], [6, 2]);
  assert.equal(shutdownCommunication(n), { text: 'maintenance window' });
  await rs.close();
});

Wire('a silent peer: the HoldTimer expires (manual clock), NOTIFICATION 4/0, and the session comes back', async () => {
  const clock = new ManualClock();
  const { rs, w } = await watcherWithRawPeer({ clock, holdTime: 9 });
  try {
    const info = w.neighbors()[0]!;
    assert.equal([info.holdTime, info.keepaliveTime], [9, 3]);
    clock.advance(9000);
    await until('the hold timer NOTIFICATION', () => rs.ofType('NOTIFICATION').length === 1);
    const n = rs.ofType('NOTIFICATION')[0]!;
    assert.equal([n.code, n.subcode], [4, 0]);
    assert.is(w.stateOf('127.0.0.2'), 'Idle');
    // The IdleHold back-off (1 s first), then a new connection and session.
    clock.advance(1000);
    await waitState(w, '127.0.0.2', 'Established');
  } finally {
    await w.stop();
    await rs.close();
  }
});

Wire('what the peer still sends on the old connection after a hold-timer expiry never leaks into the next one', async () => {
  const clock = new ManualClock();
  const { rs, w } = await watcherWithRawPeer({ clock, holdTime: 9 });
  try {
    const old = rs.socket!;
    // As FRR does when it resumes: a KEEPALIVE and its own Hold Timer Expired on the old connection,
    // written the moment our NOTIFICATION arrives (before it has seen our FIN).
    rs.onMessage = (r) => {
      if (r.message.type !== 'NOTIFICATION') return;
      old.write(encodeMessage(KEEPALIVE, DEFAULT_NEGOTIATED));
      old.write(encodeMessage(makeNotification(4, 0), DEFAULT_NEGOTIATED));
    };
    clock.advance(9000);
    await until('the hold timer NOTIFICATION', () => rs.ofType('NOTIFICATION').length === 1);
    await new Promise((r) => setTimeout(r, 50));
    rs.onMessage = undefined;
    clock.advance(1000); // the IdleHold back-off
    await waitState(w, '127.0.0.2', 'Established');
    await new Promise((r) => setTimeout(r, 100));
    assert.is(w.stateOf('127.0.0.2'), 'Established');
    assert.not.ok(rs.ofType('NOTIFICATION').some((n) => n.code === 5), 'an FSM error was sent');
    assert.is(w.neighbors()[0]!.lastError?.code, 4);
  } finally {
    await w.stop();
    await rs.close();
  }
});

Wire('a malformed UPDATE gets the right NOTIFICATION and the speaker carries on', async () => {
  const { rs, w } = await watcherWithRawPeer();
  try {
    rs.socket!.write(message(2, '0000 0000 21ffffffffff')); // NLRI /33
    await until('the NOTIFICATION', () => rs.ofType('NOTIFICATION').length === 1);
    const n = rs.ofType('NOTIFICATION')[0]!;
    assert.equal([n.code, n.subcode], [3, 10]);
    assert.is(w.neighbors()[0]!.lastError?.direction, 'sent');
    assert.equal(w.summary().localRoutes, 1);
  } finally {
    await w.stop();
    await rs.close();
  }
});

Wire.run();

const Pair = suite('two tsbgp speakers');

Pair('a passive route server and an active watcher: routes both ways, capabilities, next-hop change', async () => {
  const rs = new Speaker({
    config: config({ routerId: '10.10.1.4', localAs: 65515, listen: { address: '127.0.0.2', port: 0 }, neighbors: [neighbor('127.0.0.1', 65001, { passive: true })], routes: [{ prefix: '10.10.0.0/16', nextHop: '127.0.0.2' }] }),
    log: memoryLogger(),
  });
  await rs.start();
  const w = new Speaker({
    config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port: rs.listenAddress!.port, localAddress: '127.0.0.1' })], routes: [{ prefix: VIP, nextHop: '10.10.0.4' }] }),
    log: memoryLogger(),
  });
  await w.start();
  try {
    await waitState(w, '127.0.0.2', 'Established');
    await until('routes both ways', () => [...rs.routes('received')].length === 1 && [...w.routes('received')].length === 1);
    assert.equal([...w.routes('received')].map((r) => [r.prefix, r.nextHop, r.asPath]), [['10.10.0.0/16', '127.0.0.2', '65515']]);
    const n = w.neighbors('127.0.0.2')[0]!;
    assert.equal([n.holdTime, n.keepaliveTime, n.peerId], [180, 60, '10.10.1.4']);
    assert.ok(n.capabilities?.fourOctetAs && n.capabilities.routeRefresh && n.capabilities.enhancedRouteRefresh && n.capabilities.gracefulRestart);
    assert.equal(n.capabilities?.families, ['ipv4-unicast']);
    await w.announce({ prefix: VIP, nextHop: '10.10.0.5' });
    await until('the new next hop at the route server', () => [...rs.routes('received')][0]?.nextHop === '10.10.0.5');
    assert.equal(rs.neighbors()[0]!.prefixes, { received: 1, advertised: 1 });
  } finally {
    await w.stop();
    await rs.stop();
  }
});

Pair('both sides active at once: the collision leaves one session (RFC 4271 §6.8)', async () => {
  const aPort = await freePort('127.0.0.11');
  const bPort = await freePort('127.0.0.12');
  const a = new Speaker({
    config: config({ routerId: '10.0.0.1', localAs: 65001, listen: { address: '127.0.0.11', port: aPort }, neighbors: [neighbor('127.0.0.12', 65002, { port: bPort, localAddress: '127.0.0.11' })] }),
    log: memoryLogger(),
  });
  const b = new Speaker({
    config: config({ routerId: '10.0.0.2', localAs: 65002, listen: { address: '127.0.0.12', port: bPort }, neighbors: [neighbor('127.0.0.11', 65001, { port: aPort, localAddress: '127.0.0.12' })] }),
    log: memoryLogger(),
  });
  // Both connect as soon as they start.
  await Promise.all([a.start(), b.start()]);
  try {
    await waitState(a, '127.0.0.12', 'Established');
    await waitState(b, '127.0.0.11', 'Established');
    await new Promise((r) => setTimeout(r, 100));
    assert.is(a.stateOf('127.0.0.12'), 'Established');
    assert.is(b.stateOf('127.0.0.11'), 'Established');
    const opens = a.neighbors()[0]!.messages.received.open;
    assert.ok(opens <= 2, `${opens} OPENs`);
  } finally {
    await a.stop();
    await b.stop();
  }
});

Pair('the listener closes connections from addresses that are not neighbors', async () => {
  const logs: { level: string; msg?: string }[] = [];
  const s = new Speaker({ config: config({ routerId: '10.0.0.1', localAs: 65001, listen: { address: '127.0.0.2', port: 0 }, neighbors: [neighbor('127.0.0.1', 65002, { passive: true })] }), log: memoryLogger(logs as never) });
  await s.start();
  try {
    const c = net.connect({ host: '127.0.0.2', port: s.listenAddress!.port, localAddress: '127.0.0.9' });
    c.on('error', () => {});
    await new Promise<void>((resolve) => c.once('close', () => resolve()));
    assert.ok(logs.some((l) => l.level === 'warn' && /not a configured neighbor/.test(l.msg ?? '')));
    assert.is(s.stateOf('127.0.0.1'), 'Active');
  } finally {
    await s.stop();
  }
});

Pair('a peer that is not established is listed and gets the route when it comes up', async () => {
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.5' });
  const w = new Speaker({ config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.3', 65515, { port: 1, connectRetryTime: 1 })] }), log: memoryLogger() });
  await w.start();
  try {
    const r = await w.announce({ prefix: VIP, nextHop: '10.10.0.5' });
    assert.equal(r.peers.map((p) => [p.sent, p.note]), [[false, 'not established: gets the route when the session comes up']]);
  } finally {
    await w.stop();
    await rs.close();
  }
});

Pair.run();
