// NOTIFICATION (RFC 4271 §4.5) and the RFC 8203/9003 shutdown communication carried by Cease 2 and 4.
import { carriesShutdownCommunication } from '../errors.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

export interface NotificationMessage {
  type: 'NOTIFICATION';
  code: number;
  subcode: number;
  data: Uint8Array;
}

export function decodeNotification(r: Reader): NotificationMessage {
  const code = r.u8('error code');
  const subcode = r.u8('error subcode');
  return { type: 'NOTIFICATION', code, subcode, data: r.copy(r.remaining) };
}

export function encodeNotification(w: Writer, n: NotificationMessage): void {
  w.u8(n.code);
  w.u8(n.subcode);
  w.raw(n.data);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

/** RFC 9003 §2: at most 255 octets of UTF-8. */
export const MAX_SHUTDOWN_COMMUNICATION = 255;

export type ShutdownCommunication = { text: string } | { error: string };

/**
 * The shutdown communication of a Cease / Administrative Shutdown or Reset, checked as RFC 9003 §3
 * asks: a length octet that fits the data, and valid UTF-8. Undefined when there is none.
 */
export function shutdownCommunication(n: NotificationMessage): ShutdownCommunication | undefined {
  if (!carriesShutdownCommunication(n.code, n.subcode) || n.data.length === 0) return undefined;
  const len = n.data[0]!;
  if (len === 0) return undefined;
  if (len + 1 > n.data.length) return { error: `communication length ${len} exceeds the ${n.data.length - 1} octets present` };
  try {
    return { text: strictUtf8.decode(n.data.subarray(1, 1 + len)) };
  } catch {
    return { error: 'communication is not valid UTF-8' };
  }
}

/** A NOTIFICATION; for Cease 2/4 with a text, the text becomes the RFC 9003 communication. */
export function makeNotification(code: number, subcode: number, dataOrText?: Uint8Array | string): NotificationMessage {
  if (typeof dataOrText !== 'string') return { type: 'NOTIFICATION', code, subcode, data: dataOrText ?? new Uint8Array(0) };
  let bytes = encoder.encode(dataOrText);
  if (bytes.length > MAX_SHUTDOWN_COMMUNICATION) {
    // Cut at a character boundary: drop UTF-8 continuation octets (10xxxxxx) at the cut.
    let cut = MAX_SHUTDOWN_COMMUNICATION;
    while (cut > 0 && (bytes[cut]! & 0xc0) === 0x80) cut--;
    bytes = bytes.subarray(0, cut);
  }
  const data = new Uint8Array(bytes.length + 1);
  data[0] = bytes.length;
  data.set(bytes, 1);
  return { type: 'NOTIFICATION', code, subcode, data };
}
