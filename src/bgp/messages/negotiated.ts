// What an OPEN exchange agreed, as seen by the decoder/encoder of one direction of a session.
import { CapabilityCode, IPV4_UNICAST, familyKey } from '../iana.js';
import { type Capability, capabilityCode } from './capabilities/index.js';
import type { OpenMessage } from './open.js';
import { capabilitiesOf } from './open.js';

export interface Negotiated {
  /** Both sides advertised the 4-octet AS capability (RFC 6793): AS_PATH carries 4-octet ASNs. */
  readonly fourOctetAs: boolean;
  /** Both sides advertised Extended Message (RFC 8654): messages up to 65535 bytes. */
  readonly extendedMessage: boolean;
  /** Families (familyKey) whose NLRI carry an ADD-PATH identifier in this direction (RFC 7911). */
  readonly addPath: ReadonlySet<number>;
  /** Both sides support route refresh (RFC 2918). */
  readonly routeRefresh: boolean;
  /** Both sides support enhanced route refresh (RFC 7313). */
  readonly enhancedRouteRefresh: boolean;
  /** Families both sides advertised (IPv4 unicast alone when neither sent multiprotocol). */
  readonly families: ReadonlySet<number>;
  /** The sender may send ORF entries in ROUTE-REFRESH (RFC 5291 §4): some ORF type it sends and the receiver receives. */
  readonly orf?: boolean;
  /** The sender may send BGPsec_PATH (RFC 8205 §2.2): it sends and the receiver receives BGPsec version 0, with 4-octet AS. */
  readonly bgpsec?: boolean;
  /** The peer is external (eBGP): LOCAL_PREF, ORIGINATOR_ID, CLUSTER_LIST from it are discarded (RFC 7606 §7.5). */
  readonly external?: boolean;
}

/** Context before any OPEN was seen: 2-octet AS, 4096-byte messages, no ADD-PATH. */
export const DEFAULT_NEGOTIATED: Negotiated = {
  fourOctetAs: false,
  extendedMessage: false,
  addPath: new Set<number>(),
  routeRefresh: false,
  enhancedRouteRefresh: false,
  families: new Set<number>([IPV4_UNICAST]),
};

function familiesOf(caps: readonly Capability[]): Set<number> {
  const out = new Set<number>();
  for (const c of caps) if (c.type === 'MULTIPROTOCOL') out.add(familyKey(c.afi, c.safi));
  // RFC 4760 §8: a speaker without the capability is taken to support IPv4 unicast only.
  if (out.size === 0) out.add(IPV4_UNICAST);
  return out;
}

/** ADD-PATH send/receive bits per family (RFC 7911 §4: 1 = receive, 2 = send, 3 = both). */
function addPathModes(caps: readonly Capability[]): Map<number, number> {
  const out = new Map<number, number>();
  for (const c of caps) {
    if (c.type !== 'ADD_PATH') continue;
    for (const f of c.families) out.set(familyKey(f.afi, f.safi), f.sendReceive);
  }
  return out;
}

/** `family/orfType` keys whose ORF send/receive mode has `bit` (1 receive, 2 send). */
function orfModes(caps: readonly Capability[], bit: number): Set<string> {
  const out = new Set<string>();
  for (const c of caps) {
    if (c.type !== 'OUTBOUND_ROUTE_FILTERING') continue;
    for (const f of c.families) for (const o of f.orfs) if (o.sendReceive & bit) out.add(`${familyKey(f.afi, f.safi)}/${o.orfType}`);
  }
  return out;
}

/** AFIs for which a BGPsec version 0 capability says `send` (true) or receive (false). */
function bgpsecAfis(caps: readonly Capability[], send: boolean): Set<number> {
  const out = new Set<number>();
  for (const c of caps) if (c.type === 'BGPSEC' && c.version === 0 && c.send === send) out.add(c.afi);
  return out;
}

const overlaps = <T>(a: ReadonlySet<T>, b: ReadonlySet<T>): boolean => [...a].some((x) => b.has(x));

const has = (caps: readonly Capability[], code: number): boolean => caps.some((c) => capabilityCode(c) === code);

/**
 * The context for messages sent by `sender` to `receiver`, given the OPEN each of them sent.
 * ADD-PATH is directional: path identifiers appear where the sender may send and the receiver receive.
 */
export function negotiate(sender: OpenMessage, receiver: OpenMessage, external?: boolean): Negotiated {
  const s = capabilitiesOf(sender);
  const r = capabilitiesOf(receiver);
  const sFamilies = familiesOf(s);
  const families = new Set<number>();
  for (const f of familiesOf(r)) if (sFamilies.has(f)) families.add(f);
  const sModes = addPathModes(s);
  const rModes = addPathModes(r);
  const addPath = new Set<number>();
  for (const [family, mode] of sModes) {
    if (mode & 2 && (rModes.get(family) ?? 0) & 1) addPath.add(family);
  }
  const both = (code: number): boolean => has(s, code) && has(r, code);
  const fourOctetAs = both(CapabilityCode.FOUR_OCTET_AS);
  return {
    fourOctetAs,
    extendedMessage: both(CapabilityCode.EXTENDED_MESSAGE),
    addPath,
    routeRefresh: both(CapabilityCode.ROUTE_REFRESH),
    enhancedRouteRefresh: both(CapabilityCode.ENHANCED_ROUTE_REFRESH),
    families,
    orf: overlaps(orfModes(s, 2), orfModes(r, 1)),
    bgpsec: fourOctetAs && overlaps(bgpsecAfis(s, true), bgpsecAfis(r, false)),
    ...(external === undefined ? {} : { external }),
  };
}
