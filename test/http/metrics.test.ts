// GET /metrics end to end: the real Speaker and HttpServer on loopback, a raw BGP peer, scraped and parsed as Prometheus would.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { realClock } from '../../src/bgp/fsm/clock.js';
import { parseConfig } from '../../src/config/load.js';
import type { VipConfig } from '../../src/config/types.js';
import { Speaker } from '../../src/daemon/speaker.js';
import { type StateBackend, fileBackend } from '../../src/daemon/store.js';
import { realProber } from '../../src/health/probes.js';
import { Metrics } from '../../src/http/metrics.js';
import { HttpServer } from '../../src/http/server.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { get, histogramCount, sample, scrape, value } from '../helpers/scrape.js';
import { config, memoryLogger, neighbor, until, waitState } from '../helpers/speakers.js';

const PEER = '127.0.0.2';
const VIP = '100.64.0.1/32';

async function tcpServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const s = net.createServer((c) => {
    sockets.add(c);
    c.once('close', () => sockets.delete(c));
  });
  await new Promise<void>((r) => s.listen({ host: '127.0.0.1', port: 0 }, r));
  return {
    port: (s.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        s.close(() => r());
        for (const c of sockets) c.destroy();
      }),
  };
}

function vip(ws1: number, ws2: number): VipConfig {
  return {
    name: 'web',
    prefix: VIP,
    candidates: [
      { name: 'ws1', nextHop: '10.10.0.4', check: { kind: 'tcp', host: '127.0.0.1', port: ws1 } },
      { name: 'ws2', nextHop: '10.10.0.5', check: { kind: 'tcp', host: '127.0.0.1', port: ws2 } },
    ],
    intervalMs: 50,
    timeoutMs: 40,
    rise: 1,
    fall: 1,
    watch: false,
    failback: { kind: 'sticky' },
    changeWindowMs: 0,
    allDown: 'keep',
    startWaitMs: 1000,
  };
}

/** A speaker with one neighbor (a raw peer on 127.0.0.2) and one VIP, its metrics on 127.0.0.1:<any port>. */
async function setup(): Promise<{ speaker: Speaker; rs: RawPeer; http: HttpServer; metrics: Metrics; crashWs1(): Promise<void>; done(): Promise<void> }> {
  const ws1 = await tcpServer();
  const ws2 = await tcpServer();
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
  const port = await rs.listen(PEER);
  const speaker = new Speaker({
    config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor(PEER, 65515, { port })], vips: [vip(ws1.port, ws2.port)] }),
    log: memoryLogger(),
    prober: realProber(realClock),
  });
  const http = new HttpServer({ address: '127.0.0.1', port: 0, log: memoryLogger() });
  // As tsbgpd does: the metrics subscribe before the start, the listener opens after it.
  const metrics = new Metrics({ speaker });
  metrics.attach(http);
  await speaker.start();
  await http.listen();
  return {
    speaker,
    rs,
    http,
    metrics,
    crashWs1: () => ws1.close(),
    done: async () => {
      await http.close();
      metrics.close();
      await speaker.stop();
      await rs.close();
      await ws1.close();
      await ws2.close();
    },
  };
}

const M = suite('GET /metrics');

