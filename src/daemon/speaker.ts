// The daemon's wiring: intents, neighbors, the advertise path, the store and the read model; start, stop, reload.
import type net from 'node:net';
import os from 'node:os';
import { type Clock, realClock } from '../bgp/fsm/clock.js';
import { stopMessage } from '../bgp/fsm/graceful-restart.js';
import type { PeerHooks } from '../bgp/fsm/session.js';
import type { State, StopMode } from '../bgp/fsm/types.js';
import { IPV4_UNICAST, IPV6_UNICAST } from '../bgp/iana.js';
import { DEFAULT_NEGOTIATED, type Negotiated, encodeMessage, endOfRibFamily, formatPrefix, parsePrefix } from '../bgp/messages/index.js';
import type { RibChange } from '../bgp/rib/adj-rib-in.js';
import { AdjRibOut } from '../bgp/rib/adj-rib-out.js';
import { plan } from '../bgp/rib/outbound.js';
import type { Config } from '../config/types.js';
import type { ChangeResult, ShutdownResult, VipInfo, VipMove, NeighborInfo, ReloadResult, RouteEntry, RouteView, SaveOutcome, SpeakerControl, SpeakerEvent, Summary } from '../control/types.js';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import { exportRoute } from '../routes/export.js';
import { type Intent, type Owner, RANK, RouteIntents, sameIntent } from '../routes/intents.js';
import type { RouteSpec } from '../routes/local-routes.js';
import { Advertiser } from './advertise.js';
import { EventBus } from './events.js';
import { BgpListener } from './listener.js';
import { type Neighbor, type NeighborLogger, NeighborRegistry } from './neighbors.js';
import { PairWatcher } from './pair.js';
import { countsFor, overLimits, routeLimitError } from './route-budget.js';
import { StatusView } from './status.js';
import { type StateBackend, StateStore } from './store.js';
import type { VipConfig } from '../config/types.js';
import type { Decision } from '../health/decide.js';
import { HealthController, type Prober, type SavedVip } from '../health/controller.js';
import { VipStore } from './vip-store.js';
import { runApiLine } from '../exabgp/dispatch.js';
import { ExaJsonEncoder, type ExaNeighbor } from '../exabgp/events-json.js';
import { type ProcessInfo, ProcessManager } from '../exabgp/processes.js';

export interface SpeakerLogger extends NeighborLogger {
  child(bindings: object): SpeakerLogger;
}

export interface SpeakerOptions {
  config: Config;
  log: SpeakerLogger;
  clock?: Clock;
  random?: () => number;
  /** Reads the configuration again (SIGHUP, `bgpctl reload`). */
  reloadConfig?: () => Promise<Config>;
  /** Keeps the intents across restarts (the state file); absent: not kept. */
  state?: StateBackend;
  /** Back-off of failed saves (tests shorten it). */
  storeRetryMs?: { min: number; max: number };
  /** How the VIPs' candidates are checked (the real probes in tsbgpd; required when `vips` are configured). */
  prober?: Prober;
  /** Where the VIPs' moves, freeze and current candidate are kept across restarts (beside the state file). */
  vipStatePath?: string;
  /**
   * Stops the daemon when asked over the control socket (`bgpctl shutdown`): tsbgpd's own stop, as
   * for SIGTERM. Called after the reply is on its way. Absent: the request is refused.
   */
  shutdown?: (mode: StopMode) => void;
}

/**
 * After every VIP's start-wait, its health decides (decide.ts decideStart): End-of-RIB waits at
 * most this much longer for it, so that a stuck check can never hold it back for good.
 */
export const END_OF_RIB_SLACK_MS = 1000;

/** Whoever wants to hear a neighbor's Adj-RIB-In change (the peer's UPDATEs, and routes flushed or swept as stale). */
export type ReceivedListener = (neighbor: string, changes: readonly RibChange[]) => void;

const announceIntent = (route: RouteSpec): Intent => ({ kind: 'announce', route });

/**
 * A reload's change to the intents: the config owner's replaced; where the file changed a prefix's
 * route, the operator's intent for it dropped. Returns the prefixes whose route changed, and those
 * whose operator intent went.
 */
