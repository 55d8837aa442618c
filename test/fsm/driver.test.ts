// The session driver (session.ts) on loopback with a manual clock: time stamps, and what it reports.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { makeNotification } from '../../src/bgp/messages/index.js';
import { until } from '../helpers/speakers.js';
import { established } from './driver-harness.js';

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