M('a session comes up, an announce and a VIP move: the parsed values follow', async () => {
  const t = await setup();
  try {
    const port = t.http.port;
    assert.ok(port > 0);
    await waitState(t.speaker, PEER, 'Established');
    await until('the VIP announced via ws1', () => t.speaker.vips('web')[0]!.current?.candidate === 'ws1', 5000);
    await until('both candidates checked up', () => t.speaker.vips('web')[0]!.candidates.every((c) => c.health === 'up'), 5000);

    const a = await scrape(port);
    assert.is(a.status, 200);
    assert.match(a.contentType, /^text\/plain; version=0\.0\.4/);
    assert.is(value(a, 'tsbgp_neighbor_state', { neighbor: PEER, state: 'Established' }), 1);
    assert.is(value(a, 'tsbgp_neighbor_state', { neighbor: PEER, state: 'Idle' }), 0);
    assert.is(a.families.get('tsbgp_neighbor_state')!.type, 'gauge');
    assert.ok(value(a, 'tsbgp_neighbor_uptime_seconds', { neighbor: PEER }) >= 0);
    assert.is(value(a, 'tsbgp_neighbor_messages_received_total', { neighbor: PEER, type: 'open' }), 1);
    assert.is(a.families.get('tsbgp_neighbor_updates_sent_total')!.type, 'counter');
    assert.is(value(a, 'tsbgp_vip_candidate_current', { vip: 'web', candidate: 'ws1' }), 1);
    assert.is(value(a, 'tsbgp_vip_candidate_current', { vip: 'web', candidate: 'ws2' }), 0);
    assert.is(value(a, 'tsbgp_vip_candidate_health', { vip: 'web', candidate: 'ws2', health: 'up' }), 1);
    assert.is(value(a, 'tsbgp_vip_announced', { vip: 'web' }), 1);
    assert.is(value(a, 'tsbgp_build_info', { node: process.versions.node }), 1);
    assert.ok(sample(a, 'tsbgp_build_info')!.labels.version!.match(/^\d+\.\d+\.\d+/), 'the package version');
    // No state file configured: no state-file series.
    for (const name of ['tsbgp_state_file_age_seconds', 'tsbgp_state_file_unsaved_seconds', 'tsbgp_state_file_save_failures_total']) {
      assert.is(a.families.get(name)?.samples.length ?? 0, 0, name);
    }
    const startMoves = value(a, 'tsbgp_vip_moves_total', { vip: 'web', cause: 'start' });
    assert.is(startMoves, 1, 'the move at start was counted (subscribed before the start)');

    // One announce: exactly one more UPDATE to the peer, one more prefix advertised.
    const updatesBefore = value(a, 'tsbgp_neighbor_updates_sent_total', { neighbor: PEER });
    const advertisedBefore = value(a, 'tsbgp_neighbor_prefixes_advertised', { neighbor: PEER });
    const r = await t.speaker.announce({ prefix: '192.0.2.0/24', nextHop: '10.10.0.7' });
    assert.ok(r.peers.some((p) => p.sent), JSON.stringify(r));
    const b = await scrape(port);
    assert.is(value(b, 'tsbgp_neighbor_updates_sent_total', { neighbor: PEER }), updatesBefore + 1);
    assert.is(value(b, 'tsbgp_neighbor_messages_sent_total', { neighbor: PEER, type: 'update' }), updatesBefore + 1);
    assert.is(value(b, 'tsbgp_neighbor_prefixes_advertised', { neighbor: PEER }), advertisedBefore + 1);

    // A move by hand: its counter and the wire phase's histogram each gain one.
    const wireBefore = histogramCount(b, 'tsbgp_vip_move_wire_seconds', { vip: 'web', neighbor: PEER });
    const move = await t.speaker.vipMove('web', 'ws2');
    assert.is(move.to, 'ws2');
    const c = await scrape(port);
    assert.is(value(c, 'tsbgp_vip_moves_total', { vip: 'web', cause: 'operator' }), 1);
    assert.is(value(c, 'tsbgp_vip_moves_total', { vip: 'web', cause: 'start' }), startMoves);
    assert.is(value(c, 'tsbgp_vip_candidate_current', { vip: 'web', candidate: 'ws2' }), 1);
    assert.is(value(c, 'tsbgp_vip_candidate_current', { vip: 'web', candidate: 'ws1' }), 0);
    assert.is(c.families.get('tsbgp_vip_move_wire_seconds')!.type, 'histogram');
    assert.is(histogramCount(c, 'tsbgp_vip_move_wire_seconds', { vip: 'web', neighbor: PEER }), wireBefore + 1);
    // Observed once: a second scrape does not count the same move again.
    const d = await scrape(port);
    assert.is(histogramCount(d, 'tsbgp_vip_move_wire_seconds', { vip: 'web', neighbor: PEER }), wireBefore + 1);
    assert.is(value(d, 'tsbgp_neighbor_updates_sent_total', { neighbor: PEER }), updatesBefore + 2, 'the move was one more UPDATE');
  } finally {
    await t.done();
  }
});

