// The `neighbors` section: each BGP peer, its session timers and its address families.
import { isMap, isScalar } from 'yaml';
import type { Node } from 'yaml';
import { DEFAULT_CONNECT_RETRY, DEFAULT_GRACEFUL_RESTART, DEFAULT_HOLD_TIME, DEFAULT_KEEPALIVE_TIME, DEFAULT_PORT, defaultSendHoldTime } from '../defaults.js';
import type { FamilyName, GracefulRestartConfig, NeighborConfig } from '../types.js';
import { boolean, closest, describe, given, integer, readMap, readSeq, required, scalarValue, type Checker, type Entry } from '../yaml-checker.js';
import { asNumber, unicast } from './common.js';
import { badLocalAddressReason } from '../../routes/values.js';
import { AZURE_AS, AZURE_MAX_ROUTES_DEFAULT, AZURE_ROUTE_SERVER, type NeighborEntries, checkAzureFamily, checkAzureMaxRoutes, checkAzureRemoteAs, readProfile } from './azure.js';
import { readMaxPrefixesIn, readMaxRoutesOut } from './limits.js';

const NEIGHBOR_KEYS = [
  'address',
  'remote-as',
  'port',
  'local-address',
  'passive',
  'hold-time',
  'keepalive-time',
  'send-hold-time',
  'connect-retry',
  'families',
  'description',
  'profile',
  'max-routes-out',
  'max-prefixes-in',
  'graceful-restart',
] as const;
const GRACEFUL_RESTART_KEYS = ['restart-time', 'notification'] as const;
/** RFC 4724 §3: the Restart Time is 12 bits; 0 would tell the peer to keep nothing. */
const RESTART_TIME_MAX = 4095;
const FAMILIES: readonly FamilyName[] = ['ipv4-unicast', 'ipv6-unicast'];
/**
 * RFC 9687 sets no bounds. Below 3 s (RFC 4271's shortest hold time) a busy host or a brief zero window would tear
 * the session down; 131070 s is twice the largest hold time, so that every default can also be written out.
 */
const SEND_HOLD_TIME_MIN = 3;
const SEND_HOLD_TIME_MAX = 2 * 65535;

/** `where`, when given, gets each neighbor's entries, valid or not (checks across sections name their lines). */
export function readNeighbors(c: Checker, e: Entry, where?: Map<NeighborConfig, NeighborEntries>): NeighborConfig[] {
  const items = readSeq(c, e, 'a list of neighbors (each starting with "- address: ...")');
  if (!items) return [];
  if (items.length === 0) c.bad(e, 'at least one neighbor is required');
  const out: NeighborConfig[] = [];
  const seen = new Map<string, Entry & { index: number }>();
  items.forEach((item, index) => {
    const n = readNeighbor(c, item.node, item.path, where);
    if (!n) return;
    if (n.addressEntry && n.neighbor.address) {
      const first = seen.get(n.neighbor.address);
      if (first) {
        c.bad(n.addressEntry, `${n.neighbor.address} is already neighbors[${first.index}] (line ${c.line(first.value) ?? '?'})`);
        return;
      }
      seen.set(n.neighbor.address, { ...n.addressEntry, index });
    }
    if (n.ok) out.push(n.neighbor);
  });
  return out;
}

