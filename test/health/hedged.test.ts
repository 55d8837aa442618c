// A network check as two staggered attempts: an unanswered first attempt does not fail a server that answers the second.
import http from 'node:http';
import type net from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../src/bgp/fsm/clock.js';
import { hedgedCheck } from '../../src/health/probes.js';

/** A server that leaves the first `hold` requests unanswered (as if their packets were lost) and answers the rest. */
async function server(hold: number, status = 200) {
  const held: http.ServerResponse[] = [];
  let seen = 0;
  const s = http.createServer((_req, res) => {
    seen++;
    if (seen <= hold) held.push(res);
    else res.writeHead(status).end('ok');
  });
  await new Promise<void>((r) => s.listen({ host: '127.0.0.1', port: 0 }, r));
  return {
    url: `http://127.0.0.1:${(s.address() as net.AddressInfo).port}/`,
    seen: () => seen,
    close: () => {
      for (const r of held) r.destroy();
      s.closeAllConnections();
      s.close();
    },
  };
}

const until = async (check: () => boolean): Promise<void> => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 2));
  assert.ok(check(), 'timed out waiting for the server');
};

const Hedge = suite('hedgedCheck');

Hedge('the first attempt unanswered: the second, at half the timeout, passes the check', async () => {
  const srv = await server(1);
  const clock = new ManualClock();
  try {
    const c = hedgedCheck({ kind: 'http', url: srv.url, expectStatus: 200, insecure: false }, { timeoutMs: 80, clock });
    await until(() => srv.seen() === 1);
    clock.advance(40);
    const r = await c.done;
    assert.equal([r.ok, r.detail], [true, 'HTTP 200 (second attempt)']);
    assert.is(srv.seen(), 2);
  } finally {
    srv.close();
  }
});

Hedge('both unanswered: failed at the timeout, not later', async () => {
  const srv = await server(2);
  const clock = new ManualClock();
  try {
    const c = hedgedCheck({ kind: 'http', url: srv.url, expectStatus: 200, insecure: false }, { timeoutMs: 80, clock });
    await until(() => srv.seen() === 1);
    clock.advance(40);
    await until(() => srv.seen() === 2);
    clock.advance(40);
    const r = await c.done;
    assert.equal([r.ok, r.latencyMs], [false, 80]);
    assert.match(r.detail, /timed out/);
  } finally {
    srv.close();
  }
});

Hedge('a definite answer before the second attempt fails at once, with one attempt', async () => {
  const srv = await server(0, 503);
  const clock = new ManualClock();
  try {
    const r = await hedgedCheck({ kind: 'http', url: srv.url, expectStatus: 200, insecure: false }, { timeoutMs: 80, clock }).done;
    assert.equal([r.ok, r.detail], [false, 'HTTP 503 (expected 200)']);
    assert.is(srv.seen(), 1);
  } finally {
    srv.close();
  }
});

Hedge.run();
