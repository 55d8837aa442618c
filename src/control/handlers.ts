// One plain async function per control command, and dispatch(): a request in, a reply out, never a throw.
import { readFileSync } from 'node:fs';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import { parseAddress, parseRoutePrefix, validateRoute } from '../routes/values.js';
import {
  type AnnounceArgs,
  type CommandArgs,
  type CommandName,
  type CommandResults,
  type NeighborArgs,
  type Reply,
  type Request,
  type ShowNeighborsArgs,
  type ShowRoutesArgs,
  type WithdrawArgs,
  errorReply,
  okReply,
} from './protocol.js';
import type { ChangeResult, RouteSpec, SpeakerControl } from './types.js';

export interface HandlerContext {
  /** tsbgp's version, for `ping`. */
  version: string;
}

/** The route an `announce` asks for, checked and in canonical form (TsbgpError when it is not valid). */
export function parseAnnounceArgs(args: AnnounceArgs): RouteSpec {
  return validateRoute(args);
}

/** RFC 9003 §2: the shutdown communication is at most 255 octets of UTF-8. */
const MAX_COMMUNICATION_OCTETS = 255;

function checkNeighborAddress(text: string): string {
  const a = parseAddress(text);
  if (!a) throw new TsbgpError(TsbgpErrorCode.BAD_ARGUMENT, `"${text}" is not an IPv4 or IPv6 address`);
  return a.text;
}

export async function announce(speaker: SpeakerControl, args: AnnounceArgs): Promise<ChangeResult> {
  return speaker.announce(parseAnnounceArgs(args));
}

export async function withdraw(speaker: SpeakerControl, args: WithdrawArgs): Promise<ChangeResult> {
  // Checked like an announced prefix, so that "withdraw 100.64.0.1" says what is wrong.
  return speaker.withdraw(parseRoutePrefix(args.prefix).prefix);
}

export async function showNeighbors(speaker: SpeakerControl, args: ShowNeighborsArgs): Promise<CommandResults['show-neighbors']> {
  if (args.address === undefined) return { neighbors: speaker.neighbors() };
  const address = checkNeighborAddress(args.address);
  const neighbors = speaker.neighbors(address);
  if (neighbors.length === 0) throw new TsbgpError(TsbgpErrorCode.UNKNOWN_NEIGHBOR, `no neighbor ${address} is configured`);
  return { neighbors };
}

export async function showSummary(speaker: SpeakerControl): Promise<CommandResults['show-summary']> {
  const summary = speaker.summary();
  // The summary row carries no message counts; the per-neighbor details do.
  const totals = new Map(speaker.neighbors().map((n) => [n.address, n.messages]));
  return {
    ...summary,
    neighbors: summary.neighbors.map((n) => {
      const m = totals.get(n.address);
      return { ...n, messagesReceived: m?.received.total ?? 0, messagesSent: m?.sent.total ?? 0 };
    }),
  };
}

export async function showRoutes(speaker: SpeakerControl, args: ShowRoutesArgs): Promise<CommandResults['show-routes']> {
  if (args.neighbor === undefined) return { view: args.view, routes: [...speaker.routes(args.view)] };
  const neighbor = checkNeighborAddress(args.neighbor);
  return { view: args.view, neighbor, routes: [...speaker.routes(args.view, neighbor)] };
}

export async function neighbor(speaker: SpeakerControl, args: NeighborArgs): Promise<CommandResults['neighbor']> {
  const address = checkNeighborAddress(args.address);
  if (args.communication !== undefined && args.action !== 'down') {
    throw new TsbgpError(TsbgpErrorCode.BAD_ARGUMENT, `a shutdown communication goes with "down" only, not "${args.action}"`);
  }
  switch (args.action) {
    case 'up':
      speaker.neighborUp(address);
      break;
    case 'down': {
      const c = args.communication;
      const octets = c === undefined ? 0 : Buffer.byteLength(c, 'utf8');
      if (octets > MAX_COMMUNICATION_OCTETS) {
        throw new TsbgpError(TsbgpErrorCode.BAD_ARGUMENT, `shutdown communication is ${octets} octets of UTF-8; RFC 9003 allows at most ${MAX_COMMUNICATION_OCTETS}`);
      }
      if (c === undefined) speaker.neighborDown(address);
      else speaker.neighborDown(address, c);
      break;
    }
    case 'refresh':
      speaker.neighborRefresh(address);
      break;
  }
  const state = speaker.neighbors(address)[0]?.state;
  return state === undefined ? { neighbor: address, action: args.action } : { neighbor: address, action: args.action, state };
}

export async function reload(speaker: SpeakerControl): Promise<CommandResults['reload']> {
  return speaker.reload();
}

export async function ping(_speaker: SpeakerControl, ctx: HandlerContext): Promise<CommandResults['ping']> {
  return { pong: true, version: ctx.version };
}

type Handler<C extends CommandName> = (speaker: SpeakerControl, args: CommandArgs[C], ctx: HandlerContext) => Promise<CommandResults[C]>;

const HANDLERS: { [C in CommandName]: Handler<C> } = {
  announce: (s, a) => announce(s, a),
  withdraw: (s, a) => withdraw(s, a),
  'show-neighbors': (s, a) => showNeighbors(s, a),
  'show-summary': (s) => showSummary(s),
  'show-routes': (s, a) => showRoutes(s, a),
  neighbor: (s, a) => neighbor(s, a),
  reload: (s) => reload(s),
  // The server subscribes the connection once this reply is written; see server.ts.
  monitor: async () => ({ monitoring: true }),
  ping: (s, _a, ctx) => ping(s, ctx),
};

let packageVersion: string | undefined;
/** The version in package.json (dist/src/control/ -> the package root), read once. */
export function tsbgpVersion(): string {
  if (packageVersion === undefined) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
      packageVersion = typeof pkg.version === 'string' ? pkg.version : 'unknown';
    } catch {
      packageVersion = 'unknown';
    }
  }
  return packageVersion;
}

/**
 * Run one request against the speaker. Resolves to the reply in every case: a TsbgpError keeps its
 * code, anything else thrown becomes TSBGP_ERR_INTERNAL (a client's input never takes the daemon down).
 */
export async function dispatch(speaker: SpeakerControl, request: Request, ctx: HandlerContext = { version: tsbgpVersion() }): Promise<Reply> {
  try {
    const handler = HANDLERS[request.command] as Handler<CommandName>;
    return okReply(request.id, await handler(speaker, request.args, ctx));
  } catch (e) {
    if (e instanceof TsbgpError) return errorReply(request.id, e.code, e.message);
    const message = e instanceof Error ? e.message : String(e);
    return errorReply(request.id, TsbgpErrorCode.INTERNAL, `${request.command} failed: ${message}`);
  }
}