function reloadIntents(intents: RouteIntents, prev: Config, next: Config): { changed: Set<string>; dropped: string[] } {
  const before = new Map(prev.routes.map((r) => [r.prefix, announceIntent(r)]));
  const after = new Map(next.routes.map((r) => [r.prefix, announceIntent(r)]));
  const edited = [...new Set([...before.keys(), ...after.keys()])].filter((p) => !sameIntent(before.get(p), after.get(p)));
  const changed = new Set(intents.replaceOwner('config', [...after.values()]));
  const dropped: string[] = [];
  for (const p of edited) {
    if (intents.get('operator', p)) dropped.push(p);
    for (const c of intents.clear('operator', p)) changed.add(c);
  }
  return { changed, dropped };
}

export class Speaker implements SpeakerControl {
  private config: Config;
  private readonly log: SpeakerLogger;
  private readonly clock: Clock;
  private readonly intents = new RouteIntents();
  private readonly events: EventBus;
  private readonly registry: NeighborRegistry;
  private readonly advertiser: Advertiser;
  private readonly listener: BgpListener;
  private readonly store: StateStore | undefined;
  private readonly status: StatusView;
  private health: HealthController | undefined;
  /** One of a pair of watchers with VIPs: the partner's routes, the standby's following. */
  private pair: PairWatcher | undefined;
  private readonly vipStore: VipStore | undefined;
  private stopping = false;
  /** A `shutdown` was asked for (the daemon's stop follows): a second one is refused, not a second signal. */
  private shutdownAsked = false;
  private readonly receivedListeners = new Set<ReceivedListener>();
  /** Releases End-of-RIB once the VIPs had their first decision (or their bound passed). */
  private releaseEndOfRib: (() => void) | undefined;
  /** ExaBGP-style programs (`processes:`), and the encoder of the events those with `encoder: json` read. */
  private readonly programs: ProcessManager | undefined;
  private readonly exaJson: ExaJsonEncoder;

  constructor(private readonly opts: SpeakerOptions) {
    this.config = opts.config;
    this.log = opts.log;
    this.clock = opts.clock ?? realClock;
    this.events = new EventBus(this.log);
    this.listener = new BgpListener(this.log);
    this.registry = new NeighborRegistry({
      clock: this.clock,
      log: this.log,
      random: opts.random ?? Math.random,
      hooks: (n) => this.hooks(n),
      ownAddresses: () => [this.config.routerId, ...this.config.neighbors.flatMap((n) => (n.localAddress ? [n.localAddress] : []))],
      gone: (n, changes) => {
        this.received(n, changes);
        // Flushed or swept stale (graceful restart): the standby looks at its partner's routes again.
        if (this.pair?.isPartner(n)) this.pair.partnerRoutesChanged();
      },
      listening: () => this.events.active || this.receivedListeners.size > 0 || this.pair !== undefined,
    });
    this.advertiser = new Advertiser(this.intents, this.registry, () => this.config.localAs, this.clock, this.log, this.events, (n) => this.prependFor(n));
    const retry = opts.storeRetryMs;
    this.store = opts.state
      ? new StateStore(opts.state, this.intents, this.clock, this.log, retry ? { retryMinMs: retry.min, retryMaxMs: retry.max } : {})
      : undefined;
    this.vipStore = opts.vipStatePath ? new VipStore(opts.vipStatePath, () => this.health?.saved() ?? new Map(), this.log) : undefined;
    this.exaJson = new ExaJsonEncoder({ host: os.hostname(), pid: process.pid, ppid: process.ppid, wallMs: () => this.clock.wall() });
    this.programs = this.config.processes.length
      ? new ProcessManager({ processes: this.config.processes, clock: this.clock, log: this.log.child({ component: 'processes' }), run: (name, line) => this.processLine(name, line) })
      : undefined;
    this.status = new StatusView({ config: () => this.config, registry: this.registry, intents: this.intents, clock: this.clock, store: this.store, startedAt: this.clock.wall() });
  }

