// RFC 4271 §8.2.2 as a pure function: step(session, event) -> actions. No I/O, no clock.
import { BgpError, notificationName } from '../errors.js';
import { CeaseSubcode, ErrorCode, FsmSubcode, OpenSubcode } from '../iana.js';
import { KEEPALIVE, type NotificationMessage, type OpenMessage, makeNotification, makeOpen, negotiate, speakerAs } from '../messages/index.js';
import { jitter } from './clock.js';
import { negotiateGracefulRestart } from './graceful-restart.js';
import { type Action, type DownReason, type Event, type LastError, type Session, type SessionConfig, type State, TIMERS, type TimerName } from './types.js';

/** RFC 4271 §8.2.2: "a large value" for the HoldTimer while waiting for the peer's OPEN. */
export const OPEN_HOLD_TIME = 240;

export function createSession(config: SessionConfig): Session {
  return { config, state: 'Idle', connectRetryCounter: 0, idleHoldTime: config.idleHoldTime, failures: 0, adminDown: true, sendHoldTimerRunning: false };
}

/** Our OPEN for this session. */
export function localOpen(config: SessionConfig): OpenMessage {
  return makeOpen({ asn: config.localAs, holdTime: config.holdTime, bgpId: config.bgpId, capabilities: config.capabilities });
}

/**
 * RFC 4271 §6.8 and RFC 6286 §2.3: which connection survives a collision. True when the one we
 * initiated is kept: our identifier is the higher, or on a tie our AS is.
 */
export function keepLocallyInitiated(localId: string, remoteId: string, localAs: number, remoteAs: number): boolean {
  const a = idValue(localId);
  const b = idValue(remoteId);
  return a !== b ? a > b : localAs > remoteAs;
}

function idValue(id: string): number {
  return id.split('.').reduce((v, o) => v * 256 + Number(o), 0);
}

/** Check the peer's OPEN against our configuration (RFC 4271 §6.2); undefined when acceptable. */
export function checkOpen(config: SessionConfig, open: OpenMessage): BgpError | undefined {
  const asn = speakerAs(open);
  if (asn !== config.peerAs) {
    return new BgpError(ErrorCode.OPEN_MESSAGE, OpenSubcode.BAD_PEER_AS, undefined, `peer says AS ${asn}, configured ${config.peerAs}`);
  }
  // RFC 6286 §2.2: the identifier must differ from ours inside an AS (iBGP).
  if (config.peerAs === config.localAs && open.bgpId === config.bgpId) {
    return new BgpError(ErrorCode.OPEN_MESSAGE, OpenSubcode.BAD_BGP_IDENTIFIER, undefined, `peer uses our BGP identifier ${open.bgpId}`);
  }
  return undefined;
}

/** The negotiated hold time is the smaller offer; keepalives every third of it, or as configured if sooner. */
export function negotiateTimers(config: SessionConfig, peerHoldTime: number): { holdTime: number; keepaliveTime: number } {
  const holdTime = Math.min(config.holdTime, peerHoldTime);
  if (holdTime === 0) return { holdTime, keepaliveTime: 0 };
  return { holdTime, keepaliveTime: Math.max(1, Math.min(config.keepaliveTime, Math.floor(holdTime / 3))) };
}

/** One line for a log or a state-change reason. */
export function describeDownReason(r: DownReason): string {
  switch (r.type) {
    case 'tcp-failure':
      return 'connection lost';
    case 'hold-timer-expired':
      return 'hold timer expired';
    case 'send-hold-timer-expired':
      return 'send hold timer expired: the peer is not reading';
    case 'notification-sent':
      return `NOTIFICATION sent: ${notificationName(r.code, r.subcode)}${r.detail ? `: ${r.detail}` : ''}`;
    case 'notification-received':
      return `NOTIFICATION received: ${notificationName(r.code, r.subcode)}`;
    case 'admin-stop':
      return r.communication ? `stopped by operator: ${r.communication}` : 'stopped by operator';
    case 'collision':
      return 'connection collision: this connection was dropped';
    default: {
      const never: never = r;
      throw new Error(`unknown down reason ${JSON.stringify(never)}`);
    }
  }
}

