// OPEN (RFC 4271 §4.2) with Capabilities optional parameters (RFC 5492) and RFC 9072 extended lengths.
import { BgpError } from '../errors.js';
import { AS_TRANS, ErrorCode, OpenSubcode, OptParamType } from '../iana.js';
import {
  type Capability,
  capabilityLength,
  decodeCapability,
  encodeCapability,
} from './capabilities/index.js';
import { formatIpv4, parseIpv4 } from './nlri.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

export interface OpenMessage {
  type: 'OPEN';
  version: number;
  /** The 2-octet My Autonomous System field (AS_TRANS when the real AS needs 4 octets). */
  myAs: number;
  holdTime: number;
  bgpId: string;
  capabilities: Capability[];
  /**
   * How many capabilities each Capabilities optional parameter carried, as received (some speakers
   * send one parameter per capability, others one for all). Absent: one parameter for all.
   */
  paramGroups?: number[];
  /** The optional parameters used the RFC 9072 extended length encoding. */
  extendedParams?: boolean;
}

export function capabilitiesOf(open: OpenMessage): readonly Capability[] {
  return open.capabilities;
}

/** The speaker's real AS: from the 4-octet AS capability when present (RFC 6793 §4.1). */
export function speakerAs(open: OpenMessage): number {
  for (const c of open.capabilities) if (c.type === 'FOUR_OCTET_AS') return c.asn;
  return open.myAs;
}

/** An OPEN for `asn`; the 4-octet AS capability is added when missing. */
export function makeOpen(o: { asn: number; holdTime: number; bgpId: string; capabilities: Capability[] }): OpenMessage {
  const caps = o.capabilities.some((c) => c.type === 'FOUR_OCTET_AS')
    ? o.capabilities
    : [...o.capabilities, { type: 'FOUR_OCTET_AS' as const, asn: o.asn }];
  return {
    type: 'OPEN',
    version: 4,
    myAs: o.asn > 0xffff ? AS_TRANS : o.asn,
    holdTime: o.holdTime,
    bgpId: o.bgpId,
    capabilities: caps,
  };
}

const openError = (subcode: number, detail: string, data?: Uint8Array): BgpError =>
  new BgpError(ErrorCode.OPEN_MESSAGE, subcode, data, detail);

/** Decode an OPEN body in [r.pos, r.end). */
export function decodeOpen(r: Reader): OpenMessage {
  r.code = ErrorCode.OPEN_MESSAGE;
  r.subcode = OpenSubcode.UNSPECIFIC;
  const version = r.u8('version');
  if (version !== 4) {
    // RFC 4271 §6.2: data = the largest version we support.
    throw openError(OpenSubcode.UNSUPPORTED_VERSION_NUMBER, `version ${version}`, new Uint8Array([0, 4]));
  }
  const myAs = r.u16('My Autonomous System');
  const holdTime = r.u16('Hold Time');
  if (holdTime === 1 || holdTime === 2) throw openError(OpenSubcode.UNACCEPTABLE_HOLD_TIME, `hold time ${holdTime}`);
  const id = r.u32('BGP Identifier');
  // RFC 6286 §2.2: any non-zero 4 octets.
  if (id === 0) throw openError(OpenSubcode.BAD_BGP_IDENTIFIER, 'BGP Identifier 0.0.0.0');
  const bgpId = formatIpv4(r.bytes, r.pos - 4);
  let optLen = r.u8('Optional Parameters Length');
  let extendedParams = false;
  // RFC 9072 §2: Non-Ext OP Len 255 followed by Non-Ext OP Type 255 announces 2-octet lengths.
  if (optLen === 255 && r.remaining >= 1 && r.bytes[r.pos] === OptParamType.EXTENDED_LENGTH) {
    r.pos++;
    optLen = r.u16('Extended Optional Parameters Length');
    extendedParams = true;
  }
  if (optLen !== r.remaining) {
    throw openError(OpenSubcode.UNSPECIFIC, `Optional Parameters Length ${optLen}, ${r.remaining} octets follow`);
  }
  const capabilities: Capability[] = [];
  const paramGroups: number[] = [];
  while (r.remaining > 0) {
    const paramType = r.u8('parameter type');
    const paramLen = extendedParams ? r.u16('parameter length') : r.u8('parameter length');
    r.need(paramLen, 'parameter value');
    if (paramType !== OptParamType.CAPABILITIES) {
      throw openError(OpenSubcode.UNSUPPORTED_OPTIONAL_PARAMETER, `optional parameter type ${paramType}`);
    }
    const end = r.pos + paramLen;
    const outerEnd = r.end;
    r.end = end;
    let n = 0;
    while (r.pos < end) {
      capabilities.push(decodeCapability(r));
      n++;
    }
    r.end = outerEnd;
    paramGroups.push(n);
  }
  const open: OpenMessage = { type: 'OPEN', version, myAs, holdTime, bgpId, capabilities };
  if (paramGroups.length > 1 || (paramGroups.length === 1 && paramGroups[0] === 0)) open.paramGroups = paramGroups;
  if (extendedParams) open.extendedParams = true;
  return open;
}

/** The capabilities split into optional parameters, per `paramGroups` when it fits. */
function groups(open: OpenMessage): Capability[][] {
  const caps = open.capabilities;
  const g = open.paramGroups;
  if (g && g.reduce((a, b) => a + b, 0) === caps.length) {
    const out: Capability[][] = [];
    let at = 0;
    for (const n of g) {
      out.push(caps.slice(at, at + n));
      at += n;
    }
    return out;
  }
  return caps.length ? [caps] : [];
}

function paramsLength(open: OpenMessage, extended: boolean): number {
  let n = 0;
  for (const g of groups(open)) {
    n += extended ? 3 : 2;
    for (const c of g) n += capabilityLength(c);
  }
  return n;
}

/** Whether the parameters need RFC 9072 encoding (asked for, or too long for one octet). */
function useExtended(open: OpenMessage): boolean {
  if (open.extendedParams) return true;
  if (paramsLength(open, false) > 255) return true;
  return groups(open).some((g) => g.reduce((a, c) => a + capabilityLength(c), 0) > 255);
}

export function openBodyLength(open: OpenMessage): number {
  const ext = useExtended(open);
  return 10 + (ext ? 3 : 0) + paramsLength(open, ext);
}

export function encodeOpen(w: Writer, open: OpenMessage): void {
  const ext = useExtended(open);
  w.u8(open.version);
  w.u16(open.myAs);
  w.u16(open.holdTime);
  const id = parseIpv4(open.bgpId);
  if (id < 0) throw new TypeError(`BGP identifier is not a dotted quad: ${open.bgpId}`);
  w.u32(id);
  if (ext) {
    w.u8(255);
    w.u8(OptParamType.EXTENDED_LENGTH);
    w.u16(paramsLength(open, true));
  } else {
    w.u8(paramsLength(open, false));
  }
  for (const g of groups(open)) {
    w.u8(OptParamType.CAPABILITIES);
    const at = w.reserve(ext ? 2 : 1);
    for (const c of g) encodeCapability(w, c);
    w.patch(at, ext ? 2 : 1);
  }
}
