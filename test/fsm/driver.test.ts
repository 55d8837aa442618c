// The session driver (session.ts) on loopback with a manual clock: time stamps, and what it reports.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KEEPALIVE, type UpdateMessage, encodeMessage, makeNotification } from '../../src/bgp/messages/index.js';
import { RECEIVE_SLICE_OCTETS, WRITE_HIGH_WATER } from '../../src/bgp/fsm/session.js';
import { until } from '../helpers/speakers.js';
import { established } from './driver-harness.js';

/**
 * `count` UPDATEs of about 4 KB that cost little to encode and decode: one prefix and an unknown
 * optional transitive attribute carried as opaque bytes.
 */
function bulk(count: number): UpdateMessage[] {
  const attributes: UpdateMessage['attributes'] = [
    { type: 'ORIGIN', origin: 0 },
    { type: 'AS_PATH', segments: [{ segmentType: 2, asns: [65001] }] },
    { type: 'NEXT_HOP', nextHop: '192.0.2.1' },
    { type: 'UNKNOWN', code: 250, flags: 0xd0, data: new Uint8Array(4000) },
  ];
  return Array.from({ length: count }, () => ({ type: 'UPDATE', withdrawn: [], attributes, nlri: [{ prefix: '198.51.100.0/24' }] }));
}

type Driven = Awaited<ReturnType<typeof established>>;

/** The peer stops reading; we write until the kernel holds no more (bounded: 64 batches of ~1 MB). */
async function fillUntilBlocked(d: Driven): Promise<void> {
  d.rs.socket!.pause();
  const batch = bulk(256);
  for (let i = 0; i < 64 && d.peer.pendingWrite <= WRITE_HIGH_WATER; i++) {
    void d.peer.sendBatch(batch);
    await new Promise((r) => setImmediate(r));
  }
  assert.ok(d.peer.pendingWrite > WRITE_HIGH_WATER, `${d.peer.pendingWrite} octets waiting`);
}

/** Advance the clock in 30 s steps, the peer sending a KEEPALIVE after each (it talks, it does not read). */
async function talkFor(d: Driven, seconds: number): Promise<void> {
  for (let t = 0; t < seconds; t += 30) {
    d.clock.advance(30_000);
    if (d.peer.state !== 'Established') return;
    const before = d.peer.received.keepalive;
    d.rs.send(KEEPALIVE);
    await until('the peer KEEPALIVE', () => d.peer.received.keepalive > before);
  }
}

const Stamps = suite('driver: one clock for stamps');

Stamps('since and establishedAt come from clock.wall()', async () => {
  const d = await established();
  try {
    assert.is(d.peer.establishedAt, d.clock.wall());
    assert.is(d.peer.since, d.clock.wall());
    d.clock.advance(3000);
    d.rs.send(makeNotification(6, 4));
    await until('Idle', () => d.peer.state === 'Idle');
    assert.is(d.peer.since, d.clock.wall());
    assert.is(d.peer.establishedAt, undefined);
  } finally {
    await d.close();
  }
});

Stamps('a Cease received at t1, then a 1/1 sent at t2: lastError.at is t2', async () => {
  const d = await established();
  try {
    d.clock.advance(1000);
    const t1 = d.clock.wall();
    d.rs.send(makeNotification(6, 4));
    await until('the Cease', () => d.peer.session.lastError?.direction === 'received');
    assert.is(d.peer.session.lastError?.at, t1);
    d.clock.advance(5000); // the IdleHold back-off: the driver connects again
    await until('Established again', () => d.peer.state === 'Established');
    d.clock.advance(2000);
    const t2 = d.clock.wall();
    d.rs.socket!.write(Buffer.alloc(19, 0)); // a header with a broken marker
    await until('our 1/1', () => d.peer.session.lastError?.direction === 'sent');
    const e = d.peer.session.lastError!;
    assert.equal([e.code, e.subcode], [1, 1]);
    assert.is(e.at, t2);
    assert.ok(t2 > t1);
  } finally {
    await d.close();
  }
});

