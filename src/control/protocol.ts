// The control protocol: the shapes of its versioned JSON lines (requests, replies, events), and how a client reads one.
// Imported by bgpctl: keep it free of the codec, pino and yaml (types only from the speaker side).
// The daemon's request checks are in requests.ts, the line framing in lines.ts.
import { TsbgpError, TsbgpErrorCode, type TsbgpErrorCodeName } from '../errors.js';
import type { State } from '../bgp/fsm/types.js';
import type { RouteInput } from '../routes/values.js';
import type { ChangeResult, NeighborInfo, ReloadResult, RouteEntry, RouteView, ShutdownResult, SpeakerEvent, Summary, VipInfo, VipMove } from './types.js';

export const PROTOCOL_VERSION = 1;
export const SUPPORTED_VERSIONS: readonly number[] = [PROTOCOL_VERSION];

export type RequestId = string | number;

// ---- Arguments, one shape per command -------------------------------------------------------

/** A route as a client states it: text the daemon validates (config/values.ts validateRoute). */
export type AnnounceArgs = RouteInput;
export interface WithdrawArgs {
  prefix: string;
}
export interface ShowNeighborsArgs {
  address?: string;
}
export interface ShowRoutesArgs {
  view: RouteView;
  neighbor?: string;
  /** Only the rows whose prefix equals or lies inside this one. */
  prefix?: string;
  /** At most this many rows; the result says `truncated` when more matched. */
  limit?: number;
}
export const ROUTE_VIEWS: readonly RouteView[] = ['local', 'received', 'advertised'];
export const NEIGHBOR_ACTIONS = ['up', 'down', 'refresh'] as const;
export type NeighborAction = (typeof NEIGHBOR_ACTIONS)[number];
export interface NeighborArgs {
  address: string;
  action: NeighborAction;
  /** RFC 9003 shutdown communication, sent with `down`. */
  communication?: string;
}
export interface ShowVipsArgs {
  /** Only this VIP (UNKNOWN_VIP when there is none of that name). */
  name?: string;
}
/** `vip-freeze`, `vip-unfreeze`, `vip-history`: the VIP's name. */
export interface VipArgs {
  name: string;
}
/** What `bgpctl vip NAME ...` does; each is a command of its own on the wire (vip-move, vip-freeze...). */
export const VIP_ACTIONS = ['move', 'freeze', 'unfreeze', 'history'] as const;
export type VipAction = (typeof VIP_ACTIONS)[number];
export interface VipMoveArgs {
  name: string;
  /** The candidate to announce the VIP via, by its name in the config. */
  candidate: string;
}
/** `exabgp`: one ExaBGP 4.2 text line (bgpctl exabgp 'LINE'). */
export interface ExabgpArgs {
  line: string;
}
export type NoArgs = Record<string, never>;
export interface ShutdownArgs {
  /** Decommission: Cease / Hard Reset, peers flush our routes. Absent or false: a graceful stop (peers keep them). */
  hard?: boolean;
}

/** Every command with the arguments it takes. */
export interface CommandArgs {
  announce: AnnounceArgs;
  withdraw: WithdrawArgs;
  'show-neighbors': ShowNeighborsArgs;
  'show-summary': NoArgs;
  'show-routes': ShowRoutesArgs;
  'show-vips': ShowVipsArgs;
  neighbor: NeighborArgs;
  'vip-move': VipMoveArgs;
  'vip-freeze': VipArgs;
  'vip-unfreeze': VipArgs;
  'vip-history': VipArgs;
  reload: NoArgs;
  shutdown: ShutdownArgs;
  monitor: NoArgs;
  ping: NoArgs;
  exabgp: ExabgpArgs;
}
export type CommandName = keyof CommandArgs;

// ---- Results ----------------------------------------------------------------------------------

/**
 * An ExaBGP text line that ran: the lines ExaBGP would answer (show output, then `done`). A line
 * answered `error` is an error reply instead, its message the reason.
 */
export interface ExabgpResult {
  answer: string[];
  /** Done, but worth saying: a peer not written to yet, a withdrawn route that was not announced. */
  warning?: string;
}

/** A summary row with the neighbor's message totals (what `show summary` prints). */
export type SummaryNeighbor = Summary['neighbors'][number] & { messagesReceived: number; messagesSent: number };
export type SummaryResult = Omit<Summary, 'neighbors'> & { neighbors: SummaryNeighbor[] };

