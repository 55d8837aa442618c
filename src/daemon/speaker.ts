// The speaker: peers, RIBs, the BGP listener and the state file, wired together; what the control API drives.
import net from 'node:net';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import { type Clock, realClock } from '../bgp/fsm/clock.js';
import { type Logger, Peer, type PeerHooks, WRITE_HIGH_WATER } from '../bgp/fsm/session.js';
import type { SessionConfig, SessionNegotiated, State } from '../bgp/fsm/types.js';
import { Afi, IPV4_UNICAST, IPV6_UNICAST, RouteRefreshSubtype, Safi, familyKey, familyName } from '../bgp/iana.js';
import { type BgpMessage, type Capability, DEFAULT_NEGOTIATED, type Negotiated, type NotificationMessage, type UpdateMessage, encodeMessage, endOfRib, formatCommunity, formatExtCommunity, formatPrefix, parsePrefix } from '../bgp/messages/index.js';
import { formatAsPath } from '../bgp/messages/describe.js';
import { AdjRibIn } from '../bgp/rib/adj-rib-in.js';
import { AdjRibOut, type OutRoute } from '../bgp/rib/adj-rib-out.js';
import { exportRoute } from '../routes/export.js';
import { LocalRoutes, type RouteSpec, sameRoute } from '../routes/local-routes.js';
import { packUpdates } from '../bgp/rib/packer.js';
import type { Config, NeighborConfig } from '../config/types.js';
import type { ChangeResult, SaveOutcome, NeighborInfo, PeerWrite, ReloadResult, RouteEntry, RouteView, SpeakerControl, SpeakerEvent, Summary } from '../control/types.js';

export interface SpeakerLogger extends Logger {
  child(bindings: object): SpeakerLogger;
}

export interface SpeakerOptions {
  config: Config;
  log: SpeakerLogger;
  clock?: Clock;
  random?: () => number;
  /** Reads the configuration again (SIGHUP, `bgpctl reload`). */
  reloadConfig?: () => Promise<Config>;
  /** Restores and saves runtime announcements (the state file); absent: not kept. */
  state?: { read(): Promise<RouteSpec[] | null>; write(routes: RouteSpec[]): Promise<void> };
}

interface Neighbor {
  config: NeighborConfig;
  peer: Peer;
  ribIn: AdjRibIn;
  ribOut: AdjRibOut;
  /** Families configured for this neighbor (familyKey). */
  families: Set<number>;
}

const FAMILY_KEYS: Record<string, number> = { 'ipv4-unicast': IPV4_UNICAST, 'ipv6-unicast': IPV6_UNICAST };
const ORIGINS = ['IGP', 'EGP', 'INCOMPLETE'];

