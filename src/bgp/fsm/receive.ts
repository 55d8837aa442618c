// The receive path of a connection: bytes framed, worked through in bounded slices per turn, each message decoded into an FSM event.
import type net from 'node:net';
import { BgpError, notificationName } from '../errors.js';
import { ErrorCode, OpenSubcode } from '../iana.js';
import { type BgpMessage, type NotificationMessage, decodeMessage, maxMessageLength, shutdownCommunication } from '../messages/index.js';
import type { Connection } from './connection.js';
import { countMessage } from './counts.js';
import type { Event, MessageCounts } from './types.js';

/**
 * Octets of received messages handled in one event-loop turn before the rest waits (about four
 * full UPDATEs, some 4,000 IPv4 prefixes). A single larger message (RFC 8654) is still handled whole.
 */
export const RECEIVE_SLICE_OCTETS = 16 * 1024;

/** Where received messages go: the peer's driver. */
export interface Receiver {
  readonly log: { warn(obj: object, msg?: string): void };
  /** Messages received, by type. */
  readonly received: MessageCounts;
  /** Step the connection's FSM (see PeerDriver.feed). */
  feed(c: Connection, e: Event): void;
  /** RFC 4271 §6.8: an OPEN on `c` may settle a collision; true when `c` itself was dropped. */
  collision(c: Connection, peerId: string): boolean;
  /** A NOTIFICATION arrived on `c`, before its FSM hears it. */
  notified(c: Connection, m: NotificationMessage): void;
}

/** Bytes from `socket`: ignored unless it is still the connection's socket (an old one may still talk). */
export function onData(c: Connection, socket: net.Socket, chunk: Buffer, r: Receiver): void {
  if (c.socket !== socket) return;
  c.framer.push(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  if (!c.slicing) receive(c, socket, r);
}

/**
 * Work through the framed messages, at most RECEIVE_SLICE_OCTETS of them per event-loop turn
 * however many chunks the turn brings: beyond that the socket is paused and the rest waits for
 * setImmediate, so a table load never holds up timers or the control socket for long
 * (ARCHITECTURE: work is bounded per turn). The socket reads again once the backlog is done; a
 * connection torn down meanwhile stops at once.
 */
function receive(c: Connection, socket: net.Socket, r: Receiver): void {
  while (c.socket === socket) {
    if (c.spent >= RECEIVE_SLICE_OCTETS) {
      if (!c.slicing) {
        c.slicing = true;
        socket.pause();
      }
      setImmediate(() => receive(c, socket, r));
      return;
    }
    let bytes: Uint8Array | undefined;
    try {
      bytes = c.framer.next();
    } catch (e) {
      if (!(e instanceof BgpError)) throw e;
      r.feed(c, { type: 'BGPHeaderErr', error: e });
      return;
    }
    if (!bytes) {
      if (c.slicing) {
        c.slicing = false;
        socket.resume();
      }
      return;
    }
    // The turn's share starts with its first message and is given back when the turn is over
    // (this immediate is queued before any continuation of the same turn).
    if (c.spent === 0) setImmediate(() => (c.spent = 0));
    c.spent += bytes.length;
    onMessage(c, bytes, r);
  }
}

function onMessage(c: Connection, bytes: Uint8Array, r: Receiver): void {
  const type = bytes[18];
  // An UPDATE before Established is an FSM error whatever its content; do not decode it.
  if (type === 2 && c.fsm.state !== 'Established') {
    countMessage(r.received, 'UPDATE');
    r.feed(c, { type: 'UpdateMsg', update: { type: 'UPDATE', withdrawn: [], attributes: [], nlri: [] } });
    return;
  }
  let m: BgpMessage;
  try {
    m = decodeMessage(bytes, c.receive);
  } catch (e) {
    if (!(e instanceof BgpError)) throw e;
    const event: Event =
      e.code === ErrorCode.MESSAGE_HEADER
        ? { type: 'BGPHeaderErr', error: e }
        : e.code === ErrorCode.OPEN_MESSAGE
          ? { type: 'BGPOpenMsgErr', error: e }
          : { type: 'UpdateMsgErr', error: e };
    r.log.warn({ code: e.code, subcode: e.subcode, detail: e.message }, 'malformed message from peer');
    r.feed(c, event);
    return;
  }
  countMessage(r.received, m.type);
  switch (m.type) {
    case 'OPEN':
      if (r.collision(c, m.bgpId)) return;
      r.feed(c, { type: 'BGPOpen', open: m });
      if (c.fsm.negotiated) c.framer.maxLength = maxMessageLength(c.fsm.negotiated.receive.extendedMessage);
      return;
    case 'KEEPALIVE':
      r.feed(c, { type: 'KeepAliveMsg' });
      return;
    case 'UPDATE':
      if (m.problems) r.log.warn({ problems: m.problems }, 'UPDATE with malformed attributes (RFC 7606)');
      r.feed(c, { type: 'UpdateMsg', update: m });
      return;
    case 'NOTIFICATION': {
      const comm = shutdownCommunication(m);
      r.log.warn(
        { code: m.code, subcode: m.subcode, ...(comm && 'text' in comm ? { communication: comm.text } : {}) },
        `NOTIFICATION received: ${notificationName(m.code, m.subcode)}`,
      );
      r.notified(c, m);
      const version = m.code === ErrorCode.OPEN_MESSAGE && m.subcode === OpenSubcode.UNSUPPORTED_VERSION_NUMBER;
      r.feed(c, version ? { type: 'NotifMsgVerErr', notification: m } : { type: 'NotifMsg', notification: m });
      return;
    }
    case 'ROUTE_REFRESH':
      // RFC 7313: BoRR/EoRR from the peer frame its re-advertisement; unknown subtypes are ignored.
      if (m.subtype === 0) r.feed(c, { type: 'RouteRefreshMsg', refresh: m });
      return;
    default: {
      const never: never = m;
      throw new Error(`unknown message ${String(never)}`);
    }
  }
}
