// The read model: neighbors, summary and route tables as the control API (and later metrics, the web page) see them.
import type { Clock } from '../bgp/fsm/clock.js';
import { familyName } from '../bgp/iana.js';
import type { Capability, PathAttribute } from '../bgp/messages/index.js';
import { formatAsPath } from '../bgp/messages/describe.js';
import { formatExtCommunity } from '../bgp/messages/index.js';
import { mostHeld } from '../bgp/rib/route-limit.js';
import type { Config } from '../config/types.js';
import type { GracefulRestartSide, NeighborInfo, RouteEntry, RouteView, Summary } from '../control/types.js';
import { type GrInfo, notificationNegotiated } from '../bgp/fsm/graceful-restart.js';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import type { RouteIntents } from '../routes/intents.js';
import type { RouteSpec } from '../routes/local-routes.js';
import { formatCommunity, formatLargeCommunity } from '../routes/values.js';
import type { Neighbor, NeighborRegistry } from './neighbors.js';
import type { StateStore } from './store.js';

const ORIGINS = ['IGP', 'EGP', 'INCOMPLETE'];

type Find = <T extends PathAttribute['type']>(t: T) => Extract<PathAttribute, { type: T }> | undefined;

/** A row of `show routes` from path attributes as they are on the wire (received or sent). */
export function attributeEntry(prefix: string, attributes: readonly PathAttribute[], neighbor: string, nextHop?: string): RouteEntry {
  const find: Find = (t) => attributes.find((x) => x.type === t) as never;
  const mp = find('MP_REACH_NLRI');
  const med = find('MULTI_EXIT_DISC');
  const lp = find('LOCAL_PREF');
  const path = find('AS_PATH');
  return {
    prefix,
    neighbor,
    nextHop: nextHop ?? find('NEXT_HOP')?.nextHop ?? mp?.nextHops[0] ?? '',
    asPath: path ? formatAsPath(path.segments) : '',
    origin: ORIGINS[find('ORIGIN')?.origin ?? 2] ?? '?',
    ...(med ? { med: med.med } : {}),
    ...(lp ? { localPref: lp.localPref } : {}),
    communities: (find('COMMUNITIES')?.communities ?? []).map(formatCommunity),
    largeCommunities: (find('LARGE_COMMUNITY')?.communities ?? []).map(formatLargeCommunity),
    extendedCommunities: (find('EXTENDED_COMMUNITIES')?.communities ?? []).map(formatExtCommunity),
  };
}

/** A row for a route we originate: its AS path is empty but for the prepends (our AS is added on export). */
function localEntry(r: RouteSpec, localAs: number): RouteEntry {
  return {
    prefix: r.prefix,
    nextHop: r.nextHop,
    asPath: new Array<number>(r.asPathPrepend ?? 0).fill(localAs).join(' '),
    origin: 'IGP',
    ...(r.med === undefined ? {} : { med: r.med }),
    communities: (r.communities ?? []).map(formatCommunity),
    largeCommunities: (r.largeCommunities ?? []).map(formatLargeCommunity),
    extendedCommunities: [],
  };
}

const ignoredTotal = (n: Neighbor): number => Object.values(n.ribIn.ignored).reduce((a, b) => a + b, 0);

const capName = (c: Capability): string => (c.type === 'MULTIPROTOCOL' ? `MULTIPROTOCOL(${familyName(c.afi, c.safi)})` : c.type === 'UNKNOWN' ? `CAPABILITY_${c.code}` : c.type);

const grSide = (g: GrInfo): GracefulRestartSide => ({
  restartTime: g.restartTime,
  restarted: g.restarted,
  notification: g.notification,
  families: g.families.map((f) => ({ family: familyName(f.afi, f.safi), forwardingPreserved: f.forwardingPreserved })),
});

/** What a neighbor's graceful restart looks like now: negotiated, and its stale routes. */
function grInfo(n: Neighbor): NeighborInfo['gracefulRestart'] {
  const neg = n.peer.negotiated?.gracefulRestart;
  const st = n.stale.state;
  if (!neg && st.phase === 'none') return undefined;
  return {
    ...(neg ? { negotiated: { notification: notificationNegotiated(neg), local: grSide(neg.local), peer: grSide(neg.peer) } } : {}),
    ...(st.phase === 'none' ? {} : { stale: { phase: st.phase, families: st.families.map((f) => familyName(f >> 8, f & 0xff)), routes: n.ribIn.staleCount } }),
  };
}

export interface StatusSources {
  config: () => Config;
  registry: NeighborRegistry;
  intents: RouteIntents;
  clock: Clock;
  store: StateStore | undefined;
  /** Wall ms the daemon started. */
  startedAt: number;
}

export class StatusView {
  constructor(private readonly s: StatusSources) {}

  private iso(wallMs: number): string {
    return new Date(wallMs).toISOString();
  }

  neighbors(address?: string): NeighborInfo[] {
    const list = address === undefined ? [...this.s.registry.all()] : [this.s.registry.get(address)];
    return list.map((n) => this.neighborInfo(n));
  }

