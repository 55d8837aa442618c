// What the control layer asks of the speaker, and the shapes of its answers (the API's data model).
import type { LastError, MessageCounts, State } from '../bgp/fsm/types.js';
import type { RouteSpec } from '../routes/local-routes.js';

export type { MessageCounts, RouteSpec };

/** What happened at one peer when a route change was sent. */
export interface PeerWrite {
  neighbor: string;
  state: State;
  /** The UPDATE was handed to the kernel for this peer. */
  sent: boolean;
  /** Microseconds from the request's arrival at the daemon to this peer's UPDATE being handed to the kernel. */
  micros?: number;
  /** Why nothing was sent: not established (gets the route when it comes up), nothing changed, or an error. */
  note?: string;
}

export interface ChangeResult {
  prefix: string;
  /** False when the route was already exactly so (nothing was sent). */
  changed: boolean;
  /** The route now in place (announce), or undefined (withdraw). */
  route?: RouteSpec;
  peers: PeerWrite[];
  /** Microseconds from the request's arrival to the last peer's UPDATE handed to the kernel (wire time only). */
  wireMicros: number;
  /** Durability, measured apart from the wire: absent when there is no state file or nothing changed. */
  saved?: SaveOutcome;
}

/** What became of the state-file save that followed a change. */
export type SaveOutcome =
  /** Durable on disk (fsync'd) this many microseconds after the request arrived. */
  | { ok: true; micros: number }
  /** Not saved: `error` says why; the store retries with back-off. `since`: ISO time of the last good save, if any. */
  | { ok: false; error: string; since?: string };

/** The state file as `show summary` reports it. */
export interface StateFileStatus {
  path: string;
  /** ISO time of the last durable save (absent: never saved by this run). */
  savedAt?: string;
  /** ISO time since which a change is not on disk (absent: everything is saved). */
  unsavedSince?: string;
  /** The last save error, while unsaved. */
  error?: string;
}

export interface NeighborInfo {
  address: string;
  port: number;
  remoteAs: number;
  description?: string;
  localAddress?: string;
  passive: boolean;
  state: State;
  /** ISO time of the last state change. */
  since: string;
  /** Seconds in Established, when established. */
  uptime?: number;
  peerId?: string;
  configuredHoldTime: number;
  /** Negotiated, when the OPEN exchange is done. */
  holdTime?: number;
  keepaliveTime?: number;
  capabilities?: {
    /** Capability names each side advertised. */
    local: string[];
    remote: string[];
    fourOctetAs: boolean;
    routeRefresh: boolean;
    enhancedRouteRefresh: boolean;
    extendedMessage: boolean;
    gracefulRestart: boolean;
    families: string[];
  };
  messages: { received: MessageCounts; sent: MessageCounts };
  /**
   * `pending`: prefixes changed but not yet sent because the peer is not reading (absent when none).
   * `ignored`: received routes not installed because their next hop cannot be used (RFC 4271 §6.3), by reason.
   */
  prefixes: { received: number; advertised: number; pending?: number; ignored?: { nextHopZero: number; nextHopMulticast: number; nextHopReserved: number; nextHopOwnAddress: number } };
  lastError?: Omit<LastError, 'at'> & { at: string };
  /** The neighbor's profile (`azure-route-server`: Azure's rules were enforced on its configuration). */
  profile?: string;
  /** Its route limits, when it has any. */
  limits?: NeighborLimits;
  /** Graceful restart (RFC 4724, RFC 8538); absent when neither part applies. */
  gracefulRestart?: {
    /** What the session's two OPENs said (absent when not established, or not negotiated). */
    negotiated?: { notification: boolean; local: GracefulRestartSide; peer: GracefulRestartSide };
    /**
     * The peer's routes kept as stale: `restarting` (its session is down, its restart time runs) or
     * `refreshing` (back, its End-of-RIB not yet received for these families).
     */
    stale?: { phase: 'restarting' | 'refreshing'; families: string[]; routes: number };
  };
}

export interface NeighborLimits {
  /**
   * max-routes-out: `limit` as the peer counts (the routes it holds plus those in one UPDATE);
   * `most`: what it may hold, limit - 1, so that any route can still change; `held`: what it holds now.
   */
  routesOut?: { limit: number; most: number; held: number };
  /** max-prefixes-in: `held` in our Adj-RIB-In; `over`: above the limit now; `exceeded`: times it went above. */
  prefixesIn?: { limit: number; action: 'cease' | 'warn'; held: number; over: boolean; exceeded: number };
}

/** One side's Graceful Restart capability. */
export interface GracefulRestartSide {
  restartTime: number;
  /** R bit: it had just restarted. */
  restarted: boolean;
  /** N bit (RFC 8538). */
  notification: boolean;
  /** Families it can keep forwarding for across a restart, with the F bit; none: a helper only. */
  families: { family: string; forwardingPreserved: boolean }[];
}

