// RFC 4271 §6.8 connection collisions as pure decisions over a peer's two connections: no sockets, no clock.
import { CeaseSubcode } from '../iana.js';
import { createSession, keepLocallyInitiated } from './fsm.js';
import type { Session, SessionConfig, State } from './types.js';

/**
 * A peer's session runs on its main connection. While that one is in OpenSent or OpenConfirm, a
 * second connection from the peer runs as a candidate on an FSM of its own until an OPEN decides
 * which of the two survives.
 */
export type Role = 'main' | 'candidate';

/** What the decisions need to know of a connection. */
export interface ConnectionView {
  readonly state: State;
  /** We initiated it (Tcp_CR_Acked); the peer did otherwise (TcpConnectionConfirmed). */
  readonly outgoing: boolean;
}

export type IncomingDecision =
  /** Refuse the new connection: Cease with `subcode`, then close it. */
  | { type: 'refuse'; subcode: number; why: 'admin-down' | 'established' | 'collision-pending' }
  /**
   * The new connection replaces main's. `restart`: main was Established with graceful restart, so
   * the peer restarted (RFC 4724 §4.2): main's session ends as a TCP failure first.
   */
  | { type: 'take-over'; restart: boolean }
  /** Run it as the candidate until an OPEN decides (RFC 4271 §6.8). */
  | { type: 'candidate' };

export interface IncomingInput {
  main: ConnectionView;
  /** A candidate is already running. */
  candidate: boolean;
  /** An operator stopped the session. */
  adminDown: boolean;
  /** Graceful restart was negotiated on main's session. */
  gracefulRestart: boolean;
}

/** A connection from the peer's address arrived: what becomes of it. */
export function incomingConnection(p: IncomingInput): IncomingDecision {
  if (p.adminDown) return { type: 'refuse', subcode: CeaseSubcode.ADMINISTRATIVE_SHUTDOWN, why: 'admin-down' };
  switch (p.main.state) {
    case 'Idle':
    case 'Connect':
    case 'Active':
      // Ours is still being set up (or waiting to be): take the peer's instead.
      return { type: 'take-over', restart: false };
    case 'Established':
      // RFC 4724 §4.2: with graceful restart, a new connection means the peer restarted; without,
      // the established session stands and the newcomer goes (RFC 4271 §6.8).
      return p.gracefulRestart
        ? { type: 'take-over', restart: true }
        : { type: 'refuse', subcode: CeaseSubcode.CONNECTION_COLLISION_RESOLUTION, why: 'established' };
    case 'OpenSent':
    case 'OpenConfirm':
      return p.candidate ? { type: 'refuse', subcode: CeaseSubcode.CONNECTION_COLLISION_RESOLUTION, why: 'collision-pending' } : { type: 'candidate' };
    default: {
      const never: never = p.main.state;
      throw new Error(`unknown state ${String(never)}`);
    }
  }
}

export type CollisionDecision =
  | { type: 'none' }
  /**
   * `loser` gets OpenCollisionDump (Cease 6/7); when it is main, the candidate carries the session
   * on. An OPEN that arrived on the loser is not processed.
   */
  | { type: 'dump'; loser: Role; rule: 'established' }
  | { type: 'dump'; loser: Role; rule: 'identifier'; keepOutgoing: boolean };

export interface OpenInput {
  /** The connection the OPEN arrived on. */
  on: Role;
  main: ConnectionView;
  candidate: ConnectionView | undefined;
  local: { bgpId: string; asn: number };
  /** The identifier in the OPEN, and the peer's AS. */
  peer: { bgpId: string; asn: number };
}

const otherRole = (r: Role): Role => (r === 'main' ? 'candidate' : 'main');

/**
 * RFC 4271 §6.8: an OPEN arrived while the peer has two connections. Collision detection examines
 * the other connection when it is in OpenConfirm (or Established); an Established connection is
 * never the one closed. Otherwise the higher BGP identifier keeps the connection it initiated
 * (RFC 6286 §2.3: the larger AS on equal identifiers).
 */
export function openCollision(p: OpenInput): CollisionDecision {
  if (!p.candidate) return { type: 'none' };
  const receiver = p.on === 'main' ? p.main : p.candidate;
  const other = p.on === 'main' ? p.candidate : p.main;
  if (other.state !== 'OpenConfirm' && other.state !== 'Established') return { type: 'none' };
  if (other.state === 'Established') return { type: 'dump', loser: p.on, rule: 'established' };
  if (receiver.state === 'Established') return { type: 'dump', loser: otherRole(p.on), rule: 'established' };
  const keepOutgoing = keepLocallyInitiated(p.local.bgpId, p.peer.bgpId, p.local.asn, p.peer.asn);
  const loser = receiver.outgoing === keepOutgoing ? otherRole(p.on) : p.on;
  return { type: 'dump', loser, rule: 'identifier', keepOutgoing };
}

/**
 * The candidate reached Established before main's OPEN settled the collision (the peer answered on
 * one connection only): it is the session now, and main goes (§6.8: the Established one stays).
 */
export function candidateEstablished(main: ConnectionView): Extract<CollisionDecision, { type: 'dump' }> {
  return { type: 'dump', loser: main.state === 'Established' ? 'candidate' : 'main', rule: 'established' };
}

/**
 * A session for a colliding connection: passive open, in Active. It is administratively down until
 * promoted, so a candidate that fails is dropped and never restarts on its own.
 */
export function createCandidate(config: SessionConfig): Session {
  const s = createSession(config);
  s.state = 'Active';
  return s;
}

/** The candidate won: it carries on the peer's session, with main's stop flag and back-off memory. */
export function promote(candidate: Session, main: Session): void {
  candidate.adminDown = main.adminDown;
  candidate.failures = main.failures;
  candidate.idleHoldTime = main.idleHoldTime;
}
