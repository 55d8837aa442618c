// Graceful restart (RFC 4724, RFC 8538), pure: what each side's OPEN says about it, and what the receiving speaker does with a restarting peer's routes.
import { CeaseSubcode, ErrorCode } from '../iana.js';
import type { Capability, OpenMessage } from '../messages/index.js';
import type { DownReason, StopMode } from './types.js';

/** RFC 4724 §3: the Restart State bit of the capability's 4-bit flags. */
export const GR_RESTART_STATE = 0x8;
/** RFC 8538 §2: the Notification bit ("N") of the same flags. */
export const GR_NOTIFICATION = 0x4;
/** RFC 4724 §3: the Forwarding State bit of a family's flags. */
export const GR_FORWARDING_STATE = 0x80;

export interface GrFamily {
  afi: number;
  safi: number;
  /** F bit: forwarding state for the family was preserved across the restart. */
  forwardingPreserved: boolean;
}

/** One side's Graceful Restart capability. */
export interface GrInfo {
  /** Seconds the peer should wait for the session to come back (12 bits). */
  restartTime: number;
  /** R bit: the sender has just restarted (RFC 4724 §3). */
  restarted: boolean;
  /** N bit: the sender supports graceful restart after a NOTIFICATION (RFC 8538 §2). */
  notification: boolean;
  /** Families whose routes the sender can keep across a restart; empty: a helper only (§3). */
  families: GrFamily[];
}

/** Both sides advertised the capability: graceful restart is in effect for the session (RFC 4724). */
export interface GracefulRestartNegotiated {
  local: GrInfo;
  peer: GrInfo;
}

/** An OPEN's Graceful Restart capability; RFC 4724 §3: of several instances, only the last counts. */
export function grInfo(open: OpenMessage): GrInfo | undefined {
  let cap: Extract<Capability, { type: 'GRACEFUL_RESTART' }> | undefined;
  for (const c of open.capabilities) if (c.type === 'GRACEFUL_RESTART') cap = c;
  if (!cap) return undefined;
  return {
    restartTime: cap.restartTime,
    restarted: (cap.flags & GR_RESTART_STATE) !== 0,
    notification: (cap.flags & GR_NOTIFICATION) !== 0,
    families: cap.families.map((f) => ({ afi: f.afi, safi: f.safi, forwardingPreserved: (f.flags & GR_FORWARDING_STATE) !== 0 })),
  };
}

/** Graceful restart for a session, from the two OPENs; undefined unless both carry the capability. */
export function negotiateGracefulRestart(local: OpenMessage, peer: OpenMessage): GracefulRestartNegotiated | undefined {
  const l = grInfo(local);
  const p = grInfo(peer);
  return l && p ? { local: l, peer: p } : undefined;
}

/** RFC 8538: NOTIFICATIONs (but Hard Reset) fall under graceful restart only when both sides set N. */
export function notificationNegotiated(gr: GracefulRestartNegotiated | undefined): boolean {
  return gr !== undefined && gr.local.notification && gr.peer.notification;
}

/**
 * What an operator's stop sends (see StopMode): nothing but the TCP close, Cease / Administrative
 * Shutdown, or Cease / Hard Reset; and whether the peer then keeps our routes as stale. A graceful
 * stop never sends Hard Reset, also before Established: a peer still holding our routes from the
 * session before would flush them.
 */
export function stopMessage(mode: StopMode, established: boolean, gr: GracefulRestartNegotiated | undefined): { send: 'nothing' | 'cease' | 'hard-reset'; peerKeepsRoutes: boolean } {
  const n = notificationNegotiated(gr);
  if (mode === 'graceful') return { send: gr && !n ? 'nothing' : 'cease', peerKeepsRoutes: established && gr !== undefined };
  return { send: n ? 'hard-reset' : 'cease', peerKeepsRoutes: false };
}

// ---- The receiving speaker (RFC 4724 §4.2, RFC 8538 §4): what becomes of a restarting peer's routes ----

/**
 * How long stale routes wait for the peer's End-of-RIB once its session is back (RFC 4724 §4.2
 * allows "an upper bound"; FRR's stalepath-time default is the same 360 s).
 */
export const STALE_ROUTES_SECONDS = 360;

/**
 * Whether the routes of a session that ended this way are kept as stale. RFC 4724 §4.2: when the
 * TCP session ends without a NOTIFICATION. RFC 8538 §4: with N on both sides also after a
 * NOTIFICATION sent or received (a hold timer expiry is one), but for Cease / Hard Reset. Only a
 * peer whose capability lists families can restart gracefully (§3: no families, a helper only).
 */
export function retainsRoutes(gr: GracefulRestartNegotiated | undefined, reason: DownReason): boolean {
  if (!gr || gr.peer.families.length === 0) return false;
  const n = notificationNegotiated(gr);
  switch (reason.type) {
    case 'tcp-failure':
      return true;
    case 'hold-timer-expired':
    case 'send-hold-timer-expired':
      return n;
    case 'notification-sent':
    case 'notification-received':
      return n && !(reason.code === ErrorCode.CEASE && reason.subcode === CeaseSubcode.HARD_RESET);
    case 'admin-stop':
      // A graceful stop is our own restart: the NOTIFICATION, if any, was not a Hard Reset.
      return reason.graceful === true;
    case 'collision':
      return false;
    default: {
      const never: never = reason;
      throw new Error(`unknown down reason ${JSON.stringify(never)}`);
    }
  }
}

