// ExaBGP's JSON events (exabgp/reactor/api/response/json.py, API version 4.0.1): neighbor state, received UPDATEs, notifications, shutdown; one line each.
import { Afi, AttrType, Safi } from '../bgp/iana.js';
import { ATTRIBUTE_BY_NAME, type AsPathSegment, DEFAULT_NEGOTIATED, type PathAttribute, type UpdateMessage, Writer, endOfRibFamily, mergeAs4Path } from '../bgp/messages/index.js';

/** ExaBGP's `exabgp.version.json`: what scripts check in the `exabgp` field. */
export const EXABGP_JSON_VERSION = '4.0.1';

/** A neighbor as ExaBGP's events name it. */
export interface ExaNeighbor {
  localAddress: string;
  peerAddress: string;
  localAs: number;
  peerAs: number;
}

/** What the header says about the speaker: ExaBGP puts its host name, pid and parent's pid in every event. */
export interface ExaHost {
  host: string;
  pid: number;
  ppid: number;
  /** Wall-clock milliseconds (the event's `time`, in seconds). */
  wallMs: () => number;
}

const str = (s: string): string => JSON.stringify(s);

const ORIGIN = ['igp', 'egp', 'incomplete'] as const;

/** Encodes events for programs with `encoder: json`; keeps ExaBGP's per-neighbor `counter`. */
export class ExaJsonEncoder {
  private readonly counters = new Map<string, number>();

  constructor(private readonly host: ExaHost) {}

  private header(type: string, body: string, neighbor?: ExaNeighbor): string {
    let counter = '';
    if (neighbor) {
      const n = (this.counters.get(neighbor.peerAddress) ?? 0) + 1;
      this.counters.set(neighbor.peerAddress, n);
      counter = `"counter": ${n}, `;
    }
    const h = this.host;
    return `{ "exabgp": "${EXABGP_JSON_VERSION}", "time": ${h.wallMs() / 1000}, "host": ${str(h.host)}, "pid": ${h.pid}, "ppid": ${h.ppid}, ${counter}"type": "${type}", ${body} }`;
  }

  private neighbor(n: ExaNeighbor, direction: string | undefined, content: string): string {
    return `"neighbor": { "address": { "local": ${str(n.localAddress)}, "peer": ${str(n.peerAddress)} }, "asn": { "local": ${n.localAs}, "peer": ${n.peerAs} }${direction ? `, "direction": "${direction}"` : ''}${content ? `, ${content}` : ''} }`;
  }

  /** `up` (Established), `connected` (TCP up, OPEN on its way), `down` with the reason. */
  state(n: ExaNeighbor, state: 'up' | 'connected' | 'down', reason = ''): string {
    // json.py escapes brackets in the reason ("an horrible hack"), so that its own parser reads it as a string.
    const r = state === 'down' ? `, "reason": ${str(reason.replace(/[[{]/g, '(').replace(/[\]}]/g, ')'))}` : '';
    return this.header('state', this.neighbor(n, undefined, `"state": "${state}"${r}`), n);
  }

  /** A NOTIFICATION sent to or received from the neighbor; `dataHex` as on the wire (may be empty). */
  notification(n: ExaNeighbor, direction: 'send' | 'receive', code: number, subcode: number, dataHex = ''): string {
    return this.header('notification', this.neighbor(n, direction, `"notification": { "code": ${code}, "subcode": ${subcode}, "data": ${str(dataHex)} }`), n);
  }

  /** What ExaBGP writes to every program when it stops. */
  shutdown(): string {
    return this.header('notification', '"notification": "shutdown"');
  }

  /** A received UPDATE: attributes, announce by family and next hop, withdraw by family; End-of-RIB as `eor`. */
  update(n: ExaNeighbor, u: UpdateMessage, direction: 'receive' | 'send' = 'receive'): string {
    return this.header('update', this.neighbor(n, direction, `"message": { ${updateBody(u)} }`), n);
  }
}

