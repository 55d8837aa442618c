// Control traffic never starves BGP: one client's pipelined burst against the real Speaker does not hold up another client.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ControlClient } from '../../src/control/client.js';
import { ControlServer } from '../../src/control/server.js';
import { Speaker } from '../../src/daemon/speaker.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { config, memoryLogger, neighbor, waitState } from '../helpers/speakers.js';
import { Raw, cleanup, line, opened, until, within } from './harness.js';

const VIP = '100.64.0.1/32';
const dir = mkdtempSync(join(tmpdir(), 'tsbgp-fair-'));

/** A real Speaker, Established with a scripted route server on 127.0.0.2, behind a ControlServer. */
async function daemon() {
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
  const port = await rs.listen('127.0.0.2');
  opened.push(() => rs.close());
  const speaker = new Speaker({
    config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port })], routes: [{ prefix: VIP, nextHop: '10.10.0.4' }] }),
    log: memoryLogger(),
    random: () => 0.5,
  });
  await speaker.start();
  opened.push(() => speaker.stop());
  await waitState(speaker, '127.0.0.2', 'Established');
  const server = new ControlServer({ path: join(dir, `s${opened.length}.sock`), speaker, closeGraceMs: 100 });
  await server.listen();
  opened.push(() => server.close());
  return { rs, speaker, server };
}

const Fair = suite('control fairness against the real Speaker');

Fair('client A pipelines 1000 failovers in one write; client B\'s ping is answered after at most a few of them', async () => {
  const { rs, server } = await daemon();
  const a = await Raw.open(server.path);
  const b = await ControlClient.connect(server.path);
  opened.push(() => b.close());
  const updatesBefore = rs.ofType('UPDATE').length;
  const COUNT = 1000;
  // Each one moves the VIP: every request is a real UPDATE to the route server.
  a.write(Array.from({ length: COUNT }, (_, i) => line({ v: 1, id: i, command: 'announce', args: { prefix: VIP, nextHop: i % 2 ? '10.10.0.4' : '10.10.0.5' } })).join(''));
  const pong = b.request('ping').then((r) => ({ r, aReplies: a.received }));
  const { r, aReplies } = await within(10_000, pong, "B's pong");
  assert.is(r.pong, true);
  // B waits for the request of A's in progress, not for A's queue: before the yield it came after 150+.
  assert.ok(aReplies < 20, `B's pong came after ${aReplies} of A's ${COUNT} replies`);
  const replies = await a.read(COUNT, 20_000);
  assert.equal(replies.map((x) => x.id), Array.from({ length: COUNT }, (_, i) => i));
  assert.ok(replies.every((x) => x.ok && x.result.changed && x.result.peers[0].sent), 'every failover was sent');
  await until(() => rs.ofType('UPDATE').length === updatesBefore + COUNT, 10_000, 'every UPDATE reached the route server');
});

Fair('queued announces of distinct prefixes go out together: 1000 requests, a handful of UPDATEs, each reply its own', async () => {
  const { rs, server } = await daemon();
  const a = await Raw.open(server.path);
  const updatesBefore = rs.ofType('UPDATE').length;
  const COUNT = 1000;
  const prefix = (i: number): string => `100.65.${i >> 8}.${i & 255}/32`;
  a.write(Array.from({ length: COUNT }, (_, i) => line({ v: 1, id: i, command: 'announce', args: { prefix: prefix(i), nextHop: '10.10.0.5' } })).join(''));
  const replies = await a.read(COUNT, 20_000);
  assert.equal(replies.map((x) => x.id), Array.from({ length: COUNT }, (_, i) => i));
  assert.ok(replies.every((x) => x.ok && x.result.changed && x.result.peers[0].sent), 'every announce was sent');
  await until(() => rs.ofType('UPDATE').reduce((n, u) => n + u.nlri.length, 0) >= COUNT + 1, 10_000, 'every prefix at the route server');
  const updates = rs.ofType('UPDATE').length - updatesBefore;
  // One UPDATE per group of queued requests (at most 128 prefixes each), not one per request.
  assert.ok(updates <= Math.ceil(COUNT / 64), `${updates} UPDATEs for ${COUNT} announces`);
});

Fair.after.each(cleanup);
Fair.run();
