// The one route validator and formatter: config file, state file and control API all parse and print routes here.
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import { Afi } from '../bgp/iana.js';
import type { RouteSpec } from './local-routes.js';
import { formatIpv4, formatIpv6, formatPrefix, parseIpv4, parseIpv6, parsePrefix } from '../bgp/messages/nlri.js';
import { rangeReason, specialRanges } from './addresses.js';
import type { FamilyName } from '../config/types.js';

/** An address after parsing: its family, its bytes and its canonical text (RFC 5952 for IPv6). */
export interface ParsedAddress {
  afi: typeof Afi.IPV4 | typeof Afi.IPV6;
  bytes: Uint8Array;
  text: string;
}

/** Parse IPv4 or IPv6 address text; null when it is neither. */
export function parseAddress(text: string): ParsedAddress | null {
  const v4 = parseIpv4(text);
  if (v4 >= 0) {
    const bytes = new Uint8Array([v4 >>> 24, (v4 >>> 16) & 0xff, (v4 >>> 8) & 0xff, v4 & 0xff]);
    return { afi: Afi.IPV4, bytes, text: formatIpv4(bytes, 0) };
  }
  const v6 = text.includes(':') ? parseIpv6(text) : null;
  if (v6) return { afi: Afi.IPV6, bytes: v6, text: formatIpv6(v6, 0) };
  return null;
}

export function familyOfAfi(afi: number): FamilyName {
  return afi === Afi.IPV6 ? 'ipv6-unicast' : 'ipv4-unicast';
}

const familyWord = (afi: number): string => (afi === Afi.IPV6 ? 'IPv6' : 'IPv4');

// Addresses that can never be a peer or a next hop. Loopback stays allowed on purpose: the demo and
// the tests run whole topologies on 127.0.0.x. The ranges are ip-num ranges, built once at load.
const NOT_UNICAST = specialRanges([
  ['0.0.0.0/32', 'the unspecified address'],
  ['224.0.0.0/4', 'a multicast address (224.0.0.0/4)'],
  ['255.255.255.255/32', 'the broadcast address'],
  ['::/128', 'the unspecified address'],
  ['ff00::/8', 'a multicast address (ff00::/8)'],
]);

/** Why an address cannot be a unicast peer or next hop, or null when it can. */
export function notUnicastReason(a: ParsedAddress): string | null {
  return rangeReason(NOT_UNICAST, a);
}

// A next hop must be an address traffic can be sent to across the network: on top of the above,
// nothing that only this host or this link can reach (loopback, link-local), nothing reserved.
const BAD_NEXT_HOP = specialRanges([
  ['0.0.0.0/8', 'in 0.0.0.0/8 ("this network")'],
  ['127.0.0.0/8', 'a loopback address (127.0.0.0/8)'],
  ['169.254.0.0/16', 'a link-local address (169.254.0.0/16)'],
  ['224.0.0.0/4', 'a multicast address (224.0.0.0/4)'],
  ['255.255.255.255/32', 'the broadcast address'],
  ['240.0.0.0/4', 'a reserved class E address (240.0.0.0/4)'],
  ['::/128', 'the unspecified address'],
  ['::1/128', 'the loopback address'],
  ['fe80::/10', 'a link-local address (fe80::/10)'],
  ['ff00::/8', 'a multicast address (ff00::/8)'],
]);

/** Why an address cannot be the next hop of a route we announce, or null when it can. */
export function badNextHopReason(a: ParsedAddress): string | null {
  return rangeReason(BAD_NEXT_HOP, a);
}

// A session's own end: unicast, and nothing no packet can come from (0/8, class E); IPv6
// link-local needs a zone the config has no way to give. IPv4 link-local stays (cloud VPN tunnels
// peer on 169.254.x.x), and loopback (the tests).
const BAD_LOCAL_ADDRESS = specialRanges([
  ['0.0.0.0/8', 'in 0.0.0.0/8 ("this network")'],
  ['224.0.0.0/4', 'a multicast address (224.0.0.0/4)'],
  ['255.255.255.255/32', 'the broadcast address'],
  ['240.0.0.0/4', 'a reserved class E address (240.0.0.0/4)'],
  ['::/128', 'the unspecified address'],
  ['fe80::/10', 'an IPv6 link-local address (fe80::/10), which needs a zone tsbgp cannot be given'],
  ['ff00::/8', 'a multicast address (ff00::/8)'],
]);

