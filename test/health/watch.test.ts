// Watch: a held connection to a real node:net / node:http server on 127.0.0.1; resets, FINs, servers that go and come back.
import http from 'node:http';
import type net from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type Clock, ManualClock, realClock } from '../../src/bgp/fsm/clock.js';
import { Watch, type WatchState } from '../../src/health/watch.js';
import { Events, HOST, closed, listen, shut, tcpServer, turns, within } from './helpers.js';

type Seen = { kind: 'lost'; detail: string } | { kind: 'connected' } | { kind: 'state'; state: WatchState; detail: string };

const RETRY = 100;

/** A watch on 127.0.0.1:port whose callbacks are recorded in order. */
function watch(port: number, clock: Clock, connectTimeoutMs?: number): { w: Watch; seen: Events<Seen>; lost: () => number } {
  const seen = new Events<Seen>();
  const w = new Watch(
    { host: HOST, port },
    {
      clock,
      retryMs: RETRY,
      ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
      onLost: (detail) => seen.push({ kind: 'lost', detail }),
      onConnected: () => seen.push({ kind: 'connected' }),
      onState: (state, detail) => seen.push({ kind: 'state', state, detail }),
    },
  );
  return { w, seen, lost: () => seen.count((e) => e.kind === 'lost') };
}

const state = (s: WatchState) => (e: Seen) => e.kind === 'state' && e.state === s;
const isLost = (e: Seen) => e.kind === 'lost';

const Connect = suite('Watch: connecting');

Connect('connects, says so, and holds the connection (nothing is sent on it)', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  const { w, seen } = watch(s.port, clock);
  assert.is(w.state, 'stopped');
  w.start();
  assert.is(w.state, 'connecting');
  await seen.take('connected', (e) => e.kind === 'connected');
  assert.is(w.state, 'connected');
  assert.is(w.detail, '');
  assert.is(clock.armed, 0, 'no timer while connected');
  const conn = await s.connections.take('the connection');
  clock.advance(60_000);
  await turns();
  assert.is(conn.bytesRead, 0);
  assert.is(conn.closed, false);
  w.stop();
  await shut(s.server);
});

Connect('a host that refuses: lost, retried every retryMs, and onLost is never called (it never had a connection)', async () => {
  const s = await tcpServer();
  await shut(s.server);
  const clock = new ManualClock();
  const { w, seen, lost } = watch(s.port, clock);
  w.start();
  await seen.take('lost', state('lost'));
  assert.is(w.detail, 'connect ECONNREFUSED');
  for (let i = 0; i < 2; i++) {
    clock.advance(RETRY - 1);
    assert.is(w.state, 'lost', 'not before retryMs');
    clock.advance(1);
    assert.is(w.state, 'connecting');
    await seen.take('lost again', state('lost'));
  }
  assert.is(lost(), 0);
  // It comes up on that port: the next retry connects.
  await listen(s.server, s.port);
  clock.advance(RETRY);
  await seen.take('connected', (e) => e.kind === 'connected');
  assert.is(lost(), 0);
  w.stop();
  await shut(s.server);
});

// A loopback connect cannot be made to hang, but it is in flight until the next turn of the loop: the clock is
// advanced in the same turn as the start, so the connect timeout is what ends the attempt.
Connect('a connect not done by connectTimeoutMs is abandoned and retried', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  const { w, seen, lost } = watch(s.port, clock, 500);
  w.start();
  clock.advance(500);
  assert.is(w.state, 'lost');
  assert.is(w.detail, 'connect timed out after 500 ms');
  clock.advance(RETRY);
  await seen.take('connected', (e) => e.kind === 'connected');
  assert.is(lost(), 0);
  assert.is(seen.count((e) => e.kind === 'connected'), 1, 'the abandoned attempt did not count');
  w.stop();
  await shut(s.server);
});

const Lost = suite('Watch: losing the connection');

