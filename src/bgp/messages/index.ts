// decodeMessage / encodeMessage: one exhaustive switch over the message type.
import { BgpError } from '../errors.js';
import { ErrorCode, HEADER_LENGTH, MAX_MESSAGE_LENGTH, MIN_LENGTH, MessageType, type MessageTypeCode, RouteRefreshErrorSubcode, RouteRefreshSubtype } from '../iana.js';
import { badLength, checkHeader, maxMessageLength } from './header.js';
import { KEEPALIVE, type KeepaliveMessage } from './keepalive.js';
import type { Negotiated } from './negotiated.js';
import { type NotificationMessage, decodeNotification, encodeNotification } from './notification.js';
import { type OpenMessage, decodeOpen, encodeOpen, openBodyLength } from './open.js';
import { Reader } from './reader.js';
import { type RouteRefreshMessage, decodeRouteRefresh, encodeRouteRefresh, routeRefreshBodyLength } from './route-refresh.js';
import { type UpdateMessage, decodeUpdate, encodeUpdate, updateBodyLength } from './update.js';
import { Writer } from './writer.js';

export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;
export type BgpMessageType = BgpMessage['type'];

export const MESSAGE_TYPE_CODE: Readonly<Record<BgpMessageType, MessageTypeCode>> = {
  OPEN: MessageType.OPEN,
  UPDATE: MessageType.UPDATE,
  NOTIFICATION: MessageType.NOTIFICATION,
  KEEPALIVE: MessageType.KEEPALIVE,
  ROUTE_REFRESH: MessageType.ROUTE_REFRESH,
};

/**
 * Decode one whole message (header included) in the context of its session direction. Any
 * malformation that ends the session throws BgpError with the NOTIFICATION to send; RFC 7606
 * attribute problems come back on the UPDATE instead.
 */
export function decodeMessage(bytes: Uint8Array, ctx: Negotiated): BgpMessage {
  if (bytes.length < HEADER_LENGTH) throw badLength(bytes.length, `${bytes.length} octets is shorter than a header`);
  const { length, type } = checkHeader(bytes, 0, maxMessageLength(ctx.extendedMessage));
  if (length !== bytes.length) throw badLength(length, `header says ${length} octets, message has ${bytes.length}`);
  const t = type as MessageTypeCode;
  const refreshLengthIsOurs = t === MessageType.ROUTE_REFRESH && ctx.enhancedRouteRefresh;
  if (length < MIN_LENGTH[t] && !refreshLengthIsOurs) throw badLength(length, `length ${length} is too short for type ${type}`);
  const r = new Reader(bytes, HEADER_LENGTH, length, ErrorCode.MESSAGE_HEADER, 2);
  switch (t) {
    case MessageType.OPEN:
      // RFC 8654 §4: OPEN stays within 4096 octets.
      if (length > MAX_MESSAGE_LENGTH) throw badLength(length, `OPEN of ${length} octets`);
      return decodeOpen(r);
    case MessageType.UPDATE:
      return decodeUpdate(r, ctx);
    case MessageType.NOTIFICATION:
      return decodeNotification(r);
    case MessageType.KEEPALIVE:
      if (length !== HEADER_LENGTH) throw badLength(length, `KEEPALIVE of ${length} octets`);
      return KEEPALIVE;
    case MessageType.ROUTE_REFRESH: {
      // RFC 7313 §5: with enhanced route refresh a bad length is a ROUTE-REFRESH error carrying the message.
      const refreshLength = (detail: string): BgpError =>
        ctx.enhancedRouteRefresh
          ? new BgpError(ErrorCode.ROUTE_REFRESH, RouteRefreshErrorSubcode.INVALID_MESSAGE_LENGTH, bytes.slice(), detail)
          : badLength(length, detail);
      if (length === 23) return decodeRouteRefresh(r);
      // RFC 5291 §5: a normal (subtype 0) request may carry ORF entries when the ORF capability was
      // negotiated; BoRR/EoRR (RFC 7313 §5) and every request without ORF have exactly 4 octets.
      if (length < 23 || !ctx.orf || bytes[HEADER_LENGTH + 2] !== RouteRefreshSubtype.NORMAL) throw refreshLength(`ROUTE-REFRESH of ${length} octets`);
      try {
        return decodeRouteRefresh(r);
      } catch (e) {
        if (e instanceof BgpError) throw refreshLength(`ROUTE-REFRESH with ORF: ${e.detail ?? e.message}`);
        throw e;
      }
    }
    default: {
      const never: never = t;
      throw new Error(`unreachable message type ${String(never)}`);
    }
  }
}