/** A neighbor, whether all of it was valid (`ok`), and its address entry for the duplicate check. */
function readNeighbor(c: Checker, node: Node | null, path: string, where?: Map<NeighborConfig, NeighborEntries>): { neighbor: NeighborConfig; addressEntry?: Entry; ok: boolean } | null {
  const m = readMap(c, node, path, NEIGHBOR_KEYS, 'a neighbor mapping with address and remote-as');
  if (!m) return null;
  const before = c.problems.length;
  const n: NeighborConfig = {
    address: '',
    remoteAs: 0,
    port: DEFAULT_PORT,
    passive: false,
    holdTime: DEFAULT_HOLD_TIME,
    keepaliveTime: DEFAULT_KEEPALIVE_TIME,
    sendHoldTime: defaultSendHoldTime(DEFAULT_HOLD_TIME),
    connectRetryTime: DEFAULT_CONNECT_RETRY,
    families: ['ipv4-unicast'],
    gracefulRestart: { ...DEFAULT_GRACEFUL_RESTART },
  };
  const addrEntry = required(c, m, 'address', '10.10.1.4');
  const addr = addrEntry ? unicast(c, addrEntry, '10.10.1.4') : null;
  if (addr) n.address = addr.text;

  const pe = given(m, 'profile');
  if (pe) {
    const profile = readProfile(c, pe);
    if (profile) n.profile = profile;
  }
  const azure = n.profile === AZURE_ROUTE_SERVER;

  // Azure Route Server is always AS 65515: under its profile remote-as may be left out (and is not
  // reported missing when the profile itself is misspelt).
  const ras = pe ? given(m, 'remote-as') : required(c, m, 'remote-as', '65515');
  if (ras) {
    n.remoteAs = asNumber(c, ras) ?? 0;
    if (azure && n.remoteAs) checkAzureRemoteAs(c, ras, n.remoteAs);
  } else if (azure) n.remoteAs = AZURE_AS;

  const port = given(m, 'port');
  if (port) n.port = integer(c, port, 1, 65535) ?? DEFAULT_PORT;

  const la = given(m, 'local-address');
  if (la) {
    const a = unicast(c, la, '10.10.0.7');
    const why = a && badLocalAddressReason(a);
    if (why) {
      c.bad(la, `${a!.text} is ${why}; expected an address of this host`);
    } else if (a && addr && a.afi !== addr.afi) {
      c.bad(la, `${a.text} and the neighbor's address ${addr.text} are of different families; a session runs over one family`);
    } else if (a) n.localAddress = a.text;
  }

  const passive = given(m, 'passive');
  if (passive) n.passive = boolean(c, passive) ?? false;

  const hold = given(m, 'hold-time');
  let holdOk = true;
  if (hold) {
    const v = integer(c, hold, 0, 65535);
    // RFC 4271 §4.2: the Hold Time MUST be either zero or at least three seconds.
    if (v !== undefined && v > 0 && v < 3) c.bad(hold, `${v} is not allowed; expected 0 (no keepalives) or 3..65535 (RFC 4271 §4.2)`);
    if (v === undefined || (v > 0 && v < 3)) holdOk = false;
    else n.holdTime = v;
  }

  const ka = given(m, 'keepalive-time');
  if (ka) {
    const v = integer(c, ka, 1, 21845);
    if (v !== undefined) {
      const most = Math.floor(n.holdTime / 3);
      // RFC 4271 §4.4: with a Hold Time of zero no KEEPALIVE is sent, so the interval does not matter.
      if (holdOk && n.holdTime > 0 && v > most) {
        c.bad(ka, `keepalive-time ${v} is more than a third of hold-time ${n.holdTime}; expected at most ${most}`);
      } else n.keepaliveTime = v;
    }
  } else if (n.holdTime > 0) {
    // A hold time set without a keepalive interval gets one that fits it (a third, at most 60).
    n.keepaliveTime = Math.min(DEFAULT_KEEPALIVE_TIME, Math.floor(n.holdTime / 3));
  }

  const sht = given(m, 'send-hold-time');
  // From the hold time we offer: the negotiated one is not known before the OPENs, and the timer guards them too.
  n.sendHoldTime = defaultSendHoldTime(n.holdTime);
  if (sht) {
    const v = integer(c, sht, 0, SEND_HOLD_TIME_MAX);
    if (v !== undefined && v > 0 && v < SEND_HOLD_TIME_MIN) {
      c.bad(sht, `${v} is too short; expected 0 (disabled) or ${SEND_HOLD_TIME_MIN}..${SEND_HOLD_TIME_MAX} seconds`);
    } else if (v !== undefined) n.sendHoldTime = v;
  }

  const cr = given(m, 'connect-retry');
  if (cr) n.connectRetryTime = integer(c, cr, 1, 3600) ?? DEFAULT_CONNECT_RETRY;

  const fam = given(m, 'families');
  if (fam) {
    const families = readFamilies(c, fam, azure);
    if (families) n.families = families;
  }

  const mro = given(m, 'max-routes-out');
  if (mro) {
    const v = readMaxRoutesOut(c, mro);
    if (v !== undefined && azure) checkAzureMaxRoutes(c, mro, v);
    if (v !== undefined) n.maxRoutesOut = v;
  } else if (azure) n.maxRoutesOut = AZURE_MAX_ROUTES_DEFAULT;

  const mpi = given(m, 'max-prefixes-in');
  if (mpi) {
    const v = readMaxPrefixesIn(c, mpi);
    if (v) n.maxPrefixesIn = v;
  }

  const desc = given(m, 'description');
  if (desc) {
    const v = scalarValue(desc);
    if (typeof v === 'string') n.description = v;
    else c.bad(desc, `expected text (quote it if it looks like a number), got ${describe(desc.value)}`);
  }
  const gr = given(m, 'graceful-restart');
  if (gr) {
    const v = readGracefulRestart(c, gr);
    if (v !== undefined) n.gracefulRestart = v;
  }
  const ok = c.problems.length === before;
  // Kept for a broken neighbor too: the local AS is checked against its profile all the same.
  where?.set(n, { item: { path, key: node!, value: node }, ...(pe ? { profile: pe } : {}), ...(mro ? { maxRoutesOut: mro } : {}) });
  return { neighbor: n, addressEntry: addr ? addrEntry : undefined, ok };
}