  /** Restore the intents, listen, start every neighbor. */
  async start(): Promise<void> {
    this.intents.replaceOwner('config', this.config.routes.map(announceIntent));
    const saved = await this.store?.read();
    const healthSaved = new Map<string, Intent>();
    if (saved) {
      const byOwner = new Map<Owner, Intent[]>();
      for (const { owner, intent } of saved.intents) {
        // The partner's next hop is followed from its live routes, never from a file.
        if (owner === 'peer') continue;
        // The health owner's intents wait for their VIP's first decision (a restart must not move the
        // VIP, nor announce a candidate that died meanwhile): they tell the watcher where it was.
        if (owner === 'health') healthSaved.set(intent.kind === 'announce' ? intent.route.prefix : intent.prefix, intent);
        else byOwner.set(owner, [...(byOwner.get(owner) ?? []), intent]);
      }
      for (const [owner, list] of byOwner) this.intents.replaceOwner(owner, list);
      this.trimToRouteLimits();
      const age = saved.savedAt ? Math.round((this.clock.wall() - Date.parse(saved.savedAt)) / 1000) : undefined;
      // Loud on purpose: these are the intents of the last save, which may be older than the last change.
      this.log.warn({ path: this.store!.path, intents: saved.intents.length, savedAt: saved.savedAt, ageSeconds: age }, 'intents restored from the state file');
    }
    const over = overLimits(this.config, this.intents.prefixes())[0];
    if (over) throw routeLimitError('the configured routes and VIPs', over);
    if (this.config.vips.length) {
      this.holdEndOfRib();
      await this.startHealth(healthSaved);
    }
    if (this.config.listen) await this.listener.listen(this.config.listen.address, this.config.listen.port, (s, remote, local) => this.onIncoming(s, remote, local));
    this.warmUp();
    for (const n of this.config.neighbors) this.registry.add(n, this.config, true);
    this.health?.start();
    this.programs?.start();
  }

  /** One line a program wrote on its stdout: run as any API line (the operator owner); its answer lines go back to it. */
  private async processLine(name: string, line: string): Promise<string[]> {
    const answer = await runApiLine(this, line, { kind: 'process', name, receivedAt: this.clock.now() });
    if (answer.status === 'error') this.log.warn({ process: name, line: line.slice(0, 200), reason: answer.reason, code: answer.code }, `process ${name}: command refused`);
    else if (answer.reason) this.log.warn({ process: name, line: line.slice(0, 200), reason: answer.reason }, `process ${name}: ${answer.reason}`);
    return answer.lines;
  }

  /** A neighbor as ExaBGP's events name it (the local address: the configured one, else the router-id). */
  private exaNeighbor(n: Neighbor): ExaNeighbor {
    return { localAddress: n.config.localAddress ?? this.config.routerId, peerAddress: n.config.address, localAs: this.config.localAs, peerAs: n.config.remoteAs };
  }

  /** Programs with `encoder: json`, and so the daemon's events in ExaBGP's JSON: who wants them. */
  private get exaListening(): boolean {
    return this.programs?.listening === true;
  }

  /** The daemon exits without stopping (process.exit): the programs are signalled now, none is left behind. */
  terminatePrograms(): void {
    this.programs?.terminateNow();
  }

  /** `bgpctl show processes`. */
  processes(): ProcessInfo[] {
    return this.programs?.info() ?? [];
  }

  /**
   * Restored operator announcements that no longer fit a neighbor's max-routes-out (the limit was
   * lowered, or routes added to the file, since they were saved) are dropped, newest first, with an
   * error: starting with them would break the limit, and refusing to start would drop the VIP.
   */
  private trimToRouteLimits(): void {
    const over = overLimits(this.config, this.intents.prefixes());
    if (!over.length) return;
    const excess = new Map(over.map((o) => [o.neighbor, o.count - o.most]));
    const dropped: string[] = [];
    const operator = this.intents.stored().filter((o) => o.owner === 'operator');
    for (let i = operator.length - 1; i >= 0 && [...excess.values()].some((e) => e > 0); i--) {
      const intent = operator[i]!.intent;
      if (intent.kind !== 'announce') continue;
      const prefix = intent.route.prefix;
      const frees = [...excess.keys()].filter((n) => excess.get(n)! > 0 && countsFor(n, prefix));
      if (!frees.length || this.intents.get('config', prefix) || this.config.vips.some((v) => v.prefix === prefix)) continue;
      this.intents.clear('operator', prefix);
      dropped.push(prefix);
      for (const n of frees) excess.set(n, excess.get(n)! - 1);
    }
    this.log.error(
      { limits: over.map((o) => ({ neighbor: o.neighbor.address, maxRoutesOut: o.neighbor.maxRoutesOut, routes: o.count, most: o.most })), dropped: dropped.length, prefixes: dropped.slice(0, 20) },
      'restored operator routes dropped: with them a neighbor would hold more than its max-routes-out leaves room for',
    );
    // Saved, so that the next start does not restore (and drop) them again.
    if (dropped.length) void this.store?.save(this.clock.now(), dropped.map((prefix) => ({ owner: 'operator', prefix })));
  }