Lost('the server resets the connection: onLost("reset by peer") at once, without any timer', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  const { w, seen, lost } = watch(s.port, clock);
  w.start();
  await seen.take('connected', (e) => e.kind === 'connected');
  const conn = await s.connections.take('the connection');
  conn.resetAndDestroy();
  // The clock is not advanced: what ends the connection is the RST itself.
  assert.equal(await seen.take('onLost', isLost), { kind: 'lost', detail: 'reset by peer' });
  assert.is(w.state, 'lost');
  // One retry armed; the error and the close that follow it did not call onLost again.
  assert.is(clock.armed, 1);
  clock.advance(RETRY);
  await seen.take('connected again', (e) => e.kind === 'connected');
  assert.is(lost(), 1);
  w.stop();
  await shut(s.server);
});

Lost('a server that dies (FIN, and its listener gone): the reconnect is refused, onLost once, without any timer', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  const { w, seen, lost } = watch(s.port, clock);
  w.start();
  await seen.take('connected', (e) => e.kind === 'connected');
  const conn = await s.connections.take('the connection');
  clock.advance(RETRY); // an established connection, not one closed as soon as accepted
  // As the kernel does for a process that exits: the listening socket goes, and the connection gets a FIN.
  s.server.close();
  conn.end();
  assert.equal(await seen.take('onLost', isLost), { kind: 'lost', detail: 'closed by peer (FIN); reconnect: connect ECONNREFUSED' });
  assert.is(w.state, 'lost');
  assert.is(w.detail, 'closed by peer (FIN); reconnect: connect ECONNREFUSED');
  // Retries fail and stay quiet; when it comes back on the same port, the watch connects again.
  clock.advance(RETRY);
  await seen.take('a retry refused', state('lost'));
  await listen(s.server, s.port);
  clock.advance(RETRY);
  await seen.take('connected again', (e) => e.kind === 'connected');
  assert.is(lost(), 1);
  assert.is(w.state, 'connected');
  w.stop();
  await shut(s.server);
});

Lost('the server goes away entirely (close, all connections destroyed), then comes back on the same port', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  const { w, seen, lost } = watch(s.port, clock);
  w.start();
  await seen.take('connected', (e) => e.kind === 'connected');
  await s.connections.take('the connection');
  clock.advance(RETRY);
  await shut(s.server);
  const first = await seen.take('onLost', isLost);
  assert.match((first as { detail: string }).detail, /ECONNREFUSED/);
  for (let i = 0; i < 3; i++) {
    clock.advance(RETRY);
    await seen.take(`retry ${i + 1} refused`, state('lost'));
  }
  assert.is(lost(), 1, 'failed retries are not losses');
  await listen(s.server, s.port);
  clock.advance(RETRY);
  await seen.take('connected again', (e) => e.kind === 'connected');
  await s.connections.take('the new connection');
  assert.is(lost(), 1);
  w.stop();
  await shut(s.server);
});

Lost('a healthy server that closes a connection (FIN) and still listens: reconnected at once, nothing lost', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  const { w, seen, lost } = watch(s.port, clock);
  w.start();
  await seen.take('connected', (e) => e.kind === 'connected');
  const conn = await s.connections.take('the connection');
  clock.advance(RETRY);
  conn.end();
  // No clock advance: the reconnect starts at the FIN.
  await seen.take('connected again', (e) => e.kind === 'connected');
  await s.connections.take('the new connection');
  assert.is(lost(), 0);
  assert.is(w.state, 'connected');
  w.stop();
  await shut(s.server);
});

Lost('a server that closes each connection as soon as it accepts: one reconnect per retryMs, not a loop', async () => {
  const s = await tcpServer((c) => c.end());
  const clock = new ManualClock();
  const { w, seen, lost } = watch(s.port, clock);
  w.start();
  await seen.take('connected', (e) => e.kind === 'connected');
  await seen.take('waiting to reconnect', state('connecting'));
  await turns(20);
  assert.is(s.connections.seen.length, 1, 'no reconnect before retryMs');
  assert.is(clock.armed, 1);
  clock.advance(RETRY);
  await seen.take('connected again', (e) => e.kind === 'connected');
  await seen.take('waiting again', state('connecting'));
  assert.is(s.connections.seen.length, 2);
  assert.is(lost(), 0);
  // Then it dies: the delayed reconnect is refused and that is a loss.
  await shut(s.server);
  clock.advance(RETRY);
  assert.equal(await seen.take('onLost', isLost), { kind: 'lost', detail: 'closed by peer (FIN); reconnect: connect ECONNREFUSED' });
  w.stop();
});

