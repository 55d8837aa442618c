// FRR 8.4 (bgpd, with a private zebra so that it knows the interface addresses and the default
// route — bgpd -n: nothing is installed in any kernel table) as the route server.
import { existsSync, mkdirSync } from 'node:fs';
import { type Lab, NS, type Proc, WATCHER, ok, waitFor } from './harness.js';
import { type PeerDriver, interopSuite } from './scenario.js';
import { spawnSync } from 'node:child_process';

const BGPD = '/usr/lib/frr/bgpd';
const ZEBRA = '/usr/lib/frr/zebra';

let zebra: Proc | undefined;
let bgpd: Proc | undefined;

const run = (l: Lab): string => l.path('frr');

async function vtysh(l: Lab, ...cmds: string[]): Promise<string> {
  return ok(['vtysh', '--vty_socket', run(l), '-d', 'bgpd', ...cmds.flatMap((c) => ['-c', c])], { ms: 15000 });
}

async function neighborJson(l: Lab): Promise<Record<string, unknown>> {
  const j = JSON.parse(await vtysh(l, `show bgp neighbors ${WATCHER} json`)) as Record<string, Record<string, unknown>>;
  return j[WATCHER] ?? {};
}

const conf = (l: Lab): string =>
  l.file(
    'frr-bgpd.conf',
    `hostname rs-frr
log file ${l.path('frr-bgpd.debug.log')} informational
!
router bgp 65515
 bgp router-id 10.10.1.4
 bgp graceful-restart
 no bgp ebgp-requires-policy
 no bgp network import-check
 no bgp default ipv4-unicast
 neighbor ${WATCHER} remote-as 65001
 neighbor ${WATCHER} description tsbgp-watcher
 neighbor ${WATCHER} ebgp-multihop 2
 neighbor ${WATCHER} timers connect 2
 !
 address-family ipv4 unicast
  network 10.20.0.0/16
  neighbor ${WATCHER} activate
  neighbor ${WATCHER} advertisement-interval 0
 exit-address-family
 !
 address-family ipv6 unicast
  network 2001:db8:20::/48
  neighbor ${WATCHER} activate
  neighbor ${WATCHER} advertisement-interval 0
  neighbor ${WATCHER} route-map V6NH out
 exit-address-family
!
route-map V6NH permit 10
 set ipv6 next-hop global 2001:db8:b::4
!
`,
  );

const driver: PeerDriver = {
  name: 'frr',
  packages: { [BGPD]: 'frr', [ZEBRA]: 'frr', vtysh: 'frr' },
  ipv6: true,
  peerHoldTime: 180,
  async start(l) {
    const dir = run(l);
    if (!zebra || !l.alive(zebra)) {
      mkdirSync(dir, { recursive: true });
      l.file('frr/zebra.conf', '');
      spawnSync('chown', ['-R', 'frr:frr', dir]);
      zebra = l.start('frr-zebra', NS.p, [ZEBRA, '-f', `${dir}/zebra.conf`, '-i', `${dir}/zebra.pid`, '-z', `${dir}/zserv.api`, '--vty_socket', dir, '-P', '0', '-u', 'frr', '-g', 'frr', '--log', `file:${dir}/zebra.log`]);
      await waitFor('FRR zebra socket', () => existsSync(`${dir}/zserv.api`), 15000, 100);
    }
    const c = conf(l);
    bgpd = l.start('frr-bgpd', NS.p, [BGPD, '-f', c, '-i', `${dir}/bgpd.pid`, '-z', `${dir}/zserv.api`, '--vty_socket', dir, '-P', '0', '-n', '-S']);
    await waitFor('FRR bgpd vty', async () => (await vtysh(l, 'show bgp summary json')).includes('65515'), 15000, 200);
    return bgpd;
  },
  sessionPid: () => bgpd!.pid,
  async stop(l) {
    if (bgpd) await l.stop(bgpd, 'SIGTERM');
  },
  async info(l) {
    const n = await neighborJson(l);
    const caps = (n.neighborCapabilities ?? {}) as Record<string, unknown>;
    return {
      established: n.bgpState === 'Established',
      holdTime: typeof n.bgpTimerHoldTimeMsecs === 'number' ? n.bgpTimerHoldTimeMsecs / 1000 : undefined,
      keepaliveTime: typeof n.bgpTimerKeepAliveIntervalMsecs === 'number' ? n.bgpTimerKeepAliveIntervalMsecs / 1000 : undefined,
      fourOctetAs: caps['4byteAs'] === 'advertisedAndReceived',
      routeRefresh: typeof caps.routeRefresh === 'string' && caps.routeRefresh.startsWith('advertisedAndReceived'),
      raw: n,
    };
  },
  async vipNextHop(l) {
    const j = JSON.parse(await vtysh(l, 'show bgp ipv4 unicast 100.64.0.1/32 json')) as { paths?: { nexthops?: { ip?: string }[] }[] };
    return j.paths?.[0]?.nexthops?.[0]?.ip;
  },
  async refresh(l) {
    await vtysh(l, `clear bgp ipv4 unicast ${WATCHER} soft in`);
  },
  // FRR keeps a restarting peer's routes (helper, RFC 4724 and RFC 8538 N): checked in its RIB.
  grHelper: true,
  async ceaseRecorded(l, sent) {
    const n = await neighborJson(l);
    // FRR 8.4 records a Hard Reset by the Cease inside it, with lastNotificationHardReset (RFC 8538 §3).
    const why = `${String(n.lastNotificationReason ?? '')} ${String(n.lastResetDueTo ?? '')} hardReset=${String(n.lastNotificationHardReset)}`;
    if (!/Cease\/Administrative Shutdown/i.test(why)) return undefined;
    return (n.lastNotificationHardReset === true) === (sent === '6/9') ? why : undefined;
  },
};

interopSuite(driver);
