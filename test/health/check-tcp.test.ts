// runCheck for tcp checks against a real node:net server on 127.0.0.1.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../src/bgp/fsm/clock.js';
import { runCheck } from '../../src/health/checks.js';
import { HOST, closed, refusingPort, shut, tcpServer, within } from './helpers.js';

const Tcp = suite('runCheck: tcp');

Tcp('an accepted connection passes, and is closed right after', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  const out = await within(runCheck({ kind: 'tcp', host: HOST, port: s.port }, { timeoutMs: 50, clock }).done, 'the check');
  assert.equal(out, { ok: true, latencyMs: 0, detail: 'connected' });
  const conn = await s.connections.take('the connection');
  await within(closed(conn), 'the server to see the connection closed');
  assert.is(clock.armed, 0);
  await shut(s.server);
});

Tcp('refused: connect ECONNREFUSED', async () => {
  const port = await refusingPort();
  const out = await within(runCheck({ kind: 'tcp', host: HOST, port }, { timeoutMs: 50, clock: new ManualClock() }).done, 'the check');
  assert.equal(out, { ok: false, latencyMs: 0, detail: 'connect ECONNREFUSED' });
});

// A loopback connect cannot be made to hang, but it is still in flight until the next turn of the event loop: the
// clock is advanced in the same turn as the start, so the timeout is what ends the run.
Tcp('a connect not done by the timeout fails', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  const run = runCheck({ kind: 'tcp', host: HOST, port: s.port }, { timeoutMs: 50, clock });
  clock.advance(50);
  assert.equal(await within(run.done, 'the check'), { ok: false, latencyMs: 50, detail: 'timed out after 50 ms' });
  await shut(s.server);
});

Tcp('cancel() before the connect is done: cancelled', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  const run = runCheck({ kind: 'tcp', host: HOST, port: s.port }, { timeoutMs: 50, clock });
  run.cancel();
  assert.equal(await within(run.done, 'the check'), { ok: false, latencyMs: 0, detail: 'cancelled' });
  assert.is(clock.armed, 0);
  await shut(s.server);
});

Tcp('done never rejects: a port node refuses is a failed run', async () => {
  const out = await runCheck({ kind: 'tcp', host: HOST, port: 70000 }, { timeoutMs: 50, clock: new ManualClock() }).done;
  assert.is(out.ok, false);
  assert.match(out.detail, /ERR_SOCKET_BAD_PORT/);
});

Tcp.run();
