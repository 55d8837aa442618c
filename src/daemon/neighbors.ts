// The neighbor registry: each configured peer with its driver and RIBs, by address; start, stop, reload.
import type { Clock } from '../bgp/fsm/clock.js';
import { GR_FORWARDING_STATE, GR_NOTIFICATION } from '../bgp/fsm/graceful-restart.js';
import { type Logger, PeerDriver, type PeerHooks } from '../bgp/fsm/session.js';
import type { SessionConfig, StopMode } from '../bgp/fsm/types.js';
import { Afi, IPV4_UNICAST, IPV6_UNICAST, Safi } from '../bgp/iana.js';
import type { Capability } from '../bgp/messages/index.js';
import { AdjRibIn, type RibChange } from '../bgp/rib/adj-rib-in.js';
import type { OutRoute } from '../bgp/rib/adj-rib-out.js';
import { AdjRibOut } from '../bgp/rib/adj-rib-out.js';
import type { Config, FamilyName, NeighborConfig } from '../config/types.js';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import type { RouteSpec } from '../routes/local-routes.js';
import { plainAddress } from './listener.js';
import { StaleRoutes } from './stale-routes.js';

export interface NeighborLogger extends Logger {
  child(bindings: object): NeighborLogger;
}

export const FAMILY_KEYS: Readonly<Record<FamilyName, number>> = { 'ipv4-unicast': IPV4_UNICAST, 'ipv6-unicast': IPV6_UNICAST };

/** One configured peer. */
export interface Neighbor {
  readonly config: NeighborConfig;
  readonly peer: PeerDriver;
  readonly ribIn: AdjRibIn;
  readonly ribOut: AdjRibOut;
  /** Families configured for this neighbor (familyKey). */
  readonly families: ReadonlySet<number>;
  /** Its routes kept stale while it restarts (RFC 4724 §4.2). */
  readonly stale: StaleRoutes;
  /** A route exported for this peer, kept until the route or the session changes: a flip exports one route. */
  exported: WeakMap<RouteSpec, OutRoute>;
}

/** The capabilities we advertise to a neighbor (RFC 5492). */
export function localCapabilities(n: NeighborConfig, localAs: number): Capability[] {
  const caps: Capability[] = [];
  for (const f of n.families) caps.push({ type: 'MULTIPROTOCOL', afi: f === 'ipv6-unicast' ? Afi.IPV6 : Afi.IPV4, safi: Safi.UNICAST });
  caps.push({ type: 'ROUTE_REFRESH' }, { type: 'ENHANCED_ROUTE_REFRESH' }, { type: 'FOUR_OCTET_AS', asn: localAs });
  const gr = n.gracefulRestart;
  if (gr) {
    // RFC 4724 §3: every family we carry, with the Forwarding State bit: our routes point at the
    // web servers, whose forwarding does not depend on tsbgpd, so it survives our restart. The R
    // bit is the FSM's (first session after a start); N is RFC 8538's.
    caps.push({
      type: 'GRACEFUL_RESTART',
      flags: gr.notification ? GR_NOTIFICATION : 0,
      restartTime: gr.restartTimeSeconds,
      families: n.families.map((f) => ({ afi: FAMILY_KEYS[f] >> 8, safi: FAMILY_KEYS[f] & 0xff, flags: GR_FORWARDING_STATE })),
    });
  }
  caps.push({ type: 'EXTENDED_MESSAGE' });
  return caps;
}

/**
 * `restarting`: the first session after the process started carries the R bit (RFC 4724 §4.1:
 * "the Restarting Speaker MUST set the Restart State bit"). tsbgpd cannot tell a restart from a
 * first start (a crash leaves no mark, and a state file exists on the first start of a reinstall
 * too), and it need not: §3 only asks a peer that sees R not to wait for our End-of-RIB before
 * sending its own routes, which is right on a first start as well. Sessions after that (the peer
 * restarted, the link flapped) are not our restart: no R.
 */
export function sessionConfig(n: NeighborConfig, c: Config, random: () => number, restarting = false): SessionConfig {
  return {
    localAs: c.localAs,
    peerAs: n.remoteAs,
    bgpId: c.routerId,
    holdTime: n.holdTime,
    keepaliveTime: n.keepaliveTime,
    connectRetryTime: n.connectRetryTime,
    sendHoldTime: n.sendHoldTime,
    passive: n.passive,
    capabilities: localCapabilities(n, c.localAs),
    restarting: restarting && n.gracefulRestart !== false,
    idleHoldTime: 1,
    maxIdleHoldTime: 120,
    random,
    ...(n.maxPrefixesIn ? { maxPrefixesIn: n.maxPrefixesIn } : {}),
  };
}

/** Every setting of a neighbor, in a fixed order: two neighbors are the same when these are. */
function settings(n: NeighborConfig): unknown[] {
  const gr = n.gracefulRestart === false ? 'off' : `${n.gracefulRestart.restartTimeSeconds}/${n.gracefulRestart.notification}`;
  return [n.address, n.remoteAs, n.port, n.localAddress, n.passive, n.holdTime, n.keepaliveTime, n.connectRetryTime, n.sendHoldTime, [...n.families].sort().join(','), n.description, n.profile, n.maxRoutesOut, JSON.stringify(n.maxPrefixesIn), gr];
}

