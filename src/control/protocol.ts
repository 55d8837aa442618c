// The control protocol: versioned JSON lines (requests, replies, events) and their shape checks.
// Imported by bgpctl: keep it free of the codec, pino and yaml (types only from the speaker side).
import { TsbgpError, TsbgpErrorCode, type TsbgpErrorCodeName } from '../errors.js';
import type { State } from '../bgp/fsm/types.js';
import type { RouteInput } from '../routes/values.js';
import type { ChangeResult, NeighborInfo, ReloadResult, RouteEntry, RouteView, SpeakerEvent, Summary } from './types.js';

export const PROTOCOL_VERSION = 1;
export const SUPPORTED_VERSIONS: readonly number[] = [PROTOCOL_VERSION];
/** Longest request line the daemon reads, newline excluded; a longer one gets an error reply. */
export const MAX_LINE_BYTES = 64 * 1024;

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
}
export type NeighborAction = 'up' | 'down' | 'refresh';
export interface NeighborArgs {
  address: string;
  action: NeighborAction;
  /** RFC 9003 shutdown communication, sent with `down`. */
  communication?: string;
}
export type NoArgs = Record<string, never>;

/** Every command with the arguments it takes. */
export interface CommandArgs {
  announce: AnnounceArgs;
  withdraw: WithdrawArgs;
  'show-neighbors': ShowNeighborsArgs;
  'show-summary': NoArgs;
  'show-routes': ShowRoutesArgs;
  neighbor: NeighborArgs;
  reload: NoArgs;
  monitor: NoArgs;
  ping: NoArgs;
}
export type CommandName = keyof CommandArgs;

// ---- Results ----------------------------------------------------------------------------------

/** A summary row with the neighbor's message totals (what `show summary` prints). */
export type SummaryNeighbor = Summary['neighbors'][number] & { messagesReceived: number; messagesSent: number };
export type SummaryResult = Omit<Summary, 'neighbors'> & { neighbors: SummaryNeighbor[] };

export interface NeighborActionResult {
  neighbor: string;
  action: NeighborAction;
  /** The session's state right after the order was given (a change may still be under way). */
  state?: State;
}
export interface RoutesResult {
  view: RouteView;
  neighbor?: string;
  routes: RouteEntry[];
}
export interface NeighborsResult {
  neighbors: NeighborInfo[];
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
  neighbor: NeighborActionResult;
  reload: ReloadResult;
  monitor: MonitorResult;
  ping: PingResult;
}

// ---- Lines on the wire --------------------------------------------------------------------------

/** A request: the discriminated union over `command`. */
export type Request = { [C in CommandName]: { v: 1; id: RequestId; command: C; args: CommandArgs[C] } }[CommandName];
export type RequestOf<C extends CommandName> = Extract<Request, { command: C }>;

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

// ---- Request parsing -------------------------------------------------------------------------------

export type ParseResult = { ok: true; request: Request } | { ok: false; reply: ErrorReply };

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const bad = (message: string): TsbgpError => new TsbgpError(TsbgpErrorCode.BAD_REQUEST, message);
const describe = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : JSON.stringify(v));

/** Reads the fields of one args object, naming the field in every complaint, then refuses leftovers. */
class Fields {
  private readonly seen = new Set<string>();
  constructor(
    private readonly o: Obj,
    private readonly command: string,
  ) {}

  private get(name: string): unknown {
    this.seen.add(name);
    return this.o[name];
  }

  private fail(name: string, want: string, got: unknown): never {
    throw bad(`${this.command}: args.${name} must be ${want}, got ${describe(got)}`);
  }

  string(name: string): string {
    const v = this.get(name);
    if (v === undefined) throw bad(`${this.command}: args.${name} is required`);
    if (typeof v !== 'string') this.fail(name, 'a string', v);
    return v;
  }

