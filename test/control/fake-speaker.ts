// A test double for the control layer: a SpeakerControl that records each call and answers what a real Speaker answered.
import { TsbgpError, TsbgpErrorCode } from '../../src/errors.js';
import type {
  ChangeResult,
  NeighborInfo,
  ProcessInfo,
  ReloadResult,
  RouteEntry,
  RouteSpec,
  RouteView,
  ShutdownResult,
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

// Hand-written VIP fixtures (no real health owner to record from yet): the web VIP was started on ws1,
// then moved to ws2 when ws1's watch connection was closed, inside the start's change window.

/** web's moves, oldest first. */
export const WEB_MOVES: VipMove[] = [
  {
    at: '2026-12-01T12:00:00.500Z',
    to: 'ws1',
    cause: 'start',
    detail: 'ws1 passed 3 checks',
    wire: [
      { neighbor: '10.10.1.4', micros: 412 },
      { neighbor: '10.10.1.5', note: 'not established' },
    ],
    effectiveAt: '2026-12-01T12:00:00.500Z',
  },
  {
    at: '2026-12-01T12:00:03.120Z',
    from: 'ws1',
    to: 'ws2',
    cause: 'watch',
    detail: 'closed by peer',
    failureSeenAt: '2026-12-01T12:00:03.118Z',
    wire: [
      { neighbor: '10.10.1.4', micros: 310 },
      { neighbor: '10.10.1.5', micros: 298 },
    ],
    confirmedMs: 41,
    effectiveAt: '2026-12-01T12:00:30.500Z',
  },
];

/** What a manual move records by default (FakeSpeaker.vipMove sets `to`). */
export const OPERATOR_MOVE: VipMove = {
  at: '2026-12-01T12:05:00.000Z',
  from: 'ws2',
  to: 'ws1',
  cause: 'operator',
  detail: 'requested by bgpctl',
  wire: [
    { neighbor: '10.10.1.4', micros: 295 },
    { neighbor: '10.10.1.5', micros: 1240 },
  ],
  confirmedMs: 38,
  effectiveAt: '2026-12-01T12:05:00.000Z',
};

/** web: automatic, on ws2, watched; api: frozen, not announced, never checked yet. */
export const VIPS: VipInfo[] = [
  {
    name: 'web',
    prefix: '100.64.0.1/32',
    mode: 'automatic',
    current: { candidate: 'ws2', nextHop: '10.10.0.5', since: '2026-12-01T12:00:03.120Z' },
    candidates: [
      { name: 'ws1', nextHop: '10.10.0.4', health: 'down', passes: 0, fails: 2, lastCheck: { at: '2026-12-01T12:00:03.300Z', ok: false, latencyMs: 80, detail: 'timed out after 80 ms' }, watch: 'lost' },
      { name: 'ws2', nextHop: '10.10.0.5', health: 'up', passes: 3, fails: 0, lastCheck: { at: '2026-12-01T12:00:03.310Z', ok: true, latencyMs: 1.2, detail: 'HTTP 200' }, watch: 'connected' },
    ],
    failback: 'sticky',
    changeWindowMs: 30_000,
    allDown: 'keep',
    rise: 3,
    fall: 2,
    lastMove: WEB_MOVES[1]!,
  },
  {
    name: 'api',
    prefix: '100.64.0.2/32',
    mode: 'frozen',
    candidates: [
      { name: 'api1', nextHop: '10.10.0.7', health: 'unknown', passes: 0, fails: 0 },
      { name: 'api2', nextHop: '10.10.0.8', health: 'up', passes: 1, fails: 0, lastCheck: { at: '2026-12-01T12:00:03.000Z', ok: true, latencyMs: 0.35, detail: 'connected' } },
    ],
    failback: 'preferred-after 60s',
    changeWindowMs: 0,
    allDown: 'withdraw',
    rise: 3,
    fall: 2,
  },
];

export class FakeSpeaker implements SpeakerControl {
  readonly calls: Call[] = [];
  private readonly listeners = new Set<(e: SpeakerEvent) => void>();
  /** When set, the next call to that method throws it. */
  throwing: Partial<Record<keyof SpeakerControl, unknown>> = {};
  /** When set, announce() waits for it (ordering tests hold a reply back by hand, not by a timer). */
  announceGate: Promise<void> | undefined;
  /** When set, the next announce answers this instead of the recorded result. */
  nextChange: ChangeResult | undefined;
  /** When set, routes('local') answers these instead of the recorded ones (a table larger than a pipe's buffer). */
  localRoutes: RouteEntry[] | undefined;
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
    if (view === 'local' && this.localRoutes) return this.localRoutes;
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
  /** As the daemon answers: each recorded neighbor with what it would be sent (Established ones negotiated GR with N). */
  shutdown(mode: 'graceful' | 'hard'): ShutdownResult {
    this.record('shutdown', [mode]);
    return {
      mode,
      peers: NEIGHBORS.map((n) => {
        const up = n.state === 'Established';
        return { neighbor: n.address, state: n.state, sends: up ? (mode === 'hard' ? 'hard-reset' : 'cease') : 'cease', keepsRoutes: up && mode === 'graceful' };
      }),
    };
  }
  /** The VIPs vips() answers with (none by default; withVips() loads the fixtures). */
  vipList: VipInfo[] = [];
  /** What vipHistory() answers, by VIP, oldest first; a manual move is appended. */
  vipMoves: Record<string, VipMove[]> = {};
  /** What the next vipMove() records (its `to` is the candidate asked for); OPERATOR_MOVE when unset. */
  nextMove: VipMove | undefined;

  /** Load copies of VIPS and WEB_MOVES, so that a test's moves and freezes stay its own. */
  withVips(): this {
    this.vipList = structuredClone(VIPS);
    this.vipMoves = { web: structuredClone(WEB_MOVES) };
    return this;
  }
  /** What processes() answers (none by default). */
  processList: ProcessInfo[] = [];
  processes(): ProcessInfo[] {
    this.record('processes', []);
    return [...this.processList];
  }
  vips(name?: string): VipInfo[] {
    this.record('vips', name === undefined ? [] : [name]);
    return name === undefined ? [...this.vipList] : [this.vip(name)];
  }
  /** As the daemon does it: an unknown VIP or candidate is UNKNOWN_VIP; the move becomes current, last and history. */
  async vipMove(name: string, candidate: string): Promise<VipMove> {
    this.record('vipMove', [name, candidate]);
    const v = this.vip(name);
    const c = v.candidates.find((x) => x.name === candidate);
    if (!c) throw new TsbgpError(TsbgpErrorCode.UNKNOWN_VIP, `no candidate ${candidate} in VIP ${name} (candidates: ${v.candidates.map((x) => x.name).join(', ')})`);
    const move: VipMove = { ...(this.nextMove ?? OPERATOR_MOVE), to: candidate };
    this.nextMove = undefined;
    v.current = { candidate, nextHop: c.nextHop, since: move.at };
    v.lastMove = move;
    (this.vipMoves[name] ??= []).push(move);
    return move;
  }
  vipFreeze(name: string, frozen: boolean): VipInfo {
    this.record('vipFreeze', [name, frozen]);
    const v = this.vip(name);
    v.mode = frozen ? 'frozen' : 'automatic';
    return { ...v };
  }
  vipHistory(name: string): VipMove[] {
    this.record('vipHistory', [name]);
    this.vip(name);
    return [...(this.vipMoves[name] ?? [])];
  }
  private vip(name: string): VipInfo {
    const v = this.vipList.find((x) => x.name === name);
    if (!v) throw new TsbgpError(TsbgpErrorCode.UNKNOWN_VIP, `no VIP ${name} (configured: ${this.vipList.map((x) => x.name).join(', ') || 'none'})`);
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
