// Captured packets -> BGP messages per TCP connection, each decoded in its session's context.
import { BgpError } from '../bgp/errors.js';
import {
  type BgpMessage,
  DEFAULT_NEGOTIATED,
  Framer,
  type Negotiated,
  type OpenMessage,
  decodeMessage,
  maxMessageLength,
  negotiate,
} from '../bgp/messages/index.js';
import { AttrType, MessageType } from '../bgp/iana.js';
import type { CapturedPacket } from './capture.js';
import { TcpDirection, parseTcp } from './tcp.js';

export interface Endpoint {
  address: string;
  port: number;
}

/** One BGP message found in a capture: where it came from, its bytes, and how it decoded. */
export interface CapturedMessage {
  /** The frame whose data completed the message. */
  frame: number;
  time: number;
  /** Index of the TCP connection in the capture (0-based, in order of first appearance). */
  connection: number;
  src: Endpoint;
  dst: Endpoint;
  bytes: Uint8Array;
  /** The context it was decoded in (set by the OPEN messages seen on the connection). */
  negotiated: Negotiated;
  result: { ok: true; message: BgpMessage } | { ok: false; error: BgpError };
  /**
   * Set on an UPDATE of a connection whose two OPENs were not both captured: the AS number width it
   * was decoded with, and whether that was guessed from the bytes or forced by the caller.
   */
  asWidth?: AsWidth;
}

/**
 * The AS number width an UPDATE was read with when its session's OPENs were missing. `basis` of a
 * guess: only that width parses ('parse'), only its ASNs are plausible ('plausible'), or neither
 * decides (both read the same, e.g. End-of-RIB, or neither parses): the direction's earlier guess
 * ('earlier') or 4 octets ('default').
 */
export type AsWidth =
  | { octets: 2 | 4; how: 'forced' }
  | { octets: 2 | 4; how: 'guessed'; basis: 'parse' | 'plausible' | 'earlier' | 'default' };

export interface StreamOptions {
  /** AS number width for connections without both OPENs; unset means guess it per UPDATE. */
  forceAsOctets?: 2 | 4;
}

interface Direction {
  tcp: TcpDirection;
  framer: Framer;
  /** Messages framed so far; a stream whose first header is not BGP's is not a BGP stream. */
  framed: number;
  /** Not BGP, or framing was lost: ignore the rest of this direction. */
  dead: boolean;
  /** The AS width last decided from the bytes on this direction (no OPENs): the tie-breaker for the next UPDATE. */
  guessedAsOctets?: 2 | 4;
}

interface Connection {
  index: number;
  /** OPEN sent by each side, keyed by "address port". */
  opens: Map<string, OpenMessage>;
  directions: Map<string, Direction>;
}

const key = (e: Endpoint): string => `${e.address} ${e.port}`;

/**
 * Every BGP message in the capture, in the order their last byte arrived. A TCP stream counts as
 * BGP when its first 16 octets are the BGP marker, whatever its ports. A malformed message is
 * reported with the BgpError it would cause; after a header error the rest of that direction is
 * skipped (framing is lost), after a body error decoding goes on.
 */
export function bgpMessages(packets: readonly CapturedPacket[], options: StreamOptions = {}): CapturedMessage[] {
  const connections = new Map<string, Connection>();
  let connectionCount = 0;
  const out: CapturedMessage[] = [];
  for (const p of packets) {
    const s = parseTcp(p);
    if (!s) continue;
    const src = { address: s.src, port: s.srcPort };
    const dst = { address: s.dst, port: s.dstPort };
    const connKey = [key(src), key(dst)].sort().join(' / ');
    let conn = connections.get(connKey);
    if (!conn || (s.syn && !isRetransmittedSyn(conn, src))) {
      // A new connection, or the same address pair reused after a close.
      conn = { index: connectionCount++, opens: new Map(), directions: new Map() };
      connections.set(connKey, conn);
    }
    let dir = conn.directions.get(key(src));
    if (!dir) {
      dir = { tcp: new TcpDirection(), framer: new Framer(), framed: 0, dead: false };
      conn.directions.set(key(src), dir);
    }
    if (dir.dead) continue;
    for (const chunk of dir.tcp.add(s)) {
      dir.framer.push(chunk.bytes);
      for (;;) {
        const negotiated = contextFor(conn, src, dst);
        let ctx = negotiated ?? DEFAULT_NEGOTIATED;
        dir.framer.maxLength = maxMessageLength(ctx.extendedMessage);
        let bytes: Uint8Array | undefined;
        try {
          bytes = dir.framer.next();
        } catch (e) {
          if (!(e instanceof BgpError)) throw e;
          dir.dead = true;
          if (dir.framed > 0) {
            out.push({ frame: chunk.frame, time: chunk.time, connection: conn.index, src, dst, bytes: new Uint8Array(0), negotiated: ctx, result: { ok: false, error: e } });
          }
          break;
        }
        if (!bytes) break;
        dir.framed++;
        const copy = bytes.slice();
        let result: CapturedMessage['result'];
        let asWidth: CapturedMessage['asWidth'];
        if (!negotiated && copy[18] === MessageType.UPDATE) {
          if (options.forceAsOctets !== undefined) asWidth = { octets: options.forceAsOctets, how: 'forced' };
          else {
            asWidth = guessAsOctets(copy, dir.guessedAsOctets);
            if (asWidth.how === 'guessed' && (asWidth.basis === 'parse' || asWidth.basis === 'plausible')) dir.guessedAsOctets = asWidth.octets;
          }
          ctx = { ...ctx, fourOctetAs: asWidth.octets === 4 };
        }
        result = decodeResult(copy, ctx);
        if (result.ok && result.message.type === 'OPEN') conn.opens.set(key(src), result.message);
        const m: CapturedMessage = { frame: chunk.frame, time: chunk.time, connection: conn.index, src, dst, bytes: copy, negotiated: ctx, result };
        if (asWidth) m.asWidth = asWidth;
        out.push(m);
      }
      if (dir.dead) break;
    }
  }
  return out;
}

