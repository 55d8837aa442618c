// One step() in progress: the actions it emits and the moves every state shares (timers, NOTIFICATION, back to Idle, ManualStop).
import { notificationName } from '../errors.js';
import { CeaseSubcode, ErrorCode } from '../iana.js';
import { type NotificationMessage, makeNotification } from '../messages/index.js';
import { stopMessage } from './graceful-restart.js';
import { jitter } from './clock.js';
import { OPEN_HOLD_TIME, describeDownReason, localOpen } from './fsm-rules.js';
import { type Action, type DownReason, type Event, type LastError, type Session, type State, TIMERS, type TimerName } from './types.js';

/** One event being processed: the session it mutates, and the actions for the driver in order. */
export class Step {
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
    const open = localOpen(this.s.config, this.s.restarting);
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
    this.s.prefixLimitExceeded = false;
    this.emit(abort ? { type: 'Disconnect', abort } : { type: 'Disconnect' });
    if (wasEstablished) {
      if (!down) throw new Error(`leaving Established without a reason (${reason})`);
      this.emit({ type: 'SessionDown', reason: down, negotiated: this.s.negotiated! });
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

/** Events common to every state but Idle. */
export function manualStop(st: Step, e: Event & { type: 'ManualStop' }): void {
  st.s.adminDown = true;
  st.s.failures = 0;
  st.s.connectRetryCounter = 0;
  if (st.s.state === 'OpenSent' || st.s.state === 'OpenConfirm' || st.s.state === 'Established') {
    const communication = e.communication ?? '';
    const gr = st.s.negotiated?.gracefulRestart;
    const { send, peerKeepsRoutes } = stopMessage(e.mode ?? 'hard', st.s.state === 'Established', gr);
    if (send === 'hard-reset') {
      // RFC 8538 §3: the Hard Reset carries the Cease it stands for (code, subcode, data).
      const inner = makeNotification(ErrorCode.CEASE, CeaseSubcode.ADMINISTRATIVE_SHUTDOWN, communication);
      const data = new Uint8Array(2 + inner.data.length);
      data.set([inner.code, inner.subcode]);
      data.set(inner.data, 2);
      st.notify(ErrorCode.CEASE, CeaseSubcode.HARD_RESET, data, 'hard reset (administrative shutdown)');
    } else if (send === 'cease') {
      st.notify(ErrorCode.CEASE, CeaseSubcode.ADMINISTRATIVE_SHUTDOWN, communication, 'administrative shutdown');
    }
    // send === 'nothing': RFC 4724 §4.2, only a session that ends without a NOTIFICATION keeps our routes.
    st.drop({ type: 'admin-stop', ...(e.communication ? { communication: e.communication } : {}), ...(peerKeepsRoutes ? { graceful: true as const } : {}) }, false);
    return;
  }
  st.idle('stopped by operator', false);
}
