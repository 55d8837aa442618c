// GoBGP 3 as the route server (gobgpd with its gRPC API on 127.0.0.1 inside the peer's namespace).
// Routes are added with `gobgp global rib add` once it runs (GoBGP has no static routes in its
// TOML). GoBGP keeps a received third-party next hop as sent.
import { type Lab, NS, type Proc, PEER, WATCHER, ok, waitFor } from './harness.js';
import { type PeerDriver, interopSuite } from './scenario.js';

const API = '50151';
let gobgpd: Proc | undefined;
const gobgp = (l: Lab, ...args: string[]): Promise<string> => ok(['gobgp', '-u', '127.0.0.1', '-p', API, ...args], { ns: NS.p, ms: 15000 });

const conf = (l: Lab): string =>
  l.file(
    'gobgpd.toml',
    `[global.config]
  as = 65515
  router-id = "${PEER}"
  port = 179
  local-address-list = ["${PEER}"]

[[neighbors]]
  [neighbors.config]
    neighbor-address = "${WATCHER}"
    peer-as = 65001
    description = "tsbgp-watcher"
  [neighbors.timers.config]
    connect-retry = 2
  [neighbors.ebgp-multihop.config]
    enabled = true
    multihop-ttl = 2
  [neighbors.transport.config]
    local-address = "${PEER}"
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 120
    notification-enabled = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv6-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
`,
  );

async function neighborJson(l: Lab): Promise<Record<string, any>> {
  return JSON.parse(await gobgp(l, '-j', 'neighbor', WATCHER)) as Record<string, any>;
}

const driver: PeerDriver = {
  name: 'gobgp',
  packages: { gobgpd: 'gobgpd', gobgp: 'gobgp' },
  ipv6: true,
  peerHoldTime: 90,
  noRouteRefreshCli:
    'GoBGP 3.10 `gobgp neighbor X softresetin` re-applies import policy to its own Adj-RIB-In and sends no ROUTE-REFRESH (checked in the capture)',
  async start(l) {
    gobgpd = l.start('gobgpd', NS.p, ['gobgpd', '-f', conf(l), '-t', 'toml', '-p', '--api-hosts', `127.0.0.1:${API}`, '--pprof-disable', '-l', 'debug']);
    await waitFor('GoBGP API', () => gobgp(l, 'global'), 15000, 200);
    await gobgp(l, 'global', 'rib', 'add', '-a', 'ipv4', '10.20.0.0/16', 'origin', 'igp');
    await gobgp(l, 'global', 'rib', 'add', '-a', 'ipv6', '2001:db8:20::/48', 'nexthop', '2001:db8:b::4', 'origin', 'igp');
    return gobgpd;
  },
  sessionPid: () => gobgpd!.pid,
  async stop(l) {
    if (gobgpd) await l.stop(gobgpd, 'SIGTERM');
  },
  async info(l) {
    const n = await neighborJson(l);
    const st = n.state ?? {};
    const timers = n.timers?.state ?? {};
    const remote: any[] = st.remote_cap ?? [];
    const local: any[] = st.local_cap ?? [];
    const has = (caps: any[], name: string): boolean => caps.some((c) => typeof c?.type_url === 'string' && c.type_url.endsWith(`.${name}`));
    return {
      established: st.session_state === 6 || st.session_state === 'established' || st.session_state === 'ESTABLISHED',
      holdTime: typeof timers.negotiated_hold_time === 'number' ? timers.negotiated_hold_time : undefined,
      keepaliveTime: typeof timers.keepalive_interval === 'number' ? timers.keepalive_interval : undefined,
      fourOctetAs: remote.length > 0 ? has(remote, 'FourOctetASNCapability') && has(local, 'FourOctetASNCapability') : undefined,
      routeRefresh: remote.length > 0 ? has(remote, 'RouteRefreshCapability') && has(local, 'RouteRefreshCapability') : undefined,
      raw: n,
    };
  },
  async vipNextHop(l) {
    const out = await gobgp(l, '-j', 'global', 'rib', '-a', 'ipv4', '100.64.0.1/32');
    const j = JSON.parse(out || '{}') as Record<string, { attrs?: { type: number; nexthop?: string }[] }[]>;
    const paths = j['100.64.0.1/32'] ?? [];
    return paths[0]?.attrs?.find((a) => a.type === 3)?.nexthop;
  },
  async refresh(l) {
    await gobgp(l, 'neighbor', WATCHER, 'softresetin', '-a', 'ipv4');
  },
  // GoBGP keeps a restarting peer's routes ([neighbors.graceful-restart.config], with RFC 8538's
  // notification-enabled and mp-graceful-restart per family): checked in its RIB. After a session
  // ends GoBGP 3.10 stays Idle about 5 s and closes the connections it accepts meanwhile, so tsbgpd
  // is back in about 4 s here (the route is kept all along).
  grHelper: true,
  async ceaseRecorded(l, sent) {
    const sub = sent === '6/9' ? '9' : '2';
    const log = l.logOf(gobgpd!);
    const line = log.split('\n').find((x) => /received notification/i.test(x) && /Code[^0-9]*6\b/.test(x) && new RegExp(`Subcode[^0-9]*${sub}\\b`).test(x));
    return line;
  },
};

interopSuite(driver);
