// A test double for the control layer: a SpeakerControl that records each call and answers what a real Speaker answered.
import { TsbgpError } from '../../src/errors.js';
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
  VipInfo,
  VipMove,
} from '../../src/control/types.js';
import { SNAPSHOT } from './speaker-snapshot.js';

export type Call = { method: keyof SpeakerControl; args: unknown[] };

/**
 * Recorded from a real Speaker (speaker-snapshot.ts, made by record-snapshot.ts): 127.0.0.2
 * Established with two routes received, 127.0.0.3 Idle after its peer's Cease.
 */
export const NEIGHBORS: NeighborInfo[] = SNAPSHOT.neighbors;
export const SUMMARY: Summary = SNAPSHOT.summary;
export const LOCAL_ROUTES: RouteEntry[] = SNAPSHOT.routes.local;
/** The address the recording asked about and the speaker refused (UNKNOWN_NEIGHBOR). */
export const UNKNOWN = SNAPSHOT.errors.unknownNeighbor;

/** The recorded reply to an announce (route given) or a withdraw, for this route or prefix. */
export function changeFor(route: RouteSpec | undefined, prefix: string): ChangeResult {
  if (!route) return { ...SNAPSHOT.changes.withdraw, prefix };
  return { ...SNAPSHOT.changes.announce, prefix, route };
}

export class FakeSpeaker implements SpeakerControl {
  readonly calls: Call[] = [];
  private readonly listeners = new Set<(e: SpeakerEvent) => void>();
  /** When set, the next call to that method throws it. */
  throwing: Partial<Record<keyof SpeakerControl, unknown>> = {};
  /** When set, announce() waits for it (ordering tests hold a reply back by hand, not by a timer). */
  announceGate: Promise<void> | undefined;
  /** When set, the next announce answers this instead of the recorded result. */
  nextChange: ChangeResult | undefined;
  reloadResult: ReloadResult = { neighborsAdded: [], neighborsRemoved: [], neighborsReset: ['127.0.0.2'], routesChanged: [] };

  private record(method: keyof SpeakerControl, args: unknown[]): void {
    this.calls.push({ method, args });
    if (method in this.throwing) {
      const e = this.throwing[method];
      delete this.throwing[method];
      throw e;
    }
  }

  /** The recorded neighbor, or the real speaker's refusal; an address the recording never asked about is a test bug. */
  private known(address: string): NeighborInfo {
    const n = NEIGHBORS.find((x) => x.address === address);
    if (n) return n;
    if (address === UNKNOWN.address) throw new TsbgpError(UNKNOWN.code, UNKNOWN.message);
    throw new Error(`FakeSpeaker: no recording for neighbor ${address}; use ${NEIGHBORS.map((x) => x.address).join(', ')} or ${UNKNOWN.address}`);
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
    return address === undefined ? [...NEIGHBORS] : [this.known(address)];
  }
  summary(): Summary {
    this.record('summary', []);
    return SUMMARY;
  }
  routes(view: RouteView, neighbor?: string): Iterable<RouteEntry> {
    this.record('routes', neighbor === undefined ? [view] : [view, neighbor]);
    if (neighbor !== undefined) this.known(neighbor);
    return SNAPSHOT.routes[view].filter((r) => neighbor === undefined || r.neighbor === neighbor);
  }
  neighborUp(address: string): void {
    this.record('neighborUp', [address]);
    this.known(address);
  }
  neighborDown(address: string, communication?: string): void {
    this.record('neighborDown', communication === undefined ? [address] : [address, communication]);
    this.known(address);
  }
  neighborRefresh(address: string): void {
    this.record('neighborRefresh', [address]);
    this.known(address);
  }
  async reload(): Promise<ReloadResult> {
    this.record('reload', []);
    return this.reloadResult;
  }
  /** The VIPs vips() answers with (none by default). */
  vipList: VipInfo[] = [];
  vipMoves: VipMove[] = [];
  vips(name?: string): VipInfo[] {
    this.record('vips', name === undefined ? [] : [name]);
    return name === undefined ? this.vipList : [this.vip(name)];
  }
  async vipMove(name: string, candidate: string): Promise<VipMove> {
    this.record('vipMove', [name, candidate]);
    this.vip(name);
    const move = this.vipMoves.at(-1);
    if (!move) throw new TsbgpError('TSBGP_ERR_UNKNOWN_VIP', `no move recorded for ${name}`);
    return move;
  }
  vipFreeze(name: string, frozen: boolean): VipInfo {
    this.record('vipFreeze', [name, frozen]);
    return { ...this.vip(name), mode: frozen ? 'frozen' : 'automatic' };
  }
  vipHistory(name: string): VipMove[] {
    this.record('vipHistory', [name]);
    this.vip(name);
    return this.vipMoves;
  }
  private vip(name: string): VipInfo {
    const v = this.vipList.find((x) => x.name === name);
    if (!v) throw new TsbgpError('TSBGP_ERR_UNKNOWN_VIP', `no VIP ${name} (configured: ${this.vipList.map((x) => x.name).join(', ') || 'none'})`);
    return v;
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
