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
import { routeRefresh } from './route-refresh.js';
import { type Capability, type CapabilityCodec, type KnownCapability, malformedCapability } from './types.js';

export * from './types.js';

const TABLE = [
  multiprotocol,
  routeRefresh,
  extendedNextHop,
  extendedMessage,
  bgpRole,
  gracefulRestart,
  fourOctetAs,
  addPath,
  enhancedRouteRefresh,
  longLivedGracefulRestart,
  fqdn,
] as unknown as readonly CapabilityCodec[];

export const CAPABILITY_BY_CODE: ReadonlyMap<number, CapabilityCodec> = new Map(TABLE.map((c) => [c.code, c]));
const BY_TYPE = new Map<string, CapabilityCodec>(TABLE.map((c) => [c.type, c]));

export function capabilityCode(c: Capability): number {
  return c.type === 'UNKNOWN' ? c.code : BY_TYPE.get(c.type)!.code;
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
  return c.type === 'UNKNOWN' ? c.data.length : BY_TYPE.get(c.type)!.length(c as KnownCapability);
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
  else BY_TYPE.get(c.type)!.encode(w, c);
}
