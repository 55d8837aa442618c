// RFC 4271 §8.2.2 for the states that hold a connection: OpenSent, OpenConfirm and Established.
import { CeaseSubcode, ErrorCode, FsmSubcode } from '../iana.js';
import { KEEPALIVE, negotiate, speakerAs } from '../messages/index.js';
import { jitter } from './clock.js';
import { checkOpen, localOpen, negotiateTimers } from './fsm-rules.js';
import { type Step, manualStop } from './fsm-step.js';
import { negotiateGracefulRestart } from './graceful-restart.js';
import { prefixCount } from './prefix-limit.js';
import type { Event } from './types.js';

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
    case 'PrefixCount':
      // Only an Established session receives UPDATEs; a count reported after it left is stale.
      if (where === 'Established') prefixCount(st, e);
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

export function openSent(st: Step, e: Event): void {
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
      const local = st.s.localOpen ?? localOpen(st.s.config, st.s.restarting);
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

export function openConfirm(st: Step, e: Event): void {
  if (connected(st, e)) return;
  switch (e.type) {
    case 'TcpConnectionFails':
      st.drop({ type: 'tcp-failure' }, true);
      return;
    case 'KeepAliveMsg': {
      const n = st.s.negotiated!;
      if (n.holdTime > 0) st.start('HoldTimer', n.holdTime);
      // RFC 4724 §4.1: the R bit says this session follows a restart; later ones do not.
      st.s.restarting = false;
      st.to('Established', 'KEEPALIVE received');
      st.emit({ type: 'SessionUp', negotiated: n });
      return;
    }
    default:
      st.fail(ErrorCode.FSM, FsmSubcode.UNEXPECTED_IN_OPENCONFIRM, undefined, `unexpected ${e.type}`, `unexpected ${e.type} in OpenConfirm`);
      return;
  }
}

export function established(st: Step, e: Event): void {
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
