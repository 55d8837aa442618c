// Plain-JSON and one-line text descriptions of decoded messages (for bgpctl decode, logs and events).
import { notificationName } from '../errors.js';
import { AsPathSegmentType, familyName } from '../iana.js';
import { type AsPathSegment, type PathAttribute, formatCommunity, formatExtCommunity } from './attributes/index.js';
import { type Capability, capabilityCode } from './capabilities/index.js';
import type { BgpMessage } from './index.js';
import type { Nlri } from './nlri.js';
import { shutdownCommunication } from './notification.js';
import { speakerAs } from './open.js';
import { endOfRibFamily, type UpdateMessage } from './update.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const ORIGIN_NAMES = ['IGP', 'EGP', 'INCOMPLETE'];
const SEGMENT_NAMES: Record<number, string> = { 1: 'AS_SET', 2: 'AS_SEQUENCE', 3: 'AS_CONFED_SEQUENCE', 4: 'AS_CONFED_SET' };
const ROUTE_REFRESH_SUBTYPES: Record<number, string> = { 0: 'normal', 1: 'BoRR', 2: 'EoRR' };
const WHEN_TO_REFRESH: Record<number, string> = { 1: 'IMMEDIATE', 2: 'DEFER' }; // RFC 5291 §5

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += (x < 16 ? '0' : '') + x.toString(16);
  return s;
}

function nlriJson(list: readonly Nlri[]): Json[] {
  return list.map((n) => (n.pathId === undefined ? n.prefix : { prefix: n.prefix, pathId: n.pathId }));
}

function segmentsJson(segments: readonly AsPathSegment[]): Json[] {
  return segments.map((s) => ({ type: SEGMENT_NAMES[s.segmentType] ?? String(s.segmentType), asns: s.asns }));
}

/** "65001 65002 {65003,65004}" (confederation segments in parentheses / brackets). */
export function formatAsPath(segments: readonly AsPathSegment[]): string {
  return segments
    .map((s) => {
      const list = s.asns.join(s.segmentType === AsPathSegmentType.AS_SEQUENCE || s.segmentType === AsPathSegmentType.AS_CONFED_SEQUENCE ? ' ' : ',');
      switch (s.segmentType) {
        case AsPathSegmentType.AS_SET:
          return `{${list}}`;
        case AsPathSegmentType.AS_CONFED_SEQUENCE:
          return `(${list})`;
        case AsPathSegmentType.AS_CONFED_SET:
          return `[${list}]`;
        default:
          return list;
      }
    })
    .join(' ');
}

function attributeValue(a: PathAttribute): Json {
  switch (a.type) {
    case 'ORIGIN':
      return ORIGIN_NAMES[a.origin] ?? a.origin;
    case 'AS_PATH':
    case 'AS4_PATH':
      return segmentsJson(a.segments);
    case 'NEXT_HOP':
      return a.nextHop;
    case 'MULTI_EXIT_DISC':
      return a.med;
    case 'LOCAL_PREF':
      return a.localPref;
    case 'ATOMIC_AGGREGATE':
      return true;
    case 'AGGREGATOR':
    case 'AS4_AGGREGATOR':
      return { asn: a.asn, address: a.address };
    case 'COMMUNITIES':
      return a.communities.map(formatCommunity);
    case 'ORIGINATOR_ID':
      return a.originatorId;
    case 'CLUSTER_LIST':
      return a.clusterIds;
    case 'MP_REACH_NLRI':
      return a.opaque
        ? { family: familyName(a.afi, a.safi), afi: a.afi, safi: a.safi, opaque: toHex(a.opaque) }
        : { family: familyName(a.afi, a.safi), afi: a.afi, safi: a.safi, nextHops: a.nextHops, nlri: nlriJson(a.nlri) };
    case 'MP_UNREACH_NLRI':
      return a.opaque
        ? { family: familyName(a.afi, a.safi), afi: a.afi, safi: a.safi, opaque: toHex(a.opaque) }
        : { family: familyName(a.afi, a.safi), afi: a.afi, safi: a.safi, withdrawn: nlriJson(a.withdrawn) };
    case 'EXTENDED_COMMUNITIES':
      return a.communities.map(formatExtCommunity);
    case 'LARGE_COMMUNITY':
      return a.communities.map((c) => c.join(':'));
    case 'ONLY_TO_CUSTOMER':
      return a.asn;
    case 'BGPSEC_PATH':
      return {
        securePath: a.segments.map((s) => ({ ...s })),
        signatureBlocks: a.signatureBlocks.map((b) => ({
          algorithmSuite: b.algorithmSuite,
          signatures: b.signatures.map((s) => ({ ski: toHex(s.ski), signature: toHex(s.signature) })),
        })),
      };
    case 'UNKNOWN':
      return { flags: a.flags, data: toHex(a.data) };
    default: {
      const never: never = a;
      return String(never);
    }
  }
}