  /**
   * A peer that kept our routes across the restart deletes, at our End-of-RIB, what we have not
   * sent again (RFC 4724 §4.2): so End-of-RIB waits for every VIP's first health decision (their
   * intents wait for it, see start), bounded by the longest start-wait plus END_OF_RIB_SLACK_MS.
   */
  private holdEndOfRib(): void {
    const release = this.advertiser.holdEndOfRib('the first health decision of every VIP');
    const boundMs = Math.max(...this.config.vips.map((v) => v.startWaitMs)) + END_OF_RIB_SLACK_MS;
    const bound = this.clock.setTimer(boundMs, () => {
      this.log.warn({ boundMs }, 'End-of-RIB sent before every VIP had its first health decision: the bound passed');
      release();
    });
    this.releaseEndOfRib = () => {
      this.clock.clearTimer(bound);
      release();
    };
  }

  private async startHealth(healthSaved: ReadonlyMap<string, Intent>): Promise<void> {
    if (!this.opts.prober) throw new TsbgpError(TsbgpErrorCode.INTERNAL, 'VIPs are configured but the speaker was given no prober');
    const saved = new Map(await (this.vipStore?.read() ?? Promise.resolve(new Map<string, SavedVip>())));
    for (const vip of this.config.vips) {
      const s = saved.get(vip.name);
      const intent = healthSaved.get(vip.prefix);
      // The next hop in the state file is the durable one (saved with the UPDATE); the VIP file may lag.
      const byHop = intent?.kind === 'announce' ? vip.candidates.find((c) => c.nextHop === intent.route.nextHop)?.name : undefined;
      if (byHop || s) saved.set(vip.name, { ...s, history: s?.history ?? [], ...(byHop ? { current: byHop } : {}) });
    }
    this.health = new HealthController(this.config.vips, {
      clock: this.clock,
      random: this.opts.random ?? Math.random,
      prober: this.opts.prober,
      apply: (vip, d, t0) => this.applyHealth(vip, d, t0),
      log: this.log,
      emit: (e) => {
        this.events.emit(e);
        // After the controller's own step is done: the pair may ask it to follow or unfollow.
        if (this.pair && (e.type === 'health' || e.type === 'vip')) queueMicrotask(() => this.pair?.vipChanged(e.vip, e.type === 'health' ? 'health' : 'move'));
      },
      changed: () => this.vipStore?.save(),
      saved,
      ...(this.config.pair ? { waitPartner: true } : {}),
      started: () => this.releaseEndOfRib?.(),
    });
    const pair = this.config.pair;
    if (pair) {
      this.pair = new PairWatcher({
        pair,
        vips: this.config.vips,
        registry: this.registry,
        intents: this.intents,
        health: this.health,
        log: this.log,
        send: (prefixes, t0) => void this.advertiser.send(prefixes, t0),
        now: () => this.clock.now(),
      });
    }
  }

  /** A standby watcher's extra copies of its AS: toward every neighbor but its partner. */
  private prependFor(n: Neighbor): number {
    const p = this.config.pair;
    return p?.role === 'standby' && n.config.address !== p.partner ? p.prepend : 0;
  }

  /** A health decision (or `vip move`): the health owner's intent, on the wire like any announce. */
  private async applyHealth(vip: VipConfig, d: Decision, t0: number) {
    const intent: Intent = d.type === 'announce' ? { kind: 'announce', route: { prefix: vip.prefix, nextHop: d.nextHop } } : { kind: 'withdraw', prefix: vip.prefix };
    const changed = this.intents.set('health', intent);
    // A standby following its partner: the peer owner's intent moves with it (the health owner's stays the same, for the takeover).
    if (d.cause === 'partner') changed.push(...this.intents.set('peer', intent));
    const sent = changed.length ? await this.advertiser.send(changed, t0) : { peers: this.unchanged(vip.prefix).peers };
    void this.store?.save(t0, [{ owner: 'health', prefix: vip.prefix }]);
    return sent.peers.map((p) => ({ neighbor: p.neighbor, ...(p.micros === undefined ? {} : { micros: p.micros }), ...(p.note === undefined ? {} : { note: p.note }) }));
  }

