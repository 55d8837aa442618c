// Runtime announcements survive a restart; a reload keeps sessions and re-diffs routes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import { shutdownCommunication } from '../../src/bgp/messages/index.js';
import * as assert from 'uvu/assert';
import type { Config } from '../../src/config/types.js';
import { fileBackend } from '../../src/daemon/store.js';
import { Speaker } from '../../src/daemon/speaker.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { config, memoryLogger, neighbor, until, waitState } from '../helpers/speakers.js';

const VIP = '100.64.0.1/32';
const nextHops = (p: RawPeer): string[] =>
  p.ofType('UPDATE').flatMap((u) => u.attributes.filter((a) => a.type === 'NEXT_HOP').map((a) => (a.type === 'NEXT_HOP' ? a.nextHop : '')));

const Restart = suite('restart');

Restart('the failed-over next hop is restored before the first UPDATE: a restart never reverts the VIP', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbgp-restart-'));
  const file = join(dir, 'state.json');
  const state = fileBackend(file);
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
  const port = await rs.listen('127.0.0.2');
  const cfg = config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port })], routes: [{ prefix: VIP, nextHop: '10.10.0.4' }] });
  try {
    const first = new Speaker({ config: cfg, log: memoryLogger(), state });
    await first.start();
    await waitState(first, '127.0.0.2', 'Established');
    await first.announce({ prefix: VIP, nextHop: '10.10.0.5' });
    await first.stop();
    assert.equal((await fileBackend(file).read())?.intents, [{ owner: 'operator', intent: { kind: 'announce', route: { prefix: VIP, nextHop: '10.10.0.5' } } }]);

    const rs2 = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
    await rs.close();
    const port2 = await rs2.listen('127.0.0.2', port);
    assert.is(port2, port);
    const second = new Speaker({ config: cfg, log: memoryLogger(), state });
    await second.start();
    await until('the table after the restart', () => rs2.ofType('UPDATE').length >= 2);
    assert.equal(nextHops(rs2), ['10.10.0.5'], 'the config’s 10.10.0.4 must never be sent again');
    await second.stop();
    await rs2.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Restart.run();

const Reload = suite('reload');

Reload('unchanged neighbors keep their sessions; a route changed in the file is one UPDATE; a runtime failover stays', async () => {
  const peers = [new RawPeer({ asn: 65515, bgpId: '10.10.1.4' }), new RawPeer({ asn: 65515, bgpId: '10.10.1.5' })];
  const ports = [await peers[0]!.listen('127.0.0.2'), await peers[1]!.listen('127.0.0.3')];
  const base = config({
    routerId: '10.10.0.7',
    localAs: 65001,
    neighbors: [neighbor('127.0.0.2', 65515, { port: ports[0]! }), neighbor('127.0.0.3', 65515, { port: ports[1]! })],
    routes: [{ prefix: VIP, nextHop: '10.10.0.4' }, { prefix: '100.64.0.2/32', nextHop: '10.10.0.4' }],
  });
  let next: Config = base;
  const logged: { level: string; obj: object; msg?: string }[] = [];
  const s = new Speaker({ config: base, log: memoryLogger(logged), reloadConfig: async () => next });
  await s.start();
  try {
    await waitState(s, '127.0.0.2', 'Established');
    await waitState(s, '127.0.0.3', 'Established');
    await s.announce({ prefix: VIP, nextHop: '10.10.0.5' }); // the operator failed over
    await until('the failover at both', () => peers.every((p) => p.ofType('UPDATE').length === 3));
    const opens = peers.map((p) => p.ofType('OPEN').length);
    // The file changes: the second route's MED, and the second neighbor's hold time.
    next = {
      ...base,
      neighbors: [base.neighbors[0]!, { ...base.neighbors[1]!, holdTime: 90 }],
      routes: [{ prefix: VIP, nextHop: '10.10.0.4' }, { prefix: '100.64.0.2/32', nextHop: '10.10.0.4', med: 7 }],
    };
    const r = await s.reload();
    assert.equal(r, { neighborsAdded: [], neighborsRemoved: [], neighborsReset: ['127.0.0.3'], routesChanged: ['100.64.0.2/32'] });
    await until('the MED change at the first peer', () => peers[0]!.ofType('UPDATE').length === 4);
    const u = peers[0]!.ofType('UPDATE')[3]!;
    assert.equal(u.nlri, [{ prefix: '100.64.0.2/32' }]);
    assert.ok(u.attributes.some((a) => a.type === 'MULTI_EXIT_DISC' && a.med === 7));
    assert.is(peers[0]!.ofType('OPEN').length, opens[0], 'the unchanged neighbor kept its session');
    assert.is([...s.routes('local')].find((x) => x.prefix === VIP)?.nextHop, '10.10.0.5', 'the reload reverted the failover');
    await until('the reset neighbor notified', () => peers[1]!.ofType('NOTIFICATION').length === 1);
    // The reset says why, to the peer (the Cease's RFC 9003 communication) and in our log.
    const cease = peers[1]!.ofType('NOTIFICATION')[0]!;
    assert.equal(shutdownCommunication(cease), { text: 'reload: configuration changed, session reset' });
    const down = logged.filter((l) => (l.obj as { peer?: string }).peer === '127.0.0.3' && /^session down/.test(l.msg ?? ''));
    assert.is(down.length, 1, JSON.stringify(down));
    assert.match(down[0]!.msg!, /reload: configuration changed/);
  } finally {
    await s.stop();
    await Promise.all(peers.map((p) => p.close()));
  }
});

Reload('router-id and local-as cannot change on reload', async () => {
  const base = config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [] });
  const s = new Speaker({ config: base, log: memoryLogger(), reloadConfig: async () => ({ ...base, localAs: 65002 }) });
  await s.start();
  try {
    await s.reload();
    assert.unreachable('reload must refuse');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'TSBGP_ERR_CONFIG');
    assert.match((e as Error).message, /restart tsbgpd/);
  } finally {
    await s.stop();
  }
});

Reload.run();