export function sameNeighbor(a: NeighborConfig, b: NeighborConfig): boolean {
  const x = settings(a);
  const y = settings(b);
  return x.every((v, i) => v === y[i]);
}

export interface RegistryDeps {
  clock: Clock;
  log: NeighborLogger;
  random: () => number;
  /** The hooks the daemon wants for one neighbor's driver. */
  hooks: (n: Neighbor) => PeerHooks;
  /** Our own addresses: a received route whose next hop is one of them is ignored (RFC 4271 §6.3). */
  ownAddresses: () => string[];
  /** Routes that left a neighbor's Adj-RIB-In without a withdrawal from it (flushed, or swept as stale). */
  gone: (n: Neighbor, changes: readonly RibChange[]) => void;
  /** Whether anyone hears `gone`. */
  listening: () => boolean;
}

export interface ReloadChanges {
  added: string[];
  removed: string[];
  reset: string[];
}

export class NeighborRegistry {
  private readonly byAddress = new Map<string, Neighbor>();

  constructor(private readonly deps: RegistryDeps) {}

  /** The neighbor with that address, or TsbgpError(UNKNOWN_NEIGHBOR) listing the configured ones. */
  get(address: string): Neighbor {
    const n = this.find(address);
    if (!n) {
      const known = [...this.byAddress.keys()].join(', ') || 'none';
      throw new TsbgpError(TsbgpErrorCode.UNKNOWN_NEIGHBOR, `no neighbor ${address} (configured: ${known})`);
    }
    return n;
  }

  find(address: string): Neighbor | undefined {
    return this.byAddress.get(plainAddress(address));
  }

  all(): IterableIterator<Neighbor> {
    return this.byAddress.values();
  }

  get size(): number {
    return this.byAddress.size;
  }

  /** Create a neighbor and start its session; `restarting`: at the daemon's start (the R bit, see sessionConfig). */
  add(cfg: NeighborConfig, config: Config, restarting = false): Neighbor {
    const log = this.deps.log.child({ peer: cfg.address });
    const ribIn = new AdjRibIn({ ownAddresses: this.deps.ownAddresses(), localAs: config.localAs });
    const n: Neighbor = {
      config: cfg,
      ribIn,
      ribOut: new AdjRibOut(),
      families: new Set(cfg.families.map((f) => FAMILY_KEYS[f])),
      stale: new StaleRoutes({ ribIn, clock: this.deps.clock, log, gone: (changes) => this.deps.gone(n, changes), listening: this.deps.listening }),
      exported: new WeakMap(),
      peer: undefined as unknown as PeerDriver,
    };
    (n as { peer: PeerDriver }).peer = new PeerDriver(
      { address: cfg.address, port: cfg.port, ...(cfg.localAddress ? { localAddress: cfg.localAddress } : {}) },
      sessionConfig(cfg, config, this.deps.random, restarting),
      this.deps.clock,
      log,
      this.deps.hooks(n),
    );
    this.byAddress.set(cfg.address, n);
    n.peer.start();
    return n;
  }

  /**
   * Apply a new configuration's neighbor list: unchanged neighbors keep their sessions, changed ones
   * are reset, removed ones stopped with a Cease, new ones started.
   */
  reload(next: Config): ReloadChanges {
    const result: ReloadChanges = { added: [], removed: [], reset: [] };
    const wanted = new Map(next.neighbors.map((n) => [n.address, n]));
    for (const [address, n] of this.byAddress) {
      const cfg = wanted.get(address);
      if (cfg && sameNeighbor(cfg, n.config)) continue;
      this.byAddress.delete(address);
      n.stale.stop();
      // The Cease's communication (RFC 9003) and the "session down" log line both say it was the reload.
      void n.peer.stop(cfg ? 'reload: configuration changed, session reset' : 'reload: neighbor removed from the configuration');
      (cfg ? result.reset : result.removed).push(address);
    }
    for (const cfg of next.neighbors) {
      if (this.byAddress.has(cfg.address)) continue;
      this.add(cfg, next);
      if (!result.reset.includes(cfg.address)) result.added.push(cfg.address);
    }
    return result;
  }

  /** Stop every session (see StopMode); resolves when all are closed (or after `graceMs`). */
  async stopAll(communication: string, mode: StopMode, graceMs = 3000): Promise<void> {
    const closing = [...this.byAddress.values()].map((n) => {
      n.stale.stop();
      return n.peer.stop(communication, mode);
    });
    let timer: ReturnType<Clock['setTimer']> | undefined;
    const grace = new Promise<void>((r) => (timer = this.deps.clock.setTimer(graceMs, r)));
    await Promise.race([Promise.all(closing), grace]);
    if (timer) this.deps.clock.clearTimer(timer);
  }

  /** Families both configured for the neighbor and negotiated with it. */
  static activeFamilies(n: Neighbor): number[] {
    const neg = n.peer.negotiated;
    if (!neg) return [];
    return [...n.families].filter((f) => neg.send.families.has(f));
  }
}