  /**
   * Run the failover path (export, plan, pack, encode) on throwaway state before any session is up,
   * so the first next-hop change does not run on cold code. One route, a fixed number of rounds: the
   * cost does not grow with the table.
   */
  private warmUp(): void {
    const send: Negotiated = { ...DEFAULT_NEGOTIATED, fourOctetAs: true, families: new Set([IPV4_UNICAST, IPV6_UNICAST]) };
    const ctx = { localAs: this.config.localAs, external: true, send };
    for (let i = 0; i < 300; i++) {
      const out = new AdjRibOut();
      for (const hop of ['10.10.0.4', '10.10.0.5']) {
        const r = exportRoute({ prefix: '100.64.0.1/32', nextHop: hop, med: i }, ctx);
        const p = plan(out, [r.prefix], () => r, send);
        for (const u of p.updates) encodeMessage(u, send);
        p.commit();
      }
    }
  }

  /**
   * Stop every session, stop listening, settle the state file; false when a change is NOT on disk.
   * `graceful` (SIGTERM): peers that negotiated graceful restart keep our routes as stale until we
   * are back; `hard` (decommissioning): they flush them (see StopMode).
   */
  async stop(mode: StopMode = 'graceful', communication = 'tsbgpd shutting down'): Promise<boolean> {
    this.stopping = true;
    this.pair?.stop();
    this.health?.stop();
    this.releaseEndOfRib?.();
    this.log.info({ mode }, mode === 'graceful' ? 'stopping for a restart: graceful-restart peers keep our routes' : 'stopping for good (hard): peers flush our routes');
    // First, so that nothing a program says while it dies (healthcheck withdraws on SIGTERM) changes
    // the routes that graceful-restart peers keep and the state file restores.
    if (this.programs) {
      if (this.exaListening) this.programs.broadcast(this.exaJson.shutdown());
      await this.programs.stop();
    }
    await this.registry.stopAll(communication, mode);
    await this.listener.close();
    await this.vipStore?.flush();
    const saved = (await this.store?.flush()) ?? true;
    if (!saved) this.log.error({ ...this.store!.status() }, 'stopping with intents NOT saved: the next start announces the older saved ones');
    return saved;
  }

  /** `bgpctl shutdown [--hard]`: what each peer will be sent; the stop itself is the daemon's (SpeakerOptions.shutdown). */
  shutdown(mode: StopMode): ShutdownResult {
    if (!this.opts.shutdown) throw new TsbgpError(TsbgpErrorCode.STOPPING, 'this speaker runs inside another program: stop it there');
    if (this.stopping || this.shutdownAsked) throw new TsbgpError(TsbgpErrorCode.STOPPING, 'tsbgpd is already stopping');
    this.shutdownAsked = true;
    const peers = [...this.registry.all()].map((n) => {
      const m = stopMessage(mode, n.peer.established, n.peer.negotiated?.gracefulRestart);
      return { neighbor: n.config.address, state: n.peer.state, sends: m.send, keepsRoutes: m.peerKeepsRoutes };
    });
    this.log.info({ mode }, `shutdown (${mode}) requested over the control socket`);
    this.opts.shutdown(mode);
    return { mode, peers };
  }

  /** The address the BGP listener is bound to (tests use port 0). */
  get listenAddress(): net.AddressInfo | undefined {
    return this.listener.address;
  }

  private onIncoming(socket: net.Socket, remote: string, local: string): string | undefined {
    const n = this.registry.find(remote);
    if (!n || this.stopping) return 'not a configured neighbor';
    if (n.config.localAddress && local !== n.config.localAddress) return `connection to ${local}, neighbor is configured on ${n.config.localAddress}`;
    n.peer.accept(socket);
    return undefined;
  }

