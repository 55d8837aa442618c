// Address semantics through ip-num (special ranges, a prefix holding an address, overlapping prefixes), loaded by createRequire, never from the decode path.
import { createRequire } from 'node:module';
import type * as IpNum from 'ip-num';
import { Afi } from '../bgp/iana.js';

// Through ESM `import`, Node's CommonJS interop makes ip-num cost ~+23 MB RSS and ~+170 ms CPU at
// start; required directly it costs ~+2 MB and ~+35 ms (issue 12). The type import is erased.
const ipnum = createRequire(import.meta.url)('ip-num') as typeof IpNum;

type Cidr = IpNum.IPv4CidrRange | IpNum.IPv6CidrRange;

/** An address as the route validator holds it: its family and its network-order bytes. */
export interface AddressBytes {
  afi: number;
  bytes: Uint8Array;
}

/** A range of addresses with the reason an address in it is refused. */
export interface SpecialRange {
  cidr: Cidr;
  why: string;
}

const isV6 = (text: string): boolean => text.includes(':');

/** A prefix in canonical text ("100.64.0.0/10", "fe80::/10") as an ip-num range. */
export function cidrRange(prefix: string): Cidr {
  return isV6(prefix) ? ipnum.IPv6CidrRange.fromCidr(prefix) : ipnum.IPv4CidrRange.fromCidr(prefix);
}

/** The table of [prefix, reason] pairs as ranges, built once at load. */
export function specialRanges(entries: readonly (readonly [string, string])[]): readonly SpecialRange[] {
  return entries.map(([prefix, why]) => ({ cidr: cidrRange(prefix), why }));
}

function ipOf(a: AddressBytes): IpNum.IPv4 | IpNum.IPv6 {
  const n = a.bytes.reduce((v, x) => (v << 8n) | BigInt(x), 0n);
  return a.afi === Afi.IPV6 ? new ipnum.IPv6(n) : new ipnum.IPv4(n);
}

const sameFamily = (c: Cidr, a: AddressBytes): boolean => (c instanceof ipnum.IPv6CidrRange) === (a.afi === Afi.IPV6);

/** The reason of the first range holding the address, or null. */
export function rangeReason(table: readonly SpecialRange[], a: AddressBytes): string | null {
  const ip = ipOf(a);
  return table.find((r) => sameFamily(r.cidr, a) && r.cidr.contains(ip))?.why ?? null;
}

/** Whether the (canonical) prefix holds the address; false across families. */
export function prefixHolds(prefix: string, a: AddressBytes): boolean {
  const c = cidrRange(prefix);
  return sameFamily(c, a) && c.contains(ipOf(a));
}

/**
 * Whether two (canonical) prefixes share an address; false across families. Two CIDR prefixes
 * share one exactly when one holds the other (ip-num's isOverlapping says so in code, not in its doc).
 */
export function prefixesOverlap(a: string, b: string): boolean {
  if (isV6(a) !== isV6(b)) return false;
  const x = cidrRange(a).toRangeSet() as IpNum.RangedSet<IpNum.AbstractIPNum>;
  const y = cidrRange(b).toRangeSet() as IpNum.RangedSet<IpNum.AbstractIPNum>;
  return x.contains(y) || y.contains(x);
}
