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
import { type StreamEvent, TcpDirection, parseTcp } from './tcp.js';

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
  /** Hex input: the id written before a tab on the message's line. */
  id?: string;
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

/** Something wrong with a TCP stream that cost or may cost messages: never silent. */
export interface StreamWarning {
  frame: number;
  connection: number;
  src: Endpoint;
  dst: Endpoint;
  /** Stream offset (octets after the SYN, or after the first octet seen) where it happened. */
  offset: number;
  text: string;
  /** How many messages of the result come before this warning. */
  after: number;
}

export interface CaptureDecode {
  messages: CapturedMessage[];
  warnings: StreamWarning[];
}

const MARKER_LENGTH = 16;

interface Direction {
  tcp: TcpDirection;
  framer: Framer;
  /** Messages framed so far; a stream whose first header is not BGP's is not a BGP stream. */
  framed: number;
  /** Framing was lost on a header error: ignore the rest of this direction. */
  dead: boolean;
  /** The AS width last decided from the bytes on this direction (no OPENs): the tie-breaker for the next UPDATE. */
  guessedAsOctets?: 2 | 4;
  /**
   * Looking for a marker (the stream start was not seen, or octets were lost): octets held while
   * searching, the stream offset of held[0], and whether reaching a marker means octets were skipped.
   */
  sync: { held: Uint8Array; offset: number; reason: string } | undefined;
  /** Stream offset of the next octet the framer will get. */
  fed: number;
  src: Endpoint;
  dst: Endpoint;
}

interface Connection {
  index: number;
  /** OPEN sent by each side, keyed by "address port". */
  opens: Map<string, OpenMessage>;
  directions: Map<string, Direction>;
}

const key = (e: Endpoint): string => `${e.address} ${e.port}`;
const isBgpPort = (d: Direction): boolean => d.src.port === 179 || d.dst.port === 179;

/** Offset in `b` of a marker followed by a plausible header, -1 if none, or b.length if one may start in the tail. */
function findMarker(b: Uint8Array): number {
  for (let i = 0; i + MARKER_LENGTH <= b.length; i++) {
    let all = true;
    for (let j = 0; j < MARKER_LENGTH && all; j++) all = b[i + j] === 0xff;
    if (!all) continue;
    if (i + 19 > b.length) return i; // wait for the length and type
    const length = (b[i + 16]! << 8) | b[i + 17]!;
    const type = b[i + 18]!;
    if (length >= 19 && type >= 1 && type <= 5) return i;
  }
  return -1;
}

/** Every BGP message in the capture (see bgpCapture). */
export function bgpMessages(packets: readonly CapturedPacket[], options: StreamOptions = {}): CapturedMessage[] {
  return bgpCapture(packets, options).messages;
}

/**
 * Every BGP message in the capture, in the order their last byte arrived, and a warning for every
 * gap and unsynchronised stream. A TCP stream counts as BGP when it starts with (or, seen from its
 * middle, reaches) the BGP marker, whatever its ports. After octets are lost, framing resumes at
 * the next marker. A malformed message is reported with the BgpError it would cause; after a
 * header error the rest of that direction is skipped (framing is lost), after a body error
 * decoding goes on.
 */
