// A test double for the control layer: a SpeakerControl that records each call and returns canned results.
import type {
  ChangeResult,
  NeighborInfo,
  ReloadResult,
  RouteEntry,
  RouteSpec,
  RouteView,
  SpeakerControl,
  SpeakerEvent,
  Summary,
} from '../../src/control/types.js';

export type Call = { method: keyof SpeakerControl; args: unknown[] };

const counts = (n: number) => ({ open: 1, update: n, notification: 0, keepalive: 10, routeRefresh: 0, total: 11 + n });

/** Two neighbors: one Established with everything filled in, one Active with nearly nothing. */
export const NEIGHBORS: NeighborInfo[] = [
  {
    address: '10.10.1.4',
    port: 179,
    remoteAs: 65515,
    description: 'route-server-0',
    localAddress: '10.10.0.4',
    passive: false,
    state: 'Established',
    since: '2025-03-01T11:00:00.000Z',
    uptime: 3723,
    peerId: '10.10.1.4',
    configuredHoldTime: 180,
    holdTime: 180,
    keepaliveTime: 60,
    capabilities: {
      local: ['multiprotocol ipv4-unicast', 'route-refresh', 'four-octet-as'],
      remote: ['multiprotocol ipv4-unicast', 'route-refresh', 'four-octet-as', 'graceful-restart'],
      fourOctetAs: true,
      routeRefresh: true,
      enhancedRouteRefresh: false,
      extendedMessage: false,
      gracefulRestart: false,
      families: ['ipv4-unicast'],
    },
    messages: { received: counts(20), sent: counts(3) },
    prefixes: { received: 12, advertised: 1 },
  },
  {
    address: '10.10.1.5',
    port: 179,
    remoteAs: 65515,
    passive: true,
    state: 'Active',
    since: '2025-03-01T12:01:00.000Z',
    configuredHoldTime: 180,
    messages: { received: counts(0), sent: counts(0) },
    prefixes: { received: 0, advertised: 0 },
    lastError: { direction: 'received', code: 6, subcode: 2, text: 'Cease / Administrative Shutdown: maintenance', at: '2025-03-01T12:01:00.000Z' },
  },
];

export const SUMMARY: Summary = {
  routerId: '10.10.0.4',
  localAs: 65010,
  uptime: 90061,
  neighbors: [
    { address: '10.10.1.4', remoteAs: 65515, state: 'Established', since: '2025-03-01T11:00:00.000Z', received: 12, advertised: 1, description: 'route-server-0' },
    { address: '10.10.1.5', remoteAs: 65515, state: 'Active', since: '2025-03-01T12:01:00.000Z', received: 0, advertised: 0 },
  ],
  localRoutes: 1,
};

export const LOCAL_ROUTES: RouteEntry[] = [
  { prefix: '100.64.0.1/32', nextHop: '10.10.0.5', asPath: '', origin: 'IGP', med: 10, communities: ['65010:100'], largeCommunities: [], extendedCommunities: [] },
];

export function changeFor(route: RouteSpec | undefined, prefix: string): ChangeResult {
  const r: ChangeResult = {
    prefix,
    changed: true,
    peers: [
      { neighbor: '10.10.1.4', state: 'Established', sent: true, micros: 85 },
      { neighbor: '10.10.1.5', state: 'Active', sent: false, note: 'not established' },
    ],
    wireMicros: 85,
  };
  if (route) r.route = route;
  return r;
}

export class FakeSpeaker implements SpeakerControl {
  readonly calls: Call[] = [];
  private readonly listeners = new Set<(e: SpeakerEvent) => void>();
  /** When set, the next call to that method throws it. */
  throwing: Partial<Record<keyof SpeakerControl, unknown>> = {};
  /** When set, announce() waits for it (ordering tests hold a reply back by hand, not by a timer). */
  announceGate: Promise<void> | undefined;
  /** When set, the next announce answers this instead of the canned result. */
  nextChange: ChangeResult | undefined;
  reloadResult: ReloadResult = { neighborsAdded: [], neighborsRemoved: [], neighborsReset: ['10.10.1.4'], routesChanged: [] };

  private record(method: keyof SpeakerControl, args: unknown[]): void {
    this.calls.push({ method, args });
    if (method in this.throwing) {
      const e = this.throwing[method];
      delete this.throwing[method];
      throw e;
    }
  }

  async announce(route: RouteSpec, receivedAt?: number): Promise<ChangeResult> {
    this.record('announce', receivedAt === undefined ? [route] : [route, receivedAt]);
    if (this.announceGate) await this.announceGate;
    const next = this.nextChange;
    this.nextChange = undefined;
    return next ?? changeFor(route, route.prefix);
  }
  async withdraw(prefix: string, receivedAt?: number): Promise<ChangeResult> {
    this.record('withdraw', receivedAt === undefined ? [prefix] : [prefix, receivedAt]);
    return changeFor(undefined, prefix);
  }
  neighbors(address?: string): NeighborInfo[] {
    this.record('neighbors', address === undefined ? [] : [address]);
    return address === undefined ? NEIGHBORS : NEIGHBORS.filter((n) => n.address === address);
  }
  summary(): Summary {
    this.record('summary', []);
    return SUMMARY;
  }
  routes(view: RouteView, neighbor?: string): Iterable<RouteEntry> {
    this.record('routes', neighbor === undefined ? [view] : [view, neighbor]);
    return view === 'local' ? LOCAL_ROUTES : [];
  }
  neighborUp(address: string): void {
    this.record('neighborUp', [address]);
  }
  neighborDown(address: string, communication?: string): void {
    this.record('neighborDown', communication === undefined ? [address] : [address, communication]);
  }
  neighborRefresh(address: string): void {
    this.record('neighborRefresh', [address]);
  }
  async reload(): Promise<ReloadResult> {
    this.record('reload', []);
    return this.reloadResult;
  }
  subscribe(listener: (e: SpeakerEvent) => void): () => void {
    this.record('subscribe', []);
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  get subscribers(): number {
    return this.listeners.size;
  }
  emit(e: SpeakerEvent): void {
    for (const l of [...this.listeners]) l(e);
  }
  /** The methods called, in order (without subscribe bookkeeping unless asked). */
  methods(): string[] {
    return this.calls.map((c) => c.method);
  }
}
