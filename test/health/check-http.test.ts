// runCheck for http/https checks against real node:http(s) and node:net servers on 127.0.0.1.
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../src/bgp/fsm/clock.js';
import type { CheckConfig } from '../../src/config/types.js';
import { BODY_LIMIT, runCheck } from '../../src/health/checks.js';
import { Events, HOST, closed, listen, refusingPort, shut, tcpServer, turns, within } from './helpers.js';
import { TEST_CERT, TEST_KEY } from './tls-fixture.js';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** A node:http server that records each request and the connections it accepted. */
async function web(handler: Handler, make: (h: Handler) => http.Server = (h) => http.createServer(h)) {
  const requests = new Events<http.IncomingMessage>();
  let connections = 0;
  const server = make((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  server.on('connection', () => connections++);
  const port = await listen(server);
  return { server, port, requests, connections: () => connections };
}

const httpCheck = (url: string, more: Partial<Extract<CheckConfig, { kind: 'http' }>> = {}): CheckConfig => ({ kind: 'http', url, expectStatus: 200, insecure: false, ...more });

const Http = suite('runCheck: http');

Http('200 passes, with a GET that says who it is and asks for the connection to be closed', async () => {
  const w = await web((_, res) => res.end('ok\n'));
  const clock = new ManualClock();
  const out = await within(runCheck(httpCheck(`http://${HOST}:${w.port}/healthz?deep=1`), { timeoutMs: 80, clock }).done, 'the check');
  assert.equal(out, { ok: true, latencyMs: 0, detail: 'HTTP 200' });
  const req = w.requests.seen[0]!;
  assert.is(req.method, 'GET');
  assert.is(req.url, '/healthz?deep=1');
  assert.is(req.headers['user-agent'], 'tsbgp-health');
  assert.is(req.headers.connection, 'close');
  assert.is(req.headers.host, `${HOST}:${w.port}`);
  assert.is(clock.armed, 0, 'the timeout is cleared');
  await shut(w.server);
});

Http('another status fails and says which was expected; expect-status may be any status', async () => {
  const w = await web((req, res) => {
    res.statusCode = req.url === '/down' ? 503 : 204;
    res.end();
  });
  const clock = new ManualClock();
  const down = await within(runCheck(httpCheck(`http://${HOST}:${w.port}/down`), { timeoutMs: 80, clock }).done, 'the check');
  assert.equal(down, { ok: false, latencyMs: 0, detail: 'HTTP 503 (expected 200)' });
  const nc = await within(runCheck(httpCheck(`http://${HOST}:${w.port}/`, { expectStatus: 204 }), { timeoutMs: 80, clock }).done, 'the check');
  assert.equal(nc, { ok: true, latencyMs: 0, detail: 'HTTP 204' });
  await shut(w.server);
});

Http('a fresh connection for every run (no agent): two runs, two connections', async () => {
  const w = await web((_, res) => res.end('ok'));
  const clock = new ManualClock();
  for (let i = 0; i < 2; i++) await within(runCheck(httpCheck(`http://${HOST}:${w.port}/`), { timeoutMs: 80, clock }).done, 'the check');
  assert.is(w.connections(), 2);
  await shut(w.server);
});

Http('latencyMs is the injected clock from start to verdict', async () => {
  let res: http.ServerResponse | undefined;
  const w = await web((_, r) => (res = r));
  const clock = new ManualClock();
  const run = runCheck(httpCheck(`http://${HOST}:${w.port}/`), { timeoutMs: 80, clock });
  await w.requests.take('the request');
  clock.advance(30);
  if (!res) throw new Error('no response object');
  res.end('ok');
  assert.equal(await within(run.done, 'the check'), { ok: true, latencyMs: 30, detail: 'HTTP 200' });
  await shut(w.server);
});

Http('refused: connect ECONNREFUSED', async () => {
  const port = await refusingPort();
  const out = await within(runCheck(httpCheck(`http://${HOST}:${port}/`), { timeoutMs: 80, clock: new ManualClock() }).done, 'the check');
  assert.equal(out, { ok: false, latencyMs: 0, detail: 'connect ECONNREFUSED' });
});

Http('a server that accepts and never answers: failed at the timeout, and the connection is closed', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  const run = runCheck(httpCheck(`http://${HOST}:${s.port}/`), { timeoutMs: 80, clock });
  const conn = await s.connections.take('the connection');
  clock.advance(79);
  await turns();
  assert.is(conn.closed, false, 'not before the timeout');
  clock.advance(1);
  assert.equal(await within(run.done, 'the check'), { ok: false, latencyMs: 80, detail: 'timed out after 80 ms' });
  await within(closed(conn), 'the server to see the connection closed');
  await shut(s.server);
});

Http('cancel(): cancelled, and the connection is closed', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  const run = runCheck(httpCheck(`http://${HOST}:${s.port}/`), { timeoutMs: 80, clock });
  const conn = await s.connections.take('the connection');
  run.cancel();
  assert.equal(await within(run.done, 'the check'), { ok: false, latencyMs: 0, detail: 'cancelled' });
  assert.is(clock.armed, 0);
  await within(closed(conn), 'the server to see the connection closed');
  run.cancel(); // a second cancel changes nothing
  await shut(s.server);
});

Http('done never rejects: a URL node cannot use is a failed run', async () => {
  const clock = new ManualClock();
  const ftp = await runCheck(httpCheck('ftp://127.0.0.1/'), { timeoutMs: 80, clock }).done;
  assert.is(ftp.ok, false);
  assert.match(ftp.detail, /not an http/);
  const junk = await runCheck(httpCheck('no url at all'), { timeoutMs: 80, clock }).done;
  assert.is(junk.ok, false);
  assert.match(junk.detail, /ERR_INVALID_URL/);
  assert.is(clock.armed, 0, 'no timer left behind');
});