M('a candidate fails: a health move, its detection phase observed once', async () => {
  const t = await setup();
  try {
    await waitState(t.speaker, PEER, 'Established');
    await until('the VIP announced via ws1', () => t.speaker.vips('web')[0]!.current?.candidate === 'ws1', 5000);
    const a = await scrape(t.http.port);
    assert.is(histogramCount(a, 'tsbgp_vip_move_detection_seconds', { vip: 'web' }), 0);
    await t.crashWs1();
    await until('the move to ws2', () => t.speaker.vips('web')[0]!.current?.candidate === 'ws2', 5000);
    const b = await scrape(t.http.port);
    assert.is(value(b, 'tsbgp_vip_moves_total', { vip: 'web', cause: 'health' }), 1);
    assert.is(value(b, 'tsbgp_vip_candidate_health', { vip: 'web', candidate: 'ws1', health: 'down' }), 1);
    assert.is(histogramCount(b, 'tsbgp_vip_move_detection_seconds', { vip: 'web' }), 1);
    const seen = t.speaker.vipHistory('web').at(-1)!;
    const detectionSeconds = (Date.parse(seen.at) - Date.parse(seen.failureSeenAt!)) / 1000;
    assert.is(value(b, 'tsbgp_vip_move_detection_seconds_sum', { vip: 'web' }), detectionSeconds);
  } finally {
    await t.done();
  }
});

M('the peer closes with a NOTIFICATION: the state, the last error and the notification counter say so', async () => {
  const t = await setup();
  try {
    await waitState(t.speaker, PEER, 'Established');
    // Cease / Administrative Shutdown (RFC 4486), from the peer.
    t.rs.send({ type: 'NOTIFICATION', code: 6, subcode: 2, data: new Uint8Array(0) });
    await until('the session down', () => t.speaker.stateOf(PEER) !== 'Established', 5000);
    const s = await scrape(t.http.port);
    assert.is(value(s, 'tsbgp_neighbor_state', { neighbor: PEER, state: 'Established' }), 0);
    assert.is(value(s, 'tsbgp_neighbor_uptime_seconds', { neighbor: PEER }), 0);
    assert.is(value(s, 'tsbgp_neighbor_notifications_total', { neighbor: PEER, direction: 'received', code: '6', subcode: '2' }), 1);
    assert.is(value(s, 'tsbgp_neighbor_last_error_info', { neighbor: PEER, direction: 'received', code: '6', subcode: '2' }), 1);
    assert.ok(value(s, 'tsbgp_neighbor_last_error_timestamp_seconds', { neighbor: PEER }) > 1.7e9);
  } finally {
    await t.done();
  }
});

M('OpenMetrics when asked for (Accept), Prometheus text otherwise; counters keep _total in both', async () => {
  const t = await setup();
  try {
    const port = t.http.port;
    await until('the VIP announced via ws1', () => t.speaker.vips('web')[0]!.current?.candidate === 'ws1', 5000);
    const om = await scrape(port, 'application/openmetrics-text; version=1.0.0,text/plain;q=0.5');
    assert.match(om.contentType, /^application\/openmetrics-text; version=1\.0\.0/);
    assert.ok(om.body.endsWith('# EOF\n'), 'OpenMetrics ends with # EOF');
    // OpenMetrics names the counter family without _total and its sample with it.
    assert.is(om.families.get('tsbgp_vip_moves')!.type, 'counter');
    assert.is(value(om, 'tsbgp_vip_moves_total', { vip: 'web', cause: 'start' }), 1);
    assert.is(om.families.get('tsbgp_vip_move_wire_seconds')!.type, 'histogram');
    const prom = await scrape(port);
    assert.match(prom.contentType, /^text\/plain/);
    assert.is(prom.families.get('tsbgp_vip_moves_total')!.type, 'counter', 'the Prometheus family keeps its _total after an OpenMetrics scrape');
    assert.not.ok(prom.body.includes('# EOF'));
  } finally {
    await t.done();
  }
});

