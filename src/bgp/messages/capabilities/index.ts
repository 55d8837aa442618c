// The capability table, keyed by code; unknown codes are kept as opaque bytes.
import type { Reader } from '../reader.js';
import type { Writer } from '../writer.js';
import { addPath } from './add-path.js';
import { bgpRole } from './bgp-role.js';
import { enhancedRouteRefresh } from './enhanced-route-refresh.js';
import { extendedMessage } from './extended-message.js';
import { extendedNextHop } from './extended-next-hop.js';
import { fourOctetAs } from './four-octet-as.js';
import { fqdn } from './fqdn.js';
import { gracefulRestart } from './graceful-restart.js';
import { longLivedGracefulRestart } from './long-lived-graceful-restart.js';
import { multiprotocol } from './multiprotocol.js';
import { outboundRouteFiltering } from './outbound-route-filtering.js';
import { bgpsec } from './bgpsec.js';
import { routeRefresh } from './route-refresh.js';
import { type Capability, type CapabilityCodec, type CapabilityName, type CapabilityTable, malformedCapability } from './types.js';

export * from './types.js';

/** The table by name; the by-code index below is derived from it. */
export const CAPABILITY_BY_NAME: CapabilityTable = {
  MULTIPROTOCOL: multiprotocol,
  ROUTE_REFRESH: routeRefresh,
  OUTBOUND_ROUTE_FILTERING: outboundRouteFiltering,
  BGPSEC: bgpsec,
  EXTENDED_NEXT_HOP: extendedNextHop,
  EXTENDED_MESSAGE: extendedMessage,
  BGP_ROLE: bgpRole,
  GRACEFUL_RESTART: gracefulRestart,
  FOUR_OCTET_AS: fourOctetAs,
  ADD_PATH: addPath,
  ENHANCED_ROUTE_REFRESH: enhancedRouteRefresh,
  LONG_LIVED_GRACEFUL_RESTART: longLivedGracefulRestart,
  FQDN: fqdn,
};

const ROWS: readonly CapabilityCodec[] = Object.values(CAPABILITY_BY_NAME);
const row = (type: CapabilityName): CapabilityCodec => CAPABILITY_BY_NAME[type];

export const CAPABILITY_BY_CODE: ReadonlyMap<number, CapabilityCodec> = new Map(ROWS.map((c) => [c.code, c]));

export function capabilityCode(c: Capability): number {
  return c.type === 'UNKNOWN' ? c.code : row(c.type).code;
}

/** Decode one capability TLV (code, length, value) at r.pos. */
export function decodeCapability(r: Reader): Capability {
  const code = r.u8('capability code');
  const len = r.u8('capability length');
  r.need(len, 'capability value');
  const end = r.pos + len;
  const codec = CAPABILITY_BY_CODE.get(code);
  if (!codec) return { type: 'UNKNOWN', code, data: r.copy(len) };
  const c = codec.decode(r, len);
  if (r.pos !== end) throw malformedCapability(r, end - r.pos, `${codec.type}: trailing octets`);
  return c;
}

function valueLength(c: Capability): number {
  return c.type === 'UNKNOWN' ? c.data.length : row(c.type).length(c);
}

/** Octets the capability TLV takes. */
export function capabilityLength(c: Capability): number {
  return 2 + valueLength(c);
}

export function encodeCapability(w: Writer, c: Capability): void {
  const len = valueLength(c);
  if (len > 255) throw new RangeError(`capability ${capabilityCode(c)} value of ${len} octets exceeds 255`);
  w.u8(capabilityCode(c));
  w.u8(len);
  if (c.type === 'UNKNOWN') w.raw(c.data);
  else row(c.type).encode(w, c);
}