/** IPv4-mapped IPv6 (::ffff:a.b.c.d) as the plain IPv4 address, as configured. */
function plainAddress(a: string | undefined): string {
  return a?.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : (a ?? '');
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

function sessionConfig(n: NeighborConfig, c: Config, random: () => number): SessionConfig {
  return {
    localAs: c.localAs,
    peerAs: n.remoteAs,
    bgpId: c.routerId,
    holdTime: n.holdTime,
    // RFC 9687's suggested SendHoldTime until the loader supplies one per neighbor.
    sendHoldTime: Math.max(480, 2 * n.holdTime),
    keepaliveTime: n.keepaliveTime,
    connectRetryTime: n.connectRetryTime,
    passive: n.passive,
    capabilities: localCapabilities(n, c.localAs),
    idleHoldTime: 1,
    maxIdleHoldTime: 120,
    random,
  };
}

/** A row of `show routes` for a route we originate, with the AS path it carries. */
function specEntry(r: RouteSpec, asPath: string): RouteEntry {
  return {
    prefix: r.prefix,
    nextHop: r.nextHop,
    asPath,
    origin: 'IGP',
    ...(r.med === undefined ? {} : { med: r.med }),
    communities: (r.communities ?? []).map(formatCommunity),
    largeCommunities: (r.largeCommunities ?? []).map((c) => c.join(':')),
    extendedCommunities: [],
  };
}

function sameNeighbor(a: NeighborConfig, b: NeighborConfig): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export class Speaker implements SpeakerControl {
  private config: Config;
  private readonly log: SpeakerLogger;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly neighborsByAddress = new Map<string, Neighbor>();
  private readonly local = new LocalRoutes();
  private readonly listeners = new Set<(e: SpeakerEvent) => void>();
  private server: net.Server | undefined;
  private readonly startedAt = Date.now();
  private persisting: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(private readonly opts: SpeakerOptions) {
    this.config = opts.config;
    this.log = opts.log;
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
  }

  /** Restore routes, listen, start every neighbor. */
  async start(): Promise<void> {
    const saved = await this.opts.state?.read();
    if (saved) {
      this.local.replaceAll(saved);
      this.log.info({ routes: saved.length }, 'routes restored from the state file');
    } else {
      this.local.replaceAll(this.config.routes);
    }
    if (this.config.listen) await this.listen(this.config.listen.address, this.config.listen.port);
    this.warmUp();
    for (const n of this.config.neighbors) this.addNeighbor(n);
  }

  /**
   * Run the failover path (export, diff, pack, encode) on throwaway state before any session is
   * up. A failover is rare, so it would otherwise run on cold code: V8 compiles functions on first
   * use. A few milliseconds at start take ~0.4 ms off the first next-hop change.
   */
  private warmUp(): void {
    const routes = this.local.size ? this.local.all() : [{ prefix: '100.64.0.1/32', nextHop: '10.10.0.4' }];
    const send: Negotiated = { ...DEFAULT_NEGOTIATED, fourOctetAs: true, families: new Set([IPV4_UNICAST, IPV6_UNICAST]) };
    const ctx = { localAs: this.config.localAs, external: true, send };
    for (let i = 0; i < 300; i++) {
      const out = new AdjRibOut();
      for (const hop of [0, 1]) {
        const desired = routes.map((r) => exportRoute(hop ? { ...r, med: i } : r, ctx));
        const changes = out.diff(desired);
        for (const u of packUpdates(changes, send)) encodeMessage(u, send);
        out.commit(changes);
      }
    }
  }

  /** Cease to every peer, stop listening. */
  async stop(communication = 'tsbgpd shutting down'): Promise<void> {
    this.stopping = true;
    const closing = [...this.neighborsByAddress.values()].map((n) => n.peer.stop(communication));
    await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, 3000).unref())]);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    await this.persisting;
  }

  /** The address the BGP listener is bound to (tests use port 0). */
  get listenAddress(): net.AddressInfo | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? a : undefined;
  }

  private listen(address: string, port: number): Promise<void> {
    const server = net.createServer((socket) => this.onIncoming(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(new TsbgpError(TsbgpErrorCode.CONFIG, `cannot listen on ${address}:${port}: ${err.code === 'EACCES' ? 'permission denied (port < 1024 needs root or CAP_NET_BIND_SERVICE)' : err.message}`)),
      );
      server.listen({ host: address, port }, () => {
        server.removeAllListeners('error');
        server.on('error', (err) => this.log.error({ err: err.message }, 'BGP listener error'));
        this.log.info({ address, port: this.listenAddress?.port }, 'listening for BGP connections');
        resolve();
      });
    });
  }

  private onIncoming(socket: net.Socket): void {
    const remote = plainAddress(socket.remoteAddress);
    const n = this.neighborsByAddress.get(remote);
    socket.on('error', () => {});
    if (!n || this.stopping) {
      this.log.warn({ remote, port: socket.remotePort }, 'connection from an address that is not a configured neighbor: closed');
      socket.destroy();
      return;
    }
    if (n.config.localAddress && plainAddress(socket.localAddress) !== n.config.localAddress) {
      this.log.warn({ remote, local: socket.localAddress }, `connection to ${socket.localAddress}, neighbor is configured on ${n.config.localAddress}: closed`);
      socket.destroy();
      return;
    }
    n.peer.accept(socket);
  }

  private addNeighbor(cfg: NeighborConfig): Neighbor {
    const log = this.log.child({ peer: cfg.address });
    const n: Neighbor = {
      config: cfg,
      ribIn: new AdjRibIn(),
      ribOut: new AdjRibOut(),
      families: new Set(cfg.families.map((f) => FAMILY_KEYS[f]!)),
      peer: undefined as unknown as Peer,
    };
    n.peer = new Peer(
      { address: cfg.address, port: cfg.port, ...(cfg.localAddress ? { localAddress: cfg.localAddress } : {}) },
      sessionConfig(cfg, this.config, this.random),
      this.clock,
      log,
      this.hooks(n),
    );
    this.neighborsByAddress.set(cfg.address, n);
    n.peer.start();
    return n;
  }

  private hooks(n: Neighbor): PeerHooks {
    return {
      stateChange: (_p, from, to, reason) => this.emit({ type: 'state', at: new Date().toISOString(), neighbor: n.config.address, from, to, reason }),
      up: (p, neg) => this.onUp(n, p, neg),
      down: () => {
        n.ribIn.clear();
        n.ribOut.clear();
      },
      update: (_p, u) => this.onUpdate(n, u),
      refresh: (_p, afi, safi) => this.resend(n, afi, safi),
      drained: () => void this.sync(n),
      notification: (_p, direction, m) => this.onNotification(n, direction, m),
    };
  }

  /** Families both configured for the neighbor and negotiated with it. */
  private activeFamilies(n: Neighbor): number[] {
    const neg = n.peer.negotiated;
    if (!neg) return [];
    return [...n.families].filter((f) => neg.send.families.has(f));
  }

  private desired(n: Neighbor): OutRoute[] {
    const families = new Set(this.activeFamilies(n));
    const ctx = { localAs: this.config.localAs, external: n.config.remoteAs !== this.config.localAs, send: n.peer.sendContext };
    const out: OutRoute[] = [];
    for (const r of this.local.all()) {
      const route = exportRoute(r, ctx);
      if (families.has(route.family)) out.push(route);
    }
    return out;
  }

  private onUp(n: Neighbor, p: Peer, neg: SessionNegotiated): void {
    n.ribOut.clear();
    const updates = this.changesFor(n);
    const eors = this.activeFamilies(n).map((f) => endOfRib(f >> 8, f & 0xff));
    this.log.info({ peer: n.config.address, holdTime: neg.holdTime, routes: n.ribOut.size }, 'session established: table sent');
    void p.sendBatch([...updates, ...eors]);
  }

  /** UPDATEs that bring the peer's Adj-RIB-Out to what we want, recorded as sent. */
  private changesFor(n: Neighbor): UpdateMessage[] {
    const changes = n.ribOut.diff(this.desired(n));
    if (!changes.announce.length && !changes.withdraw.length) return [];
    const updates = packUpdates(changes, n.peer.sendContext);
    n.ribOut.commit(changes);
    const at = new Date().toISOString();
    for (const r of changes.announce) {
      const nh = r.attributes.find((a) => a.type === 'NEXT_HOP' || a.type === 'MP_REACH_NLRI');
      const nextHop = nh?.type === 'NEXT_HOP' ? nh.nextHop : nh?.type === 'MP_REACH_NLRI' ? nh.nextHops[0] : undefined;
      this.emit({ type: 'route', at, direction: 'advertised', neighbor: n.config.address, action: 'announce', prefix: r.prefix, ...(nextHop ? { nextHop } : {}) });
    }
    for (const prefix of changes.withdraw) this.emit({ type: 'route', at, direction: 'advertised', neighbor: n.config.address, action: 'withdraw', prefix });
    return updates;
  }

  /** Send what changed to one peer; resolves with the clock time the write completed. */
  private sync(n: Neighbor): Promise<number> | undefined {
    if (!n.peer.established) return undefined;
    if (n.peer.pendingWrite > WRITE_HIGH_WATER) return undefined; // resumed on 'drain'
    const updates = this.changesFor(n);
    return updates.length ? n.peer.sendBatch(updates) : undefined;
  }

  /** RFC 2918 / RFC 7313: the whole Adj-RIB-Out of a family again, between BoRR and EoRR when supported. */
  private resend(n: Neighbor, afi: number, safi: number): void {
    const family = familyKey(afi, safi);
    if (!n.peer.established || !this.activeFamilies(n).includes(family)) return;
    const routes = this.desired(n).filter((r) => r.family === family);
    const updates = packUpdates({ announce: routes, withdraw: [] }, n.peer.sendContext);
    const messages: BgpMessage[] = [...updates];
    if (n.peer.sendContext.enhancedRouteRefresh) {
      messages.unshift({ type: 'ROUTE_REFRESH', afi, safi, subtype: RouteRefreshSubtype.BORR });
      messages.push({ type: 'ROUTE_REFRESH', afi, safi, subtype: RouteRefreshSubtype.EORR });
    } else {
      messages.push(endOfRib(afi, safi));
    }
    this.log.info({ peer: n.config.address, family: familyName(afi, safi), routes: routes.length }, 'route refresh: Adj-RIB-Out re-sent');
    void n.peer.sendBatch(messages);
  }

  private onUpdate(n: Neighbor, u: UpdateMessage): void {
    const changes = n.ribIn.apply(u);
    if (!changes.length || !this.listeners.size) return;
    const at = new Date().toISOString();
    for (const c of changes) {
      this.emit({ type: 'route', at, direction: 'received', neighbor: n.config.address, action: c.action, prefix: c.prefix, ...(c.nextHop ? { nextHop: c.nextHop } : {}) });
    }
  }

  private onNotification(n: Neighbor, direction: 'sent' | 'received', m: NotificationMessage): void {
    const s = n.peer.session.lastError;
    this.emit({ type: 'notification', at: new Date().toISOString(), neighbor: n.config.address, direction, code: m.code, subcode: m.subcode, text: s?.text ?? '' });
  }

  private emit(e: SpeakerEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'event listener failed');
      }
    }
  }

  subscribe(listener: (e: SpeakerEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private persist(): Promise<void> {
    const state = this.opts.state;
    if (!state) return Promise.resolve();
    const routes = this.local.all();
    this.persisting = this.persisting.then(
      () => state.write(routes),
      () => state.write(routes),
    );
    return this.persisting.catch((err: Error) => {
      this.log.error({ err: err.message }, 'cannot save the state file: a restart would not keep this change');
      throw new TsbgpError(TsbgpErrorCode.FILE, `route sent, but the state file could not be saved: ${err.message}`);
    });
  }

  /** Send the current local routes to every established peer at once and wait for the writes. */
  private async push(prefix: string, changed: boolean, t0: number, route?: RouteSpec): Promise<ChangeResult> {
    const all = [...this.neighborsByAddress.values()];
    // Every peer's write is issued before anything is awaited: no peer waits for another.
    const writes = all.map((n) => (changed ? this.sync(n) : undefined));
    const peers: PeerWrite[] = await Promise.all(
      all.map(async (n, i): Promise<PeerWrite> => {
        const w = writes[i];
        const base = { neighbor: n.config.address, state: n.peer.state };
        if (w) return { ...base, sent: true, micros: Math.round(((await w) - t0) * 1000) };
        if (!changed) return { ...base, sent: false, note: 'unchanged: nothing sent' };
        if (!n.peer.established) return { ...base, sent: false, note: 'not established: gets the route when the session comes up' };
        if (n.peer.pendingWrite > WRITE_HIGH_WATER) return { ...base, sent: false, note: 'peer is not reading: queued until it drains' };
        return { ...base, sent: false, note: 'family not negotiated with this peer' };
      }),
    );
    const wireMicros = Math.round((this.clock.now() - t0) * 1000);
    // Saved once the UPDATEs are in the kernel: the file's fsync never competes with the wire.
    let saved: SaveOutcome | undefined;
    if (changed && this.opts.state) {
      try {
        await this.persist();
        saved = { ok: true, micros: Math.round((this.clock.now() - t0) * 1000) };
      } catch (e) {
        saved = { ok: false, error: (e as Error).message };
      }
    }
    return { prefix, changed, ...(route ? { route } : {}), peers, wireMicros, ...(saved ? { saved } : {}) };
  }

  async announce(route: RouteSpec, receivedAt?: number): Promise<ChangeResult> {
    const t0 = receivedAt ?? this.clock.now();
    const old = this.local.get(route.prefix);
    const changed = this.local.set(route);
    if (changed) {
      this.log.info({ prefix: route.prefix, nextHop: route.nextHop, was: old?.nextHop }, old ? `next hop of ${route.prefix}: ${old.nextHop} -> ${route.nextHop}` : `announce ${route.prefix} via ${route.nextHop}`);
      this.emit({ type: 'local', at: new Date().toISOString(), action: 'announce', prefix: route.prefix, nextHop: route.nextHop });
    }
    return this.push(route.prefix, changed, t0, route);
  }

  async withdraw(prefixText: string, receivedAt?: number): Promise<ChangeResult> {
    const t0 = receivedAt ?? this.clock.now();
    const parsed = parsePrefix(prefixText);
    if (!parsed) throw new TsbgpError(TsbgpErrorCode.BAD_PREFIX, `not a prefix: "${prefixText}" (expected e.g. 100.64.0.1/32 or 2001:db8::/48)`);
    const prefix = formatPrefix(parsed);
    if (!this.local.delete(prefix)) throw new TsbgpError(TsbgpErrorCode.NOT_FOUND, `${prefix} is not announced (bgpctl show routes lists what is)`);
    this.log.info({ prefix }, `withdraw ${prefix}`);
    this.emit({ type: 'local', at: new Date().toISOString(), action: 'withdraw', prefix });
    return this.push(prefix, true, t0);
  }

  private neighbor(address: string): Neighbor {
    const n = this.neighborsByAddress.get(plainAddress(address));
    if (!n) {
      const known = [...this.neighborsByAddress.keys()].join(', ') || 'none';
      throw new TsbgpError(TsbgpErrorCode.UNKNOWN_NEIGHBOR, `no neighbor ${address} (configured: ${known})`);
    }
    return n;
  }

  neighbors(address?: string): NeighborInfo[] {
    const list = address === undefined ? [...this.neighborsByAddress.values()] : [this.neighbor(address)];
    return list.map((n) => this.neighborInfo(n));
  }

  private neighborInfo(n: Neighbor): NeighborInfo {
    const p = n.peer;
    const neg = p.negotiated;
    const s = p.session;
    const capName = (c: Capability): string => (c.type === 'MULTIPROTOCOL' ? `MULTIPROTOCOL(${familyName(c.afi, c.safi)})` : c.type === 'UNKNOWN' ? `CAPABILITY_${c.code}` : c.type);
    const info: NeighborInfo = {
      address: n.config.address,
      port: n.config.port,
      remoteAs: n.config.remoteAs,
      ...(n.config.description ? { description: n.config.description } : {}),
      ...(n.config.localAddress ? { localAddress: n.config.localAddress } : {}),
      passive: n.config.passive,
      state: p.state,
      since: new Date(p.since).toISOString(),
      configuredHoldTime: n.config.holdTime,
      messages: { received: { ...p.received }, sent: { ...p.sent } },
      prefixes: { received: n.ribIn.size, advertised: n.ribOut.size },
    };
    if (p.establishedAt !== undefined) info.uptime = Math.round((Date.now() - p.establishedAt) / 1000);
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
        gracefulRestart: neg.peerOpen.capabilities.some((c) => c.type === 'GRACEFUL_RESTART'),
        families: [...neg.send.families].map((f) => familyName(f >> 8, f & 0xff)),
      };
    }
    if (s.lastError) info.lastError = { ...s.lastError, at: new Date(s.lastError.at).toISOString() };
    return info;
  }

  summary(): Summary {
    return {
      routerId: this.config.routerId,
      localAs: this.config.localAs,
      uptime: Math.round((Date.now() - this.startedAt) / 1000),
      neighbors: [...this.neighborsByAddress.values()].map((n) => ({
        address: n.config.address,
        remoteAs: n.config.remoteAs,
        state: n.peer.state,
        since: new Date(n.peer.since).toISOString(),
        received: n.ribIn.size,
        advertised: n.ribOut.size,
        ...(n.config.description ? { description: n.config.description } : {}),
      })),
      localRoutes: this.local.size,
    };
  }

  routes(view: RouteView, neighbor?: string): RouteEntry[] {
    const list = neighbor === undefined ? [...this.neighborsByAddress.values()] : [this.neighbor(neighbor)];
    const out: RouteEntry[] = [];
    switch (view) {
      case 'local':
        for (const r of this.local.all()) out.push(specEntry(r, Array(r.asPathPrepend ?? 0).fill(this.config.localAs).join(' ')));
        return out;
      case 'received':
        for (const n of list) {
          for (const r of n.ribIn.all()) {
            const a = r.attrs.attributes;
            const find = <T extends (typeof a)[number]['type']>(t: T) => a.find((x) => x.type === t) as Extract<(typeof a)[number], { type: T }> | undefined;
            out.push({
              prefix: r.prefix,
              ...(r.pathId === undefined ? {} : { pathId: r.pathId }),
              neighbor: n.config.address,
              nextHop: r.attrs.nextHop,
              asPath: formatAsPath(r.attrs.asPath),
              origin: ORIGINS[find('ORIGIN')?.origin ?? 2] ?? '?',
              ...(find('MULTI_EXIT_DISC') ? { med: find('MULTI_EXIT_DISC')!.med } : {}),
              ...(find('LOCAL_PREF') ? { localPref: find('LOCAL_PREF')!.localPref } : {}),
              communities: (find('COMMUNITIES')?.communities ?? []).map(formatCommunity),
              largeCommunities: (find('LARGE_COMMUNITY')?.communities ?? []).map((c) => c.join(':')),
              extendedCommunities: (find('EXTENDED_COMMUNITIES')?.communities ?? []).map(formatExtCommunity),
            });
          }
        }
        return out;
      case 'advertised':
        for (const n of list) {
          if (!n.peer.established) continue;
          for (const r of this.desired(n)) {
            if (!n.ribOut.has(r.prefix)) continue;
            const path = r.attributes.find((x) => x.type === 'AS_PATH');
            out.push({ ...specEntry(this.local.get(r.prefix)!, path?.type === 'AS_PATH' ? formatAsPath(path.segments) : ''), neighbor: n.config.address });
          }
        }
        return out;
      default: {
        const never: never = view;
        throw new TsbgpError(TsbgpErrorCode.BAD_ARGUMENT, `unknown route view ${String(never)}`);
      }
    }
  }

  neighborUp(address: string): void {
    this.neighbor(address).peer.start();
  }

  neighborDown(address: string, communication?: string): void {
    void this.neighbor(address).peer.stop(communication);
  }

  neighborRefresh(address: string): void {
    const n = this.neighbor(address);
    if (!n.peer.established) throw new TsbgpError(TsbgpErrorCode.BAD_ARGUMENT, `${address} is ${n.peer.state}, not Established: nothing to refresh`);
    for (const f of this.activeFamilies(n)) {
      n.peer.requestRefresh(f >> 8, f & 0xff);
      this.resend(n, f >> 8, f & 0xff);
    }
  }

  /**
   * Read the configuration again. Neighbors whose settings are unchanged keep their sessions;
   * changed ones are reset, removed ones stopped, new ones started. Routes: only what changed in
   * the file since the last load is applied, so a runtime failover is not undone by a reload.
   */
  async reload(): Promise<ReloadResult> {
    if (!this.opts.reloadConfig) throw new TsbgpError(TsbgpErrorCode.CONFIG, 'this speaker has no configuration file to reload');
    const next = await this.opts.reloadConfig();
    const prev = this.config;
    if (next.localAs !== prev.localAs || next.routerId !== prev.routerId) {
      throw new TsbgpError(TsbgpErrorCode.CONFIG, 'router-id and local-as cannot change on reload: restart tsbgpd');
    }
    this.config = next;
    const result: ReloadResult = { neighborsAdded: [], neighborsRemoved: [], neighborsReset: [], routesChanged: [] };
    const wanted = new Map(next.neighbors.map((n) => [n.address, n]));
    for (const [address, n] of this.neighborsByAddress) {
      const cfg = wanted.get(address);
      if (cfg && sameNeighbor(cfg, n.config)) continue;
      this.neighborsByAddress.delete(address);
      void n.peer.stop(cfg ? 'configuration changed: session reset' : 'neighbor removed from the configuration');
      (cfg ? result.neighborsReset : result.neighborsRemoved).push(address);
    }
    for (const cfg of next.neighbors) {
      if (this.neighborsByAddress.has(cfg.address)) continue;
      this.addNeighbor(cfg);
      if (!result.neighborsReset.includes(cfg.address)) result.neighborsAdded.push(cfg.address);
    }
    const before = new Map(prev.routes.map((r) => [r.prefix, r]));
    const after = new Map(next.routes.map((r) => [r.prefix, r]));
    for (const [prefix, r] of after) {
      const old = before.get(prefix);
      if (!old || !sameRoute(old, r)) {
        if (this.local.set(r)) result.routesChanged.push(prefix);
      }
    }
    for (const prefix of before.keys()) if (!after.has(prefix) && this.local.delete(prefix)) result.routesChanged.push(prefix);
    if (result.routesChanged.length) {
      for (const n of this.neighborsByAddress.values()) void this.sync(n);
      await this.persist();
    }
    this.log.info({ ...result }, 'configuration reloaded');
    return result;
  }

  /** For tests and the demo: the state of one neighbor. */
  stateOf(address: string): State {
    return this.neighbor(address).peer.state;
  }
}