class Step {
  readonly actions: Action[] = [];
  constructor(
    readonly s: Session,
    /** Wall time of the event being processed: stamped on any error it records. */
    readonly wall: number,
  ) {}

  emit(a: Action): void {
    this.actions.push(a);
  }

  to(state: State, reason: string): void {
    if (this.s.state !== state) this.emit({ type: 'StateChange', from: this.s.state, to: state, reason });
    this.s.state = state;
  }

  start(timer: TimerName, seconds: number): void {
    this.emit({ type: 'StartTimer', timer, seconds });
  }

  stop(timer: TimerName): void {
    this.emit({ type: 'StopTimer', timer });
  }

  /** RFC 9687: arm the SendHoldTimer (or restart it: the peer made progress); no-op when disabled. */
  startSendHold(): void {
    const t = this.s.config.sendHoldTime;
    if (t <= 0) return;
    this.start('SendHoldTimer', t);
    this.s.sendHoldTimerRunning = true;
  }

  /** Nothing waits to be sent any more, or the connection is gone. */
  stopSendHold(): void {
    if (!this.s.sendHoldTimerRunning) return;
    this.stop('SendHoldTimer');
    this.s.sendHoldTimerRunning = false;
  }

  connectRetry(): void {
    this.start('ConnectRetryTimer', jitter(this.s.config.connectRetryTime, this.s.config.random));
  }

  notify(code: number, subcode: number, data?: Uint8Array | string, detail?: string): void {
    const n = makeNotification(code, subcode, data);
    this.emit({ type: 'Send', message: n });
    this.s.lastError = { direction: 'sent', code, subcode, text: detail ?? notificationName(code, subcode), at: this.wall };
  }

  /** Open the session on a connection that just came up: OPEN out, a long hold timer, OpenSent. */
  sendOpen(): void {
    this.stop('ConnectRetryTimer');
    const open = localOpen(this.s.config);
    this.s.localOpen = open;
    this.emit({ type: 'Send', message: open });
    this.start('HoldTimer', OPEN_HOLD_TIME);
    this.to('OpenSent', 'connection up, OPEN sent');
  }

  /**
   * NOTIFICATION(code, subcode) for an error found in what the peer did, then Idle (a failure).
   * `detail` goes into the down reason; `text` (default: the detail) into lastError.
   */
  fail(code: number, subcode: number, data: Uint8Array | undefined, detail: string | undefined, text?: string): void {
    this.notify(code, subcode, data, text ?? detail);
    this.drop({ type: 'notification-sent', code, subcode, ...(detail ? { detail } : {}) }, true);
  }

  /** Leave a state that holds a connection (OpenSent, OpenConfirm, Established) for Idle. */
  drop(reason: DownReason, failure: boolean, abort = false): void {
    this.idle(`${describeDownReason(reason)} in ${this.s.state}`, failure, reason, abort);
  }

  /**
   * Back to Idle: timers stopped, connection dropped, and unless an operator stopped the session, an
   * automatic restart after the IdleHold back-off (doubling with each failure, RFC 4271 §8.1.1
   * DampPeerOscillations). `down` says why, for a session that was Established; `abort` drops the
   * connection without flushing it.
   */
  idle(reason: string, failure: boolean, down?: DownReason, abort = false): void {
    const wasEstablished = this.s.state === 'Established';
    for (const t of TIMERS) this.stop(t);
    this.s.sendHoldTimerRunning = false;
    this.emit(abort ? { type: 'Disconnect', abort } : { type: 'Disconnect' });
    if (wasEstablished) {
      if (!down) throw new Error(`leaving Established without a reason (${reason})`);
      this.emit({ type: 'SessionDown', reason: down });
    }
    this.s.negotiated = undefined;
    if (failure) {
      this.s.connectRetryCounter++;
      this.s.failures++;
    }
    this.to('Idle', reason);
    if (!this.s.adminDown) {
      const c = this.s.config;
      this.s.idleHoldTime = Math.min(c.maxIdleHoldTime, c.idleHoldTime * 2 ** Math.max(0, this.s.failures - 1));
      this.start('IdleHoldTimer', this.s.idleHoldTime);
    }
  }