/** `graceful-restart: false`, `true` (the defaults), or `{ restart-time: 120, notification: true }`. */
function readGracefulRestart(c: Checker, e: Entry): GracefulRestartConfig | false | undefined {
  const v = scalarValue(e);
  if (v === false) return false;
  if (v === true) return { ...DEFAULT_GRACEFUL_RESTART };
  if (!isMap(e.value)) {
    c.bad(e, `expected false, true or a mapping such as { restart-time: 120, notification: true }, got ${describe(e.value)}`);
    return undefined;
  }
  const m = readMap(c, e.value, e.path, GRACEFUL_RESTART_KEYS, 'a mapping such as { restart-time: 120, notification: true }');
  if (!m) return undefined;
  const out: GracefulRestartConfig = { ...DEFAULT_GRACEFUL_RESTART };
  const rt = given(m, 'restart-time');
  if (rt) {
    const t = integer(c, rt, 1, RESTART_TIME_MAX, ' (seconds; RFC 4724 gives it 12 bits)');
    if (t === undefined) return undefined;
    out.restartTimeSeconds = t;
  }
  const nb = given(m, 'notification');
  if (nb) {
    const b = boolean(c, nb);
    if (b === undefined) return undefined;
    out.notification = b;
  }
  return out;
}

function readFamilies(c: Checker, e: Entry, azure: boolean): FamilyName[] | null {
  const items = readSeq(c, e, `a list of families, e.g. [${FAMILIES.join(', ')}]`);
  if (!items) return null;
  if (items.length === 0) {
    c.bad(e, `at least one family is required, e.g. [ipv4-unicast]`);
    return null;
  }
  const out: FamilyName[] = [];
  let ok = true;
  for (const item of items) {
    const v = isScalar(item.node) ? item.node.value : undefined;
    const family = FAMILIES.find((f) => f === v);
    if (!family) {
      const guess = typeof v === 'string' ? closest(v, FAMILIES) : undefined;
      c.add(item.path, item.node, `${describe(item.node)} is not a family; ${guess ? `did you mean ${guess}? ` : ''}expected ${FAMILIES.join(' or ')}`);
      ok = false;
    } else if (out.includes(family)) {
      c.add(item.path, item.node, `${family} is listed twice`);
      ok = false;
    } else if (azure && !checkAzureFamily(c, item, family)) {
      ok = false;
    } else out.push(family);
  }
  return ok ? out : null;
}
