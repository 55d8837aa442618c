// The advertise path (the failover path): changed prefixes -> one plan per peer -> one corked write each.
import type { Clock } from '../bgp/fsm/clock.js';
import { WRITE_HIGH_WATER } from '../bgp/fsm/session.js';
import { RouteRefreshSubtype, familyKey, familyName } from '../bgp/iana.js';
import { type BgpMessage, endOfRib } from '../bgp/messages/index.js';
import type { OutRoute } from '../bgp/rib/adj-rib-out.js';
import { type Desired, type Plan, type PlanLimit, allPrefixes, plan } from '../bgp/rib/outbound.js';
import { packUpdates } from '../bgp/rib/packer.js';
import { splitForLimit } from '../bgp/rib/route-limit.js';
import type { PeerWrite } from '../control/types.js';
import { exportRoute } from '../routes/export.js';
import type { RouteIntents } from '../routes/intents.js';
import type { EventBus } from './events.js';
import { type Neighbor, NeighborRegistry } from './neighbors.js';

export interface AdvertiseLogger {
  info(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A neighbor's max-routes-out for the planner, or undefined: unlimited. */
const limitOf = (n: Neighbor, fresh = false): PlanLimit | undefined =>
  n.config.maxRoutesOut === undefined ? undefined : { limit: n.config.maxRoutesOut, ...(fresh ? { fresh } : {}) };

/** What one flush did at one peer: the time its write reached the kernel, or why nothing was written. */
type PeerOutcome = { neighbor: Neighbor; write: Promise<number> } | { neighbor: Neighbor; note: string };

/** The outcome of sending a set of changes to every peer, timed from the request's arrival. */
export interface SendResult {
  peers: PeerWrite[];
  /** Microseconds from `t0` to the last peer's write handed to the kernel (0 when nothing was written). */
  wireMicros: number;
}

interface Waiter {
  t0: number;
  resolve: (r: SendResult) => void;
}

/**
 * Changes that arrive in the same synchronous run (requests a client had already queued, a reload's
 * routes) are planned together, on a microtask: never on a timer, never waiting for more. Each peer
 * gets one plan over exactly the changed prefixes (plus any it was left behind on), packed into as
 * few UPDATEs as the attributes allow, written in one corked batch; every peer's write is issued
 * before any is awaited.
 */
export class Advertiser {
  private dirty = new Set<string>();
  private waiters: Waiter[] = [];
  private queued = false;
  /** Reasons End-of-RIB still waits for (see holdEndOfRib). */
  private readonly eorHolds = new Set<string>();
  /** Peers that have their table but not yet their End-of-RIB. */
  private readonly eorDue = new Set<Neighbor>();

  constructor(
    private readonly intents: RouteIntents,
    private readonly registry: NeighborRegistry,
    private readonly localAs: () => number,
    private readonly clock: Clock,
    private readonly log: AdvertiseLogger,
    private readonly events: EventBus,
    /** Extra copies of our AS toward one peer (a standby watcher's prepend; 0 toward its partner). */
    private readonly prependFor: (n: Neighbor) => number = () => 0,
  ) {}

  /** Send these changed prefixes to every peer; resolves once every write is in the kernel. */
  send(prefixes: readonly string[], t0: number): Promise<SendResult> {
    for (const p of prefixes) this.dirty.add(p);
    const done = new Promise<SendResult>((resolve) => this.waiters.push({ t0, resolve }));
    this.schedule();
    return done;
  }

  /** Plan on a microtask, after what the current synchronous run has still to queue. */
  private schedule(): void {
    if (this.queued) return;
    this.queued = true;
    queueMicrotask(() => this.flush());
  }

  /**
   * RFC 4724 §4.1: End-of-RIB tells a peer that kept our routes stale that the table is complete;
   * what it has not been sent again by then it deletes. So after a start, End-of-RIB waits until
   * every intent is in the table (the VIPs' first health decisions): until each `release()` of a
   * hold. A session that comes up meanwhile gets the table as it is, then each route as it
   * arrives, then End-of-RIB once nothing holds it. Releasing twice is harmless.
   */
  holdEndOfRib(reason: string): () => void {
    this.eorHolds.add(reason);
    return () => {
      if (!this.eorHolds.delete(reason)) return;
      if (this.eorHolds.size === 0) this.schedule();
    };
  }

  /** What End-of-RIB still waits for (empty: nothing). */
  get endOfRibHolds(): string[] {
    return [...this.eorHolds];
  }

  private flush(): void {
    this.queued = false;
    const prefixes = [...this.dirty];
    const waiters = this.waiters;
    this.dirty = new Set();
    this.waiters = [];
    const outcomes: PeerOutcome[] = [];
    for (const n of this.registry.all()) outcomes.push(this.sendChanges(n, prefixes));
    // After the changes of this run: an End-of-RIB released with a route goes behind that route.
    if (this.eorHolds.size === 0) for (const n of this.eorDue) this.endOfRib(n);
    void Promise.all(outcomes.map((o) => ('write' in o ? o.write : undefined))).then((times) => {
      for (const w of waiters) {
        let last = w.t0;
        const peers = outcomes.map((o, i): PeerWrite => {
          const base = { neighbor: o.neighbor.config.address, state: o.neighbor.peer.state };
          const at = times[i];
          if (at === undefined) return { ...base, sent: false, note: 'note' in o ? o.note : 'nothing to send' };
          last = Math.max(last, at);
          return { ...base, sent: true, micros: Math.round((at - w.t0) * 1000) };
        });
        w.resolve({ peers, wireMicros: Math.round((last - w.t0) * 1000) });
      }
    });
  }

  /** Plan and write what changed for one peer; says why nothing was written when nothing was. */
  private sendChanges(n: Neighbor, prefixes: Iterable<string>): PeerOutcome {
    if (!n.peer.established) {
      return { neighbor: n, note: 'not established: gets the route when the session comes up' };
    }
    if (n.peer.pendingWrite > WRITE_HIGH_WATER) {
      n.ribOut.markPending(prefixes);
      return { neighbor: n, note: 'peer is not reading: queued until it drains' };
    }
    const todo = n.ribOut.pendingCount ? [...prefixes, ...n.ribOut.takePending()] : prefixes;
    const p = plan(n.ribOut, todo, this.desired(n), n.peer.sendContext, limitOf(n));
    this.deferred(n, p);
    if (!p.updates.length) return { neighbor: n, note: p.deferred.length ? 'held back: over max-routes-out' : 'unchanged for this peer: nothing sent' };
    const write = n.peer.sendBatch(p.updates);
    if (!write) return { neighbor: n, note: 'session closed before the write' };
    p.commit();
    this.advertised(n, p.changes.announce, p.changes.withdraw);
    // A batch the kernel could not take at once waits for the peer to read: the reply does not wait
    // for it (a peer that never reads would hold it until the send hold timer fires).
    const behind = n.peer.pendingWrite;
    if (behind > WRITE_HIGH_WATER) return { neighbor: n, note: `queued: ${behind} octets wait for the peer to read` };
    return { neighbor: n, write };
  }

  /** The route a peer should hold for a prefix: exported for it, and of a family it carries. */
  private desired(n: Neighbor): Desired {
    const families = new Set(NeighborRegistry.activeFamilies(n));
    const ctx = { localAs: this.localAs(), external: n.config.remoteAs !== this.localAs(), send: n.peer.sendContext, prepend: this.prependFor(n) };
    return (prefix) => {
      const route = this.intents.route(prefix);
      if (!route) return undefined;
      let out = n.exported.get(route);
      if (!out) {
        out = exportRoute(route, ctx);
        n.exported.set(route, out);
      }
      return families.has(out.family) ? out : undefined;
    };
  }

  /** Established: the whole table, then End-of-RIB for each family (RFC 4724 §2), unless held (holdEndOfRib). */
  sessionUp(n: Neighbor): void {
    n.ribOut.clear();
    n.exported = new WeakMap(); // the negotiated context (4-octet AS...) may differ from the last session
    const p = plan(n.ribOut, allPrefixes(this.intents.prefixes(), n.ribOut), this.desired(n), n.peer.sendContext, limitOf(n, true));
    this.deferred(n, p);
    const held = this.eorHolds.size > 0;
    const write = n.peer.sendBatch(held ? p.updates : [...p.updates, ...this.endOfRibs(n)]);
    if (write) {
      p.commit();
      this.advertised(n, p.changes.announce, p.changes.withdraw);
      if (held) this.eorDue.add(n);
    }
    const waits = held ? { endOfRibWaitsFor: this.endOfRibHolds } : {};
    this.log.info({ peer: n.config.address, routes: n.ribOut.size, updates: p.updates.length, ...waits }, held ? 'session established: table sent, End-of-RIB waits' : 'session established: table sent');
  }

  private endOfRibs(n: Neighbor): BgpMessage[] {
    return NeighborRegistry.activeFamilies(n).map((f) => endOfRib(f >> 8, f & 0xff));
  }

  /** The End-of-RIB a peer was due, once nothing of its table waits for the socket. */
  private endOfRib(n: Neighbor): void {
    if (!n.peer.established) {
      this.eorDue.delete(n); // its next session gets table and End-of-RIB afresh
      return;
    }
    if (n.ribOut.pendingCount) return; // drained() comes back here
    this.eorDue.delete(n);
    void n.peer.sendBatch(this.endOfRibs(n));
    this.log.info({ peer: n.config.address, routes: n.ribOut.size }, 'End-of-RIB sent: the table is complete');
  }

  /** The socket drained: what waited for it goes now. */
  drained(n: Neighbor): void {
    if (n.ribOut.pendingCount) this.sendChanges(n, []);
    if (this.eorDue.has(n) && this.eorHolds.size === 0) this.endOfRib(n);
  }

  /** RFC 2918 / RFC 7313: the whole Adj-RIB-Out of a family again, between BoRR and EoRR when supported. */
  resend(n: Neighbor, afi: number, safi: number): void {
    const family = familyKey(afi, safi);
    if (!n.peer.established || !NeighborRegistry.activeFamilies(n).includes(family)) return;
    // Bring the peer up to date first, so that what is re-sent is what it holds.
    if (n.ribOut.pendingCount) this.sendChanges(n, []);
    const routes = [...n.ribOut.routes()].filter((r) => r.family === family);
    const packed = packUpdates({ announce: routes, withdraw: [] }, n.peer.sendContext);
    // Every route re-sent is one the peer holds: each UPDATE carries at most limit - held of them.
    const limit = n.config.maxRoutesOut;
    const split = limit === undefined ? packed : splitForLimit(packed, { limit, held: n.ribOut.size, adds: () => false });
    if (!split) {
      // Cannot happen (the peer holds at most limit - 1); an EoRR after no routes would flush them all.
      this.log.error({ peer: n.config.address, maxRoutesOut: limit, held: n.ribOut.size }, 'route refresh not answered: no room under max-routes-out');
      return;
    }
    const messages: BgpMessage[] = split;
    if (n.peer.sendContext.enhancedRouteRefresh) {
      messages.unshift({ type: 'ROUTE_REFRESH', afi, safi, subtype: RouteRefreshSubtype.BORR });
      messages.push({ type: 'ROUTE_REFRESH', afi, safi, subtype: RouteRefreshSubtype.EORR });
    } else {
      messages.push(endOfRib(afi, safi));
    }
    this.log.info({ peer: n.config.address, family: familyName(afi, safi), routes: routes.length }, 'route refresh: Adj-RIB-Out re-sent');
    void n.peer.sendBatch(messages);
  }

  /** New prefixes the plan left out for the route limit: kept pending, and loud (the daemon should have refused them). */
  private deferred(n: Neighbor, p: Plan): void {
    if (!p.deferred.length) return;
    n.ribOut.markPending(p.deferred);
    this.log.error(
      { peer: n.config.address, maxRoutesOut: n.config.maxRoutesOut, held: n.ribOut.size, deferred: p.deferred.length, first: p.deferred[0] },
      'routes held back: the peer would hold more than max-routes-out leaves room for',
    );
  }

  /** `route advertised` events, after the write was issued. */
  private advertised(n: Neighbor, announce: readonly OutRoute[], withdraw: readonly string[]): void {
    if (!this.events.active) return;
    const at = new Date(this.clock.wall()).toISOString();
    for (const r of announce) {
      const nh = r.attributes.find((a) => a.type === 'NEXT_HOP' || a.type === 'MP_REACH_NLRI');
      const nextHop = nh?.type === 'NEXT_HOP' ? nh.nextHop : nh?.type === 'MP_REACH_NLRI' ? nh.nextHops[0] : undefined;
      this.events.emit({ type: 'route', at, direction: 'advertised', neighbor: n.config.address, action: 'announce', prefix: r.prefix, ...(nextHop ? { nextHop } : {}) });
    }
    for (const prefix of withdraw) this.events.emit({ type: 'route', at, direction: 'advertised', neighbor: n.config.address, action: 'withdraw', prefix });
  }
}