  received(n: NotificationMessage): void {
    const err: LastError = { direction: 'received', code: n.code, subcode: n.subcode, text: notificationName(n.code, n.subcode), at: this.wall };
    this.s.lastError = err;
  }
}

/** Leave Connect/Active/Idle towards a connection: initiate one unless passive. */
function begin(st: Step): void {
  const s = st.s;
  s.connectRetryCounter = 0;
  if (s.config.passive) {
    st.to('Active', 'waiting for the peer to connect');
    return;
  }
  st.connectRetry();
  st.emit({ type: 'Connect' });
  st.to('Connect', 'connecting');
}

/**
 * Process one event; mutates the session and returns what the driver must do, in order. `wall` is
 * the wall time of the event (ms since 1970), given by the driver: the FSM reads no clock, and an
 * error it records carries this time (a test that does not care passes nothing and reads 0).
 */
export function step(s: Session, e: Event, wall = 0): Action[] {
  const st = new Step(s, wall);
  switch (s.state) {
    case 'Idle':
      idle(st, e);
      break;
    case 'Connect':
    case 'Active':
      connectOrActive(st, e);
      break;
    case 'OpenSent':
      openSent(st, e);
      break;
    case 'OpenConfirm':
      openConfirm(st, e);
      break;
    case 'Established':
      established(st, e);
      break;
    default: {
      const never: never = s.state;
      throw new Error(`unknown state ${String(never)}`);
    }
  }
  return st.actions;
}

/** Events common to every state but Idle. */
function manualStop(st: Step, e: Event & { type: 'ManualStop' }): void {
  st.s.adminDown = true;
  st.s.failures = 0;
  st.s.connectRetryCounter = 0;
  if (st.s.state === 'OpenSent' || st.s.state === 'OpenConfirm' || st.s.state === 'Established') {
    st.notify(ErrorCode.CEASE, CeaseSubcode.ADMINISTRATIVE_SHUTDOWN, e.communication ?? '', 'administrative shutdown');
    st.drop({ type: 'admin-stop', ...(e.communication ? { communication: e.communication } : {}) }, false);
    return;
  }
  st.idle('stopped by operator', false);
}

function idle(st: Step, e: Event): void {
  switch (e.type) {
    case 'ManualStart':
      st.s.adminDown = false;
      st.s.failures = 0;
      st.s.idleHoldTime = st.s.config.idleHoldTime;
      st.stop('IdleHoldTimer');
      begin(st);
      return;
    case 'AutomaticStart':
    case 'IdleHoldTimer_Expires':
      if (st.s.adminDown) return;
      begin(st);
      return;
    case 'ManualStop':
      // Cancels a pending automatic restart.
      st.s.adminDown = true;
      st.s.failures = 0;
      st.stop('IdleHoldTimer');
      return;
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      // A connection while Idle: refused when an operator stopped the session; otherwise taken, as
      // an AutomaticStart with passive TCP establishment (RFC 4271 §8.1.1, Event 5) would, so a
      // peer that reconnects first does not wait out our back-off.
      if (st.s.adminDown) {
        st.emit({ type: 'Disconnect' });
        return;
      }
      st.stop('IdleHoldTimer');
      st.s.connectRetryCounter = 0;
      st.sendOpen();
      return;
    default:
      // RFC 4271 §8.2.2: every other event is ignored in Idle.
      return;
  }
}

