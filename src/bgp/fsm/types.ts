// The session state machine's vocabulary (RFC 4271 §8): states, events, actions and session data.
import type { BgpError } from '../errors.js';
import type { BgpMessage, Capability, Negotiated, NotificationMessage, OpenMessage, RouteRefreshMessage, UpdateMessage } from '../messages/index.js';
import type { GracefulRestartNegotiated } from './graceful-restart.js';

export type State = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

/** RFC 4271 §8 timers, and RFC 9687's SendHoldTimer. Each expiry is the event `${TimerName}_Expires`. */
export type TimerName = 'ConnectRetryTimer' | 'HoldTimer' | 'KeepaliveTimer' | 'IdleHoldTimer' | 'SendHoldTimer';
export const TIMERS: readonly TimerName[] = ['ConnectRetryTimer', 'HoldTimer', 'KeepaliveTimer', 'IdleHoldTimer', 'SendHoldTimer'];

/** The event each timer's expiry raises. */
export const TIMER_EXPIRES: { readonly [T in TimerName]: { type: `${T}_Expires` } } = {
  ConnectRetryTimer: { type: 'ConnectRetryTimer_Expires' },
  HoldTimer: { type: 'HoldTimer_Expires' },
  KeepaliveTimer: { type: 'KeepaliveTimer_Expires' },
  IdleHoldTimer: { type: 'IdleHoldTimer_Expires' },
  SendHoldTimer: { type: 'SendHoldTimer_Expires' },
};

/**
 * RFC 4271 §8.1 events (names as in the RFC), plus ROUTE-REFRESH, which §8 predates, RFC 9687's
 * SendHoldTimer_Expires, and the two write-progress reports that drive the SendHoldTimer.
 */
export type Event =
  | { type: 'ManualStart' }
  | { type: 'ManualStop'; communication?: string; mode?: StopMode }
  | { type: 'AutomaticStart' }
  | { type: 'ConnectRetryTimer_Expires' }
  | { type: 'HoldTimer_Expires' }
  | { type: 'KeepaliveTimer_Expires' }
  | { type: 'IdleHoldTimer_Expires' }
  /** RFC 9687 (Event 29): the peer made no progress reading what we send for SendHoldTime. */
  | { type: 'SendHoldTimer_Expires' }
  /** The driver wrote and the kernel did not take it all: octets are waiting to be sent. */
  | { type: 'WriteBlocked' }
  /** Octets waiting went out (a write completed, or 'drain'); `pending` are still waiting. */
  | { type: 'WriteProgress'; pending: number }
  /** Our outgoing connection was set up (Event 16). */
  | { type: 'Tcp_CR_Acked' }
  /** An incoming connection from the peer was accepted (Event 17). */
  | { type: 'TcpConnectionConfirmed' }
  | { type: 'TcpConnectionFails' }
  | { type: 'BGPOpen'; open: OpenMessage }
  | { type: 'BGPHeaderErr'; error: BgpError }
  | { type: 'BGPOpenMsgErr'; error: BgpError }
  | { type: 'OpenCollisionDump' }
  | { type: 'NotifMsgVerErr'; notification: NotificationMessage }
  | { type: 'NotifMsg'; notification: NotificationMessage }
  | { type: 'KeepAliveMsg' }
  | { type: 'UpdateMsg'; update: UpdateMessage }
  | { type: 'UpdateMsgErr'; error: BgpError }
  | { type: 'RouteRefreshMsg'; refresh: RouteRefreshMessage }
  /**
   * The driver applied an UPDATE: the peer's Adj-RIB-In now holds `prefixes` prefixes, and the UPDATE
   * announced `afi`/`safi` (for the RFC 4486 data). Reported only when max-prefixes-in is configured.
   */
  | { type: 'PrefixCount'; afi: number; safi: number; prefixes: number };

export type EventType = Event['type'];

/**
 * How an operator's stop ends a session (RFC 8538 §5 sends Hard Reset for an Administrative
 * Shutdown, so that is the default). graceful-restart.ts stopMessage() has the table.
 * - `hard`: the peer must flush our routes: Cease / Hard Reset (6/9, the Administrative Shutdown
 *   inside) when both sides set the N bit, else Cease / Administrative Shutdown (6/2).
 * - `graceful`: we are restarting, a peer that negotiated graceful restart keeps our routes: with N
 *   on both sides Cease / Administrative Shutdown (RFC 8538 §4: any NOTIFICATION but Hard Reset
 *   keeps them), with graceful restart but no N just the TCP close (RFC 4724 §4.2: a NOTIFICATION
 *   would make the peer flush), without graceful restart (or before the OPENs told) 6/2. Never a
 *   Hard Reset, also before Established: the peer may still hold our routes from the session before.
 */
export type StopMode = 'hard' | 'graceful';

/** What the driver must do; step() itself does no I/O and reads no clock. */
export type Action =
  /** Initiate a TCP connection to the peer. */
  | { type: 'Connect' }
  /**
   * Close the TCP connection after anything sent before it is flushed; with `abort`, at once,
   * discarding what is unsent (RFC 9687: a peer that reads nothing would never let it flush).
   */
  | { type: 'Disconnect'; abort?: true }
  | { type: 'Send'; message: BgpMessage }
  | { type: 'StartTimer'; timer: TimerName; seconds: number }
  | { type: 'StopTimer'; timer: TimerName }
  | { type: 'StateChange'; from: State; to: State; reason: string }
  /** The session reached Established: send the Adj-RIB-Out, then End-of-RIB. */
  | { type: 'SessionUp'; negotiated: SessionNegotiated }
  /**
   * The session left Established: forget what the peer sent and what we sent it (or keep the
   * peer's routes stale, RFC 4724 §4.2); `negotiated` is the session that ended.
   */
  | { type: 'SessionDown'; reason: DownReason; negotiated: SessionNegotiated }
  | { type: 'ApplyUpdate'; update: UpdateMessage }
  /** The peer asked for our routes again (RFC 2918): re-send the whole Adj-RIB-Out. */
  | { type: 'ResendAdjRibOut'; afi: number; safi: number }
  /** The peer's prefix count went above max-prefixes-in (`exceeded`) or back to it or below: log it, count it. */
  | { type: 'PrefixLimit'; exceeded: boolean; prefixes: number; limit: PrefixLimit };

