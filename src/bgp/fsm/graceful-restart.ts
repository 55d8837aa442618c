// Graceful restart (RFC 4724, RFC 8538): what each side's OPEN says about it, read once into the negotiated context.
import type { Capability, OpenMessage } from '../messages/index.js';

/** RFC 4724 §3: the Restart State bit of the capability's 4-bit flags. */
const RESTART_STATE = 0x8;
/** RFC 8538 §2: the Notification bit ("N") of the same flags. */
const NOTIFICATION = 0x4;
/** RFC 4724 §3: the Forwarding State bit of a family's flags. */
const FORWARDING_STATE = 0x80;

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
    restarted: (cap.flags & RESTART_STATE) !== 0,
    notification: (cap.flags & NOTIFICATION) !== 0,
    families: cap.families.map((f) => ({ afi: f.afi, safi: f.safi, forwardingPreserved: (f.flags & FORWARDING_STATE) !== 0 })),
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
