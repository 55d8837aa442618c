// UPDATE (RFC 4271 §4.3) with RFC 7606 revised error handling; End-of-RIB (RFC 4724 §2).
import { BgpError } from '../errors.js';
import { Afi, AttrFlag, AttrType, ErrorCode, IPV4_UNICAST, Safi, UpdateSubcode, familyKey } from '../iana.js';
import {
  ACTION_RANK,
  ATTRIBUTE_BY_CODE,
  type ErrorAction,
  MalformedAttribute,
  type PathAttribute,
  attributeLength,
  encodeAttribute,
} from './attributes/index.js';
import type { Negotiated } from './negotiated.js';
import { type Nlri, decodePrefixes, nlriLength, writeNlri } from './nlri.js';
import type { Reader } from './reader.js';
import type { Writer } from './writer.js';

export interface UpdateMessage {
  type: 'UPDATE';
  /** IPv4 unicast withdrawn routes (the Withdrawn Routes field). */
  withdrawn: Nlri[];
  /** Path attributes in wire order; malformed ones that RFC 7606 says to discard are left out. */
  attributes: PathAttribute[];
  /** IPv4 unicast NLRI (the NLRI field). */
  nlri: Nlri[];
  /** RFC 7606 problems found while decoding; absent when there were none. */
  problems?: AttributeProblem[];
}

/** A non-fatal attribute problem (RFC 7606): what was wrong and what to do about it. */
export interface AttributeProblem {
  action: Exclude<ErrorAction, 'session-reset'>;
  /** Attribute type code (0 when the attribute list itself was at fault). */
  attrType: number;
  /** The UPDATE Message Error subcode RFC 4271 would have sent. */
  subcode: number;
  reason: string;
}

/** The strongest RFC 7606 action an UPDATE calls for: 'none' when it is clean. */
export function updateAction(u: UpdateMessage): 'none' | AttributeProblem['action'] {
  let best: 'none' | AttributeProblem['action'] = 'none';
  for (const p of u.problems ?? []) if (best === 'none' || ACTION_RANK[p.action] > ACTION_RANK[best]) best = p.action;
  return best;
}

function attributeBytes(r: Reader, start: number, end: number): Uint8Array {
  return r.bytes.slice(start, Math.min(end, r.end));
}

