// One plain async function per control command, and dispatch(): a request in, a reply out, never a throw.
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import { VERSION } from '../version.js';
import { MAX_SHUTDOWN_COMMUNICATION } from '../bgp/messages/notification.js';
import { checkInteger, parseAddress, parseRoutePrefix, validateRoute } from '../routes/values.js';
import {
  type AnnounceArgs,
  type CommandArgs,
  type CommandName,
  type CommandResults,
  type ErrorReply,
  type ExabgpArgs,
  type NeighborArgs,
  type Reply,
  type Request,
  type RequestId,
  type ShowNeighborsArgs,
  type ShowRoutesArgs,
  type ShowVipsArgs,
  type VipArgs,
  type VipMoveArgs,
  type WithdrawArgs,
  errorReply,
  okReply,
} from './protocol.js';
import { type RoutesHead, RoutesReply, insidePrefix } from './routes-reply.js';
import type { ChangeResult, SpeakerControl } from './types.js';
import { ExaDispatcher } from '../exabgp/text.js';

export interface HandlerContext {
  /** tsbgp's version, for `ping`. */
  version: string;
  /** Clock ms (performance.now()) when the request's line was read: the start of every time reported. */
  receivedAt?: number;
}

function checkNeighborAddress(text: string): string {
  const a = parseAddress(text);
  if (!a) throw new TsbgpError(TsbgpErrorCode.BAD_ARGUMENT, `"${text}" is not an IPv4 or IPv6 address`);
  return a.text;
}

export async function announce(speaker: SpeakerControl, args: AnnounceArgs, ctx: HandlerContext): Promise<ChangeResult> {
  return speaker.announce(validateRoute(args), ctx.receivedAt);
}

export async function withdraw(speaker: SpeakerControl, args: WithdrawArgs, ctx: HandlerContext): Promise<ChangeResult> {
  // Checked like an announced prefix, so that "withdraw 100.64.0.1" says what is wrong.
  return speaker.withdraw(parseRoutePrefix(args.prefix).prefix, ctx.receivedAt);
}

export async function showNeighbors(speaker: SpeakerControl, args: ShowNeighborsArgs): Promise<CommandResults['show-neighbors']> {
  // An address that is not configured: the speaker throws UNKNOWN_NEIGHBOR, naming those that are.
  return { neighbors: args.address === undefined ? speaker.neighbors() : speaker.neighbors(checkNeighborAddress(args.address)) };
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

/** Largest `limit`: more rows than any table holds. */
const MAX_ROUTES_LIMIT = 2 ** 32 - 1;

/** The rows are not read here: the server writes them as it reads them (RoutesReply). */
export async function showRoutes(speaker: SpeakerControl, args: ShowRoutesArgs): Promise<RoutesReply> {
  const neighbor = args.neighbor === undefined ? undefined : checkNeighborAddress(args.neighbor);
  const inside = args.prefix === undefined ? undefined : insidePrefix(args.prefix);
  const limit = args.limit === undefined ? undefined : checkInteger(args.limit, 0, MAX_ROUTES_LIMIT, 'limit');
  const head: RoutesHead = { view: args.view, ...(neighbor === undefined ? {} : { neighbor }), ...(inside ? { prefix: inside.prefix } : {}) };
  const rows = neighbor === undefined ? speaker.routes(args.view) : speaker.routes(args.view, neighbor);
  return new RoutesReply(head, rows, inside?.test, limit);
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
      // RFC 9003 §2: at most 255 octets of UTF-8. Refused here rather than cut short by the codec.
      if (octets > MAX_SHUTDOWN_COMMUNICATION) {
        throw new TsbgpError(TsbgpErrorCode.BAD_ARGUMENT, `shutdown communication is ${octets} octets of UTF-8; RFC 9003 allows at most ${MAX_SHUTDOWN_COMMUNICATION}`);
      }
      if (c === undefined) speaker.neighborDown(address);
      else speaker.neighborDown(address, c);
      break;
    }
    case 'refresh':
      speaker.neighborRefresh(address);
      break;
  }
  // The action ran, so the neighbor is configured: neighbors(address) holds it.
  return { neighbor: address, action: args.action, state: speaker.neighbors(address)[0]!.state };
}

// VIP names are not checked here: the speaker refuses an unknown one (UNKNOWN_VIP) naming those configured.

export async function showVips(speaker: SpeakerControl, args: ShowVipsArgs): Promise<CommandResults['show-vips']> {
  return { vips: args.name === undefined ? speaker.vips() : speaker.vips(args.name) };
}

/** The move as recorded, and the VIP after it (where it is now, and whether it is frozen). */
export async function vipMove(speaker: SpeakerControl, args: VipMoveArgs): Promise<CommandResults['vip-move']> {
  const move = await speaker.vipMove(args.name, args.candidate);
  return { move, vip: speaker.vips(args.name)[0]! };
}

