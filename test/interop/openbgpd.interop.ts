// OpenBGPD 7.7 as the route server. Its CLI is also called bgpctl: always /usr/sbin/bgpctl with the
// control socket of this test. bgpd chroots to /run/openbgpd (created here if missing, removed
// again at the end); `fib-update no`: nothing is written to the kernel.
import { readFileSync, readdirSync } from 'node:fs';
import { type Lab, NS, type Proc, WATCHER, ensureDir, ok, waitFor } from './harness.js';
import { type PeerDriver, interopSuite } from './scenario.js';

const BGPD = '/usr/sbin/bgpd';
const OBGPCTL = '/usr/sbin/bgpctl';
let bgpd: Proc | undefined;
const sock = (l: Lab): string => l.path('obgpd.sock');
const ctl = (l: Lab, ...args: string[]): Promise<string> => ok([OBGPCTL, '-s', sock(l), ...args], { ms: 15000 });

const conf = (l: Lab): string =>
  l.file(
    'obgpd.conf',
    `AS 65515
router-id 10.10.1.4
socket "${sock(l)}"
fib-update no
connect-retry 2
listen on 10.10.1.4

network 10.20.0.0/16

neighbor ${WATCHER} {
  remote-as 65001
  descr "tsbgp-watcher"
  multihop 2
  local-address 10.10.1.4
  announce IPv4 unicast
}
allow from any
allow to any
`,
  );

async function neighborJson(l: Lab): Promise<Record<string, any>> {
  const j = JSON.parse(await ctl(l, '-j', 'show', 'neighbor', WATCHER)) as { neighbors?: Record<string, any>[] };
  return j.neighbors?.[0] ?? {};
}

const driver: PeerDriver = {
  name: 'openbgpd',
  packages: { [BGPD]: 'openbgpd', [OBGPCTL]: 'openbgpd' },
  // IPv4 only: an IPv6 family on the IPv4 session would need OpenBGPD to pick an IPv6 next hop of
  // its own; the IPv6 path of the codec is covered by FRR, BIRD and GoBGP here.
  ipv6: false,
  peerHoldTime: 90,
  // After SIGCONT OpenBGPD's own hold timer fires too and counts as an error; with its error count
  // at 2 it refuses incoming connections ("Connection attempt from neighbor ... while session is in
  // state Idle") and waits out its IdleHoldTime (30 s, doubled per error: it had not connected
  // again 50 s later in our runs). `bgpctl neighbor X up` is the operator's way to clear that
  // (error count and IdleHoldTime reset); then tsbgp's own reconnection must bring the session back.
  async afterResume(l) {
    await waitFor('OpenBGPD to leave Established too', async () => (await neighborJson(l)).state !== 'Established' || undefined, 15000);
    await ctl(l, 'neighbor', WATCHER, 'up');
  },
  async start(l) {
    ensureDir(l, '/run/openbgpd');
    bgpd = l.start('openbgpd', NS.p, [BGPD, '-d', '-v', '-f', conf(l)]);
    await waitFor('OpenBGPD control socket', () => ctl(l, 'show'), 15000, 200);
    return bgpd;
  },
  // OpenBGPD's session engine is a child process (privilege separation: bgpd -S): stopping only
  // the parent would leave the sessions running, so the session engine is the one SIGSTOPped.
  sessionPid: () => sessionEngine ?? bgpd!.pid,
  async stop(l) {
    if (bgpd) await l.stop(bgpd, 'SIGTERM');
  },
  async info(l) {
    sessionEngine = findSessionEngine();
    const n = await neighborJson(l);
    const sess = n.session ?? {};
    const caps = sess.capabilities; // the negotiated set
    return {
      established: n.state === 'Established',
      holdTime: typeof sess.holdtime === 'number' ? sess.holdtime : undefined,
      keepaliveTime: typeof sess.keepalive === 'number' ? sess.keepalive : undefined,
      fourOctetAs: caps ? caps.as4byte === true : undefined,
      routeRefresh: caps ? caps.refresh === true : undefined,
      raw: n,
    };
  },
  async vipNextHop(l) {
    const j = JSON.parse(await ctl(l, '-j', 'show', 'rib', '100.64.0.1/32')) as { rib?: { prefix: string; exit_nexthop?: string; true_nexthop?: string }[] };
    const r = j.rib?.find((x) => x.prefix === '100.64.0.1/32');
    return r?.exit_nexthop ?? r?.true_nexthop;
  },
  async refresh(l) {
    await ctl(l, 'neighbor', WATCHER, 'refresh');
  },
  // OpenBGPD 7.7 announces graceful restart by default (`announce restart yes`, no families: a
  // helper) and keeps a peer's routes when its session closes without a NOTIFICATION ("graceful
  // restart of IPv4 unicast, keeping routes" in its log); it has no RFC 8538, so tsbgp's graceful
  // stop sends it nothing but the close, and its hard stop Cease 6/2. Checked in its RIB.
  grHelper: true,
  async ceaseRecorded(l, sent) {
    const n = await neighborJson(l);
    const e = String(n.last_error_received ?? '');
    return (sent === '6/9' ? /hard reset/i : /Cease, administratively down/i).test(e) ? `${e} (${String(n.last_shutdown_reason ?? '')})` : undefined;
  },
};

let sessionEngine: number | undefined;
function findSessionEngine(): number | undefined {
  if (!bgpd) return undefined;
  for (const pid of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (ppid === bgpd.pid && cmd.split('\0').includes('-S')) return Number(pid); // bgpd -S: the session engine
    } catch {
      /* gone */
    }
  }
  return undefined;
}

interopSuite(driver);