  neighborInfo(n: Neighbor): NeighborInfo {
    const p = n.peer;
    const neg = p.negotiated;
    const s = p.session;
    const info: NeighborInfo = {
      address: n.config.address,
      port: n.config.port,
      remoteAs: n.config.remoteAs,
      ...(n.config.description ? { description: n.config.description } : {}),
      ...(n.config.localAddress ? { localAddress: n.config.localAddress } : {}),
      passive: n.config.passive,
      state: p.state,
      since: this.iso(p.since),
      configuredHoldTime: n.config.holdTime,
      messages: { received: { ...p.received }, sent: { ...p.sent } },
      prefixes: {
        received: n.ribIn.size,
        advertised: n.ribOut.size,
        ...(n.ribOut.pendingCount ? { pending: n.ribOut.pendingCount } : {}),
        ...(ignoredTotal(n) ? { ignored: { ...n.ribIn.ignored } } : {}),
      },
    };
    if (p.establishedAt !== undefined) info.uptime = Math.round((this.s.clock.wall() - p.establishedAt) / 1000);
    if (neg) {
      info.peerId = neg.peerId;
      info.holdTime = neg.holdTime;
      info.keepaliveTime = neg.keepaliveTime;
      info.capabilities = {
        local: neg.localOpen.capabilities.map(capName),
        remote: neg.peerOpen.capabilities.map(capName),
        fourOctetAs: neg.send.fourOctetAs,
        routeRefresh: neg.send.routeRefresh,
        enhancedRouteRefresh: neg.send.enhancedRouteRefresh,
        extendedMessage: neg.send.extendedMessage,
        gracefulRestart: neg.gracefulRestart !== undefined,
        families: [...neg.send.families].map((f) => familyName(f >> 8, f & 0xff)),
      };
    }
    if (s.lastError) info.lastError = { ...s.lastError, at: this.iso(s.lastError.at) };
    if (p.connectError) info.connectError = { text: p.connectError.text, at: this.iso(p.connectError.at) };
    if (n.config.profile) info.profile = n.config.profile;
    const out = n.config.maxRoutesOut;
    const inLimit = n.config.maxPrefixesIn;
    if (out !== undefined || inLimit) {
      info.limits = {
        ...(out === undefined ? {} : { routesOut: { limit: out, most: mostHeld(out), held: n.ribOut.size } }),
        ...(inLimit ? { prefixesIn: { ...inLimit, held: n.ribIn.size, over: s.prefixLimitExceeded, exceeded: p.prefixLimitExceeded } } : {}),
      };
    }
    const gr = grInfo(n);
    if (gr) info.gracefulRestart = gr;
    return info;
  }

  summary(): Summary {
    const c = this.s.config();
    return {
      routerId: c.routerId,
      localAs: c.localAs,
      uptime: Math.round((this.s.clock.wall() - this.s.startedAt) / 1000),
      neighbors: [...this.s.registry.all()].map((n) => ({
        address: n.config.address,
        remoteAs: n.config.remoteAs,
        state: n.peer.state,
        since: this.iso(n.peer.since),
        received: n.ribIn.size,
        advertised: n.ribOut.size,
        ...(n.config.description ? { description: n.config.description } : {}),
      })),
      localRoutes: this.s.intents.size,
      ...(this.s.store ? { stateFile: this.s.store.status() } : {}),
    };
  }

  /**
   * The rows of one view, produced as they are read (a million received routes are streamed, never
   * built as one array). `advertised` is what each peer was really sent, with a pending mark on a
   * prefix that changed since and has not reached a peer that is not reading.
   */
  routes(view: RouteView, neighbor?: string): Iterable<RouteEntry> {
    const list = neighbor === undefined ? [...this.s.registry.all()] : [this.s.registry.get(neighbor)];
    const localAs = this.s.config().localAs;
    const intents = this.s.intents;
    switch (view) {
      case 'local':
        return (function* () {
          for (const r of intents.routes()) yield { ...localEntry(r, localAs), owner: intents.ownerOf(r.prefix)! };
        })();
      case 'received':
        return (function* () {
          for (const n of list) {
            for (const r of n.ribIn.all()) {
              const e0 = attributeEntry(r.prefix, r.attrs.attributes, n.config.address, r.attrs.nextHop);
              const e = r.attrs.stale ? { ...e0, stale: true } : e0;
              if (r.pathId === undefined) yield e;
              else {
                const { prefix, ...rest } = e;
                yield { prefix, pathId: r.pathId, ...rest };
              }
            }
          }
        })();
      case 'advertised':
        return (function* () {
          for (const n of list) {
            for (const r of n.ribOut.routes()) {
              const e = attributeEntry(r.prefix, r.attributes, n.config.address);
              yield n.ribOut.isPending(r.prefix) ? { ...e, pending: true } : e;
            }
          }
        })();
      default: {
        const never: never = view;
        throw new TsbgpError(TsbgpErrorCode.BAD_ARGUMENT, `unknown route view ${String(never)}`);
      }
    }
  }
}
