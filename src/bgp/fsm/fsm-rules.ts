// The rules the FSM applies and the driver shares: a new session, our OPEN, RFC 4271 §6.2 OPEN checks, timer negotiation, §6.8 collision winner, down reasons.
import { BgpError, notificationName } from '../errors.js';
import { ErrorCode, OpenSubcode } from '../iana.js';
import { type OpenMessage, makeOpen, speakerAs } from '../messages/index.js';
import { GR_RESTART_STATE } from './graceful-restart.js';
import type { DownReason, Session, SessionConfig } from './types.js';

/** RFC 4271 §8.2.2: "a large value" for the HoldTimer while waiting for the peer's OPEN. */
export const OPEN_HOLD_TIME = 240;

export function createSession(config: SessionConfig): Session {
  return { config, state: 'Idle', connectRetryCounter: 0, idleHoldTime: config.idleHoldTime, failures: 0, adminDown: true, restarting: config.restarting === true, sendHoldTimerRunning: false, prefixLimitExceeded: false };
}

/** Our OPEN for this session; `restarting` sets the R bit of our Graceful Restart capability. */
export function localOpen(config: SessionConfig, restarting = false): OpenMessage {
  const capabilities = restarting ? config.capabilities.map((c) => (c.type === 'GRACEFUL_RESTART' ? { ...c, flags: c.flags | GR_RESTART_STATE } : c)) : config.capabilities;
  return makeOpen({ asn: config.localAs, holdTime: config.holdTime, bgpId: config.bgpId, capabilities });
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
    case 'admin-stop': {
      const how = r.graceful ? 'stopped for a restart' : 'stopped by operator';
      return r.communication ? `${how}: ${r.communication}` : how;
    }
    case 'collision':
      return 'connection collision: this connection was dropped';
    default: {
      const never: never = r;
      throw new Error(`unknown down reason ${JSON.stringify(never)}`);
    }
  }
}
