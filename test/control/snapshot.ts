// Records what a real Speaker answers the control API, on loopback against scripted peers: the fake speaker's fixtures.
import { TsbgpError, type TsbgpErrorCodeName } from '../../src/errors.js';
import { ManualClock } from '../../src/bgp/fsm/clock.js';
import { makeNotification } from '../../src/bgp/messages/index.js';
import type { ChangeResult, NeighborInfo, RouteEntry, RouteView, Summary } from '../../src/control/types.js';
import { Speaker } from '../../src/daemon/speaker.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { config, memoryLogger, neighbor, until, waitState } from '../helpers/speakers.js';

export interface RecordedError {
  code: TsbgpErrorCodeName;
  message: string;
}

export interface Snapshot {
  neighbors: NeighborInfo[];
  summary: Summary;
  routes: Record<RouteView, RouteEntry[]>;
  changes: {
    /** A next-hop change sent to the one established peer, saved. */
    announce: ChangeResult;
    /** The same announce again. */
    unchanged: ChangeResult;
    /** A next-hop change whose save failed. */
    notSaved: ChangeResult;
    withdraw: ChangeResult;
  };
  errors: {
    /** What neighbors(address) throws for an address that is not configured. */
    unknownNeighbor: RecordedError & { address: string };
  };
}

export const VIP = '100.64.0.1/32';
export const UNKNOWN_NEIGHBOR = '10.10.1.9';
const COMMUNITY = 65010 * 65536 + 100;

/**
 * What is not the speaker's doing is pinned, so that a recording compares equal to the last one:
 * wall-clock stamps and uptimes, the scripted peers' ephemeral ports, and measured microseconds.
 * Every name, text, count and shape is the speaker's own.
 */
const PINNED = {
  establishedSince: '2025-03-01T11:00:00.000Z',
  downSince: '2025-03-01T12:01:00.000Z',
  uptime: 3723,
  daemonUptime: 90061,
  port: 179,
  peerMicros: 85,
  wireMicros: 92,
  savedMicros: 4100,
};

function pinNeighbor(n: NeighborInfo): NeighborInfo {
  const since = n.state === 'Established' ? PINNED.establishedSince : PINNED.downSince;
  return {
    ...n,
    port: PINNED.port,
    since,
    ...(n.uptime === undefined ? {} : { uptime: PINNED.uptime }),
    ...(n.lastError ? { lastError: { ...n.lastError, at: PINNED.downSince } } : {}),
  };
}

function pinChange(c: ChangeResult): ChangeResult {
  return {
    ...c,
    peers: c.peers.map((p) => (p.micros === undefined ? p : { ...p, micros: PINNED.peerMicros })),
    wireMicros: PINNED.wireMicros,
    ...(c.saved?.ok ? { saved: { ...c.saved, micros: PINNED.savedMicros } } : {}),
  };
}

function caught(f: () => unknown): RecordedError {
  try {
    f();
  } catch (e) {
    if (e instanceof TsbgpError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected the speaker to refuse');
}

/**
 * A watcher (AS 65010) with two route servers (AS 65515) on 127.0.0.2 and 127.0.0.3: the first
 * Established and sending two routes, the second shut down by its peer (Cease, with a message). A
 * manual clock keeps every timer still, so nothing moves between the questions.
 */
export async function recordSnapshot(): Promise<Snapshot> {
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
  const rs2 = new RawPeer({ asn: 65515, bgpId: '10.10.1.5' });
  const [port, port2] = [await rs.listen('127.0.0.2'), await rs2.listen('127.0.0.3')];
  let failSave = false;
  const speaker = new Speaker({
    config: config({
      routerId: '10.10.0.4',
      localAs: 65010,
      neighbors: [neighbor('127.0.0.2', 65515, { port, description: 'route-server-0', localAddress: '127.0.0.1' }), neighbor('127.0.0.3', 65515, { port: port2 })],
      routes: [{ prefix: VIP, nextHop: '10.10.0.4', med: 10, communities: [COMMUNITY] }],
    }),
    log: memoryLogger(),
    clock: new ManualClock(),
    random: () => 0.5,
    state: {
      path: '/var/lib/tsbgp/state.json',
      read: async () => null,
      write: async () => {
        if (failSave) throw new Error('ENOSPC: no space left on device, write');
      },
    },
  });
  try {
    await speaker.start();
    await waitState(speaker, '127.0.0.2', 'Established');
    await waitState(speaker, '127.0.0.3', 'Established');
    // Each peer got the table and its End-of-RIB.
    await until('the tables', () => rs.ofType('UPDATE').length === 2 && rs2.ofType('UPDATE').length === 2);
    rs.send({
      type: 'UPDATE',
      withdrawn: [],
      attributes: [
        { type: 'ORIGIN', flags: 0x40, origin: 0 },
        { type: 'AS_PATH', flags: 0x40, segments: [{ segmentType: 2, asns: [65515, 12076] }] },
        { type: 'NEXT_HOP', flags: 0x40, nextHop: '127.0.0.2' },
        { type: 'MULTI_EXIT_DISC', flags: 0x80, med: 5 },
        { type: 'COMMUNITIES', flags: 0xc0, communities: [65515 * 65536 + 1] },
        { type: 'LARGE_COMMUNITY', flags: 0xc0, communities: [[65515, 1, 2]] },
      ],
      nlri: [{ prefix: '10.0.0.0/8' }, { prefix: '172.16.0.0/12' }],
    });
    await until('the routes received', () => [...speaker.routes('received')].length === 2);
    rs2.send(makeNotification(6, 2, 'maintenance'));
    await waitState(speaker, '127.0.0.3', 'Idle');

    const announce = await speaker.announce({ prefix: VIP, nextHop: '10.10.0.5', med: 10, communities: [COMMUNITY] });
    const unchanged = await speaker.announce({ prefix: VIP, nextHop: '10.10.0.5', med: 10, communities: [COMMUNITY] });
    failSave = true;
    const notSaved = await speaker.announce({ prefix: VIP, nextHop: '10.10.0.6', med: 10, communities: [COMMUNITY] });
    failSave = false;
    await until('both next-hop changes on the wire', () => rs.ofType('UPDATE').length === 4);

    const snapshot: Omit<Snapshot, 'changes' | 'errors'> = {
      neighbors: speaker.neighbors().map(pinNeighbor),
      summary: {
        ...speaker.summary(),
        uptime: PINNED.daemonUptime,
      },
      routes: { local: [...speaker.routes('local')], received: [...speaker.routes('received')], advertised: [...speaker.routes('advertised')] },
    };
    snapshot.summary.neighbors = snapshot.summary.neighbors.map((n) => ({ ...n, since: n.state === 'Established' ? PINNED.establishedSince : PINNED.downSince }));

    const withdraw = await speaker.withdraw(VIP);
    return {
      ...snapshot,
      changes: { announce: pinChange(announce), unchanged: pinChange(unchanged), notSaved: pinChange(notSaved), withdraw: pinChange(withdraw) },
      errors: {
        unknownNeighbor: { address: UNKNOWN_NEIGHBOR, ...caught(() => speaker.neighbors(UNKNOWN_NEIGHBOR)) },
      },
    };
  } finally {
    await speaker.stop();
    await rs.close();
    await rs2.close();
  }
}
