// Requests as the daemon reads them: one line of JSON checked field by field into a typed Request.
import { TsbgpError, TsbgpErrorCode, type TsbgpErrorCodeName } from '../errors.js';
import {
  type CommandArgs,
  type CommandName,
  type ErrorReply,
  type Obj,
  type Request,
  type RequestId,
  NEIGHBOR_ACTIONS,
  ROUTE_VIEWS,
  SUPPORTED_VERSIONS,
  errorReply,
  isObject,
} from './protocol.js';

export type ParseResult = { ok: true; request: Request } | { ok: false; reply: ErrorReply };

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

  optBoolean(name: string): boolean | undefined {
    const v = this.get(name);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.fail(name, 'true or false', v);
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
  'show-routes': (f) =>
    defined({
      view: f.oneOf('view', ROUTE_VIEWS, true) ?? 'local',
      neighbor: f.optString('neighbor'),
      prefix: f.optString('prefix'),
      limit: f.optNumber('limit'),
    }),
  'show-vips': (f) => defined({ name: f.optString('name') }),
  neighbor: (f) =>
    defined({
      address: f.string('address'),
      action: f.oneOf('action', NEIGHBOR_ACTIONS),
      communication: f.optString('communication'),
    }),
  'vip-move': (f) => ({ name: f.string('name'), candidate: f.string('candidate') }),
  'vip-freeze': (f) => ({ name: f.string('name') }),
  'vip-unfreeze': (f) => ({ name: f.string('name') }),
  'vip-history': (f) => ({ name: f.string('name') }),
  reload: () => ({}),
  shutdown: (f) => defined({ hard: f.optBoolean('hard') }),
  monitor: () => ({}),
  ping: () => ({}),
  exabgp: (f) => ({ line: f.string('line') }),
};

export const COMMANDS: readonly CommandName[] = Object.keys(ARG_PARSERS) as CommandName[];

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