/** A SYN from a side that has sent no data yet belongs to the connection being set up. */
function isRetransmittedSyn(conn: Connection, src: Endpoint): boolean {
  const dir = conn.directions.get(key(src));
  return !dir || dir.framed === 0;
}

/** The negotiated context once both OPENs of the connection were seen; undefined before. */
function contextFor(conn: Connection, src: Endpoint, dst: Endpoint): Negotiated | undefined {
  const sent = conn.opens.get(key(src));
  const received = conn.opens.get(key(dst));
  return sent && received ? negotiate(sent, received) : undefined;
}

function decodeResult(bytes: Uint8Array, ctx: Negotiated): CapturedMessage['result'] {
  try {
    return { ok: true, message: decodeMessage(bytes, ctx) };
  } catch (e) {
    if (!(e instanceof BgpError)) throw e;
    return { ok: false, error: e };
  }
}

/** Attributes whose layout depends on the AS number width (RFC 6793 §4): AS_PATH and AGGREGATOR. */
const AS_WIDTH_ATTRIBUTES: ReadonlySet<number> = new Set([AttrType.AS_PATH, AttrType.AGGREGATOR]);

/**
 * How well an UPDATE parses with one AS width: undefined when it does not (a fatal error, or an
 * AS_PATH/AGGREGATOR problem such as segments that do not consume the attribute exactly); else
 * whether every AS_PATH ASN is plausible (not AS 0, which RFC 7607 forbids in AS_PATH).
 */
function fit(bytes: Uint8Array, fourOctetAs: boolean): { plausible: boolean } | undefined {
  const r = decodeResult(bytes, { ...DEFAULT_NEGOTIATED, fourOctetAs });
  if (!r.ok || r.message.type !== 'UPDATE') return undefined;
  const u = r.message;
  if (u.problems?.some((p) => AS_WIDTH_ATTRIBUTES.has(p.attrType))) return undefined;
  const path = u.attributes.find((a) => a.type === 'AS_PATH');
  const plausible = !path || path.type !== 'AS_PATH' || path.segments.every((s) => s.asns.every((n) => n !== 0));
  return { plausible };
}

/**
 * The AS width of an UPDATE captured without its session's OPENs, as Wireshark does: try both and
 * keep the one that parses. When both parse, the one whose ASNs are all plausible wins; when that
 * does not decide either (an empty AS_PATH, say), the width guessed before on the same direction,
 * else 4 octets (what nearly every session negotiates today). When neither parses, the same
 * fallback, so that the error shown is the one of the likelier width.
 */
export function guessAsOctets(bytes: Uint8Array, previous: 2 | 4 | undefined): AsWidth {
  const four = fit(bytes, true);
  const two = fit(bytes, false);
  if (four && !two) return { octets: 4, how: 'guessed', basis: 'parse' };
  if (two && !four) return { octets: 2, how: 'guessed', basis: 'parse' };
  if (four && two && four.plausible !== two.plausible) return { octets: four.plausible ? 4 : 2, how: 'guessed', basis: 'plausible' };
  return previous ? { octets: previous, how: 'guessed', basis: 'earlier' } : { octets: 4, how: 'guessed', basis: 'default' };
}