/** Decode an UPDATE body in [r.pos, r.end). */
export function decodeUpdate(r: Reader, ctx: Negotiated): UpdateMessage {
  const fatal = (subcode: number, detail: string, data?: Uint8Array): BgpError =>
    new BgpError(ErrorCode.UPDATE_MESSAGE, subcode, data, detail);
  r.code = ErrorCode.UPDATE_MESSAGE;
  r.subcode = UpdateSubcode.MALFORMED_ATTRIBUTE_LIST;
  const addPath4 = ctx.addPath.has(IPV4_UNICAST);

  // RFC 4271 §6.3: both lengths are checked against the message before any prefix is parsed.
  const withdrawnLength = r.u16('Withdrawn Routes Length');
  if (withdrawnLength + 2 > r.remaining) {
    throw fatal(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, `Withdrawn Routes Length ${withdrawnLength} overruns the message`);
  }
  const attrLengthAt = r.pos + withdrawnLength;
  const attrLength = (r.bytes[attrLengthAt]! << 8) | r.bytes[attrLengthAt + 1]!;
  if (withdrawnLength + 2 + attrLength > r.remaining) {
    throw fatal(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, `Total Path Attribute Length ${attrLength} overruns the message`);
  }
  const withdrawn = decodePrefixes(r, attrLengthAt, Afi.IPV4, addPath4, ErrorCode.UPDATE_MESSAGE, UpdateSubcode.INVALID_NETWORK_FIELD);
  r.pos = attrLengthAt + 2;
  const attrEnd = r.pos + attrLength;
  const messageEnd = r.end;
  const attributes: PathAttribute[] = [];
  let problems: AttributeProblem[] | undefined;
  const problem = (action: AttributeProblem['action'], attrType: number, subcode: number, reason: string): void => {
    (problems ??= []).push({ action, attrType, subcode, reason });
  };
  const seen = new Uint8Array(256);
  const b = r.bytes;

  while (r.pos < attrEnd) {
    const start = r.pos;
    const left = attrEnd - start;
    const flags = b[start]!;
    const extended = (flags & AttrFlag.EXTENDED_LENGTH) !== 0;
    const header = extended ? 4 : 3;
    // RFC 7606 §4: too few octets for another attribute header -> treat-as-withdraw.
    if (left < header) {
      problem('treat-as-withdraw', 0, UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, `${left} trailing octets in the path attributes`);
      break;
    }
    const code = b[start + 1]!;
    const len = extended ? (b[start + 2]! << 8) | b[start + 3]! : b[start + 2]!;
    const valueStart = start + header;
    const valueEnd = valueStart + len;
    if (valueEnd > attrEnd) {
      // We cannot find the MP NLRI to withdraw, so an overrunning MP attribute resets the session.
      if (code === AttrType.MP_REACH_NLRI || code === AttrType.MP_UNREACH_NLRI) {
        throw fatal(UpdateSubcode.ATTRIBUTE_LENGTH_ERROR, `attribute ${code} length ${len} overruns the path attributes`, attributeBytes(r, start, valueEnd));
      }
      problem('treat-as-withdraw', code, UpdateSubcode.ATTRIBUTE_LENGTH_ERROR, `attribute ${code} length ${len} overruns the path attributes`);
      break;
    }
    r.pos = valueEnd;
    const codec = ATTRIBUTE_BY_CODE[code];
    if (seen[code]) {
      // RFC 7606 §3(g): a repeated MP attribute is fatal; any other repeat is dropped.
      if (code === AttrType.MP_REACH_NLRI || code === AttrType.MP_UNREACH_NLRI) {
        throw fatal(UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, `attribute ${code} appears more than once`);
      }
      problem('attribute-discard', code, UpdateSubcode.MALFORMED_ATTRIBUTE_LIST, `attribute ${code} appears more than once`);
      continue;
    }
    seen[code] = 1;
    if (!codec) {
      if (!(flags & AttrFlag.OPTIONAL)) {
        throw fatal(UpdateSubcode.UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE, `unrecognized well-known attribute ${code}`, attributeBytes(r, start, valueEnd));
      }
      attributes.push({ type: 'UNKNOWN', code, flags, data: b.slice(valueStart, valueEnd) });
      continue;
    }
    try {
      // RFC 7606 §3(c): Optional/Transitive bits in conflict with the definition -> malformed.
      if ((flags & 0xc0) !== (codec.flags & 0xc0)) {
        throw new MalformedAttribute(UpdateSubcode.ATTRIBUTE_FLAGS_ERROR, `${codec.type} flags 0x${flags.toString(16)}`);
      }
      r.pos = valueStart;
      r.end = valueEnd;
      r.subcode = UpdateSubcode.ATTRIBUTE_LENGTH_ERROR;
      const attr = codec.decode(r, len, flags, ctx);
      if (r.pos !== valueEnd) {
        throw new MalformedAttribute(UpdateSubcode.ATTRIBUTE_LENGTH_ERROR, `${codec.type}: ${valueEnd - r.pos} octets left over`);
      }
      if (ctx.external && (code === AttrType.LOCAL_PREF || code === AttrType.ORIGINATOR_ID || code === AttrType.CLUSTER_LIST)) {
        problem('attribute-discard', code, 0, `${codec.type} from an external peer`); // RFC 7606 §7.5, §7.9, §7.10
      } else {
        attributes.push(attr);
      }
    } catch (e) {
      if (e instanceof BgpError) throw e.withData(attributeBytes(r, start, valueEnd));
      if (!(e instanceof MalformedAttribute)) throw e;
      const action = e.action ?? codec.onError;
      if (action === 'session-reset') throw fatal(e.subcode, e.message, attributeBytes(r, start, valueEnd));
      problem(action, code, e.subcode, e.message);
    } finally {
      r.end = messageEnd;
      r.pos = valueEnd;
      r.subcode = UpdateSubcode.MALFORMED_ATTRIBUTE_LIST;
    }
  }
  r.pos = attrEnd;
  const nlri = decodePrefixes(r, r.end, Afi.IPV4, addPath4, ErrorCode.UPDATE_MESSAGE, UpdateSubcode.INVALID_NETWORK_FIELD);

  // RFC 7606 §3(d): a missing well-known mandatory attribute -> treat-as-withdraw.
  const reach = nlri.length > 0 || seen[AttrType.MP_REACH_NLRI] === 1;
  if (reach) {
    // RFC 8205 §4.1: with BGPsec negotiated, BGPsec_PATH stands in for AS_PATH.
    const securePath = ctx.bgpsec === true && seen[AttrType.BGPSEC_PATH] === 1;
    const required: number[] = securePath ? [AttrType.ORIGIN] : [AttrType.ORIGIN, AttrType.AS_PATH];
    if (nlri.length > 0) required.push(AttrType.NEXT_HOP);
    for (const code of required) {
      if (!seen[code]) problem('treat-as-withdraw', code, UpdateSubcode.MISSING_WELL_KNOWN_ATTRIBUTE, `missing well-known attribute ${code}`);
    }
  }
  const u: UpdateMessage = { type: 'UPDATE', withdrawn, attributes, nlri };
  if (problems) u.problems = problems;
  return u;
}

/** Length of the UPDATE body (header excluded). */
export function updateBodyLength(u: UpdateMessage, ctx: Negotiated): number {
  const addPath4 = ctx.addPath.has(IPV4_UNICAST);
  let n = 4 + nlriLength(u.withdrawn, addPath4) + nlriLength(u.nlri, addPath4);
  for (const a of u.attributes) n += attributeLength(a, ctx);
  return n;
}

export function encodeUpdate(w: Writer, u: UpdateMessage, ctx: Negotiated): void {
  const addPath4 = ctx.addPath.has(IPV4_UNICAST);
  const wAt = w.reserve(2);
  writeNlri(w, u.withdrawn, addPath4);
  w.patch(wAt, 2);
  const aAt = w.reserve(2);
  for (const a of u.attributes) encodeAttribute(w, a, ctx);
  w.patch(aAt, 2);
  writeNlri(w, u.nlri, addPath4);
}

/** The family (familyKey) this UPDATE is the End-of-RIB marker of, or undefined. */
export function endOfRibFamily(u: UpdateMessage): number | undefined {
  if (u.withdrawn.length || u.nlri.length) return undefined;
  if (u.attributes.length === 0) return familyKey(Afi.IPV4, Safi.UNICAST);
  const only = u.attributes.length === 1 ? u.attributes[0] : undefined;
  if (only?.type === 'MP_UNREACH_NLRI' && only.withdrawn.length === 0 && !only.opaque?.length) {
    return familyKey(only.afi, only.safi);
  }
  return undefined;
}

/** The End-of-RIB marker of a family. */
export function endOfRib(afi: number, safi: number): UpdateMessage {
  if (afi === Afi.IPV4 && safi === Safi.UNICAST) return { type: 'UPDATE', withdrawn: [], attributes: [], nlri: [] };
  return { type: 'UPDATE', withdrawn: [], attributes: [{ type: 'MP_UNREACH_NLRI', afi, safi, withdrawn: [] }], nlri: [] };
}