/** The `message` content of an UPDATE, as json.py's _update writes it. */
export function updateBody(u: UpdateMessage): string {
  const eor = endOfRibFamily(u);
  if (eor !== undefined) return `"eor": { "afi" : "${afiName(eor >> 8)}", "safi" : "${safiName(eor & 0xff)}" }`;
  // family -> next hop -> prefixes, in the order they came.
  const announce = new Map<string, Map<string, string[]>>();
  const withdraw = new Map<string, string[]>();
  const add = (family: string, nextHop: string, nlri: string): void => {
    const byHop = announce.get(family) ?? new Map<string, string[]>();
    announce.set(family, byHop);
    byHop.set(nextHop, [...(byHop.get(nextHop) ?? []), nlri]);
  };
  const remove = (family: string, nlri: string): void => void withdraw.set(family, [...(withdraw.get(family) ?? []), nlri]);
  const nextHop = u.attributes.find((a) => a.type === 'NEXT_HOP');
  for (const r of u.withdrawn) remove('ipv4 unicast', nlriJson(r.prefix, r.pathId));
  for (const a of u.attributes) {
    if (a.type === 'MP_UNREACH_NLRI') for (const r of a.withdrawn) remove(familyName(a.afi, a.safi), nlriJson(r.prefix, r.pathId));
  }
  for (const a of u.attributes) {
    if (a.type === 'MP_REACH_NLRI') for (const r of a.nlri) add(familyName(a.afi, a.safi), a.nextHops[0] ?? 'null', nlriJson(r.prefix, r.pathId));
  }
  for (const r of u.nlri) add('ipv4 unicast', nextHop?.type === 'NEXT_HOP' ? nextHop.nextHop : 'null', nlriJson(r.prefix, r.pathId));
  const parts: string[] = [];
  const attributes = attributesJson(u.attributes);
  if (attributes) parts.push(`"attribute": { ${attributes} }`);
  if (announce.size) {
    const families = [...announce].map(([f, byHop]) => `${str(f)}: { ${[...byHop].map(([hop, list]) => `${str(hop)}: [ ${list.join(', ')} ]`).join(', ')} }`);
    parts.push(`"announce": { ${families.join(', ')} }`);
  }
  if (withdraw.size) parts.push(`"withdraw": { ${[...withdraw].map(([f, list]) => `${str(f)}: [ ${list.join(', ')} ]`).join(', ')} }`);
  return `"update": { ${parts.join(', ')} }`;
}

function nlriJson(prefix: string, pathId: number | undefined): string {
  if (pathId === undefined) return `{ "nlri": ${str(prefix)} }`;
  const id = [pathId >>> 24, (pathId >>> 16) & 255, (pathId >>> 8) & 255, pathId & 255].join('.');
  return `{ "nlri": ${str(prefix)}, "path-information": "${id}" }`;
}

/** ExaBGP's names of the families tsbgp decodes; others by number. */
const afiName = (afi: number): string => (afi === Afi.IPV4 ? 'ipv4' : afi === Afi.IPV6 ? 'ipv6' : String(afi));
const safiName = (safi: number): string => (safi === Safi.UNICAST ? 'unicast' : safi === Safi.MULTICAST ? 'multicast' : String(safi));
const familyName = (afi: number, safi: number): string => `${afiName(afi)} ${safiName(safi)}`;

/** The AS path ExaBGP shows: AS4_PATH merged in (RFC 6793), its segments split by kind. */
function asPathParts(segments: readonly AsPathSegment[]): string[] {
  const of = (t: number): number[] => segments.filter((s) => s.segmentType === t).flatMap((s) => s.asns);
  const list = (xs: number[]): string => `[ ${xs.join(', ')} ]`;
  const out = [`"as-path": ${of(2).length ? list(of(2)) : '[]'}`];
  if (of(1).length) out.push(`"as-set": ${list(of(1))}`);
  out.push(`"confederation-path": ${of(3).length ? list(of(3)) : '[]'}`);
  if (of(4).length) out.push(`"confederation-set": ${list(of(4))}`);
  return out;
}

/** Attribute code for ExaBGP's ordering (it writes them sorted by type code); an unknown attribute sorts by its own. */
const CODE: Readonly<Record<PathAttribute['type'], number>> = { ...AttrType, UNKNOWN: 0 };

const codeOf = (a: PathAttribute): number => (a.type === 'UNKNOWN' ? a.code : CODE[a.type]);

