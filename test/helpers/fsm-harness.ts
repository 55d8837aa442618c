// Session state machine test harness: configs, peer OPENs, sample events, sessions driven into each
// state, and actions rendered as one line each so a failing comparison shows a readable diff.
import * as assert from 'uvu/assert';
import { BgpError } from '../../src/bgp/errors.js';
import { createSession, step } from '../../src/bgp/fsm/fsm.js';
import { type Action, type DownReason, type Event, type EventType, type Session, type SessionConfig, type State, TIMERS, type TimerName } from '../../src/bgp/fsm/types.js';
import type { BgpMessage, Capability, OpenMessage, UpdateMessage } from '../../src/bgp/messages/index.js';
import { makeNotification, makeOpen } from '../../src/bgp/messages/index.js';
import { hex } from './hex.js';

export const LOCAL_ID = '192.0.2.1';
export const PEER_ID = '192.0.2.2';

export const MP_IPV4: Capability = { type: 'MULTIPROTOCOL', afi: 1, safi: 1 };
export const MP_IPV6: Capability = { type: 'MULTIPROTOCOL', afi: 2, safi: 1 };
export const ROUTE_REFRESH: Capability = { type: 'ROUTE_REFRESH' };

/** eBGP 65001 → 65002; connect retry 120 s, hold 90 s, send hold 480 s, keepalive 30 s, back-off 5 s up to 60 s; random 0.5. */
export function config(over: Partial<SessionConfig> = {}): SessionConfig {
  return {
    localAs: 65001,
    peerAs: 65002,
    bgpId: LOCAL_ID,
    holdTime: 90,
    sendHoldTime: 480,
    keepaliveTime: 30,
    connectRetryTime: 120,
    passive: false,
    capabilities: [MP_IPV4, MP_IPV6, ROUTE_REFRESH],
    idleHoldTime: 5,
    maxIdleHoldTime: 60,
    random: () => 0.5,
    ...over,
  };
}

/** RFC 4271 §10 jitter with random() = 0.5: 87.5 % of the period. */
export const J = (seconds: number): number => seconds * 0.875;

/** The peer's OPEN: AS 65002, hold 180, IPv4 unicast and route refresh (4-octet AS added by makeOpen). */
export function peerOpen(over: Partial<{ asn: number; holdTime: number; bgpId: string; capabilities: Capability[] }> = {}): OpenMessage {
  return makeOpen({ asn: 65002, holdTime: 180, bgpId: PEER_ID, capabilities: [MP_IPV4, ROUTE_REFRESH], ...over });
}

export const UPDATE: UpdateMessage = { type: 'UPDATE', withdrawn: [], attributes: [], nlri: [{ prefix: '198.51.100.0/24' }] };

/** One sample of every event type, with a payload where it has one. */
export const SAMPLE: { readonly [K in EventType]: Extract<Event, { type: K }> } = {
  ManualStart: { type: 'ManualStart' },
  ManualStop: { type: 'ManualStop' },
  AutomaticStart: { type: 'AutomaticStart' },
  ConnectRetryTimer_Expires: { type: 'ConnectRetryTimer_Expires' },
  HoldTimer_Expires: { type: 'HoldTimer_Expires' },
  KeepaliveTimer_Expires: { type: 'KeepaliveTimer_Expires' },
  IdleHoldTimer_Expires: { type: 'IdleHoldTimer_Expires' },
  SendHoldTimer_Expires: { type: 'SendHoldTimer_Expires' },
  WriteBlocked: { type: 'WriteBlocked' },
  WriteProgress: { type: 'WriteProgress', pending: 1000 },
  Tcp_CR_Acked: { type: 'Tcp_CR_Acked' },
  TcpConnectionConfirmed: { type: 'TcpConnectionConfirmed' },
  TcpConnectionFails: { type: 'TcpConnectionFails' },
  BGPOpen: { type: 'BGPOpen', open: peerOpen() },
  BGPHeaderErr: { type: 'BGPHeaderErr', error: new BgpError(1, 2, new Uint8Array([0x00, 0x12]), 'length 18') },
  BGPOpenMsgErr: { type: 'BGPOpenMsgErr', error: new BgpError(2, 6, undefined, 'hold time 1') },
  OpenCollisionDump: { type: 'OpenCollisionDump' },
  NotifMsgVerErr: { type: 'NotifMsgVerErr', notification: makeNotification(2, 1, new Uint8Array([0x00, 0x04])) },
  NotifMsg: { type: 'NotifMsg', notification: makeNotification(6, 2, 'maintenance') },
  KeepAliveMsg: { type: 'KeepAliveMsg' },
  UpdateMsg: { type: 'UpdateMsg', update: UPDATE },
  UpdateMsgErr: { type: 'UpdateMsgErr', error: new BgpError(3, 11, new Uint8Array([0x40, 0x02, 0x01, 0x07]), 'bad AS_PATH') },
  RouteRefreshMsg: { type: 'RouteRefreshMsg', refresh: { type: 'ROUTE_REFRESH', afi: 2, subtype: 0, safi: 1 } },
  PrefixCount: { type: 'PrefixCount', afi: 1, safi: 1, prefixes: 10 },
};

export const ALL_EVENTS = Object.keys(SAMPLE) as EventType[];

export const ev = <K extends EventType>(type: K): Extract<Event, { type: K }> => SAMPLE[type];