export type ActionType = Action['type'];

/**
 * Why an Established session ended. A graceful-restart helper needs the kind (RFC 4724 §4.2: stale
 * routes are kept when the TCP session fails or the hold timer expires, flushed after a NOTIFICATION
 * unless RFC 8538 says otherwise), so it is data, not text.
 */
export type DownReason =
  /** The TCP connection failed or the peer closed it without a NOTIFICATION. */
  | { type: 'tcp-failure' }
  /** We stopped hearing from the peer (RFC 4271 §6.5); we sent Hold Timer Expired. */
  | { type: 'hold-timer-expired' }
  /** The peer stopped reading what we send (RFC 9687); we tried to send Send Hold Timer Expired and dropped the connection. */
  | { type: 'send-hold-timer-expired' }
  /** We found an error in what the peer sent (or in its FSM) and sent this NOTIFICATION. */
  | { type: 'notification-sent'; code: number; subcode: number; detail?: string }
  /** The peer sent a NOTIFICATION. */
  | { type: 'notification-received'; code: number; subcode: number }
  /**
   * An operator stopped the session: Cease / Administrative Shutdown or Hard Reset was sent, or with
   * `graceful` (a restart) maybe nothing but the TCP close (see StopMode).
   */
  | { type: 'admin-stop'; communication?: string; graceful?: true }
  /** The connection lost a collision with the peer's other connection (RFC 4271 §6.8; Cease 6/7 sent). */
  | { type: 'collision' };

export type DownReasonType = DownReason['type'];

/** max-prefixes-in: above `limit` prefixes from the peer, Cease 6/1 (RFC 4486) or a warning. */
export interface PrefixLimit {
  limit: number;
  action: 'cease' | 'warn';
}

export interface SessionConfig {
  localAs: number;
  peerAs: number;
  /** Our BGP identifier (dotted quad). */
  bgpId: string;
  /** Hold time we offer (0 or >= 3). */
  holdTime: number;
  /**
   * RFC 9687 SendHoldTime in seconds: how long data may wait to be sent with the peer reading none
   * of it before the connection is dropped. 0 disables the SendHoldTimer. (The suggested default,
   * max(480, 2 × hold time), is the configuration's business.)
   */
  sendHoldTime: number;
  /** Keepalive interval we want; never more than a third of the negotiated hold time. */
  keepaliveTime: number;
  connectRetryTime: number;
  /** Wait for the peer to connect; never initiate. */
  passive: boolean;
  /** Capabilities we advertise in our OPEN. */
  capabilities: Capability[];
  /**
   * RFC 4724 §4.1: set the Restart State (R) bit of our Graceful Restart capability until the
   * session first reaches Established (the first session after the process started).
   */
  restarting?: boolean;
  /** Back-off after a failure: the first wait, and the ceiling as it doubles. */
  idleHoldTime: number;
  maxIdleHoldTime: number;
  /** A number in [0, 1): RFC 4271 §10 jitter. */
  random: () => number;
  /** Absent: the peer may send any number of prefixes. */
  maxPrefixesIn?: PrefixLimit;
}

/** What the OPEN exchange decided for this session. */
export interface SessionNegotiated {
  peerAs: number;
  peerId: string;
  peerOpen: OpenMessage;
  localOpen: OpenMessage;
  holdTime: number;
  keepaliveTime: number;
  /** Context for what we send and what we receive. */
  send: Negotiated;
  receive: Negotiated;
  /** Both OPENs carried the Graceful Restart capability: each side's restart time, R, N and F bits. */
  gracefulRestart?: GracefulRestartNegotiated;
}

export interface LastError {
  direction: 'sent' | 'received' | 'local';
  code: number;
  subcode: number;
  text: string;
  /** Wall time (ms since 1970) when the error was recorded: the time of the event that caused it. */
  at: number;
}

export interface Session {
  readonly config: SessionConfig;
  state: State;
  connectRetryCounter: number;
  /** The current IdleHold back-off in seconds. */
  idleHoldTime: number;
  /** Failures since the session was last stable; drives the back-off. */
  failures: number;
  /** Set by ManualStop: no automatic restart until ManualStart. */
  adminDown: boolean;
  /** Our OPENs carry the R bit (see SessionConfig.restarting); cleared once Established. */
  restarting: boolean;
  /** The SendHoldTimer is armed: data is waiting that the peer has not read (RFC 9687). */
  sendHoldTimerRunning: boolean;
  /** The peer's prefix count is above max-prefixes-in (warn: reported once until it falls back). */
  prefixLimitExceeded: boolean;
  localOpen?: OpenMessage;
  negotiated?: SessionNegotiated;
  lastError?: LastError;
}

/** Messages sent or received on a session, by type. */
export interface MessageCounts {
  open: number;
  update: number;
  notification: number;
  keepalive: number;
  routeRefresh: number;
  total: number;
}