export interface NeighborActionResult {
  neighbor: string;
  action: NeighborAction;
  /** The session's state right after the order was given (a change may still be under way). */
  state: State;
}
/** On the wire as one line, however many rows: the daemon writes it in chunks as it reads them. */
export interface RoutesResult {
  view: RouteView;
  neighbor?: string;
  /** The prefix filter, canonical, when one was given. */
  prefix?: string;
  routes: RouteEntry[];
  /** Present when `limit` left matching rows out. */
  truncated?: true;
}
export interface NeighborsResult {
  neighbors: NeighborInfo[];
}
export interface VipsResult {
  vips: VipInfo[];
}
/** A manual move: the move as the daemon recorded it (cause `operator`), and the VIP right after it. */
export interface VipMoveResult {
  move: VipMove;
  vip: VipInfo;
}
/** `vip-freeze` / `vip-unfreeze`: the VIP in its new mode; `changed` false when it was in that mode already. */
export interface VipModeResult {
  vip: VipInfo;
  changed: boolean;
}
export interface VipHistoryResult {
  name: string;
  prefix: string;
  /** Oldest first. */
  moves: VipMove[];
}
export interface PingResult {
  pong: true;
  version: string;
}
export interface MonitorResult {
  monitoring: true;
}

/** What each command's reply carries in `result`. */
export interface CommandResults {
  announce: ChangeResult;
  withdraw: ChangeResult;
  'show-neighbors': NeighborsResult;
  'show-summary': SummaryResult;
  'show-routes': RoutesResult;
  'show-vips': VipsResult;
  neighbor: NeighborActionResult;
  'vip-move': VipMoveResult;
  'vip-freeze': VipModeResult;
  'vip-unfreeze': VipModeResult;
  'vip-history': VipHistoryResult;
  reload: ReloadResult;
  shutdown: ShutdownResult;
  monitor: MonitorResult;
  ping: PingResult;
  exabgp: ExabgpResult;
}

// ---- Lines on the wire --------------------------------------------------------------------------

/** A request: the discriminated union over `command`. */
export type Request = { [C in CommandName]: { v: 1; id: RequestId; command: C; args: CommandArgs[C] } }[CommandName];

export interface ErrorBody {
  code: TsbgpErrorCodeName;
  message: string;
}
export type OkReply<R = unknown> = { v: 1; id: RequestId; ok: true; result: R };
export type ErrorReply = { v: 1; id: RequestId | null; ok: false; error: ErrorBody };
export type Reply<R = unknown> = OkReply<R> | ErrorReply;
export type EventLine = { v: 1; event: SpeakerEvent };

export function okReply<R>(id: RequestId, result: R): OkReply<R> {
  return { v: 1, id, ok: true, result };
}

export function errorReply(id: RequestId | null, code: TsbgpErrorCodeName, message: string): ErrorReply {
  return { v: 1, id, ok: false, error: { code, message } };
}

export function eventLine(event: SpeakerEvent): EventLine {
  return { v: 1, event };
}

/** One line of JSON (the newline included). */
export function encodeLine(value: Request | Reply | EventLine): string {
  return JSON.stringify(value) + '\n';
}

export type Obj = Record<string, unknown>;
export const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---- What the client reads -----------------------------------------------------------------------

export type ServerLine = { kind: 'reply'; reply: Reply } | { kind: 'event'; event: SpeakerEvent };

/** Read one line from the daemon; throws TsbgpError(INTERNAL) when it is not a reply or an event. */
export function parseServerLine(line: string): ServerLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new TsbgpError(TsbgpErrorCode.INTERNAL, `tsbgpd sent a line that is not JSON: ${line.slice(0, 200)}`);
  }
  if (!isObject(value) || value['v'] !== PROTOCOL_VERSION) {
    throw new TsbgpError(TsbgpErrorCode.INTERNAL, `tsbgpd sent a line this bgpctl cannot read (protocol version ${PROTOCOL_VERSION}): ${line.slice(0, 200)}`);
  }
  if (isObject(value['event'])) return { kind: 'event', event: value['event'] as SpeakerEvent };
  const id = value['id'];
  if (typeof id !== 'string' && typeof id !== 'number' && id !== null) throw new TsbgpError(TsbgpErrorCode.INTERNAL, `tsbgpd sent a reply without an id: ${line.slice(0, 200)}`);
  if (value['ok'] === true) return { kind: 'reply', reply: { v: 1, id: id as RequestId, ok: true, result: value['result'] } };
  const err = value['error'];
  if (value['ok'] === false && isObject(err) && typeof err['code'] === 'string' && typeof err['message'] === 'string') {
    return { kind: 'reply', reply: errorReply(id, err['code'] as TsbgpErrorCodeName, err['message']) };
  }
  throw new TsbgpError(TsbgpErrorCode.INTERNAL, `tsbgpd sent a reply this bgpctl cannot read: ${line.slice(0, 200)}`);
}