function message(m: BgpMessage): string {
  switch (m.type) {
    case 'OPEN':
      return `OPEN myAs=${m.myAs} hold=${m.holdTime} id=${m.bgpId}`;
    case 'NOTIFICATION':
      return `NOTIFICATION ${m.code}/${m.subcode} data=${hex(m.data)}`;
    case 'ROUTE_REFRESH':
      return `ROUTE_REFRESH ${m.afi}/${m.safi}`;
    default:
      return m.type;
  }
}

/** A DownReason in one word, with the NOTIFICATION's code/subcode or the communication where it has one. */
export function reasonLine(r: DownReason): string {
  switch (r.type) {
    case 'notification-sent':
    case 'notification-received':
      return `${r.type} ${r.code}/${r.subcode}`;
    case 'admin-stop':
      return [r.type, ...(r.communication === undefined ? [] : [`"${r.communication}"`]), ...(r.graceful ? ['graceful'] : [])].join(' ');
    default:
      return r.type;
  }
}

/** One line per action; StateChange reasons are free text and left out. */
export function render(a: Action): string {
  switch (a.type) {
    case 'SessionDown':
      return `SessionDown ${reasonLine(a.reason)}`;
    case 'Send':
      return `Send ${message(a.message)}`;
    case 'StartTimer':
      return `StartTimer ${a.timer} ${a.seconds}`;
    case 'StopTimer':
      return `StopTimer ${a.timer}`;
    case 'StateChange':
      return `StateChange ${a.from} -> ${a.to}`;
    case 'ResendAdjRibOut':
      return `ResendAdjRibOut ${a.afi}/${a.safi}`;
    case 'Disconnect':
      return a.abort ? 'Disconnect abort' : 'Disconnect';
    default:
      return a.type;
  }
}

export const lines = (actions: readonly Action[]): string[] => actions.map(render);

/** The wall time expectStep() gives its events (2026-03-01T12:00:00Z): errors recorded carry it. */
export const WALL = Date.UTC(2026, 2, 1, 12);

/** Step at WALL and compare the rendered actions. */
export function expectStep(s: Session, e: Event, expected: string[]): Action[] {
  const actions = step(s, e, WALL);
  assert.equal(lines(actions), expected, `${e.type}`);
  return actions;
}

export const STOP_ALL: readonly string[] = TIMERS.map((t) => `StopTimer ${t}`);

/**
 * The actions of a return to Idle: NOTIFICATION first, then timers, connection, session, state,
 * back-off. `down`: the SessionDown reason as reasonLine() renders it (Established only).
 */
export function toIdle(from: State, o: { notify?: string; down?: string; idleHold?: number; abort?: boolean } = {}): string[] {
  return [
    ...(o.notify ? [`Send NOTIFICATION ${o.notify}`] : []),
    ...STOP_ALL,
    o.abort ? 'Disconnect abort' : 'Disconnect',
    ...(o.down ? [`SessionDown ${o.down}`] : []),
    `StateChange ${from} -> Idle`,
    ...(o.idleHold !== undefined ? [`StartTimer IdleHoldTimer ${o.idleHold}`] : []),
  ];
}

/**
 * A session driven into `state` through the RFC 4271 §8.2.2 path: ManualStart, (TcpConnectionFails
 * for Active when not passive), Tcp_CR_Acked, BGPOpen, KeepAliveMsg.
 */
export function sessionIn(state: State, over: Partial<SessionConfig> = {}, open: OpenMessage = peerOpen()): Session {
  const s = createSession(config(over));
  const path: Event[] = [];
  if (state !== 'Idle') path.push(SAMPLE.ManualStart);
  if (state === 'Active' && !s.config.passive) path.push(SAMPLE.TcpConnectionFails);
  if (state === 'OpenSent' || state === 'OpenConfirm' || state === 'Established') path.push(SAMPLE.Tcp_CR_Acked);
  if (state === 'OpenConfirm' || state === 'Established') path.push({ type: 'BGPOpen', open });
  if (state === 'Established') path.push(SAMPLE.KeepAliveMsg);
  for (const e of path) step(s, e);
  if (s.state !== state) throw new Error(`harness: wanted ${state}, reached ${s.state}`);
  return s;
}

/** A session back in Idle after `n` failures (hold timer expiries in OpenSent), restart pending. */
export function idleAfterFailures(n: number, over: Partial<SessionConfig> = {}): Session {
  const s = sessionIn('OpenSent', over);
  step(s, SAMPLE.HoldTimer_Expires);
  for (let i = 1; i < n; i++) {
    step(s, SAMPLE.IdleHoldTimer_Expires);
    step(s, SAMPLE.Tcp_CR_Acked);
    step(s, SAMPLE.HoldTimer_Expires);
  }
  if (s.state !== 'Idle' || s.failures !== n) throw new Error(`harness: ${s.state} with ${s.failures} failures`);
  return s;
}

/** The session fields the tests compare, without config and the OPENs. */
export function fields(s: Session): Record<string, unknown> {
  return {
    state: s.state,
    connectRetryCounter: s.connectRetryCounter,
    failures: s.failures,
    idleHoldTime: s.idleHoldTime,
    adminDown: s.adminDown,
    negotiated: s.negotiated !== undefined,
    lastError: s.lastError,
  };
}

export const TIMER_EXPIRES: { readonly [T in TimerName]: Event } = {
  ConnectRetryTimer: SAMPLE.ConnectRetryTimer_Expires,
  HoldTimer: SAMPLE.HoldTimer_Expires,
  KeepaliveTimer: SAMPLE.KeepaliveTimer_Expires,
  IdleHoldTimer: SAMPLE.IdleHoldTimer_Expires,
  SendHoldTimer: SAMPLE.SendHoldTimer_Expires,
};