  optString(name: string): string | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.fail(name, 'a string', v);
    return v;
  }

  optNumber(name: string): number | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(name, 'a number', v);
    return v;
  }

  optStrings(name: string): string[] | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) this.fail(name, 'a list of strings', v);
    const i = v.findIndex((x) => typeof x !== 'string');
    if (i >= 0) throw bad(`${this.command}: args.${name}[${i}] must be a string, got ${describe(v[i])}`);
    return v as string[];
  }

  oneOf<T extends string>(name: string, choices: readonly T[], optional: true): T | undefined;
  oneOf<T extends string>(name: string, choices: readonly T[]): T;
  oneOf<T extends string>(name: string, choices: readonly T[], optional = false): T | undefined {
    const v = this.get(name);
    if (v === undefined && optional) return undefined;
    if (v === undefined) throw bad(`${this.command}: args.${name} is required (one of ${choices.join(', ')})`);
    if (!(choices as readonly unknown[]).includes(v)) this.fail(name, `one of ${choices.join(', ')}`, v);
    return v as T;
  }

  /** Refuse fields nobody asked for: a typo ("nexthop") must not pass silently. */
  done(): void {
    for (const k of Object.keys(this.o)) {
      if (!this.seen.has(k)) throw bad(`${this.command}: unknown field args.${k}; expected ${[...this.seen].join(', ') || 'no args'}`);
    }
  }
}

/** Drop the keys whose value is undefined, so that args compare and print as sent. */
function defined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

const ARG_PARSERS: { [C in CommandName]: (f: Fields) => CommandArgs[C] } = {
  announce: (f) =>
    defined({
      prefix: f.string('prefix'),
      nextHop: f.string('nextHop'),
      med: f.optNumber('med'),
      communities: f.optStrings('communities'),
      largeCommunities: f.optStrings('largeCommunities'),
      asPathPrepend: f.optNumber('asPathPrepend'),
    }),
  withdraw: (f) => ({ prefix: f.string('prefix') }),
  'show-neighbors': (f) => defined({ address: f.optString('address') }),
  'show-summary': () => ({}),
  'show-routes': (f) => defined({ view: f.oneOf('view', ROUTE_VIEWS, true) ?? 'local', neighbor: f.optString('neighbor') }),
  neighbor: (f) =>
    defined({
      address: f.string('address'),
      action: f.oneOf('action', NEIGHBOR_ACTIONS),
      communication: f.optString('communication'),
    }),
  reload: () => ({}),
  monitor: () => ({}),
  ping: () => ({}),
};

export const COMMANDS: readonly CommandName[] = Object.keys(ARG_PARSERS) as CommandName[];
export const ROUTE_VIEWS: readonly RouteView[] = ['local', 'received', 'advertised'];
export const NEIGHBOR_ACTIONS: readonly NeighborAction[] = ['up', 'down', 'refresh'];

export function isCommand(name: string): name is CommandName {
  return Object.hasOwn(ARG_PARSERS, name);
}

/** Check a request's args (an absent `args` is `{}`); throws TsbgpError(BAD_REQUEST) naming the field. */
export function parseArgs<C extends CommandName>(command: C, args: unknown): CommandArgs[C] {
  if (args !== undefined && !isObject(args)) throw bad(`${command}: args must be an object, got ${describe(args)}`);
  const f = new Fields(args ?? {}, command);
  const parsed = (ARG_PARSERS[command] as (f: Fields) => CommandArgs[C])(f);
  f.done();
  return parsed;
}

const TOP_LEVEL = new Set(['v', 'id', 'command', 'args']);

