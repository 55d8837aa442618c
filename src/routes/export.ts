// Export policy: the path attributes a route we originate carries to one peer.
import { AS_TRANS, Afi, Origin, Safi, familyKey } from '../bgp/iana.js';
import type { Negotiated, PathAttribute } from '../bgp/messages/index.js';
import type { OutRoute } from '../bgp/rib/adj-rib-out.js';
import type { RouteSpec } from './local-routes.js';

/** How we export to one peer. */
export interface ExportContext {
  localAs: number;
  /** eBGP: our AS is prepended; iBGP: LOCAL_PREF 100 and an empty AS_PATH. */
  external: boolean;
  send: Negotiated;
  /** eBGP: extra copies of our AS on top of the route's own prepend (a standby watcher's, toward the route servers). */
  prepend?: number;
}

/**
 * The attributes we send for a route (RFC 4271 §5.1): ORIGIN IGP, AS_PATH (our AS, prepended as
 * asked, AS_TRANS + AS4_PATH towards a 2-octet peer per RFC 6793 §4.2.2), the next hop, MED,
 * LOCAL_PREF on iBGP, communities.
 */
export function exportRoute(r: RouteSpec, x: ExportContext): OutRoute {
  const v6 = r.prefix.includes(':');
  const asns = x.external ? new Array<number>(1 + (r.asPathPrepend ?? 0) + (x.prepend ?? 0)).fill(x.localAs) : [];
  const wide = !x.send.fourOctetAs && asns.some((a) => a > 0xffff);
  const attributes: PathAttribute[] = [];
  if (v6) attributes.push({ type: 'MP_REACH_NLRI', afi: Afi.IPV6, safi: Safi.UNICAST, nextHops: [r.nextHop], nlri: [] });
  attributes.push({ type: 'ORIGIN', origin: Origin.IGP });
  attributes.push({
    type: 'AS_PATH',
    segments: asns.length ? [{ segmentType: 2, asns: wide ? asns.map((a) => (a > 0xffff ? AS_TRANS : a)) : asns }] : [],
  });
  if (!v6) attributes.push({ type: 'NEXT_HOP', nextHop: r.nextHop });
  if (r.med !== undefined) attributes.push({ type: 'MULTI_EXIT_DISC', med: r.med });
  if (!x.external) attributes.push({ type: 'LOCAL_PREF', localPref: 100 });
  if (r.communities?.length) attributes.push({ type: 'COMMUNITIES', communities: [...r.communities] });
  if (wide) attributes.push({ type: 'AS4_PATH', segments: [{ segmentType: 2, asns }] });
  if (r.largeCommunities?.length) attributes.push({ type: 'LARGE_COMMUNITY', communities: r.largeCommunities.map((c) => [...c] as [number, number, number]) });
  return {
    prefix: r.prefix,
    family: familyKey(v6 ? Afi.IPV6 : Afi.IPV4, Safi.UNICAST),
    attributes,
    key: JSON.stringify(attributes),
  };
}

