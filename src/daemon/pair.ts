// The watcher pair in the daemon: the partner's route for each VIP, the standby following it (owner peer), agreement and its episodes.
import { IPV4_UNICAST, IPV6_UNICAST } from '../bgp/iana.js';
import type { RibChange, RibInRoute } from '../bgp/rib/adj-rib-in.js';
import type { PairConfig, VipConfig } from '../config/types.js';
import type { VipPairInfo } from '../control/types.js';
import type { HealthController } from '../health/controller.js';
import { Episodes, type OwnCandidate, type PairTrigger, type PartnerRoute, agreement, countsOn, followRule } from '../health/follow.js';
import type { Intent, RouteIntents } from '../routes/intents.js';
import type { Neighbor, NeighborRegistry } from './neighbors.js';

export interface PairLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface PairDeps {
  pair: PairConfig;
  vips: readonly VipConfig[];
  registry: NeighborRegistry;
  intents: RouteIntents;
  health: HealthController;
  log: PairLogger;
  /** Send the changed prefixes to every peer (the advertise path). */
  send(prefixes: string[], t0: number): void;
  now(): number;
}

interface Tracked {
  vip: VipConfig;
  family: number;
  episodes: Episodes;
}

/** A route the partner's Adj-RIB-In holds, as the pair rule reads it: stale while kept through the partner's graceful restart (RFC 4724 §4.2). */
function partnerRoute(r: RibInRoute): PartnerRoute {
  return r.attrs.stale ? { nextHop: r.attrs.nextHop, stale: true } : { nextHop: r.attrs.nextHop };
}

/**
 * Looks at each VIP again whenever the partner's route for it, our own checks of its candidates,
 * or its candidate changes. On the standby it applies the follow rule (src/health/follow.ts); on
 * both it tells the health controller the partner's candidate (preferred at the first decision)
 * and keeps the agreement and its episodes.
 */
export class PairWatcher {
  private readonly byPrefix = new Map<string, Tracked>();
  private readonly byName = new Map<string, Tracked>();
  /** Families whose End-of-RIB the partner sent on this session: its whole table of them is in. */
  private readonly tables = new Set<number>();
  private stopped = false;

  constructor(private readonly d: PairDeps) {
    for (const vip of d.vips) {
      const t = { vip, family: vip.prefix.includes(':') ? IPV6_UNICAST : IPV4_UNICAST, episodes: new Episodes() };
      this.byPrefix.set(vip.prefix, t);
      this.byName.set(vip.name, t);
    }
  }

  isPartner(n: Neighbor): boolean {
    return n.config.address === this.d.pair.partner;
  }

  /** The partner's UPDATE was applied to its Adj-RIB-In; `endOfRib`: it was the End-of-RIB of that family. */
  partnerUpdate(changes: readonly RibChange[], endOfRib: number | undefined): void {
    if (endOfRib !== undefined) {
      this.tables.add(endOfRib);
      for (const t of this.byPrefix.values()) if (t.family === endOfRib) this.evaluate(t, 'partner');
      return;
    }
    const seen = new Set<Tracked>();
    for (const c of changes) {
      const t = this.byPrefix.get(c.prefix);
      if (t && !seen.has(t)) {
        seen.add(t);
        this.evaluate(t, 'partner');
      }
    }
  }

  /** The partner's session came up or went down (its routes flushed, or kept as stale through a graceful restart). */
  partnerSession(): void {
    this.tables.clear();
    this.partnerRoutesChanged();
  }

  /** Read every VIP's partner route again (for whatever else changes the partner's Adj-RIB-In, such as a sweep of stale routes). */
  partnerRoutesChanged(): void {
    for (const t of this.byPrefix.values()) this.evaluate(t, 'partner');
  }

  /** Our own checks changed a candidate's health (`health`), or the VIP moved (`move`). */
  vipChanged(name: string, trigger: Exclude<PairTrigger, 'partner'>): void {
    const t = this.byName.get(name);
    if (t) this.evaluate(t, trigger);
  }

  stop(): void {
    this.stopped = true;
  }