/** Parse one request line. Never throws: a bad line becomes the error reply to send back. */
export function parseRequest(line: string): ParseResult {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return fail(null, TsbgpErrorCode.BAD_REQUEST, `malformed JSON: ${(e as Error).message}`);
  }
  if (!isObject(value)) return fail(null, TsbgpErrorCode.BAD_REQUEST, `a request must be a JSON object, got ${describe(value)}`);
  // The id first, so that every later complaint can be matched to its request.
  const rawId = value['id'];
  const id = typeof rawId === 'string' || (typeof rawId === 'number' && Number.isFinite(rawId)) ? rawId : null;
  const supported = `this tsbgpd supports protocol version ${SUPPORTED_VERSIONS.join(', ')}`;
  if (!('v' in value)) return fail(id, TsbgpErrorCode.BAD_REQUEST, `missing field v (protocol version); ${supported}`);
  if (!SUPPORTED_VERSIONS.includes(value['v'] as number)) {
    return fail(id, TsbgpErrorCode.BAD_REQUEST, `unsupported protocol version ${describe(value['v'])}; ${supported}`);
  }
  if (id === null) return fail(null, TsbgpErrorCode.BAD_REQUEST, `field id must be a string or a number, got ${rawId === undefined ? 'nothing' : describe(rawId)}`);
  const command = value['command'];
  if (typeof command !== 'string') return fail(id, TsbgpErrorCode.BAD_REQUEST, `field command must be a string, got ${command === undefined ? 'nothing' : describe(command)}`);
  if (!isCommand(command)) return fail(id, TsbgpErrorCode.UNKNOWN_COMMAND, `unknown command "${command}"; commands: ${COMMANDS.join(', ')}`);
  for (const k of Object.keys(value)) {
    if (!TOP_LEVEL.has(k)) return fail(id, TsbgpErrorCode.BAD_REQUEST, `unknown field ${k}; a request has v, id, command, args`);
  }
  try {
    const args = parseArgs(command, value['args']);
    return { ok: true, request: { v: 1, id, command, args } as Request };
  } catch (e) {
    if (e instanceof TsbgpError) return fail(id, e.code, e.message);
    throw e;
  }
}

function fail(id: RequestId | null, code: TsbgpErrorCodeName, message: string): ParseResult {
  return { ok: false, reply: errorReply(id, code, message) };
}

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

// ---- Line framing ------------------------------------------------------------------------------

/** A whole line, or the news that a line ran past the limit (it is skipped up to its newline). */
export type LineItem = { kind: 'line'; line: string } | { kind: 'overflow'; bytes: number };

/**
 * Splits a byte stream into lines of at most `maxBytes` (newline and a trailing CR excluded). Bytes
 * are kept as chunks until a newline arrives, so a line split across reads costs one concat.
 */
export class LineSplitter {
  private chunks: Buffer[] = [];
  private pending = 0;
  /** Inside an over-long line: drop bytes up to the next newline. */
  private skipping = false;
  private skipped = 0;

  constructor(private readonly maxBytes: number = MAX_LINE_BYTES) {}

  push(chunk: Buffer): LineItem[] {
    const out: LineItem[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      start = nl + 1;
      if (this.skipping) {
        out.push({ kind: 'overflow', bytes: this.skipped + piece.length });
        this.skipping = false;
        this.skipped = 0;
        continue;
      }
      const size = this.pending + piece.length;
      const whole = this.pending ? Buffer.concat([...this.chunks, piece], size) : piece;
      this.chunks = [];
      this.pending = 0;
      const end = whole.length > 0 && whole[whole.length - 1] === 13 ? whole.length - 1 : whole.length;
      if (end > this.maxBytes) {
        out.push({ kind: 'overflow', bytes: end });
        continue;
      }
      const line = whole.toString('utf8', 0, end);
      if (line.trim() !== '') out.push({ kind: 'line', line });
    }
    const rest = chunk.subarray(start);
    if (rest.length === 0) return out;
    if (this.skipping) {
      this.skipped += rest.length;
    } else if (this.pending + rest.length > this.maxBytes + 1) {
      // +1: a CR before the newline does not count against the limit.
      this.skipping = true;
      this.skipped = this.pending + rest.length;
      this.chunks = [];
      this.pending = 0;
    } else {
      // Copy: the caller's buffer may be reused.
      this.chunks.push(Buffer.from(rest));
      this.pending += rest.length;
    }
    return out;
  }
}