function connectOrActive(st: Step, e: Event): void {
  switch (e.type) {
    case 'ManualStart':
    case 'AutomaticStart':
    case 'IdleHoldTimer_Expires':
      return;
    case 'WriteBlocked':
    case 'WriteProgress':
    case 'SendHoldTimer_Expires':
      // No BGP connection to hold: a report or an expiry from one that is already gone.
      return;
    case 'ManualStop':
      return manualStop(st, e);
    case 'ConnectRetryTimer_Expires':
      if (st.s.config.passive) return;
      st.emit({ type: 'Disconnect' });
      st.connectRetry();
      st.emit({ type: 'Connect' });
      st.to('Connect', 'connect retry');
      return;
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      st.sendOpen();
      return;
    case 'TcpConnectionFails':
      // Wait for the ConnectRetryTimer (still running) before trying again, as BIRD and FRR do.
      if (st.s.config.passive) st.to('Active', 'connection failed');
      else {
        st.s.lastError = { direction: 'local', code: 0, subcode: 0, text: 'TCP connection failed', at: st.wall };
        st.to('Active', 'connection failed, retrying after ConnectRetryTimer');
      }
      return;
    default:
      // RFC 4271 §8.2.2: anything else is an FSM error before any OPEN was sent: back to Idle.
      st.idle(`unexpected ${e.type} in ${st.s.state}`, true);
      return;
  }
}

/**
 * Events that OpenSent, OpenConfirm and Established treat alike; returns false for the rest. Holding
 * a connection, each of them answers a stop, an expired hold timer, a broken message, a collision
 * dump or the peer's NOTIFICATION the same way (RFC 4271 §8.2.2).
 */
function connected(st: Step, e: Event): boolean {
  const where = st.s.state;
  switch (e.type) {
    case 'ManualStart':
    case 'AutomaticStart':
    case 'IdleHoldTimer_Expires':
      return true;
    case 'ManualStop':
      manualStop(st, e);
      return true;
    case 'HoldTimer_Expires':
      st.notify(ErrorCode.HOLD_TIMER_EXPIRED, 0);
      st.drop({ type: 'hold-timer-expired' }, true);
      return true;
    case 'WriteBlocked':
      // RFC 9687: the timer runs from the moment data waits; more data waiting does not restart it.
      if (!st.s.sendHoldTimerRunning) st.startSendHold();
      return true;
    case 'WriteProgress':
      // The peer read some of it: restarted while more waits, stopped once nothing does.
      if (!st.s.sendHoldTimerRunning) return true;
      if (e.pending > 0) st.startSendHold();
      else st.stopSendHold();
      return true;
    case 'SendHoldTimer_Expires':
      // RFC 9687: try to send Send Hold Timer Expired, drop the connection at once (it cannot
      // be flushed), count a failure and go to Idle, as for an expired HoldTimer.
      st.s.sendHoldTimerRunning = false;
      st.notify(ErrorCode.SEND_HOLD_TIMER_EXPIRED, 0);
      st.drop({ type: 'send-hold-timer-expired' }, true, true);
      return true;
    case 'KeepaliveTimer_Expires':
      if (where === 'OpenSent') return false;
      st.emit({ type: 'Send', message: KEEPALIVE });
      // RFC 4271 §8.2.2: restarted "unless the negotiated HoldTime value is zero".
      if (st.s.negotiated!.holdTime > 0) st.start('KeepaliveTimer', jitter(st.s.negotiated!.keepaliveTime, st.s.config.random));
      return true;
    case 'Tcp_CR_Acked':
    case 'TcpConnectionConfirmed':
      // A second connection is the driver's business (collision detection runs it on an FSM of its
      // own, RFC 4271 §6.8); it never disturbs this one.
      return true;
    case 'BGPHeaderErr':
    case 'BGPOpenMsgErr':
    case 'UpdateMsgErr':
      if (e.type === 'UpdateMsgErr' && where !== 'Established') return false;
      st.fail(e.error.code, e.error.subcode, e.error.data, e.error.detail, e.error.message);
      return true;
    case 'OpenCollisionDump':
      st.notify(ErrorCode.CEASE, CeaseSubcode.CONNECTION_COLLISION_RESOLUTION);
      st.drop({ type: 'collision' }, false);
      return true;
    case 'NotifMsgVerErr':
    case 'NotifMsg':
      // RFC 4271: a version error is no failure of the peer's (no back-off); any other NOTIFICATION is.
      st.received(e.notification);
      st.drop({ type: 'notification-received', code: e.notification.code, subcode: e.notification.subcode }, e.type === 'NotifMsg');
      return true;
    default:
      return false;
  }
}