export function bgpCapture(packets: readonly CapturedPacket[], options: StreamOptions = {}): CaptureDecode {
  const connections = new Map<string, Connection>();
  let connectionCount = 0;
  const out: CapturedMessage[] = [];
  const warnings: StreamWarning[] = [];
  const warn = (conn: Connection, dir: Direction, frame: number, offset: number, text: string): void => {
    warnings.push({ frame, connection: conn.index, src: dir.src, dst: dir.dst, offset, text, after: out.length });
  };
  const all: { conn: Connection; dir: Direction }[] = [];

  const frameAll = (conn: Connection, dir: Direction, frame: number, time: number): void => {
    for (;;) {
      const negotiated = contextFor(conn, dir.src, dir.dst);
      let ctx = negotiated ?? DEFAULT_NEGOTIATED;
      dir.framer.maxLength = maxMessageLength(ctx.extendedMessage);
      let bytes: Uint8Array | undefined;
      const at = dir.fed - dir.framer.buffered;
      try {
        bytes = dir.framer.next();
      } catch (e) {
        if (!(e instanceof BgpError)) throw e;
        dir.dead = true;
        if (dir.framed > 0) {
          out.push({ frame, time, connection: conn.index, src: dir.src, dst: dir.dst, bytes: new Uint8Array(0), negotiated: ctx, result: { ok: false, error: e } });
          warn(conn, dir, frame, at, `framing lost (${e.message}): the rest of this direction is skipped`);
        } else if (isBgpPort(dir)) {
          warn(conn, dir, frame, at, 'stream does not start with a BGP marker: not decoded');
        }
        return;
      }
      if (!bytes) return;
      dir.framed++;
      const copy = bytes.slice();
      let asWidth: AsWidth | undefined;
      if (!negotiated && copy[18] === MessageType.UPDATE) {
        if (options.forceAsOctets !== undefined) asWidth = { octets: options.forceAsOctets, how: 'forced' };
        else {
          asWidth = guessAsOctets(copy, dir.guessedAsOctets);
          if (asWidth.how === 'guessed' && (asWidth.basis === 'parse' || asWidth.basis === 'plausible')) dir.guessedAsOctets = asWidth.octets;
        }
        ctx = { ...ctx, fourOctetAs: asWidth.octets === 4 };
      }
      let result: CapturedMessage['result'];
      try {
        const message = decodeMessage(copy, ctx);
        result = { ok: true, message };
        if (message.type === 'OPEN') conn.opens.set(key(dir.src), message);
      } catch (e) {
        if (!(e instanceof BgpError)) throw e;
        result = { ok: false, error: e };
      }
      const m: CapturedMessage = { frame, time, connection: conn.index, src: dir.src, dst: dir.dst, bytes: copy, negotiated: ctx, result };
      if (asWidth) m.asWidth = asWidth;
      out.push(m);
    }
  };

  const apply = (conn: Connection, dir: Direction, events: StreamEvent[]): void => {
    for (const ev of events) {
      if (dir.dead) return;
      if (ev.kind === 'gap') {
        const lost = dir.framer.buffered;
        warn(conn, dir, ev.frame, ev.offset, `${ev.missing} octets missing` + (lost ? `; ${lost} octets of an unfinished message dropped` : '') + '; resynchronising on the next marker');
        dir.framer = new Framer();
        dir.sync = { held: new Uint8Array(0), offset: ev.offset + ev.missing, reason: 'after the gap' };
        continue;
      }
      if (dir.sync) {
        const held = new Uint8Array(dir.sync.held.length + ev.bytes.length);
        held.set(dir.sync.held);
        held.set(ev.bytes, dir.sync.held.length);
        const at = findMarker(held);
        if (at < 0) {
          const keep = Math.min(held.length, 18); // a marker may begin in the last octets
          dir.sync = { ...dir.sync, held: held.slice(held.length - keep), offset: dir.sync.offset + held.length - keep };
          continue;
        }
        if (at + 19 > held.length) {
          dir.sync = { ...dir.sync, held: held.slice(at), offset: dir.sync.offset + at };
          continue;
        }
        const offset = dir.sync.offset + at;
        if (offset > 0 || dir.sync.reason !== 'at the start') {
          warn(conn, dir, ev.frame, offset, `unsynchronised: resumed at the marker at offset ${offset} (${dir.sync.reason})`);
        }
        dir.sync = undefined;
        dir.fed = offset + held.length - at;
        dir.framer.push(held.subarray(at));
      } else {
        dir.fed = ev.offset + ev.bytes.length;
        dir.framer.push(ev.bytes);
      }
      frameAll(conn, dir, ev.frame, ev.time);
    }
  };

  let last = { frame: 0, time: 0 };
  for (const p of packets) {
    last = { frame: p.frame, time: p.time };
    const s = parseTcp(p);
    if (!s) continue;
    const src = { address: s.src, port: s.srcPort };
    const dst = { address: s.dst, port: s.dstPort };
    const connKey = [key(src), key(dst)].sort().join(' / ');
    let conn = connections.get(connKey);
    if (!conn || (s.syn && !isRetransmittedSyn(conn, src))) {
      // A new connection, or the same address pair reused after a close.
      if (conn) for (const dir of conn.directions.values()) finish(conn, dir);
      conn = { index: connectionCount++, opens: new Map(), directions: new Map() };
      connections.set(connKey, conn);
    }
    let dir = conn.directions.get(key(src));
    if (!dir) {
      dir = {
        tcp: new TcpDirection(),
        framer: new Framer(),
        framed: 0,
        dead: false,
        sync: s.syn ? undefined : { held: new Uint8Array(0), offset: 0, reason: 'at the start' },
        fed: 0,
        src,
        dst,
      };
      conn.directions.set(key(src), dir);
      all.push({ conn, dir });
    }
    if (dir.dead) continue;
    apply(conn, dir, dir.tcp.add(s));
  }

  /** End of the direction: holes still open are lost; a BGP-port stream never synchronised is said so. */
  function finish(conn: Connection, dir: Direction): void {
    if (dir.dead) return;
    apply(conn, dir, dir.tcp.flush(last.frame, last.time));
    if (dir.dead) return;
    if (dir.sync && dir.framed === 0 && isBgpPort(dir) && dir.sync.offset + dir.sync.held.length > 0) {
      warn(conn, dir, last.frame, dir.sync.offset, `unsynchronised: no BGP marker found ${dir.sync.reason === 'at the start' ? 'in the stream' : dir.sync.reason}`);
    } else if (dir.sync && dir.framed > 0 && dir.sync.reason !== 'at the start' && dir.sync.held.length > 0) {
      // Octets came after the gap, but none of them began a message.
      warn(conn, dir, last.frame, dir.sync.offset, `unsynchronised: no BGP marker found ${dir.sync.reason} up to the end of the capture`);
    }
    if (!dir.sync && dir.framer.buffered > 0) {
      warn(conn, dir, last.frame, dir.fed - dir.framer.buffered, `capture ends inside a message (${dir.framer.buffered} octets)`);
    }
    dir.dead = true;
  }
  for (const { conn, dir } of all) finish(conn, dir);
  return { messages: out, warnings };
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
