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
}

interface Direction {
  tcp: TcpDirection;
  framer: Framer;
  /** Messages framed so far; a stream whose first header is not BGP's is not a BGP stream. */
  framed: number;
  /** Not BGP, or framing was lost: ignore the rest of this direction. */
  dead: boolean;
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
export function bgpMessages(packets: readonly CapturedPacket[]): CapturedMessage[] {
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
        const ctx = contextFor(conn, src, dst);
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
        try {
          const message = decodeMessage(copy, ctx);
          result = { ok: true, message };
          if (message.type === 'OPEN') conn.opens.set(key(src), message);
        } catch (e) {
          if (!(e instanceof BgpError)) throw e;
          result = { ok: false, error: e };
        }
        out.push({ frame: chunk.frame, time: chunk.time, connection: conn.index, src, dst, bytes: copy, negotiated: ctx, result });
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

function contextFor(conn: Connection, src: Endpoint, dst: Endpoint): Negotiated {
  const sent = conn.opens.get(key(src));
  const received = conn.opens.get(key(dst));
  return sent && received ? negotiate(sent, received) : DEFAULT_NEGOTIATED;
}