function openSent(st: Step, e: Event): void {
  if (connected(st, e)) return;
  switch (e.type) {
    case 'TcpConnectionFails':
      st.emit({ type: 'Disconnect' });
      st.stop('HoldTimer');
      st.stopSendHold();
      if (!st.s.config.passive) st.connectRetry();
      st.to('Active', 'connection lost in OpenSent');
      return;
    case 'BGPOpen': {
      const bad = checkOpen(st.s.config, e.open);
      if (bad) {
        st.fail(bad.code, bad.subcode, bad.data, bad.detail, bad.message);
        return;
      }
      const local = st.s.localOpen ?? localOpen(st.s.config);
      const timers = negotiateTimers(st.s.config, e.open.holdTime);
      const external = st.s.config.peerAs !== st.s.config.localAs;
      const gracefulRestart = negotiateGracefulRestart(local, e.open);
      st.s.negotiated = {
        peerAs: speakerAs(e.open),
        peerId: e.open.bgpId,
        peerOpen: e.open,
        localOpen: local,
        ...timers,
        send: negotiate(local, e.open, external),
        receive: negotiate(e.open, local, external),
        ...(gracefulRestart ? { gracefulRestart } : {}),
      };
      st.stop('ConnectRetryTimer');
      st.emit({ type: 'Send', message: KEEPALIVE });
      if (timers.holdTime > 0) {
        st.start('KeepaliveTimer', jitter(timers.keepaliveTime, st.s.config.random));
        st.start('HoldTimer', timers.holdTime);
      } else {
        st.stop('HoldTimer');
      }
      st.to('OpenConfirm', 'OPEN received');
      return;
    }
    default:
      st.fail(ErrorCode.FSM, FsmSubcode.UNEXPECTED_IN_OPENSENT, undefined, `unexpected ${e.type}`, `unexpected ${e.type} in OpenSent`);
      return;
  }
}

function openConfirm(st: Step, e: Event): void {
  if (connected(st, e)) return;
  switch (e.type) {
    case 'TcpConnectionFails':
      st.drop({ type: 'tcp-failure' }, true);
      return;
    case 'KeepAliveMsg': {
      const n = st.s.negotiated!;
      if (n.holdTime > 0) st.start('HoldTimer', n.holdTime);
      st.to('Established', 'KEEPALIVE received');
      st.emit({ type: 'SessionUp', negotiated: n });
      return;
    }
    default:
      st.fail(ErrorCode.FSM, FsmSubcode.UNEXPECTED_IN_OPENCONFIRM, undefined, `unexpected ${e.type}`, `unexpected ${e.type} in OpenConfirm`);
      return;
  }
}

function established(st: Step, e: Event): void {
  if (connected(st, e)) return;
  const n = st.s.negotiated!;
  const restartHold = (): void => {
    if (n.holdTime > 0) st.start('HoldTimer', n.holdTime);
  };
  switch (e.type) {
    case 'TcpConnectionFails':
      st.drop({ type: 'tcp-failure' }, true);
      return;
    case 'KeepAliveMsg':
      restartHold();
      // A keepalive in Established means the session held: the back-off starts over.
      st.s.failures = 0;
      st.s.idleHoldTime = st.s.config.idleHoldTime;
      return;
    case 'UpdateMsg':
      restartHold();
      st.emit({ type: 'ApplyUpdate', update: e.update });
      return;
    case 'RouteRefreshMsg':
      restartHold();
      st.emit({ type: 'ResendAdjRibOut', afi: e.refresh.afi, safi: e.refresh.safi });
      return;
    default:
      st.fail(ErrorCode.FSM, FsmSubcode.UNEXPECTED_IN_ESTABLISHED, undefined, `unexpected ${e.type}`, `unexpected ${e.type} in Established`);
      return;
  }
}
