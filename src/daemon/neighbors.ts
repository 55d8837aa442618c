// The neighbor registry: each configured peer with its driver and RIBs, by address; start, stop, reload.
import type { Clock } from '../bgp/fsm/clock.js';
import { type Logger, PeerDriver, type PeerHooks } from '../bgp/fsm/session.js';
import type { SessionConfig } from '../bgp/fsm/types.js';
import { Afi, IPV4_UNICAST, IPV6_UNICAST, Safi } from '../bgp/iana.js';
import type { Capability } from '../bgp/messages/index.js';
import { AdjRibIn } from '../bgp/rib/adj-rib-in.js';
import type { OutRoute } from '../bgp/rib/adj-rib-out.js';
import { AdjRibOut } from '../bgp/rib/adj-rib-out.js';
import type { Config, FamilyName, NeighborConfig } from '../config/types.js';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import type { RouteSpec } from '../routes/local-routes.js';
import { plainAddress } from './listener.js';

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
  /** A route exported for this peer, kept until the route or the session changes: a flip exports one route. */
  exported: WeakMap<RouteSpec, OutRoute>;
}

/** The capabilities we advertise to a neighbor (RFC 5492). */
export function localCapabilities(n: NeighborConfig, localAs: number): Capability[] {
  const caps: Capability[] = [];
  for (const f of n.families) caps.push({ type: 'MULTIPROTOCOL', afi: f === 'ipv6-unicast' ? Afi.IPV6 : Afi.IPV4, safi: Safi.UNICAST });
  caps.push({ type: 'ROUTE_REFRESH' }, { type: 'ENHANCED_ROUTE_REFRESH' }, { type: 'FOUR_OCTET_AS', asn: localAs });
  // Graceful restart with no families preserved: we announce that we restart cleanly (RFC 4724 §3),
  // so a peer that sees us reconnect treats it as a restart rather than a collision.
  caps.push({ type: 'GRACEFUL_RESTART', flags: 0, restartTime: 120, families: [] });
  caps.push({ type: 'EXTENDED_MESSAGE' });
  return caps;
}

export function sessionConfig(n: NeighborConfig, c: Config, random: () => number): SessionConfig {
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
    idleHoldTime: 1,
    maxIdleHoldTime: 120,
    random,
    ...(n.maxPrefixesIn ? { maxPrefixesIn: n.maxPrefixesIn } : {}),
  };
}

/** Every setting of a neighbor, in a fixed order: two neighbors are the same when these are. */
function settings(n: NeighborConfig): unknown[] {
  return [n.address, n.remoteAs, n.port, n.localAddress, n.passive, n.holdTime, n.keepaliveTime, n.connectRetryTime, n.sendHoldTime, [...n.families].sort().join(','), n.description, n.profile, n.maxRoutesOut, JSON.stringify(n.maxPrefixesIn)];
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

  /** Create a neighbor and start its session. */
  add(cfg: NeighborConfig, config: Config): Neighbor {
    const log = this.deps.log.child({ peer: cfg.address });
    const n: Neighbor = {
      config: cfg,
      ribIn: new AdjRibIn({ ownAddresses: this.deps.ownAddresses() }),
      ribOut: new AdjRibOut(),
      families: new Set(cfg.families.map((f) => FAMILY_KEYS[f])),
      exported: new WeakMap(),
      peer: undefined as unknown as PeerDriver,
    };
    (n as { peer: PeerDriver }).peer = new PeerDriver(
      { address: cfg.address, port: cfg.port, ...(cfg.localAddress ? { localAddress: cfg.localAddress } : {}) },
      sessionConfig(cfg, config, this.deps.random),
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
      void n.peer.stop(cfg ? 'configuration changed: session reset' : 'neighbor removed from the configuration');
      (cfg ? result.reset : result.removed).push(address);
    }
    for (const cfg of next.neighbors) {
      if (this.byAddress.has(cfg.address)) continue;
      this.add(cfg, next);
      if (!result.reset.includes(cfg.address)) result.added.push(cfg.address);
    }
    return result;
  }

  /** Cease to every peer; resolves when all are closed (or after `graceMs`). */
  async stopAll(communication: string, graceMs = 3000): Promise<void> {
    const closing = [...this.byAddress.values()].map((n) => n.peer.stop(communication));
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
