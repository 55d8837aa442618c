// The 19-octet message header (RFC 4271 §4.1) and its checks (§6.1), shared by the framer and decoder.
import { BgpError } from '../errors.js';
import { ErrorCode, HEADER_LENGTH, HeaderSubcode, MAX_MESSAGE_LENGTH, MAX_EXTENDED_MESSAGE_LENGTH } from '../iana.js';

export interface Header {
  length: number;
  type: number;
}

export function maxMessageLength(extendedMessage: boolean): number {
  return extendedMessage ? MAX_EXTENDED_MESSAGE_LENGTH : MAX_MESSAGE_LENGTH;
}

function u16(n: number): Uint8Array {
  return new Uint8Array([n >>> 8, n & 0xff]);
}

/**
 * Check the header at `pos` (19 octets must be present): all-ones marker (1/1), length within
 * [19, max] (1/2, data = the length), a known type (1/3, data = the type).
 */
export function checkHeader(b: Uint8Array, pos: number, maxLength: number): Header {
  let marker = true;
  for (let i = 0; i < 16 && marker; i++) marker = b[pos + i] === 0xff;
  return checkHeaderFields(marker, (b[pos + 16]! << 8) | b[pos + 17]!, b[pos + 18]!, maxLength);
}

/** The same checks on fields read elsewhere (the framer reads a header that spans chunks in place). */
export function checkHeaderFields(markerAllOnes: boolean, length: number, type: number, maxLength: number): Header {
  if (!markerAllOnes) {
    throw new BgpError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.CONNECTION_NOT_SYNCHRONIZED, undefined, 'marker is not all ones');
  }
  if (length < HEADER_LENGTH || length > maxLength) {
    throw new BgpError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_LENGTH, u16(length), `length ${length}`);
  }
  if (type < 1 || type > 5) {
    throw new BgpError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_TYPE, new Uint8Array([type]), `type ${type}`);
  }
  return { length, type };
}

export function badLength(length: number, detail: string): BgpError {
  return new BgpError(ErrorCode.MESSAGE_HEADER, HeaderSubcode.BAD_MESSAGE_LENGTH, u16(length), detail);
}