function bodyLength(m: BgpMessage, ctx: Negotiated): number {
  switch (m.type) {
    case 'OPEN':
      return openBodyLength(m);
    case 'UPDATE':
      return updateBodyLength(m, ctx);
    case 'NOTIFICATION':
      return 2 + m.data.length;
    case 'KEEPALIVE':
      return 0;
    case 'ROUTE_REFRESH':
      return routeRefreshBodyLength(m);
    default: {
      const never: never = m;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
}

/** Octets the message takes on the wire, header included. */
export function messageLength(m: BgpMessage, ctx: Negotiated): number {
  return HEADER_LENGTH + bodyLength(m, ctx);
}

/**
 * Encode a message: its size is computed first and the buffer allocated once. Throws RangeError
 * when the message would exceed the negotiated maximum (the packer splits before that happens).
 */
export function encodeMessage(m: BgpMessage, ctx: Negotiated): Uint8Array {
  const length = messageLength(m, ctx);
  const max = m.type === 'OPEN' || m.type === 'KEEPALIVE' ? MAX_MESSAGE_LENGTH : maxMessageLength(ctx.extendedMessage);
  if (length > max) throw new RangeError(`${m.type} of ${length} octets exceeds the maximum of ${max}`);
  const w = new Writer(length);
  for (let i = 0; i < 16; i++) w.u8(0xff);
  w.u16(length);
  w.u8(MESSAGE_TYPE_CODE[m.type]);
  switch (m.type) {
    case 'OPEN':
      encodeOpen(w, m);
      break;
    case 'UPDATE':
      encodeUpdate(w, m, ctx);
      break;
    case 'NOTIFICATION':
      encodeNotification(w, m);
      break;
    case 'KEEPALIVE':
      break;
    case 'ROUTE_REFRESH':
      encodeRouteRefresh(w, m);
      break;
    default: {
      const never: never = m;
      throw new Error(`unknown message ${JSON.stringify(never)}`);
    }
  }
  if (w.pos !== length) throw new Error(`internal: ${m.type} encoded ${w.pos} octets, computed ${length}`);
  return w.bytes;
}

export { Framer } from './framer.js';
export { Reader } from './reader.js';
export { Writer } from './writer.js';
export { checkHeader, maxMessageLength } from './header.js';
export { KEEPALIVE, type KeepaliveMessage } from './keepalive.js';
export { DEFAULT_NEGOTIATED, type Negotiated, negotiate } from './negotiated.js';
export {
  type NotificationMessage,
  type ShutdownCommunication,
  makeNotification,
  shutdownCommunication,
} from './notification.js';
export { type OpenMessage, capabilitiesOf, makeOpen, speakerAs } from './open.js';
export { type OrfGroup, type RouteRefreshMessage, type RouteRefreshOrf } from './route-refresh.js';
export {
  type AttributeProblem,
  type UpdateMessage,
  endOfRib,
  endOfRibFamily,
  updateAction,
} from './update.js';
export {
  type Nlri,
  type ParsedPrefix,
  afiOf,
  formatIpv4,
  formatIpv6,
  formatPrefix,
  parseIpv4,
  parseIpv6,
  parsePrefix,
} from './nlri.js';
export * from './attributes/index.js';
export * from './capabilities/index.js';
export { BgpError, notificationName } from '../errors.js';