/** json.py's Attributes.json(): sorted by code; the next hop and MP_* go with the NLRI; AS4_* merged as ExaBGP does. */
function attributesJson(attrs: readonly PathAttribute[]): string {
  const as4Aggregator = attrs.find((a) => a.type === 'AS4_AGGREGATOR');
  const out: string[] = [];
  for (const a of [...attrs].sort((x, y) => codeOf(x) - codeOf(y))) {
    switch (a.type) {
      case 'ORIGIN':
        out.push(`"origin": "${ORIGIN[a.origin] ?? a.origin}"`);
        break;
      case 'AS_PATH':
        out.push(...asPathParts(mergeAs4Path(attrs)));
        break;
      case 'MULTI_EXIT_DISC':
        out.push(`"med": ${a.med}`);
        break;
      case 'LOCAL_PREF':
        out.push(`"local-preference": ${a.localPref}`);
        break;
      case 'ATOMIC_AGGREGATE':
        out.push('"atomic-aggregate": true');
        break;
      case 'AGGREGATOR': {
        // With AS4_AGGREGATOR (a 2-octet session), ExaBGP shows the 4-octet one in its place.
        const agg = as4Aggregator && as4Aggregator.type === 'AS4_AGGREGATOR' ? as4Aggregator : a;
        out.push(`"aggregator": "${agg.asn}:${agg.address}"`);
        break;
      }
      case 'COMMUNITIES':
        out.push(`"community": [ ${a.communities.map((c) => `[ ${c >>> 16}, ${c & 0xffff} ]`).join(', ')} ]`);
        break;
      case 'ORIGINATOR_ID':
        out.push(`"originator-id": "${a.originatorId}"`);
        break;
      case 'CLUSTER_LIST':
        out.push(`"cluster-list": [ ${a.clusterIds.map(str).join(', ')} ]`);
        break;
      case 'EXTENDED_COMMUNITIES':
        out.push(`"extended-community": [ ${a.communities.map((hex) => `{ "value": ${BigInt(`0x${hex}`)}, "string": ${str(extendedText(hex))} }`).join(', ')} ]`);
        break;
      case 'LARGE_COMMUNITY':
        out.push(`"large-community": [ ${a.communities.map((c) => `[ ${c.join(', ')} ]`).join(', ')} ]`);
        break;
      case 'AS4_AGGREGATOR':
        if (!attrs.some((x) => x.type === 'AGGREGATOR')) out.push(`"aggregator": "${a.asn}:${a.address}"`);
        break;
      case 'ONLY_TO_CUSTOMER':
        // ExaBGP 4.2 knows no OTC (RFC 9234): it shows it as an unknown attribute.
        out.push(`"attribute-0x23-0x${(a.flags ?? 0xc0).toString(16).toUpperCase().padStart(2, '0')}": "0x${(a.asn >>> 0).toString(16).padStart(8, '0')}"`);
        break;
      case 'BGPSEC_PATH': {
        // ExaBGP 4.2 does not decode BGPsec_PATH (RFC 8205): it shows it as an unknown attribute.
        const codec = ATTRIBUTE_BY_NAME.BGPSEC_PATH;
        const w = new Writer(codec.length(a, DEFAULT_NEGOTIATED));
        codec.encode(w, a, DEFAULT_NEGOTIATED);
        out.push(`"attribute-0x21-0x${hex2(a.flags ?? codec.flags)}": "0x${Buffer.from(w.bytes).toString('hex')}"`);
        break;
      }
      case 'UNKNOWN':
        out.push(`"attribute-0x${hex2(a.code)}-0x${hex2(a.flags)}": "0x${Buffer.from(a.data).toString('hex')}"`);
        break;
      case 'NEXT_HOP':
      case 'MP_REACH_NLRI':
      case 'MP_UNREACH_NLRI':
      case 'AS4_PATH':
        break;
      default: {
        const never: never = a;
        throw new Error(`unhandled attribute ${(never as PathAttribute).type}`);
      }
    }
  }
  return out.join(', ');
}

const hex2 = (n: number): string => n.toString(16).toUpperCase().padStart(2, '0');

/**
 * The `string` ExaBGP 4.2 gives an extended community: route targets as RFC 4360 §4 writes them;
 * route origins as its origin.py prints them (the 2-octet AS one with its 4 value octets as an
 * address, the IPv4 one number first), kept so that a script's parsing does not change; "" for a
 * type it does not know.
 */
function extendedText(hex: string): string {
  const type = parseInt(hex.slice(0, 2), 16) & 0x3f;
  const sub = parseInt(hex.slice(2, 4), 16);
  const num = (from: number, to: number): number => parseInt(hex.slice(from, to), 16);
  const ip = (from: number): string => [0, 2, 4, 6].map((i) => num(from + i, from + i + 2)).join('.');
  if (sub === 0x02 && type === 0x00) return `target:${num(4, 8)}:${num(8, 16)}`;
  if (sub === 0x02 && type === 0x01) return `target:${ip(4)}:${num(12, 16)}`;
  if (sub === 0x02 && type === 0x02) return `target:${num(4, 12)}L:${num(12, 16)}`;
  if (sub === 0x03 && type === 0x00) return `origin:${num(4, 8)}:${ip(8)}`;
  if (sub === 0x03 && type === 0x01) return `origin:${num(12, 16)}:${ip(4)}`;
  if (sub === 0x03 && type === 0x02) return `origin:${num(4, 12)}L:${num(12, 16)}`;
  return '';
}