function attributeKey(a: PathAttribute): string {
  return a.type === 'UNKNOWN' ? `ATTR_${a.code}` : a.type;
}

function capabilityJson(c: Capability): Json {
  const code = capabilityCode(c);
  switch (c.type) {
    case 'MULTIPROTOCOL':
      return { code, name: c.type, family: familyName(c.afi, c.safi) };
    case 'ROUTE_REFRESH':
    case 'EXTENDED_MESSAGE':
    case 'ENHANCED_ROUTE_REFRESH':
      return { code, name: c.type };
    case 'EXTENDED_NEXT_HOP':
      return { code, name: c.type, entries: c.entries.map((e) => ({ family: familyName(e.afi, e.safi), nextHopAfi: e.nextHopAfi })) };
    case 'BGP_ROLE':
      return { code, name: c.type, role: c.role };
    case 'GRACEFUL_RESTART':
      return { code, name: c.type, flags: c.flags, restartTime: c.restartTime, families: c.families.map((f) => ({ family: familyName(f.afi, f.safi), flags: f.flags })) };
    case 'FOUR_OCTET_AS':
      return { code, name: c.type, asn: c.asn };
    case 'ADD_PATH':
      return { code, name: c.type, families: c.families.map((f) => ({ family: familyName(f.afi, f.safi), sendReceive: f.sendReceive })) };
    case 'LONG_LIVED_GRACEFUL_RESTART':
      return { code, name: c.type, families: c.families.map((f) => ({ family: familyName(f.afi, f.safi), flags: f.flags, staleTime: f.staleTime })) };
    case 'FQDN':
      return { code, name: c.type, hostname: c.hostname, domain: c.domain };
    case 'OUTBOUND_ROUTE_FILTERING':
      return { code, name: c.type, families: c.families.map((f) => ({ family: familyName(f.afi, f.safi), orfs: f.orfs.map((o) => ({ ...o })) })) };
    case 'BGPSEC':
      return { code, name: c.type, version: c.version, direction: c.send ? 'send' : 'receive', afi: c.afi };
    case 'UNKNOWN':
      return { code, name: `CAPABILITY_${c.code}`, data: toHex(c.data) };
    default: {
      const never: never = c;
      return String(never);
    }
  }
}

function updateJson(u: UpdateMessage): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  if (u.withdrawn.length) out.withdrawn = nlriJson(u.withdrawn);
  const attrs: { [key: string]: Json } = {};
  for (const a of u.attributes) attrs[attributeKey(a)] = attributeValue(a);
  if (u.attributes.length) out.attributes = attrs;
  if (u.nlri.length) out.nlri = nlriJson(u.nlri);
  const eor = endOfRibFamily(u);
  if (eor !== undefined) out.endOfRib = familyName(eor >> 8, eor & 0xff);
  if (u.problems) out.problems = u.problems.map((p) => ({ ...p }));
  return out;
}