  private hooks(n: Neighbor): PeerHooks {
    const at = (): string => new Date(this.clock.wall()).toISOString();
    return {
      stateChange: (_p, from, to, reason) => {
        this.events.emit({ type: 'state', at: at(), neighbor: n.config.address, from, to, reason });
        if (!this.exaListening) return;
        // ExaBGP's neighbor-changes: connected (TCP up), up (Established), down (left Established).
        if (to === 'Established') this.programs!.broadcast(this.exaJson.state(this.exaNeighbor(n), 'up'));
        else if (from === 'Established') this.programs!.broadcast(this.exaJson.state(this.exaNeighbor(n), 'down', reason));
        else if (to === 'OpenSent' && (from === 'Connect' || from === 'Active')) this.programs!.broadcast(this.exaJson.state(this.exaNeighbor(n), 'connected'));
      },
      up: (_p, negotiated) => {
        n.stale.feed({ type: 'SessionUp', negotiated });
        this.advertiser.sessionUp(n);
        if (this.pair?.isPartner(n)) this.pair.partnerSession();
      },
      down: (_p, reason, negotiated) => {
        n.ribOut.clear();
        // Flushed, or kept stale for a graceful restart (RFC 4724 §4.2): StaleRoutes decides.
        n.stale.feed({ type: 'SessionDown', reason, negotiated });
        if (this.pair?.isPartner(n)) this.pair.partnerSession();
      },
      update: (p, u) => {
        if (this.exaListening) this.programs!.broadcast(this.exaJson.update(this.exaNeighbor(n), u));
        const changes = n.ribIn.apply(u);
        p.prefixesHeld(u, n.ribIn.size);
        this.received(n, changes);
        const eor = endOfRibFamily(u);
        if (eor !== undefined) n.stale.feed({ type: 'EndOfRib', family: eor });
        if (this.pair?.isPartner(n)) this.pair.partnerUpdate(changes, eor);
      },
      refresh: (_p, afi, safi) => this.advertiser.resend(n, afi, safi),
      drained: () => this.advertiser.drained(n),
      notification: (p, direction, m) => {
        this.events.emit({ type: 'notification', at: at(), neighbor: n.config.address, direction, code: m.code, subcode: m.subcode, text: p.session.lastError?.text ?? '' });
        if (this.exaListening) this.programs!.broadcast(this.exaJson.notification(this.exaNeighbor(n), direction === 'sent' ? 'send' : 'receive', m.code, m.subcode, Buffer.from(m.data).toString('hex')));
      },
    };
  }

  /**
   * A neighbor's Adj-RIB-In changed: what its UPDATEs did, and routes that went without a withdrawal
   * from it (flushed when its session ended, swept as stale after a graceful restart). One path for
   * all of them: events and listeners hear every route that goes.
   */
  private received(n: Neighbor, changes: readonly RibChange[]): void {
    if (!changes.length) return;
    for (const l of this.receivedListeners) l(n.config.address, changes);
    if (!this.events.active) return;
    const when = new Date(this.clock.wall()).toISOString();
    for (const c of changes) {
      this.events.emit({ type: 'route', at: when, direction: 'received', neighbor: n.config.address, action: c.action, prefix: c.prefix, ...(c.nextHop ? { nextHop: c.nextHop } : {}) });
    }
  }

  /** Hear every change of every neighbor's Adj-RIB-In (see received); returns the unsubscribe function. */
  onReceived(listener: ReceivedListener): () => void {
    this.receivedListeners.add(listener);
    return () => this.receivedListeners.delete(listener);
  }

  subscribe(listener: (e: SpeakerEvent) => void): () => void {
    return this.events.subscribe(listener);
  }

  /** An owner above the operator decides this prefix: the operator may not change it. */
  private checkOperatorMay(prefix: string): void {
    if (this.intents.ownerOf(prefix) === 'peer') {
      throw new TsbgpError(TsbgpErrorCode.OWNED, `${prefix} follows the partner watcher ${this.config.pair?.partner ?? ''} (this one is the standby); change it on the primary`);
    }
    const vip = this.config.vips.find((v) => v.prefix === prefix);
    if (vip && this.health && !this.health.isFrozen(prefix)) {
      throw new TsbgpError(TsbgpErrorCode.OWNED, `${prefix} is VIP ${vip.name}, moved by its health checks; use bgpctl vip ${vip.name} move CANDIDATE, or freeze it first (bgpctl vip ${vip.name} freeze)`);
    }
    if (vip) return;
    const owner = this.intents.ownerOf(prefix);
    if (owner && RANK[owner] > RANK.operator) {
      throw new TsbgpError(TsbgpErrorCode.OWNED, `${prefix} is decided by ${owner === 'health' ? 'its health checks' : 'the partner watcher'} (owner ${owner}); it cannot be changed by hand while it is`);
    }
  }

