// The azure-route-server neighbor profile: Azure Route Server's documented rules (../shared/AZURE.md), checked when the file is read.
import { isScalar } from 'yaml';
import type { NeighborConfig } from '../types.js';
import { type Checker, type Entry, closest, describe } from '../yaml-checker.js';

export const AZURE_ROUTE_SERVER = 'azure-route-server';
export const PROFILES = [AZURE_ROUTE_SERVER] as const;

/** Azure Route Server's own AS: every instance, always. */
export const AZURE_AS = 65515;
/** "At most 1,000 routes per peer (4,000 by support request)". */
export const AZURE_MAX_ROUTES_DEFAULT = 1000;
export const AZURE_MAX_ROUTES_MOST = 4000;

/** ASNs Azure refuses for a peer (Route Server FAQ), as inclusive ranges. */
const RESERVED: readonly (readonly [number, number])[] = [
  [8074, 8075],
  [12076, 12076],
  [23456, 23456],
  [64496, 64511],
  [65515, 65515],
  [65517, 65520],
  [65535, 65551],
];
const RESERVED_TEXT = '8074, 8075, 12076, 65515, 65517-65520, 23456, 64496-64511, 65535-65551';

/** Where a neighbor's profile-relevant keys are in the file, for problems found after the neighbor was read. */
export interface NeighborEntries {
  item: Entry;
  profile?: Entry;
  maxRoutesOut?: Entry;
}

const rule = (name: string): string => `${AZURE_ROUTE_SERVER} rule "${name}"`;

export function readProfile(c: Checker, e: Entry): NeighborConfig['profile'] {
  const v = isScalar(e.value) ? e.value.value : undefined;
  const p = PROFILES.find((x) => x === v);
  if (p) return p;
  const guess = typeof v === 'string' ? closest(v, PROFILES) : undefined;
  c.bad(e, `${describe(e.value)} is not a profile; ${guess ? `did you mean ${guess}? ` : ''}expected ${PROFILES.join(' or ')}`);
  return undefined;
}

/** Azure Route Server is AS 65515: a remote-as under the profile can only say so. */
export function checkAzureRemoteAs(c: Checker, e: Entry, remoteAs: number): void {
  if (remoteAs !== AZURE_AS) c.bad(e, `${rule('remote AS 65515')}: Azure Route Server is always AS ${AZURE_AS}, not ${remoteAs} (remote-as may be left out under this profile)`);
}

/** "IPv6: not supported; a route server in a VNet with IPv6 address space breaks IPv6 there." */
export function checkAzureFamily(c: Checker, item: { path: string; node: Entry['value'] }, family: string): boolean {
  if (family !== 'ipv6-unicast') return true;
  c.add(item.path, item.node, `${rule('IPv4 only')}: Azure Route Server does not support IPv6, and breaks IPv6 in a VNet with IPv6 address space; remove ipv6-unicast`);
  return false;
}

/** "At most 1,000 routes per peer (4,000 by support request)". */
export function checkAzureMaxRoutes(c: Checker, e: Entry, limit: number): void {
  if (limit > AZURE_MAX_ROUTES_MOST) {
    c.bad(e, `${rule('route limit')}: Azure Route Server takes at most ${AZURE_MAX_ROUTES_DEFAULT} routes per peer (${AZURE_MAX_ROUTES_MOST} by support request), not ${limit}`);
  }
}

/**
 * The local AS toward Azure: not one Azure reserves, and 2-octet ("only 2-octet ASNs can be
 * configured for a peer"). Reported at `local-as`, naming the first neighbor with the profile.
 */
export function checkAzureLocalAs(c: Checker, las: Entry, localAs: number, where: ReadonlyMap<NeighborConfig, NeighborEntries>): void {
  // Every neighbor read, with problems or not: a local AS Azure refuses is worth hearing at once.
  const first = [...where.keys()].find((n) => n.profile === AZURE_ROUTE_SERVER);
  if (!first || localAs === 0) return;
  const at = where.get(first)!;
  const whose = `${at.item.path}, line ${c.line(at.profile?.value) ?? '?'}`;
  if (RESERVED.some(([lo, hi]) => localAs >= lo && localAs <= hi)) {
    c.bad(las, `${rule('peer AS not reserved')} (${whose}): Azure refuses a peer AS of ${RESERVED_TEXT}; ${localAs} is one`);
  } else if (localAs > 0xffff) {
    c.bad(las, `${rule('2-octet peer AS')} (${whose}): Azure accepts only 2-octet peer AS numbers (1..65534); ${localAs} is a 4-octet one`);
  }
}