/** Why an address cannot be a session's local-address, or null when it can. */
export function badLocalAddressReason(a: ParsedAddress): string | null {
  return rangeReason(BAD_LOCAL_ADDRESS, a);
}

/**
 * Canonical prefix text ("100.64.0.1/32", "2001:db8::/48"). Throws TsbgpError(BAD_PREFIX) when the
 * text is not a prefix or has host bits set (a typo there would announce a different network).
 */
export function parseRoutePrefix(text: string): { prefix: string; afi: number } {
  const bad = (why: string): TsbgpError => new TsbgpError(TsbgpErrorCode.BAD_PREFIX, why);
  const slash = text.indexOf('/');
  if (slash < 0) {
    const a = parseAddress(text);
    if (a) {
      const max = a.afi === Afi.IPV4 ? 32 : 128;
      throw bad(`"${text}" has no prefix length; expected address/length, e.g. ${a.text}/${max}`);
    }
    throw bad(`"${text}" is not a prefix; expected address/length, e.g. 100.64.0.1/32 or 2001:db8::/48`);
  }
  const addr = parseAddress(text.slice(0, slash));
  if (!addr) {
    throw bad(`"${text}" is not a prefix: "${text.slice(0, slash)}" is not an IPv4 or IPv6 address`);
  }
  const lenText = text.slice(slash + 1);
  const max = addr.afi === Afi.IPV4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(lenText) || Number(lenText) > max) {
    throw bad(`"${text}" has a bad prefix length "${lenText}"; expected 0..${max} for ${familyWord(addr.afi)}`);
  }
  const parsed = parsePrefix(`${addr.text}/${Number(lenText)}`);
  if (!parsed) throw bad(`"${text}" is not a prefix`);
  const canonical = formatPrefix(parsed);
  if (!parsed.bytes.every((b, i) => b === addr.bytes[i])) {
    throw bad(`${text} has host bits set; did you mean ${canonical}?`);
  }
  return { prefix: canonical, afi: parsed.afi };
}

/**
 * Canonical next-hop text. Throws TsbgpError(BAD_NEXT_HOP) when it is not an address, is not
 * unicast, or is not of the prefix's family (`afi`, when given).
 */
export function parseNextHop(text: string, afi?: number, prefix?: string): string {
  const bad = (why: string): TsbgpError => new TsbgpError(TsbgpErrorCode.BAD_NEXT_HOP, why);
  const a = parseAddress(text);
  if (!a) throw bad(`next hop "${text}" is not an IPv4 or IPv6 address`);
  const why = badNextHopReason(a);
  if (why) throw bad(`next hop ${a.text} is ${why}; expected a unicast address another host can forward to`);
  if (afi !== undefined && a.afi !== afi) {
    const what = prefix ?? `an ${familyWord(afi)} prefix`;
    throw bad(`next hop ${a.text} is ${familyWord(a.afi)} but ${what} is ${familyWord(afi)}; expected an ${familyWord(afi)} next hop`);
  }
  // A host route (the VIP) via its own address would point the traffic at itself. (A wider plain
  // route via an address inside it stays: a server network announced via its own router is common.)
  if (prefix !== undefined && (prefix === `${a.text}/32` || prefix === `${a.text}/128`)) {
    throw bad(`next hop ${a.text} is the address of ${prefix} itself; expected the address of the server behind it`);
  }
  return a.text;
}

/** Well-known communities by name: RFC 1997, RFC 3765 (no-peer), RFC 7999 (blackhole), RFC 8326 (graceful-shutdown). */
const WELL_KNOWN_COMMUNITIES: ReadonlyMap<string, number> = new Map([
  ['no-export', 0xffffff01],
  ['no-advertise', 0xffffff02],
  ['no-export-subconfed', 0xffffff03],
  ['no-peer', 0xffffff04],
  ['blackhole', 0xffff029a],
  ['graceful-shutdown', 0xffff0000],
]);

function decimal(text: string, max: number): number {
  if (!/^\d{1,10}$/.test(text)) return -1;
  const n = Number(text);
  return n <= max ? n : -1;
}

