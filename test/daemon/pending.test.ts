// A peer that stops reading: its Adj-RIB-Out keeps what it was really sent, marks the change pending, and catches up on drain.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Speaker } from '../../src/daemon/speaker.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { config, memoryLogger, neighbor, until, waitState } from '../helpers/speakers.js';

const VIP = '100.64.0.1/32';
const Pending = suite('a peer that is behind');

Pending('show routes --advertised gives its old next hop with a pending mark, then the new one once it reads again', async () => {
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
  const port = await rs.listen('127.0.0.2');
  const w = new Speaker({ config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port })], routes: [{ prefix: VIP, nextHop: '10.10.0.4' }] }), log: memoryLogger() });
  await w.start();
  try {
    await waitState(w, '127.0.0.2', 'Established');
    await until('the table', () => rs.ofType('UPDATE').length >= 2);
    rs.socket!.pause();
    // ~15 MB of UPDATEs (distinct MEDs: one UPDATE each) fill both kernel buffers and our high-water mark.
    const big = Array.from({ length: 40 }, (_, i): [number, number, number] => [65001, i, i]);
    const flood = Array.from({ length: 30_000 }, (_, i) => w.announce({ prefix: `100.65.${i >> 8}.${i & 255}/32`, nextHop: '10.10.0.4', med: i, largeCommunities: big }));
    await Promise.all(flood);
    const r = await w.announce({ prefix: VIP, nextHop: '10.10.0.5' });
    assert.equal(r.peers.map((p) => p.note), ['peer is not reading: queued until it drains']);
    const vip = (): { nextHop: string; pending?: boolean } | undefined => {
      for (const e of w.routes('advertised')) if (e.prefix === VIP) return e; // rows are lazy: stop at the first match
      return undefined;
    };
    assert.equal([vip()?.nextHop, vip()?.pending], ['10.10.0.4', true]);
    assert.ok((w.neighbors()[0]!.prefixes.pending ?? 0) >= 1);
    rs.socket!.resume();
    await until('the change sent after the drain', () => vip()?.pending === undefined && vip()?.nextHop === '10.10.0.5', 20_000);
    await until('the new next hop at the peer', () => rs.ofType('UPDATE').some((u) => u.nlri.some((n) => n.prefix === VIP) && u.attributes.some((a) => a.type === 'NEXT_HOP' && a.nextHop === '10.10.0.5')), 20_000);
    assert.not.ok(rs.ofType('UPDATE').some((u) => u.withdrawn.length > 0), 'no withdraw');
    assert.is(w.neighbors()[0]!.prefixes.pending, undefined);
  } finally {
    await w.stop();
    await rs.close();
  }
});

Pending.run();
