// Received routes whose next hop cannot be used (ours, 0.0.0.0, multicast) or whose AS path holds our AS are ignored by the daemon and counted per neighbor.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { UpdateMessage } from '../../src/bgp/messages/index.js';
import { Speaker } from '../../src/daemon/speaker.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { config, memoryLogger, neighbor, until, waitState } from '../helpers/speakers.js';

const update = (prefix: string, nextHop: string, asns = [65515]): UpdateMessage => ({
  type: 'UPDATE',
  withdrawn: [],
  attributes: [
    { type: 'ORIGIN', origin: 0 },
    { type: 'AS_PATH', segments: [{ segmentType: 2, asns }] },
    { type: 'NEXT_HOP', nextHop },
  ],
  nlri: [{ prefix }],
});

const Received = suite('received next hops');

Received('ours, 0.0.0.0 and multicast are not installed, and show up in the neighbor counters', async () => {
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
  const port = await rs.listen('127.0.0.2');
  const w = new Speaker({ config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port })] }), log: memoryLogger() });
  await w.start();
  try {
    await waitState(w, '127.0.0.2', 'Established');
    rs.send(update('10.20.0.0/16', '10.10.0.7'));
    rs.send(update('10.21.0.0/16', '0.0.0.0'));
    rs.send(update('10.22.0.0/16', '224.0.0.5'));
    rs.send(update('10.23.0.0/16', '10.10.1.1'));
    await until('the good route', () => [...w.routes('received')].length === 1);
    assert.equal([...w.routes('received')].map((r) => [r.prefix, r.nextHop]), [['10.23.0.0/16', '10.10.1.1']]);
    assert.equal(w.neighbors()[0]!.prefixes, { received: 1, advertised: 0, ignored: { nextHopZero: 1, nextHopMulticast: 1, nextHopReserved: 0, nextHopOwnAddress: 1, asPathLoop: 0 } });
  } finally {
    await w.stop();
    await rs.close();
  }
});

Received('our own AS in the AS path: a loop (RFC 4271 §9.1.2), not installed, counted; it replaces (withdraws) an earlier route', async () => {
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
  const port = await rs.listen('127.0.0.2');
  const w = new Speaker({ config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port })] }), log: memoryLogger() });
  await w.start();
  try {
    await waitState(w, '127.0.0.2', 'Established');
    rs.send(update('10.30.0.0/16', '10.10.1.1'));
    rs.send(update('10.31.0.0/16', '10.10.1.1'));
    await until('both routes', () => [...w.routes('received')].length === 2);
    rs.send(update('10.30.0.0/16', '10.10.1.1', [65515, 65001, 65010]));
    rs.send(update('10.32.0.0/16', '10.10.1.1', [65515, 65001]));
    await until('the loops counted', () => w.neighbors()[0]!.prefixes.ignored?.asPathLoop === 2);
    assert.equal([...w.routes('received')].map((r) => r.prefix), ['10.31.0.0/16']);
    assert.equal(w.neighbors()[0]!.prefixes, { received: 1, advertised: 0, ignored: { nextHopZero: 0, nextHopMulticast: 0, nextHopReserved: 0, nextHopOwnAddress: 0, asPathLoop: 2 } });
  } finally {
    await w.stop();
    await rs.close();
  }
});

Received.run();