  async announce(route: RouteSpec, receivedAt?: number): Promise<ChangeResult> {
    const t0 = receivedAt ?? this.clock.now();
    const v6 = route.prefix.includes(':');
    const family = v6 ? 'ipv6-unicast' : 'ipv4-unicast';
    if (!this.config.neighbors.some((n) => n.families.includes(family))) {
      throw new TsbgpError(TsbgpErrorCode.NO_FAMILY, `no neighbor carries ${family}: ${route.prefix} would reach nobody (add ${family} to a neighbor's families)`);
    }
    this.checkOperatorMay(route.prefix);
    if (this.config.vips.some((v) => v.prefix === route.prefix)) return this.frozenVip(announceIntent(route), t0, route);
    const intent = announceIntent(route);
    if (sameIntent(this.intents.get('operator', route.prefix), intent)) return this.unchanged(route.prefix, route);
    const old = this.intents.route(route.prefix);
    // A new prefix is one more route at every neighbor of its family: refused before anything changes.
    const over = old ? undefined : overLimits(this.config, [...this.intents.prefixes(), route.prefix])[0];
    if (over) throw routeLimitError(`announce ${route.prefix}`, over);
    const changed = this.intents.set('operator', intent);
    if (changed.length) {
      this.log.info({ prefix: route.prefix, nextHop: route.nextHop, was: old?.nextHop }, old ? `next hop of ${route.prefix}: ${old.nextHop} -> ${route.nextHop}` : `announce ${route.prefix} via ${route.nextHop}`);
      if (this.events.active) this.events.emit({ type: 'local', at: new Date(this.clock.wall()).toISOString(), action: 'announce', prefix: route.prefix, nextHop: route.nextHop });
    }
    return this.apply(route.prefix, changed, t0, route);
  }

  async withdraw(prefixText: string, receivedAt?: number): Promise<ChangeResult> {
    const t0 = receivedAt ?? this.clock.now();
    const parsed = parsePrefix(prefixText);
    if (!parsed) throw new TsbgpError(TsbgpErrorCode.BAD_PREFIX, `not a prefix: "${prefixText}" (expected e.g. 100.64.0.1/32 or 2001:db8::/48)`);
    const prefix = formatPrefix(parsed);
    // Idempotent, as an identical announce is: the route is already not announced (changed: false says so).
    if (!this.intents.route(prefix)) return this.unchanged(prefix, undefined, 'not announced: nothing sent');
    this.checkOperatorMay(prefix);
    if (this.config.vips.some((v) => v.prefix === prefix)) return this.frozenVip({ kind: 'withdraw', prefix }, t0);
    // Over a route the config file announces, the withdrawal must be kept (and saved) as the
    // operator's; over the operator's own announcement, dropping it is enough.
    const changed = this.intents.get('config', prefix) ? this.intents.set('operator', { kind: 'withdraw', prefix }) : this.intents.clear('operator', prefix);
    this.log.info({ prefix }, `withdraw ${prefix}`);
    if (this.events.active) this.events.emit({ type: 'local', at: new Date(this.clock.wall()).toISOString(), action: 'withdraw', prefix });
    return this.apply(prefix, changed, t0);
  }

  /** A frozen VIP's prefix set by hand: the health owner holds it, so that it wins and is saved as such. */
  private async frozenVip(intent: Intent, t0: number, route?: RouteSpec): Promise<ChangeResult> {
    const prefix = intent.kind === 'announce' ? intent.route.prefix : intent.prefix;
    const changed = this.intents.set('health', intent);
    this.log.info({ prefix, intent }, `frozen VIP ${prefix} set by hand`);
    const sent = changed.length ? await this.advertiser.send(changed, t0) : { peers: this.unchanged(prefix).peers, wireMicros: 0 };
    const saved = this.store ? await this.store.save(t0, [{ owner: 'health', prefix }]) : undefined;
    return { prefix, changed: changed.length > 0, ...(route ? { route } : {}), peers: sent.peers, wireMicros: sent.wireMicros, ...(saved ? { saved } : {}) };
  }

  private unchanged(prefix: string, route?: RouteSpec, note = 'unchanged: nothing sent'): ChangeResult {
    const peers = [...this.registry.all()].map((n) => ({ neighbor: n.config.address, state: n.peer.state, sent: false, note }));
    return { prefix, changed: false, ...(route ? { route } : {}), peers, wireMicros: 0 };
  }

  /** Send what changed, then save; the wire time and the save's time are measured and reported apart. */
  private async apply(prefix: string, changed: string[], t0: number, route?: RouteSpec): Promise<ChangeResult> {
    const sent = changed.length ? await this.advertiser.send(changed, t0) : { peers: this.unchanged(prefix).peers, wireMicros: 0 };
    // The intent changed even when the advertised route did not (the same route as the config's):
    // it is saved all the same, so that a later reload of the file does not undo it.
    const saved: SaveOutcome | undefined = this.store ? await this.store.save(t0, [{ owner: 'operator', prefix }]) : undefined;
    return { prefix, changed: changed.length > 0, ...(route ? { route } : {}), peers: sent.peers, wireMicros: sent.wireMicros, ...(saved ? { saved } : {}) };
  }