const Stop = suite('Watch: stop');

Stop('stop() closes the connection and never calls onLost', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  const { w, seen, lost } = watch(s.port, clock);
  w.start();
  await seen.take('connected', (e) => e.kind === 'connected');
  const conn = await s.connections.take('the connection');
  w.stop();
  assert.is(w.state, 'stopped');
  await within(closed(conn), 'the server to see the connection closed');
  await turns();
  clock.advance(10 * RETRY);
  assert.is(lost(), 0);
  assert.is(clock.armed, 0);
  assert.is(s.connections.seen.length, 1, 'no reconnect after stop');
  await shut(s.server);
});

Stop('stop() while waiting to retry: the retry is cancelled', async () => {
  const s = await tcpServer();
  await shut(s.server);
  const clock = new ManualClock();
  const { w, seen } = watch(s.port, clock);
  w.start();
  await seen.take('lost', state('lost'));
  assert.is(clock.armed, 1);
  w.stop();
  assert.is(clock.armed, 0);
  assert.is(w.state, 'stopped');
});

Stop('onLost may stop the watch: nothing happens after', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  let losses = 0;
  let lostOnce!: () => void;
  const lostP = new Promise<void>((r) => (lostOnce = r));
  const w: Watch = new Watch({ host: HOST, port: s.port }, {
    clock,
    retryMs: RETRY,
    onLost: () => {
      losses++;
      w.stop();
      lostOnce();
    },
    onConnected: () => {},
  });
  w.start();
  const conn = await s.connections.take('the connection');
  await turns();
  assert.is(w.state, 'connected');
  conn.resetAndDestroy();
  await within(lostP, 'onLost');
  await turns();
  assert.is(losses, 1);
  assert.is(w.state, 'stopped');
  assert.is(clock.armed, 0);
  await shut(s.server);
});

Stop('stop() from onState("lost") comes before onLost: onLost is not called', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  let losses = 0;
  let stopped!: () => void;
  const stoppedP = new Promise<void>((r) => (stopped = r));
  const w: Watch = new Watch({ host: HOST, port: s.port }, {
    clock,
    retryMs: RETRY,
    onLost: () => void losses++,
    onConnected: () => {},
    onState: (st) => {
      if (st === 'lost') {
        w.stop();
        stopped();
      }
    },
  });
  w.start();
  const conn = await s.connections.take('the connection');
  await turns();
  conn.resetAndDestroy();
  await within(stoppedP, 'the state to go to lost');
  await turns();
  assert.is(losses, 0);
  assert.is(w.state, 'stopped');
  assert.is(clock.armed, 0);
  await shut(s.server);
});

// node:http closes connections on its own: one that sent no request at headersTimeout (60 s by default, checked every
// connectionsCheckingInterval, 30 s), an idle keep-alive one at keepAliveTimeout. This server does it within ~0.3 s,
// so two seconds of REAL time (the server's timers are its own, not our clock) show many such closes.
const Http = suite('Watch: against node:http');

Http('a healthy node:http server that keeps closing idle connections: no false loss over 2 s, the watch stays up', async () => {
  const server = http.createServer({ connectionsCheckingInterval: 50 }, (_, res) => res.end('ok'));
  server.keepAliveTimeout = 300;
  server.headersTimeout = 300;
  server.requestTimeout = 300;
  let accepted = 0;
  server.on('connection', (c: net.Socket) => {
    accepted++;
    c.on('error', () => {});
  });
  const port = await listen(server);
  const { w, seen, lost } = watch(port, realClock);
  w.start();
  await seen.take('connected', (e) => e.kind === 'connected');
  await within(new Promise((r) => setTimeout(r, 2000)), 'two seconds', 10_000);
  assert.is(lost(), 0);
  assert.ok(accepted >= 3, `the server closed the watch's connection and it reconnected (${accepted} connections)`);
  // Whatever the moment, the watch is up or between a FIN and its reconnect; it ends connected.
  if (w.state !== 'connected') await seen.take('connected', (e) => e.kind === 'connected');
  assert.is(w.state, 'connected');
  w.stop();
  await shut(server);
});

Connect.run();
Lost.run();
Stop.run();
Http.run();