/** The receiving speaker's view of one peer: nothing stale, the peer restarting, or back and refreshing. */
export type HelperState =
  | { phase: 'none' }
  /** The session ended gracefully: these families' routes are stale; the RestartTimer runs (the peer's restart time). */
  | { phase: 'restarting'; families: readonly number[] }
  /** Re-established: these families still have stale routes, each swept by the peer's End-of-RIB for it; the StaleTimer bounds the wait. */
  | { phase: 'refreshing'; families: readonly number[] };

export type HelperTimer = 'RestartTimer' | 'StaleTimer';

export type HelperEvent =
  | { type: 'SessionDown'; reason: DownReason; negotiated: { gracefulRestart?: GracefulRestartNegotiated } }
  | { type: 'SessionUp'; negotiated: { gracefulRestart?: GracefulRestartNegotiated } }
  /** The peer's End-of-RIB for a family (RFC 4724 §2). */
  | { type: 'EndOfRib'; family: number }
  | { type: 'RestartTimer_Expires' }
  | { type: 'StaleTimer_Expires' };

export type HelperAction =
  /** Remove every route the peer sent but those of the `keep` families. */
  | { type: 'Flush'; keep: readonly number[] }
  /** Mark every route of these families stale (a route the peer sends again loses the mark). */
  | { type: 'MarkStale'; families: readonly number[] }
  /** Remove the routes of these families that are still stale. */
  | { type: 'Sweep'; families: readonly number[] }
  | { type: 'StartTimer'; timer: HelperTimer; seconds: number }
  | { type: 'StopTimer'; timer: HelperTimer };

const key = (f: { afi: number; safi: number }): number => (f.afi << 8) | f.safi;

/** One event for one peer's stale routes: the next state and what to do, in order. Pure. */
export function helperStep(s: HelperState, e: HelperEvent, staleSeconds = STALE_ROUTES_SECONDS): { state: HelperState; actions: HelperAction[] } {
  switch (e.type) {
    case 'SessionDown': {
      const gr = e.negotiated.gracefulRestart;
      const stop: HelperAction[] = s.phase === 'none' ? [] : [{ type: 'StopTimer', timer: s.phase === 'restarting' ? 'RestartTimer' : 'StaleTimer' }];
      // A restart time of 0 asks for nothing to be kept.
      if (!gr || !retainsRoutes(gr, e.reason) || gr.peer.restartTime === 0) return { state: { phase: 'none' }, actions: [...stop, { type: 'Flush', keep: [] }] };
      // §4.2: "all the address families that were previously received in the Graceful Restart
      // Capability", whatever their F bit said then; routes of any other family go now. A second
      // failure while refreshing keeps what arrived since as stale too.
      const families = [...new Set(gr.peer.families.map(key))];
      return {
        state: { phase: 'restarting', families },
        actions: [...stop, { type: 'Flush', keep: families }, { type: 'MarkStale', families }, { type: 'StartTimer', timer: 'RestartTimer', seconds: gr.peer.restartTime }],
      };
    }
    case 'SessionUp': {
      if (s.phase !== 'restarting') return { state: s, actions: [] };
      const gr = e.negotiated.gracefulRestart;
      // §4.2: a family missing from the new capability, or with its F bit clear (forwarding was
      // not preserved), or no capability at all: its stale routes go at once.
      const kept = new Set((gr?.peer.families ?? []).filter((f) => f.forwardingPreserved).map(key));
      const families = s.families.filter((f) => kept.has(f));
      const gone = s.families.filter((f) => !kept.has(f));
      const actions: HelperAction[] = [{ type: 'StopTimer', timer: 'RestartTimer' }];
      if (gone.length) actions.push({ type: 'Sweep', families: gone });
      if (!families.length) return { state: { phase: 'none' }, actions };
      actions.push({ type: 'StartTimer', timer: 'StaleTimer', seconds: staleSeconds });
      return { state: { phase: 'refreshing', families }, actions };
    }
    case 'EndOfRib': {
      if (s.phase !== 'refreshing' || !s.families.includes(e.family)) return { state: s, actions: [] };
      const families = s.families.filter((f) => f !== e.family);
      const actions: HelperAction[] = [{ type: 'Sweep', families: [e.family] }];
      if (families.length) return { state: { phase: 'refreshing', families }, actions };
      return { state: { phase: 'none' }, actions: [...actions, { type: 'StopTimer', timer: 'StaleTimer' }] };
    }
    case 'RestartTimer_Expires':
    case 'StaleTimer_Expires': {
      // §4.2: not back within the restart time, or no End-of-RIB within the bound: stale routes go.
      const phase = e.type === 'RestartTimer_Expires' ? 'restarting' : 'refreshing';
      if (s.phase !== phase) return { state: s, actions: [] };
      return { state: { phase: 'none' }, actions: [{ type: 'Sweep', families: s.families }] };
    }
    default: {
      const never: never = e;
      throw new Error(`unknown helper event ${JSON.stringify(never)}`);
    }
  }
}