/** The message's fields as plain JSON (type name first). */
export function describeMessage(m: BgpMessage): { [key: string]: Json } {
  switch (m.type) {
    case 'OPEN':
      return {
        type: m.type,
        version: m.version,
        myAs: m.myAs,
        asn: speakerAs(m),
        holdTime: m.holdTime,
        bgpId: m.bgpId,
        capabilities: m.capabilities.map(capabilityJson),
      };
    case 'UPDATE':
      return { type: m.type, ...updateJson(m) };
    case 'NOTIFICATION': {
      const out: { [key: string]: Json } = { type: m.type, code: m.code, subcode: m.subcode, name: notificationName(m.code, m.subcode) };
      const comm = shutdownCommunication(m);
      if (comm && 'text' in comm) out.communication = comm.text;
      else if (comm) out.communicationError = comm.error;
      if (m.data.length) out.data = toHex(m.data);
      return out;
    }
    case 'KEEPALIVE':
      return { type: m.type };
    case 'ROUTE_REFRESH': {
      const out: { [key: string]: Json } = { type: m.type, family: familyName(m.afi, m.safi), subtype: ROUTE_REFRESH_SUBTYPES[m.subtype] ?? m.subtype };
      if (m.orf) {
        out.whenToRefresh = WHEN_TO_REFRESH[m.orf.whenToRefresh] ?? m.orf.whenToRefresh;
        out.orfs = m.orf.groups.map((g) => ({ orfType: g.orfType, entries: toHex(g.entries) }));
      }
      return out;
    }
    default: {
      const never: never = m;
      return { type: String(never) };
    }
  }
}

function updateText(u: UpdateMessage): string {
  const parts: string[] = [];
  const eor = endOfRibFamily(u);
  if (eor !== undefined) return `End-of-RIB ${familyName(eor >> 8, eor & 0xff)}`;
  const nl = (l: readonly Nlri[]): string => l.map((n) => (n.pathId === undefined ? n.prefix : `${n.prefix}#${n.pathId}`)).join(' ');
  if (u.withdrawn.length) parts.push(`withdraw ${nl(u.withdrawn)}`);
  if (u.nlri.length) parts.push(`announce ${nl(u.nlri)}`);
  for (const a of u.attributes) {
    switch (a.type) {
      case 'ORIGIN':
        parts.push(`origin ${ORIGIN_NAMES[a.origin] ?? a.origin}`);
        break;
      case 'AS_PATH':
        parts.push(`as-path [${formatAsPath(a.segments)}]`);
        break;
      case 'AS4_PATH':
        parts.push(`as4-path [${formatAsPath(a.segments)}]`);
        break;
      case 'NEXT_HOP':
        parts.push(`next-hop ${a.nextHop}`);
        break;
      case 'MP_REACH_NLRI':
        parts.push(
          a.opaque
            ? `mp-reach ${familyName(a.afi, a.safi)} (${a.opaque.length} octets)`
            : `mp-reach ${familyName(a.afi, a.safi)} next-hop ${a.nextHops.join(',')} announce ${nl(a.nlri)}`,
        );
        break;
      case 'MP_UNREACH_NLRI':
        parts.push(a.opaque ? `mp-unreach ${familyName(a.afi, a.safi)}` : `mp-unreach ${familyName(a.afi, a.safi)} withdraw ${nl(a.withdrawn)}`);
        break;
      default: {
        const v = attributeValue(a);
        parts.push(`${attributeKey(a).toLowerCase()} ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
      }
    }
  }
  for (const p of u.problems ?? []) parts.push(`!${p.action}(${p.reason})`);
  return parts.join(' ');
}

/** One line: the message's gist, as an operator reads it. */
export function messageText(m: BgpMessage): string {
  switch (m.type) {
    case 'OPEN': {
      const caps = m.capabilities.map((c) => {
        const j = capabilityJson(c) as { name: string; family?: string; asn?: number };
        return j.family ? `${j.name}(${j.family})` : j.asn !== undefined ? `${j.name}(${j.asn})` : j.name;
      });
      return `OPEN as ${speakerAs(m)} hold ${m.holdTime} id ${m.bgpId} caps ${caps.join(' ')}`;
    }
    case 'UPDATE':
      return `UPDATE ${updateText(m)}`;
    case 'NOTIFICATION': {
      const comm = shutdownCommunication(m);
      const text = comm && 'text' in comm ? ` "${comm.text}"` : '';
      return `NOTIFICATION ${m.code}/${m.subcode} ${notificationName(m.code, m.subcode)}${text}`;
    }
    case 'KEEPALIVE':
      return 'KEEPALIVE';
    case 'ROUTE_REFRESH':
      return `ROUTE-REFRESH ${familyName(m.afi, m.safi)} ${ROUTE_REFRESH_SUBTYPES[m.subtype] ?? m.subtype}`;
    default: {
      const never: never = m;
      return String(never);
    }
  }
}