  neighbors(address?: string): NeighborInfo[] {
    return this.status.neighbors(address);
  }

  summary(): Summary {
    return this.status.summary();
  }

  /** Failed state-file saves since the start; undefined without a state file. */
  stateFileSaveFailures(): number | undefined {
    return this.store?.failures;
  }

  routes(view: RouteView, neighbor?: string): Iterable<RouteEntry> {
    return this.status.routes(view, neighbor);
  }

  neighborUp(address: string): void {
    this.registry.get(address).peer.start();
  }

  neighborDown(address: string, communication?: string): void {
    void this.registry.get(address).peer.stop(communication);
  }

  neighborRefresh(address: string): void {
    const n = this.registry.get(address);
    if (!n.peer.established) throw new TsbgpError(TsbgpErrorCode.BAD_ARGUMENT, `${address} is ${n.peer.state}, not Established: nothing to refresh`);
    for (const f of NeighborRegistry.activeFamilies(n)) {
      n.peer.requestRefresh(f >> 8, f & 0xff);
      this.advertiser.resend(n, f >> 8, f & 0xff);
    }
  }

  /**
   * Read the configuration again. Neighbors whose settings are unchanged keep their sessions. Only
   * the config owner's intents are replaced; where the file changed a prefix's route, the file wins
   * over an operator's runtime change of that prefix, and every other runtime change stays.
   */
  async reload(): Promise<ReloadResult> {
    if (!this.opts.reloadConfig) throw new TsbgpError(TsbgpErrorCode.CONFIG, 'this speaker has no configuration file to reload');
    const t0 = this.clock.now();
    const next = await this.opts.reloadConfig();
    const prev = this.config;
    if (next.localAs !== prev.localAs || next.routerId !== prev.routerId) {
      throw new TsbgpError(TsbgpErrorCode.CONFIG, 'router-id and local-as cannot change on reload: restart tsbgpd');
    }
    if (JSON.stringify(next.pair) !== JSON.stringify(prev.pair)) {
      throw new TsbgpError(TsbgpErrorCode.CONFIG, 'pair cannot change on reload: restart tsbgpd (the VIPs keep their candidate across it)');
    }
    if (JSON.stringify(next.vips) !== JSON.stringify(prev.vips)) {
      throw new TsbgpError(TsbgpErrorCode.CONFIG, 'vips cannot change on reload yet: restart tsbgpd (the VIPs keep their candidate across it)');
    }
    // Tried on a copy first: a reload that would break a neighbor's max-routes-out changes nothing.
    const trial = this.intents.copy();
    reloadIntents(trial, prev, next);
    const over = overLimits(next, trial.prefixes())[0];
    if (over) throw routeLimitError('reload', over);
    this.config = next;
    const n = this.registry.reload(next);
    const { changed, dropped } = reloadIntents(this.intents, prev, next);
    const result: ReloadResult = { neighborsAdded: n.added, neighborsRemoved: n.removed, neighborsReset: n.reset, routesChanged: [...changed] };
    if (changed.size) await this.advertiser.send([...changed], t0);
    if (dropped.length && this.store) await this.store.save(t0, dropped.map((prefix) => ({ owner: 'operator', prefix })));
    this.log.info({ ...result }, 'configuration reloaded');
    return result;
  }

  private vipController(name: string): HealthController {
    if (!this.health) throw new TsbgpError(TsbgpErrorCode.UNKNOWN_VIP, `no VIP ${name} (configured: none)`);
    return this.health;
  }

  vips(name?: string): VipInfo[] {
    if (!this.health) {
      if (name !== undefined) this.vipController(name);
      return [];
    }
    const list = this.health.info(name);
    const pair = this.pair;
    return pair ? list.map((v) => ({ ...v, pair: pair.info(v.name)! })) : list;
  }

  vipMove(name: string, candidate: string): Promise<VipMove> {
    return this.vipController(name).move(name, candidate);
  }

  vipFreeze(name: string, frozen: boolean): VipInfo {
    return this.vipController(name).freeze(name, frozen);
  }

  vipHistory(name: string): VipMove[] {
    return this.vipController(name).history(name);
  }

  /** For tests and the demo: the state of one neighbor. */
  stateOf(address: string): State {
    return this.registry.get(address).peer.state;
  }
}