Stamps.run();

const Down = suite('driver: PeerHooks.down gets the typed reason');

Down('the peer sends a Cease: notification-received 6/4', async () => {
  const d = await established();
  try {
    d.rs.send(makeNotification(6, 4));
    await until('down', () => d.heard.downs.length === 1);
    assert.equal(d.heard.downs, [{ type: 'notification-received', code: 6, subcode: 4 }]);
    assert.ok(d.heard.logs.some((l) => l.msg === 'session down: NOTIFICATION received: Cease / Administrative Reset'));
  } finally {
    await d.close();
  }
});

Down('the peer closes the connection: tcp-failure', async () => {
  const d = await established();
  try {
    d.rs.socket!.destroy();
    await until('down', () => d.heard.downs.length === 1);
    assert.equal(d.heard.downs, [{ type: 'tcp-failure' }]);
  } finally {
    await d.close();
  }
});

Down('stop(communication): admin-stop with it', async () => {
  const d = await established();
  try {
    await d.peer.stop('upgrade');
    assert.equal(d.heard.downs, [{ type: 'admin-stop', communication: 'upgrade' }]);
  } finally {
    await d.close();
  }
});

Down.run();

const SendHold = suite('driver: the SendHoldTimer on a real socket (RFC 9687)');

SendHold('a peer that sends KEEPALIVEs but reads nothing is dropped after sendHoldTime, with the reason', async () => {
  const d = await established({ holdTime: 90, keepaliveTime: 30, sendHoldTime: 480 }, { holdTime: 90 });
  try {
    await fillUntilBlocked(d);
    await talkFor(d, 450);
    assert.is(d.peer.state, 'Established', 'up at 450 s: the peer talks and the hold timer is fed');
    d.clock.advance(29_999);
    assert.is(d.peer.state, 'Established', 'up 1 ms before the deadline');
    d.clock.advance(1);
    assert.is(d.peer.state, 'Idle');
    assert.equal(d.heard.downs, [{ type: 'send-hold-timer-expired' }]);
    assert.equal(d.heard.notifications, ['sent 8/0']);
    const e = d.peer.session.lastError!;
    assert.equal([e.direction, e.code, e.subcode, e.at], ['sent', 8, 0, d.clock.wall()]);
    assert.ok(d.heard.logs.some((l) => l.level === 'error' && /send hold time/.test(l.msg ?? '')));
    assert.is(d.peer.pendingWrite, 0, 'the connection was destroyed, not left to flush');
  } finally {
    await d.close();
  }
});

SendHold('a peer that reads again in time keeps the session: progress restarts the timer, an empty buffer stops it', async () => {
  const d = await established({ holdTime: 90, keepaliveTime: 30, sendHoldTime: 480 }, { holdTime: 90 });
  try {
    await fillUntilBlocked(d);
    await talkFor(d, 420);
    d.rs.socket!.resume();
    await until('everything written', () => d.peer.pendingWrite === 0, 10_000);
    await until('the SendHoldTimer stopped', () => !d.peer.session.sendHoldTimerRunning);
    await talkFor(d, 600);
    assert.is(d.peer.state, 'Established');
    assert.equal(d.heard.downs, []);
  } finally {
    await d.close();
  }
});

SendHold('no KEEPALIVE is queued behind a backlog above WRITE_HIGH_WATER', async () => {
  const d = await established({ holdTime: 90, keepaliveTime: 30, sendHoldTime: 480 }, { holdTime: 90 });
  try {
    await fillUntilBlocked(d);
    const sent = d.peer.sent.keepalive;
    await talkFor(d, 120);
    assert.is(d.peer.sent.keepalive, sent);
  } finally {
    await d.close();
  }
});

