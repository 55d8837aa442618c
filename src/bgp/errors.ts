// BgpError and the catalog of NOTIFICATION names: the one place where an error becomes a NOTIFICATION.
import { ErrorCode } from './iana.js';

/** A session-fatal protocol error: the session sends NOTIFICATION(code, subcode, data) and closes. */
export class BgpError extends Error {
  readonly code: number;
  readonly subcode: number;
  readonly data: Uint8Array;
  readonly detail: string | undefined;

  constructor(code: number, subcode: number, data: Uint8Array = EMPTY, detail?: string) {
    super(detail ? `${notificationName(code, subcode)}: ${detail}` : notificationName(code, subcode));
    this.name = 'BgpError';
    this.code = code;
    this.subcode = subcode;
    this.data = data;
    this.detail = detail;
  }

  /** The same error with `data` filled in where it was empty. */
  withData(data: Uint8Array): BgpError {
    return this.data.length ? this : new BgpError(this.code, this.subcode, data, this.detail);
  }
}

const EMPTY = new Uint8Array(0);

const CODE_NAMES: Readonly<Record<number, string>> = {
  1: 'Message Header Error',
  2: 'OPEN Message Error',
  3: 'UPDATE Message Error',
  4: 'Hold Timer Expired',
  5: 'Finite State Machine Error',
  6: 'Cease',
  7: 'ROUTE-REFRESH Message Error',
  8: 'Send Hold Timer Expired', // RFC 9687
};

const SUBCODE_NAMES: Readonly<Record<number, Readonly<Record<number, string>>>> = {
  1: {
    1: 'Connection Not Synchronized',
    2: 'Bad Message Length',
    3: 'Bad Message Type',
  },
  2: {
    0: 'Unspecific',
    1: 'Unsupported Version Number',
    2: 'Bad Peer AS',
    3: 'Bad BGP Identifier',
    4: 'Unsupported Optional Parameter',
    5: 'Authentication Failure (deprecated)',
    6: 'Unacceptable Hold Time',
    7: 'Unsupported Capability',
    8: 'Grouping Conflict (deprecated)',
    9: 'Grouping Required (deprecated)',
    10: 'Capability Value Mismatch (deprecated)',
    11: 'Role Mismatch',
  },
  3: {
    0: 'Unspecific',
    1: 'Malformed Attribute List',
    2: 'Unrecognized Well-known Attribute',
    3: 'Missing Well-known Attribute',
    4: 'Attribute Flags Error',
    5: 'Attribute Length Error',
    6: 'Invalid ORIGIN Attribute',
    7: 'AS Routing Loop (deprecated)',
    8: 'Invalid NEXT_HOP Attribute',
    9: 'Optional Attribute Error',
    10: 'Invalid Network Field',
    11: 'Malformed AS_PATH',
  },
  4: { 0: 'Unspecific' },
  5: {
    0: 'Unspecified Error',
    1: 'Receive Unexpected Message in OpenSent State',
    2: 'Receive Unexpected Message in OpenConfirm State',
    3: 'Receive Unexpected Message in Established State',
  },
  6: {
    0: 'Unspecific',
    1: 'Maximum Number of Prefixes Reached',
    2: 'Administrative Shutdown',
    3: 'Peer De-configured',
    4: 'Administrative Reset',
    5: 'Connection Rejected',
    6: 'Other Configuration Change',
    7: 'Connection Collision Resolution',
    8: 'Out of Resources',
    9: 'Hard Reset',
    10: 'BFD Down',
  },
  7: { 1: 'Invalid Message Length' },
  8: { 0: 'Unspecific' },
};

export function errorCodeName(code: number): string {
  return CODE_NAMES[code] ?? `Unknown Error Code ${code}`;
}

export function errorSubcodeName(code: number, subcode: number): string {
  return SUBCODE_NAMES[code]?.[subcode] ?? (subcode === 0 ? 'Unspecific' : `Unknown Subcode ${subcode}`);
}

/** "Cease / Administrative Shutdown" */
export function notificationName(code: number, subcode: number): string {
  return `${errorCodeName(code)} / ${errorSubcodeName(code, subcode)}`;
}

/** Whether (code, subcode) may carry an RFC 8203/9003 shutdown communication. */
export function carriesShutdownCommunication(code: number, subcode: number): boolean {
  return code === ErrorCode.CEASE && (subcode === 2 || subcode === 4);
}