M('the listener: 404 for an unknown path, 405 for another method, HEAD answered, closed by close()', async () => {
  const t = await setup();
  const port = t.http.port;
  try {
    assert.is((await get(port, '/nothing')).status, 404);
    assert.is((await get(port, '/metrics', {}, 'POST')).status, 405);
    const head = await get(port, '/metrics', {}, 'HEAD');
    assert.equal([head.status, head.body], [200, '']);
  } finally {
    await t.done();
  }
  try {
    await get(port, '/metrics');
    assert.unreachable('nothing listens after close()');
  } catch (e) {
    assert.is((e as NodeJS.ErrnoException).code, 'ECONNREFUSED');
  }
});

M('the state file: its age after a save, then a failed save counted and the change unsaved', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tsbgp-metrics-'));
  const path = join(tmp, 'state.json');
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
  const port = await rs.listen(PEER);
  // The real file backend, with a full disk on demand.
  const disk = fileBackend(path);
  let full = false;
  const enospc = async (): Promise<never> => {
    throw new Error('ENOSPC: no space left on device, write');
  };
  const state: StateBackend = {
    path,
    read: () => disk.read(),
    write: (intents) => (full ? enospc() : disk.write(intents)),
    append: (changes) => (full ? enospc() : disk.append!(changes)),
    close: () => disk.close!(),
  };
  const speaker = new Speaker({ config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor(PEER, 65515, { port })], stateFile: path }), log: memoryLogger(), state });
  const http = new HttpServer({ address: '127.0.0.1', port: 0, log: memoryLogger() });
  const metrics = new Metrics({ speaker });
  metrics.attach(http);
  await speaker.start();
  await http.listen();
  try {
    await speaker.announce({ prefix: '192.0.2.0/24', nextHop: '10.10.0.7' });
    const a = await scrape(http.port);
    assert.ok(value(a, 'tsbgp_state_file_age_seconds', { path }) >= 0);
    assert.is(value(a, 'tsbgp_state_file_unsaved_seconds', { path }), 0);
    assert.is(value(a, 'tsbgp_state_file_save_failures_total', { path }), 0);
    full = true;
    const r = await speaker.announce({ prefix: '192.0.2.0/24', nextHop: '10.10.0.8' });
    assert.is(r.saved?.ok, false, JSON.stringify(r.saved));
    const b = await scrape(http.port);
    assert.is(value(b, 'tsbgp_state_file_save_failures_total', { path }), 1);
    assert.ok(value(b, 'tsbgp_state_file_unsaved_seconds', { path }) >= 0);
    full = false;
  } finally {
    await http.close();
    metrics.close();
    await speaker.stop().catch(() => false);
    await rs.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});

const C = suite('the http config section');

const BASE = 'router-id: 10.10.0.7\nlocal-as: 65001\nneighbors:\n  - {address: 10.10.1.4, remote-as: 65515}\n';

C('off without http:, and the defaults with an empty mapping', () => {
  assert.is(parseConfig(BASE, 't.yaml').http, undefined);
  assert.equal(parseConfig(`${BASE}http: {}\n`, 't.yaml').http, { address: '127.0.0.1', port: 9179, metrics: true, web: true });
  assert.equal(parseConfig(`${BASE}http:\n  address: ::1\n  port: 9200\n  web: false\n`, 't.yaml').http, { address: '::1', port: 9200, metrics: true, web: false });
});

C('file:line:key errors', () => {
  try {
    parseConfig(`${BASE}http:\n  port: 70000\n  metrics: yes-please\n  colour: blue\n`, 't.yaml');
    assert.unreachable('must be refused');
  } catch (e) {
    const text = (e as Error).message;
    assert.match(text, /t\.yaml:6: http\.port: 70000 is out of range/);
    assert.match(text, /t\.yaml:7: http\.metrics: expected true or false/);
    assert.match(text, /t\.yaml:8: http\.colour/);
  }
});

M.run();
C.run();