export interface Summary {
  routerId: string;
  localAs: number;
  /** Seconds since the daemon started. */
  uptime: number;
  neighbors: { address: string; remoteAs: number; state: State; since: string; received: number; advertised: number; description?: string }[];
  localRoutes: number;
  /** Absent when the daemon keeps no state file. */
  stateFile?: StateFileStatus;
}

/** One row of `show routes`. */
export interface RouteEntry {
  prefix: string;
  pathId?: number;
  /** The peer it came from or goes to; absent for local routes. */
  neighbor?: string;
  nextHop: string;
  asPath: string;
  origin: string;
  med?: number;
  localPref?: number;
  communities: string[];
  largeCommunities: string[];
  extendedCommunities: string[];
  /** Local routes: who decided it (config, operator, health, peer). */
  owner?: string;
  /** Advertised routes: changed since, but not yet sent to this peer (it is not reading). */
  pending?: boolean;
  /** Received routes: kept from a session that ended gracefully, not sent again since (RFC 4724 §4.2). */
  stale?: boolean;
}

export type RouteView = 'local' | 'received' | 'advertised';

/** The answer to `shutdown`, sent before tsbgpd stops: how it stops, and what each peer is sent. */
export interface ShutdownResult {
  /** `graceful`: a restart, graceful-restart peers keep our routes; `hard`: decommissioning, they flush them. */
  mode: 'graceful' | 'hard';
  peers: {
    neighbor: string;
    state: State;
    /** What ends the session: the TCP close alone, Cease / Administrative Shutdown (6/2) or Cease / Hard Reset (6/9). */
    sends: 'nothing' | 'cease' | 'hard-reset';
    /** The peer negotiated graceful restart and keeps our routes (stale) until we are back. */
    keepsRoutes: boolean;
  }[];
}

export interface ReloadResult {
  neighborsAdded: string[];
  neighborsRemoved: string[];
  /** Neighbors whose settings changed: their sessions were reset. */
  neighborsReset: string[];
  routesChanged: string[];
}

/** A candidate's health as its checks decided it (rise/fall); `unknown` until the first decision. */
export type CandidateHealth = 'unknown' | 'up' | 'down';

/** The last check of one candidate. */
export interface CheckResult {
  /** ISO time the check finished. */
  at: string;
  ok: boolean;
  /** How long the check took (to its timeout when it timed out). */
  latencyMs: number;
  /** "HTTP 200", "connect ECONNREFUSED", "timed out after 80 ms", "exit 1"... */
  detail: string;
}

export interface CandidateInfo {
  name: string;
  nextHop: string;
  health: CandidateHealth;
  /** Consecutive passes and failures so far (against `rise` and `fall`). */
  passes: number;
  fails: number;
  lastCheck?: CheckResult;
  /** The watch connection (a reset or FIN on it is an immediate failure); absent when `watch` is off. */
  watch?: 'connecting' | 'connected' | 'lost';
}

/** Why a VIP moved; `partner`: a standby watcher followed its partner (the primary moved it). */
export type MoveCause = 'start' | 'restore' | 'health' | 'watch' | 'failback' | 'operator' | 'all-down' | 'recovered' | 'partner';

/** One move of a VIP, with the timings that say how long it took. */
export interface VipMove {
  /** ISO time of the decision. */
  at: string;
  /** Candidate names; `to` absent: the VIP was withdrawn (all-down: withdraw). */
  from?: string;
  to?: string;
  cause: MoveCause;
  detail: string;
  /** ISO time the failure that caused it was seen (first failed check of the run, or the watch's reset). */
  failureSeenAt?: string;
  /** Per neighbor: microseconds from the decision to the UPDATE handed to the kernel. */
  wire: { neighbor: string; micros?: number; note?: string }[];
  /** Milliseconds from the decision to the VIP answering from the new candidate (`confirm`), when configured. */
  confirmedMs?: number;
  /** When Azure is expected to apply it: the decision, or the end of the change window it fell in. */
  effectiveAt: string;
}

export interface VipInfo {
  name: string;
  prefix: string;
  /** `frozen`: no automatic moves (maintenance); `automatic` otherwise. */
  mode: 'automatic' | 'frozen';
  /** The candidate announced now (absent: not announced). */
  current?: { candidate: string; nextHop: string; since: string };
  candidates: CandidateInfo[];
  /** `sticky`, or `preferred-after 60s`. */
  failback: string;
  changeWindowMs: number;
  allDown: 'keep' | 'withdraw';
  /** Consecutive passes to become healthy, failures to become unhealthy. */
  rise: number;
  fall: number;
  lastMove?: VipMove;
  /** Present when this watcher is one of a pair (`pair:` configured). */
  pair?: VipPairInfo;
}

