// The session driver on loopback for tests: a driver wired to recording hooks, against a RawPeer on 127.0.0.1.
import { ManualClock } from '../../src/bgp/fsm/clock.js';
import { type Logger, PeerDriver, type PeerHooks } from '../../src/bgp/fsm/session.js';
import type { SessionConfig } from '../../src/bgp/fsm/types.js';
import type { UpdateMessage } from '../../src/bgp/messages/index.js';
import { config } from '../helpers/fsm-harness.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { until } from '../helpers/speakers.js';

export const PEER_AS = 65002;

/** Everything the driver told its hooks, in order. */
export interface Heard {
  states: string[];
  downs: Parameters<PeerHooks['down']>[1][];
  updates: UpdateMessage[];
  /** How many UPDATEs reached the hook in each event-loop turn (a turn ends at the next setImmediate). */
  updatesPerTurn: number[];
  /** Called after each UPDATE is recorded. */
  onUpdate?: (u: UpdateMessage) => void;
  notifications: string[];
  logs: { level: string; obj: object; msg?: string }[];
}

function recorder(): { hooks: PeerHooks; heard: Heard; log: Logger } {
  const heard: Heard = { states: [], downs: [], updates: [], updatesPerTurn: [], notifications: [], logs: [] };
  let turnOpen = false;
  const update = (u: UpdateMessage): void => {
    heard.updates.push(u);
    if (!turnOpen) {
      turnOpen = true;
      heard.updatesPerTurn.push(0);
      setImmediate(() => (turnOpen = false));
    }
    heard.updatesPerTurn[heard.updatesPerTurn.length - 1]!++;
    heard.onUpdate?.(u);
  };
  const at = (level: string) => (obj: object, msg?: string) => heard.logs.push({ level, obj, ...(msg === undefined ? {} : { msg }) });
  return {
    heard,
    log: { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') },
    hooks: {
      stateChange: (_p, from, to) => heard.states.push(`${from} -> ${to}`),
      up: () => {},
      down: (_p, reason) => heard.downs.push(reason),
      update: (_p, u) => update(u),
      refresh: () => {},
      drained: () => {},
      notification: (_p, direction, n) => heard.notifications.push(`${direction} ${n.code}/${n.subcode}`),
    },
  };
}

/**
 * A driver (AS 65001, on a manual clock) Established with a RawPeer (AS 65002) listening on
 * 127.0.0.1. `close()` stops both, whatever state the test left them in.
 */
export async function established(over: Partial<SessionConfig> = {}, o: { holdTime?: number } = {}) {
  const clock = new ManualClock();
  const rs = new RawPeer({ asn: PEER_AS, bgpId: '192.0.2.2', ...(o.holdTime === undefined ? {} : { holdTime: o.holdTime }) });
  const port = await rs.listen('127.0.0.1');
  const { hooks, heard, log } = recorder();
  const peer = new PeerDriver({ address: '127.0.0.1', port }, config({ peerAs: PEER_AS, ...over }), clock, log, hooks);
  peer.start();
  await until('Established', () => peer.state === 'Established');
  const close = async (): Promise<void> => {
    rs.socket?.resume();
    const stopped = peer.stop();
    clock.advance(10_000); // lets a connection that cannot flush be destroyed
    await stopped;
    await rs.close();
  };
  return { clock, rs, peer, heard, close };
}