/** "65001:100" or no-export / no-advertise / no-export-subconfed -> the 32-bit community. */
export function parseCommunity(text: string): number {
  const known = WELL_KNOWN_COMMUNITIES.get(text);
  if (known !== undefined) return known;
  const parts = text.split(':');
  if (parts.length === 2) {
    const hi = decimal(parts[0]!, 0xffff);
    const lo = decimal(parts[1]!, 0xffff);
    if (hi >= 0 && lo >= 0) return ((hi << 16) | lo) >>> 0;
  }
  throw new TsbgpError(
    TsbgpErrorCode.BAD_ARGUMENT,
    `community "${text}" is not valid; expected A:B with A and B in 0..65535, or one of ${[...WELL_KNOWN_COMMUNITIES.keys()].join(', ')}`,
  );
}

/** "65001:1:2" -> [65001, 1, 2] (RFC 8092, each part 0..4294967295). */
export function parseLargeCommunity(text: string): [number, number, number] {
  const parts = text.split(':').map((p) => decimal(p, 0xffffffff));
  if (parts.length === 3 && parts.every((n) => n >= 0)) return [parts[0]!, parts[1]!, parts[2]!];
  throw new TsbgpError(
    TsbgpErrorCode.BAD_ARGUMENT,
    `large community "${text}" is not valid; expected A:B:C with each part in 0..4294967295`,
  );
}

/** The text parseCommunity reads back: a well-known name or "A:B". */
export function formatCommunity(n: number): string {
  for (const [name, v] of WELL_KNOWN_COMMUNITIES) if (v === n) return name;
  return `${n >>> 16}:${n & 0xffff}`;
}

export function formatLargeCommunity(c: readonly [number, number, number]): string {
  return c.join(':');
}

export const MED_MAX = 0xffffffff;
export const AS_PATH_PREPEND_MAX = 10;

/** An integer in [min, max], or TsbgpError(BAD_ARGUMENT) naming `what`. */
export function checkInteger(value: unknown, min: number, max: number, what: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) return value;
  const got = typeof value === 'number' ? String(value) : JSON.stringify(value);
  throw new TsbgpError(TsbgpErrorCode.BAD_ARGUMENT, `${what} ${got} is not valid; expected an integer ${min}..${max}`);
}

/** What a caller (config file, state file, bgpctl announce) states about a route, as text. */
export interface RouteInput {
  prefix: string;
  nextHop: string;
  med?: number;
  communities?: string[];
  largeCommunities?: string[];
  asPathPrepend?: number;
}

/**
 * Check a route and put it in canonical form. Throws TsbgpError with TSBGP_ERR_BAD_PREFIX,
 * TSBGP_ERR_BAD_NEXT_HOP or TSBGP_ERR_BAD_ARGUMENT and a message saying what was expected.
 */
export function validateRoute(input: RouteInput): RouteSpec {
  // The control API hands over parsed JSON: check the types the signature promises.
  if (typeof input.prefix !== 'string') throw new TsbgpError(TsbgpErrorCode.BAD_PREFIX, 'prefix must be a string, e.g. "100.64.0.1/32"');
  if (typeof input.nextHop !== 'string') throw new TsbgpError(TsbgpErrorCode.BAD_NEXT_HOP, 'next hop must be a string, e.g. "10.10.0.4"');
  const { prefix, afi } = parseRoutePrefix(input.prefix);
  const route: RouteSpec = { prefix, nextHop: parseNextHop(input.nextHop, afi, prefix) };
  if (input.med !== undefined) route.med = checkInteger(input.med, 0, MED_MAX, 'med');
  if (input.communities !== undefined) {
    route.communities = stringList(input.communities, 'communities', '"65001:100"').map(parseCommunity);
  }
  if (input.largeCommunities !== undefined) {
    route.largeCommunities = stringList(input.largeCommunities, 'large communities', '"65001:1:2"').map(parseLargeCommunity);
  }
  if (input.asPathPrepend !== undefined) {
    route.asPathPrepend = checkInteger(input.asPathPrepend, 0, AS_PATH_PREPEND_MAX, 'as-path-prepend');
  }
  return route;
}

function stringList(value: unknown, what: string, example: string): string[] {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new TsbgpError(TsbgpErrorCode.BAD_ARGUMENT, `${what} must be a list of strings, e.g. [${example}]`);
}