  private route(prefix: string): PartnerRoute | undefined {
    const n = this.d.registry.find(this.d.pair.partner);
    if (!n) return undefined;
    // The partner sends only the routes it originates (a handful of VIPs): a scan costs nothing.
    for (const r of n.ribIn.all()) if (r.prefix === prefix) return partnerRoute(r);
    return undefined;
  }

  private evaluate(t: Tracked, trigger: PairTrigger): void {
    if (this.stopped) return;
    const { vip } = t;
    const h = this.d.health;
    const candidates: readonly OwnCandidate[] = h.candidatesOf(vip.name);
    const route = this.route(vip.prefix);
    // Following first: the standby's move is then recorded as the partner's (cause `partner`), not as a restore.
    if (this.d.pair.role === 'standby') this.standby(t, candidates, route);
    if (trigger === 'partner') h.partner(vip.name, route && candidates.find((c) => c.nextHop === route.nextHop)?.name, this.tables.has(t.family));
    const a = agreement(candidates, route, this.d.intents.route(vip.prefix)?.nextHop);
    const seen = t.episodes.observe(a, countsOn(this.d.pair.role, trigger));
    const fields = { vip: vip.name, partner: this.d.pair.partner, role: this.d.pair.role, disagreements: t.episodes.count };
    if (seen === 'started' && a.state === 'disagree') this.d.log.warn({ ...fields, detail: a.detail }, `${vip.name}: the two watchers disagree: ${a.detail}`);
    else if (seen === 'ended') this.d.log.info(fields, a.state === 'unknown' ? `${vip.name}: the disagreement is over: ${a.detail}` : `${vip.name}: the two watchers agree again`);
  }

  /** The follow rule carried out: the peer owner's intent set to the partner's next hop, or dropped. */
  private standby(t: Tracked, candidates: readonly OwnCandidate[], route: PartnerRoute | undefined): void {
    const { vip } = t;
    const h = this.d.health;
    const f = followRule(candidates, route);
    const t0 = this.d.now();
    const was = this.d.intents.get('peer', vip.prefix);
    if (f.follow) {
      const intent: Intent = { kind: 'announce', route: { prefix: vip.prefix, nextHop: f.nextHop } };
      // A change of candidate is the health controller's move (cause partner), which sets this same intent.
      void h.follow(vip.name, f.candidate);
      const changed = this.d.intents.set('peer', intent);
      if (changed.length) this.d.send(changed, t0);
      if (!was || was.kind !== 'announce' || was.route.nextHop !== f.nextHop) {
        this.d.log.info({ vip: vip.name, candidate: f.candidate, nextHop: f.nextHop }, `${vip.name}: following the partner watcher via ${f.candidate}`);
      }
      return;
    }
    if (!was && !h.following(vip.name)) return;
    const changed = this.d.intents.clear('peer', vip.prefix);
    if (changed.length) this.d.send(changed, t0);
    this.d.log.info({ vip: vip.name, why: f.why, detail: f.detail }, `${vip.name}: not following the partner watcher (${f.detail}); our own checks decide`);
    h.unfollow(vip.name);
  }

  info(name: string): VipPairInfo | undefined {
    const t = this.byName.get(name);
    if (!t) return undefined;
    const candidates = this.d.health.candidatesOf(name);
    const route = this.route(t.vip.prefix);
    const theirs = route && candidates.find((c) => c.nextHop === route.nextHop);
    const a = agreement(candidates, route, this.d.intents.route(t.vip.prefix)?.nextHop);
    const n = this.d.registry.find(this.d.pair.partner);
    return {
      role: this.d.pair.role,
      partner: this.d.pair.partner,
      partnerState: n?.peer.state ?? 'Idle',
      ...(route ? { partnerRoute: { nextHop: route.nextHop, ...(theirs ? { candidate: theirs.name } : {}), stale: route.stale === true } } : {}),
      following: this.d.health.following(name),
      agreement: a.state,
      ...(a.state === 'agree' ? {} : { detail: a.detail }),
      disagreements: t.episodes.count,
    };
  }
}
