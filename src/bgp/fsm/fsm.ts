// RFC 4271 §8.2.2 as a pure function: step(session, event) -> actions, dispatched by state. No I/O, no clock.
import { connectOrActive, idle } from './fsm-connecting.js';
import { established, openConfirm, openSent } from './fsm-connected.js';
import { Step } from './fsm-step.js';
import type { Action, Event, Session } from './types.js';

export { OPEN_HOLD_TIME, checkOpen, createSession, describeDownReason, keepLocallyInitiated, localOpen, negotiateTimers } from './fsm-rules.js';

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