/** Freeze or unfreeze; `changed` says whether the VIP was in the other mode before. */
export async function vipMode(speaker: SpeakerControl, args: VipArgs, frozen: boolean): Promise<CommandResults['vip-freeze']> {
  const before = speaker.vips(args.name)[0]!.mode;
  const vip = speaker.vipFreeze(args.name, frozen);
  return { vip, changed: before !== vip.mode };
}

export async function vipHistory(speaker: SpeakerControl, args: VipArgs): Promise<CommandResults['vip-history']> {
  const moves = speaker.vipHistory(args.name);
  return { name: args.name, prefix: speaker.vips(args.name)[0]!.prefix, moves };
}

export async function reload(speaker: SpeakerControl): Promise<CommandResults['reload']> {
  return speaker.reload();
}

export async function ping(_speaker: SpeakerControl, ctx: HandlerContext): Promise<CommandResults['ping']> {
  return { pong: true, version: ctx.version };
}

/** What a handler returns: the wire result, or (show-routes) an object whose JSON is the wire result. */
type HandlerResults = Omit<CommandResults, 'show-routes'> & { 'show-routes': RoutesReply };
/** One ExaBGP text line, for bgpctl exabgp: its answer lines, or (`error`) an error reply with the reason. */
export async function exabgp(speaker: SpeakerControl, args: ExabgpArgs, ctx: HandlerContext): Promise<CommandResults['exabgp']> {
  const a = await new ExaDispatcher(speaker).run(args.line, { kind: 'control', version: ctx.version, ...(ctx.receivedAt === undefined ? {} : { receivedAt: ctx.receivedAt }) });
  if (a.status === 'error') throw new TsbgpError(a.code ?? TsbgpErrorCode.BAD_REQUEST, a.reason ?? 'error');
  return { answer: a.lines, ...(a.reason ? { warning: a.reason } : {}) };
}

type Handler<C extends CommandName> = (speaker: SpeakerControl, args: CommandArgs[C], ctx: HandlerContext) => Promise<HandlerResults[C]>;

const HANDLERS: { [C in CommandName]: Handler<C> } = {
  announce: (s, a, ctx) => announce(s, a, ctx),
  withdraw: (s, a, ctx) => withdraw(s, a, ctx),
  'show-neighbors': (s, a) => showNeighbors(s, a),
  'show-summary': (s) => showSummary(s),
  'show-routes': (s, a) => showRoutes(s, a),
  'show-vips': (s, a) => showVips(s, a),
  'show-processes': async (s) => ({ processes: s.processes() }),
  neighbor: (s, a) => neighbor(s, a),
  'vip-move': (s, a) => vipMove(s, a),
  'vip-freeze': (s, a) => vipMode(s, a, true),
  'vip-unfreeze': (s, a) => vipMode(s, a, false),
  'vip-history': (s, a) => vipHistory(s, a),
  reload: (s) => reload(s),
  shutdown: async (s, a) => s.shutdown(a.hard === true ? 'hard' : 'graceful'),
  // The server subscribes the connection once this reply is written; see server.ts.
  monitor: async () => ({ monitoring: true }),
  ping: (s, _a, ctx) => ping(s, ctx),
  exabgp: (s, a, ctx) => exabgp(s, a, ctx),
};

/** tsbgp's version (package.json), as the control protocol's replies carry it. */
export function tsbgpVersion(): string {
  return VERSION;
}

/**
 * Run one request against the speaker. Resolves to the reply in every case: a TsbgpError keeps its
 * code, anything else thrown becomes TSBGP_ERR_INTERNAL (a client's input never takes the daemon down).
 * A show-routes result is a RoutesReply: encodeLine() gives its whole line, the server streams it.
 */
export async function dispatch(speaker: SpeakerControl, request: Request, ctx: HandlerContext = { version: tsbgpVersion() }): Promise<Reply> {
  try {
    const handler = HANDLERS[request.command] as Handler<CommandName>;
    return okReply(request.id, await handler(speaker, request.args, ctx));
  } catch (e) {
    return errorReplyFor(request.id, request.command, e);
  }
}

/** The reply to a request that threw `e`: a TsbgpError keeps its code, anything else is TSBGP_ERR_INTERNAL. */
export function errorReplyFor(id: RequestId, command: CommandName, e: unknown): ErrorReply {
  if (e instanceof TsbgpError) return errorReply(id, e.code, e.message);
  const message = e instanceof Error ? e.message : String(e);
  return errorReply(id, TsbgpErrorCode.INTERNAL, `${command} failed: ${message}`);
}