Http('a server that dies before answering: a failed run naming the reset', async () => {
  const s = await tcpServer((c) => c.once('data', () => c.resetAndDestroy()));
  const out = await within(runCheck(httpCheck(`http://${HOST}:${s.port}/`), { timeoutMs: 80, clock: new ManualClock() }).done, 'the check');
  assert.is(out.ok, false);
  assert.match(out.detail, /ECONNRESET/);
  await shut(s.server);
});

const Body = suite('runCheck: http expect-body');

Body('a body containing the text passes; one lacking it fails and says what it lacked', async () => {
  const w = await web((req, res) => res.end(req.url === '/good' ? 'status: ok\n' : 'status: degraded\n'));
  const clock = new ManualClock();
  const good = await within(runCheck(httpCheck(`http://${HOST}:${w.port}/good`, { expectBody: 'ok' }), { timeoutMs: 80, clock }).done, 'the check');
  assert.equal(good, { ok: true, latencyMs: 0, detail: 'HTTP 200' });
  const bad = await within(runCheck(httpCheck(`http://${HOST}:${w.port}/bad`, { expectBody: 'ok' }), { timeoutMs: 80, clock }).done, 'the check');
  assert.equal(bad, { ok: false, latencyMs: 0, detail: 'body lacks "ok"' });
  await shut(w.server);
});

Body('the text is found when it spans two chunks', async () => {
  const w = await web((_, res) => {
    res.flushHeaders();
    res.write('x'.repeat(1000) + 'he');
    // Turns of the loop (not a timer) so the client reads the first part before the second is written.
    void turns(20).then(() => res.end('althy'));
  });
  const out = await within(runCheck(httpCheck(`http://${HOST}:${w.port}/`, { expectBody: 'healthy' }), { timeoutMs: 80, clock: new ManualClock() }).done, 'the check');
  assert.equal(out, { ok: true, latencyMs: 0, detail: 'HTTP 200' });
  await shut(w.server);
});

Body(`a body that never ends is read up to ${BODY_LIMIT / 1024} KiB, then the run fails without waiting for the timeout`, async () => {
  let written = 0;
  let res!: http.ServerResponse;
  const w = await web((_, r) => {
    res = r;
    const more = (): void => {
      if (r.destroyed) return;
      written += 16 * 1024;
      r.write('x'.repeat(16 * 1024), more);
    };
    more();
  });
  const clock = new ManualClock();
  const out = await within(runCheck(httpCheck(`http://${HOST}:${w.port}/`, { expectBody: 'ok' }), { timeoutMs: 80, clock }).done, 'the check');
  assert.equal(out, { ok: false, latencyMs: 0, detail: 'body lacks "ok" (in its first 64 KiB)' });
  await within(closed(res.socket as net.Socket), 'the server to see the connection closed');
  assert.ok(written >= BODY_LIMIT, `the server wrote ${written} octets`);
  await shut(w.server);
});

Body('the text after the first 64 KiB is not seen', async () => {
  const w = await web((_, res) => res.end('x'.repeat(BODY_LIMIT) + 'ok'));
  const out = await within(runCheck(httpCheck(`http://${HOST}:${w.port}/`, { expectBody: 'ok' }), { timeoutMs: 80, clock: new ManualClock() }).done, 'the check');
  assert.equal(out, { ok: false, latencyMs: 0, detail: 'body lacks "ok" (in its first 64 KiB)' });
  await shut(w.server);
});

Body('a server that dies in the middle of the body: a failed run', async () => {
  const w = await web((_, res) => {
    res.writeHead(200, { 'Content-Length': '1000' });
    res.write('half');
    void turns(5).then(() => res.socket?.destroy());
  });
  const out = await within(runCheck(httpCheck(`http://${HOST}:${w.port}/`, { expectBody: 'ok' }), { timeoutMs: 80, clock: new ManualClock() }).done, 'the check');
  assert.is(out.ok, false);
  assert.not.match(out.detail, /timed out/);
  await shut(w.server);
});

const Https = suite('runCheck: https');

Https('insecure: a self-signed certificate is accepted', async () => {
  const w = await web((_, res) => res.end('ok'), (h) => https.createServer({ key: TEST_KEY, cert: TEST_CERT }, h));
  const out = await within(runCheck(httpCheck(`https://${HOST}:${w.port}/`, { insecure: true, expectBody: 'ok' }), { timeoutMs: 80, clock: new ManualClock() }).done, 'the check');
  assert.equal(out, { ok: true, latencyMs: 0, detail: 'HTTP 200' });
  assert.is(w.requests.seen[0]?.headers['user-agent'], 'tsbgp-health');
  await shut(w.server);
});

Https('verified (the default): the same certificate fails the run, and no request is sent', async () => {
  const w = await web((_, res) => res.end('ok'), (h) => https.createServer({ key: TEST_KEY, cert: TEST_CERT }, h));
  const out = await within(runCheck(httpCheck(`https://${HOST}:${w.port}/`), { timeoutMs: 80, clock: new ManualClock() }).done, 'the check');
  assert.is(out.ok, false);
  assert.match(out.detail, /SELF_SIGNED/);
  assert.is(w.requests.seen.length, 0);
  await shut(w.server);
});

Http.run();
Body.run();
Https.run();