/** A VIP as one of a pair of watchers sees it. */
export interface VipPairInfo {
  role: 'primary' | 'standby';
  /** The partner watcher's address, and the state of the session with it. */
  partner: string;
  partnerState: State;
  /** The partner's route for the VIP (absent: it announces none to us); `stale`: kept through its graceful restart. */
  partnerRoute?: { nextHop: string; candidate?: string; stale: boolean };
  /** The standby announces the partner's next hop (owner `peer`); always false on the primary. */
  following: boolean;
  /** Both announce the same next hop and our checks do not call it down; `unknown` when one of the two announces nothing. */
  agreement: 'agree' | 'disagree' | 'unknown';
  /** Why it is not `agree`. */
  detail?: string;
  /** Episodes of disagreement since the daemon started, each logged once (warn). */
  disagreements: number;
}

/** `bgpctl show processes`: one program as it is now. */
export interface ProcessInfo {
  name: string;
  run: string[];
  encoder: 'text' | 'json';
  /** `running`; `restarting`: exited, started again at `restartAt`; `stopped`: tsbgpd is stopping. */
  state: 'running' | 'restarting' | 'stopped';
  pid?: number;
  /** ISO time of the current run's start. */
  since?: string;
  restarts: number;
  /** ISO time of the next start, while restarting. */
  restartAt?: string;
  lastExit?: { at: string; code: number | null; signal: string | null; ranMs: number };
  /** Events and answers dropped because the program did not read its stdin (since tsbgpd started). */
  dropped: number;
  /** Waiting to be written to its stdin now. */
  queued: { events: number; bytes: number };
  /** Lines read from its stdout (API commands). */
  commands: number;
}

/** A live event, streamed by `monitor`. */
export type SpeakerEvent =
  | { type: 'state'; at: string; neighbor: string; from: State; to: State; reason: string }
  | { type: 'route'; at: string; direction: 'received' | 'advertised'; neighbor: string; action: 'announce' | 'withdraw'; prefix: string; nextHop?: string }
  | { type: 'local'; at: string; action: 'announce' | 'withdraw'; prefix: string; nextHop?: string }
  | { type: 'notification'; at: string; neighbor: string; direction: 'sent' | 'received'; code: number; subcode: number; text: string }
  | { type: 'health'; at: string; vip: string; candidate: string; health: CandidateHealth; detail: string }
  | { type: 'vip'; at: string; vip: string; from?: string; to?: string; cause: MoveCause; detail: string };

/** The speaker as the control API sees it. Errors are TsbgpError (stable codes). */
export interface SpeakerControl {
  /**
   * Set a local route (the operator's) and send the change to every established peer; resolves once
   * it is written and the save has settled. `receivedAt`: clock ms (performance.now()) when the request
   * arrived, the start of every time reported.
   */
  announce(route: RouteSpec, receivedAt?: number): Promise<ChangeResult>;
  withdraw(prefix: string, receivedAt?: number): Promise<ChangeResult>;
  /** Every neighbor, or the one at `address`; TsbgpError(UNKNOWN_NEIGHBOR) when it is not configured. */
  neighbors(address?: string): NeighborInfo[];
  summary(): Summary;
  /** Rows are produced as they are read, so that a large table can be streamed in bounded chunks. */
  routes(view: RouteView, neighbor?: string): Iterable<RouteEntry>;
  neighborUp(address: string): void;
  neighborDown(address: string, communication?: string): void;
  /** Ask the peer for its routes again (ROUTE-REFRESH) and re-send ours. */
  neighborRefresh(address: string): void;
  reload(): Promise<ReloadResult>;
  /**
   * Stop tsbgpd (as SIGTERM does, or `hard`: decommissioning); answers at once, the stop follows.
   * TsbgpError(STOPPING) when it is already stopping or cannot be stopped this way.
   */
  shutdown(mode: 'graceful' | 'hard'): ShutdownResult;
  /** Health-checked VIPs (all, or the one named; UNKNOWN_VIP when there is none of that name). */
  vips(name?: string): VipInfo[];
  /** Move a VIP to a candidate by hand (recorded as the operator's); resolves once it is on the wire. */
  vipMove(name: string, candidate: string): Promise<VipMove>;
  /** Freeze (no automatic moves) or unfreeze a VIP. */
  vipFreeze(name: string, frozen: boolean): VipInfo;
  /** Every recorded move of a VIP, oldest first. */
  vipHistory(name: string): VipMove[];
  /** The ExaBGP-style programs (`processes:`), none when none are configured. */
  processes(): ProcessInfo[];
  /** Stream events; returns the unsubscribe function. */
  subscribe(listener: (e: SpeakerEvent) => void): () => void;
}
