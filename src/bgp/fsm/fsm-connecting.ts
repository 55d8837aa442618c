// RFC 4271 §8.2.2 for the states without a BGP connection: Idle, Connect and Active.
import { type Step, manualStop } from './fsm-step.js';
import type { Event } from './types.js';

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

export function idle(st: Step, e: Event): void {
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

export function connectOrActive(st: Step, e: Event): void {
  switch (e.type) {
    case 'ManualStart':
    case 'AutomaticStart':
    case 'IdleHoldTimer_Expires':
      return;
    case 'WriteBlocked':
    case 'WriteProgress':
    case 'SendHoldTimer_Expires':
    case 'PrefixCount':
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