SendHold('stop() with a peer that reads nothing: the socket is destroyed when the clock says, not before', async () => {
  const d = await established({ sendHoldTime: 0 });
  try {
    await fillUntilBlocked(d);
    let closed = false;
    const stopped = d.peer.stop().then(() => (closed = true));
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    d.clock.advance(1999);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    assert.is(closed, false, 'closed before the drop timer ran');
    d.clock.advance(1);
    await until('closed', () => closed, 1000);
    await stopped;
  } finally {
    await d.close();
  }
});

SendHold.run();

const Slices = suite('driver: received UPDATEs handled in bounded slices');

const prefixOf = (i: number): string => `10.${i >> 8}.${i & 255}.0/24`;

/** `n` one-prefix UPDATEs from the peer (prefix i in the i-th), encoded back to back as it would send them. */
function peerUpdates(d: Driven, n: number, from = 0): { bytes: Buffer; length: number } {
  const ctx = d.peer.negotiated!.receive;
  const parts: Uint8Array[] = [];
  for (let i = from; i < from + n; i++) {
    parts.push(
      encodeMessage(
        {
          type: 'UPDATE',
          withdrawn: [],
          attributes: [
            { type: 'ORIGIN', origin: 0 },
            { type: 'AS_PATH', segments: [{ segmentType: 2, asns: [65002] }] },
            { type: 'NEXT_HOP', nextHop: '192.0.2.2' },
          ],
          nlri: [{ prefix: prefixOf(i) }],
        },
        ctx,
      ),
    );
  }
  return { bytes: Buffer.concat(parts), length: parts[0]!.length };
}

const N = 20_000;

Slices('a large burst: every UPDATE in order, none of the turns handling more than a slice, then the socket reads again', async () => {
  const d = await established();
  try {
    const { bytes, length } = peerUpdates(d, N);
    d.rs.socket!.write(bytes);
    await until('every UPDATE', () => d.heard.updates.length === N, 10_000);
    assert.equal(
      d.heard.updates.map((u) => u.nlri[0]?.prefix),
      Array.from({ length: N }, (_, i) => prefixOf(i)),
    );
    const most = Math.max(...d.heard.updatesPerTurn);
    assert.ok(most <= Math.ceil(RECEIVE_SLICE_OCTETS / length), `${most} UPDATEs in one turn`);
    assert.ok(d.heard.updatesPerTurn.length >= Math.floor((N * length) / RECEIVE_SLICE_OCTETS), `${d.heard.updatesPerTurn.length} turns`);
    // Resumed: what the peer sends next still arrives.
    d.rs.socket!.write(peerUpdates(d, 1, N).bytes);
    await until('the UPDATE after the burst', () => d.heard.updates.length === N + 1);
    assert.is(d.heard.updates[N]!.nlri[0]?.prefix, prefixOf(N));
    assert.is(d.peer.state, 'Established');
  } finally {
    await d.close();
  }
});

Slices('a session torn down in the middle of a slice handles nothing after it', async () => {
  const d = await established();
  try {
    const stopAt = 500;
    let stopped: Promise<void> | undefined;
    d.heard.onUpdate = () => {
      if (d.heard.updates.length === stopAt) stopped = d.peer.stop();
    };
    d.rs.socket!.write(peerUpdates(d, N).bytes);
    await until('the stop', () => stopped !== undefined);
    await stopped;
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    assert.is(d.heard.updates.length, stopAt);
    assert.is(d.peer.state, 'Idle');
  } finally {
    await d.close();
  }
});

Slices('a session torn down between slices: the pending slice does not run', async () => {
  const d = await established();
  try {
    let atStop = -1;
    let stopped: Promise<void> | undefined;
    d.heard.onUpdate = () => {
      if (d.heard.updates.length !== 1) return;
      setImmediate(() => {
        atStop = d.heard.updates.length;
        stopped = d.peer.stop();
      });
    };
    d.rs.socket!.write(peerUpdates(d, N).bytes);
    await until('the stop', () => stopped !== undefined);
    await stopped;
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    assert.ok(atStop > 0 && atStop < N, `stopped after ${atStop}`);
    assert.is(d.heard.updates.length, atStop);
  } finally {
    await d.close();
  }
});

Slices.run();
