// BIRD 2.0 as the route server. For eBGP multihop BIRD resolves next hops recursively (`gateway
// recursive`, its default for multihop) through its IGP table: a `kernel` protocol with `learn`
// (import only, `export none`: nothing is written to the kernel) gives it the namespace's default
// route, so the third-party next hops 10.10.0.4/.5 resolve and are kept as sent (no rewrite).
import { type Lab, NS, type Proc, WATCHER, ok, run } from './harness.js';
import { type PeerDriver, interopSuite } from './scenario.js';

let bird: Proc | undefined;
const ctl = (l: Lab): string => l.path('bird.ctl');
const birdc = (l: Lab, ...args: string[]): Promise<string> => ok(['birdc', '-s', ctl(l), ...args], { ms: 15000 });

const conf = (l: Lab): string =>
  l.file(
    'bird.conf',
    `log "${l.path('bird.debug.log')}" all;
router id 10.10.1.4;
protocol device { scan time 10; }
protocol direct { ipv4; ipv6; }
protocol kernel k4 { ipv4 { import all; export none; }; learn; }
protocol kernel k6 { ipv6 { import all; export none; }; learn; }
protocol static s4 { ipv4; route 10.20.0.0/16 blackhole; }
protocol static s6 { ipv6; route 2001:db8:20::/48 blackhole; }
protocol bgp tsbgp {
  local 10.10.1.4 as 65515;
  neighbor ${WATCHER} as 65001;
  multihop 2;
  connect retry time 2;
  connect delay time 1;
  error wait time 1, 4;
  graceful restart on;
  ipv4 { import all; export where source = RTS_STATIC; };
  ipv6 { import all; export where source = RTS_STATIC; next hop address 2001:db8:b::4; };
}
`,
  );

async function protocol(l: Lab): Promise<string> {
  return birdc(l, 'show', 'protocols', 'all', 'tsbgp');
}

const driver: PeerDriver = {
  name: 'bird',
  packages: { bird: 'bird2', birdc: 'bird2' },
  ipv6: true,
  peerHoldTime: 240,
  async start(l) {
    bird = l.start('bird', NS.p, ['bird', '-f', '-c', conf(l), '-s', ctl(l), '-P', l.path('bird.pid')]);
    const { waitFor } = await import('./harness.js');
    await waitFor('BIRD control socket', async () => (await birdc(l, 'show', 'status')).includes('Daemon is up'), 15000, 200);
    return bird;
  },
  sessionPid: () => bird!.pid,
  async stop(l) {
    if (bird) await l.stop(bird, 'SIGTERM');
  },
  async info(l) {
    const t = await protocol(l);
    const hold = /Hold timer:\s+[\d.]+\/(\d+)/.exec(t);
    const ka = /Keepalive timer:\s+[\d.]+\/(\d+)/.exec(t);
    // BIRD 2.0.12 lists them as a block: "Neighbor capabilities" ... up to "Session:".
    const caps = /Neighbor capabilities([\s\S]*?)(Session:|$)/.exec(t)?.[1] ?? '';
    return {
      established: /BGP state:\s+Established/.test(t),
      holdTime: hold ? Number(hold[1]) : undefined,
      keepaliveTime: ka ? Number(ka[1]) : undefined,
      fourOctetAs: /4-octet AS numbers/.test(caps),
      routeRefresh: /Route refresh/.test(caps),
      raw: t,
    };
  },
  async vipNextHop(l) {
    // birdc exits 1 with "Network not found" when the route is not there.
    const r = await run(['birdc', '-s', ctl(l), 'show', 'route', '100.64.0.1/32', 'all'], { ms: 15000 });
    if (r.code !== 0 && /Network not found/.test(r.stdout + r.stderr)) return undefined;
    if (r.code !== 0) throw new Error(`birdc show route exited ${r.code}: ${(r.stdout + r.stderr).trim().slice(0, 300)}`);
    return /BGP\.next_hop:\s+(\S+)/.exec(r.stdout)?.[1];
  },
  async refresh(l) {
    await birdc(l, 'reload', 'in', 'tsbgp');
  },
  // BIRD keeps a restarting peer's routes (RFC 4724 helper; `graceful restart on`): checked in its RIB.
  grHelper: true,
  async ceaseRecorded(l, sent) {
    const t = await protocol(l);
    const e = /Last error:\s+(.*)/.exec(t)?.[1];
    return e && (sent === '6/9' ? /Received: Hard reset/i : /Received: Administrative shutdown/i).test(e) ? e : undefined;
  },
};

interopSuite(driver);
