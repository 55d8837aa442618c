// The interop scenario every daemon goes through, as one uvu suite. A daemon file supplies a
// PeerDriver (how to start/stop/query that daemon as the route server, AS 65515, at 10.10.1.4).
//
// Order on the wire: 1 Established, 2 routes in, 3 failover, 4 route refresh, 5 SIGTERM (Cease 6/2;
// tsbgpd is then started again with hold-time 9 and must restore the VIP from its state file),
// 6 hold-timer expiry against a SIGSTOPped peer, recovery after SIGCONT, and a full peer restart.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { CapturedMessage } from '../../src/pcap/bgp-streams.js';
import {
  type Lab,
  Lab as LabClass,
  NS,
  PEER,
  PEER6,
  type Proc,
  type TsbgpNeighbor,
  VIP,
  announcedNextHop,
  describe,
  fromPeer,
  fromTsbgp,
  ok,
  requireBinaries,
  sleep,
  updateOf,
  waitFor,
  withdraws,
} from './harness.js';

export interface PeerInfo {
  established: boolean;
  holdTime?: number;
  keepaliveTime?: number;
  /** undefined: this daemon's CLI does not show it. */
  fourOctetAs?: boolean;
  routeRefresh?: boolean;
  raw?: unknown;
}

export interface PeerDriver {
  name: string;
  /** binary -> Debian package (a missing binary fails the suite with "install <package>"). */
  packages: Record<string, string>;
  /** The peer originates 2001:db8:20::/48 over the IPv4 session too. */
  ipv6: boolean;
  /** The hold time the peer offers by default (negotiated: min with tsbgp's 180). */
  peerHoldTime: number;
  start(lab: Lab): Promise<Proc>;
  /** The PID that owns the BGP session (SIGSTOPped for the silence test). */
  sessionPid(): number;
  stop(lab: Lab): Promise<void>;
  info(lab: Lab): Promise<PeerInfo>;
  /** Next hop of 100.64.0.1/32 in the peer's RIB (Adj-RIB-In from tsbgp), undefined when absent. */
  vipNextHop(lab: Lab): Promise<string | undefined>;
  /** Make the peer send a ROUTE-REFRESH to tsbgp. */
  refresh(lab: Lab): Promise<void>;
  /**
   * Set when the daemon's CLI cannot make it send a ROUTE-REFRESH (the reason): test 4 then checks
   * the other direction instead (bgpctl neighbor X refresh: the peer must answer tsbgp's request).
   */
  noRouteRefreshCli?: string;
  /**
   * Run after SIGCONT, when the daemon needs an operator's word before it takes connections again
   * (OpenBGPD's error damping); the reason is in the driver.
   */
  afterResume?(lab: Lab): Promise<void>;
  /** Evidence (text) that the peer recorded Cease / Administrative Shutdown from tsbgp, or undefined. */
  ceaseRecorded(lab: Lab): Promise<string | undefined>;
}

const ROUTE4 = '10.20.0.0/16';
const ROUTE6 = '2001:db8:20::/48';

function dump(msgs: readonly CapturedMessage[], from = 0): string {
  return msgs.slice(from).map(describe).join('\n');
}

export function interopSuite(d: PeerDriver): void {
  const s = suite(`${d.name} as route server`);
  let labRef: Lab | undefined;
  const lab = (): Lab => {
    if (!labRef) throw new Error('setup failed in test 1 (see above)');
    return labRef;
  };
  const tsbgpLog = (): string =>
    lab().tsbgpd ? lab().logOf(lab().tsbgpd!).split('\n').filter((x) => !x.includes('"component":"control"')).slice(-25).join('\n') : '';
  const established = (what: string, ms: number): Promise<TsbgpNeighbor> =>
    waitFor(what, async () => {
      const n = await lab().neighbor();
      return n.state === 'Established' && n;
    }, ms).catch((e: Error) => {
      throw new Error(`${e.message}\n--- tsbgpd log tail ---\n${tsbgpLog()}`);
    });
  const peerNh = (nh: string, ms: number): Promise<true> =>
    waitFor(`${d.name} RIB to have ${VIP} via ${nh}`, async () => (await d.vipNextHop(lab())) === nh || undefined, ms);

  s.after(async () => {
    await labRef?.close();
  });

  s('1. Established over two hops; negotiated hold time and capabilities on both sides', async () => {
    requireBinaries(d.packages);
    labRef = await LabClass.create(d.name);
    const l = lab();
    await l.startCapture();
    await d.start(l);
    await l.startTsbgpd(l.tsbgpConfig({ families: d.ipv6 ? ['ipv4-unicast', 'ipv6-unicast'] : ['ipv4-unicast'] }));
    // The session really crosses the router.
    assert.match(await ok(['ip', 'route', 'get', PEER], { ns: NS.w }), /via 10\.10\.0\.1 /);
    const n = await established('tsbgp to reach Established', 30000);
    const p = await waitFor(`${d.name} to report Established`, async () => {
      const i = await d.info(l);
      return i.established && i;
    }, 15000);
    const hold = Math.min(180, d.peerHoldTime);
    assert.is(n.holdTime, hold, 'tsbgp negotiated hold time');
    assert.is(n.keepaliveTime, Math.min(60, Math.floor(hold / 3)), 'tsbgp keepalive');
    assert.ok(n.capabilities?.fourOctetAs, 'tsbgp: 4-octet AS negotiated');
    assert.ok(n.capabilities?.routeRefresh, 'tsbgp: route refresh negotiated');
    assert.ok(n.capabilities?.families.includes('ipv4-unicast'), `tsbgp families ${JSON.stringify(n.capabilities?.families)}`);
    if (d.ipv6) assert.ok(n.capabilities?.families.includes('ipv6-unicast'), `tsbgp families ${JSON.stringify(n.capabilities?.families)}`);
    const raw = (): string => (typeof p.raw === 'string' ? p.raw : JSON.stringify(p.raw)).slice(0, 3000);
    assert.is(p.holdTime, hold, `${d.name} negotiated hold time; its CLI said:\n${raw()}`);
    if (p.keepaliveTime !== undefined) assert.ok(p.keepaliveTime <= Math.floor(hold / 3), `${d.name} keepalive ${p.keepaliveTime}`);
    if (p.fourOctetAs !== undefined) assert.ok(p.fourOctetAs, `${d.name}: 4-octet AS; its CLI said:\n${raw()}`);
    if (p.routeRefresh !== undefined) assert.ok(p.routeRefresh, `${d.name}: route refresh; its CLI said:\n${raw()}`);
    // Seen on the wire too: both OPENs, decoded by our reader.
    await waitFor('both OPENs in the capture (decoded by src/pcap)', async () => {
      const opens = (await l.captured()).filter((m) => m.result.ok && m.result.message.type === 'OPEN');
      return opens.some(fromTsbgp) && opens.some(fromPeer);
    }, 5000);
  });

  s('2. the peer\'s routes arrive in tsbgp\'s Adj-RIB-In', async () => {
    const l = lab();
    const want = d.ipv6 ? [ROUTE4, ROUTE6] : [ROUTE4];
    const routes = await waitFor(`${want.join(' and ')} in bgpctl show routes --received`, async () => {
      const r = await l.received();
      return want.every((p) => r.some((x) => x.prefix === p)) && r;
    }, 15000);
    assert.is(routes.find((r) => r.prefix === ROUTE4)?.nextHop, PEER);
    if (d.ipv6) assert.is(routes.find((r) => r.prefix === ROUTE6)?.nextHop, PEER6);
  });

  s('3. announce via .4, then via .5: the peer\'s RIB follows, one UPDATE for the change, no withdraw', async () => {
    const l = lab();
    await l.bgpctl(['announce', VIP, 'via', '10.10.0.4']);
    await peerNh('10.10.0.4', 15000);
    const first = await waitFor('the .4 UPDATE in the capture', async () => {
      const m = await l.captured();
      return m.some((x) => fromTsbgp(x) && announcedNextHop(x, VIP) === '10.10.0.4') && m;
    }, 5000);
    const mark = first.length;
    const res = (await l.bgpctl(['announce', VIP, 'via', '10.10.0.5'])) as { changed?: boolean; peers?: { sent: boolean }[] };
    assert.ok(res.peers?.some((p) => p.sent), `announce result: ${JSON.stringify(res)}`);
    await peerNh('10.10.0.5', 15000);
    await sleep(1000); // anything else tsbgp would send for this change has arrived by now
    const all = await l.captured();
    const vipUpdates = all.slice(mark).filter((m) => fromTsbgp(m) && (announcedNextHop(m, VIP) !== undefined || withdraws(m, VIP)));
    assert.is(vipUpdates.length, 1, `UPDATEs about ${VIP} after the change:\n${dump(vipUpdates)}`);
    assert.is(announcedNextHop(vipUpdates[0]!, VIP), '10.10.0.5');
    const w = all.filter((m) => withdraws(m, VIP));
    assert.is(w.length, 0, `withdraws of ${VIP}:\n${dump(w)}`);
  });

  s('4. a ROUTE-REFRESH from the peer is answered with the Adj-RIB-Out (VIP re-sent)', async () => {
    const l = lab();
    const mark = (await l.captured()).length;
    if (d.noRouteRefreshCli) {
      // Nearest honest equivalent (reason in the driver): tsbgp asks, the peer must answer with its
      // routes, and tsbgp re-sends its own Adj-RIB-Out as `neighbor refresh` promises.
      await l.bgpctl(['neighbor', PEER, 'refresh']);
      await waitFor('tsbgp\'s ROUTE-REFRESH, then the peer\'s routes and tsbgp\'s VIP re-sent', async () => {
        const m = (await l.captured()).slice(mark);
        const rr = m.findIndex((x) => fromTsbgp(x) && x.result.ok && x.result.message.type === 'ROUTE_REFRESH' && x.result.message.subtype === 0);
        const after = m.slice(rr + 1);
        return rr >= 0 && after.some((x) => fromPeer(x) && (updateOf(x)?.nlri ?? []).some((n) => n.prefix === ROUTE4)) && m.some((x) => fromTsbgp(x) && announcedNextHop(x, VIP) === '10.10.0.5');
      }, 10000).catch(async (e: Error) => {
        throw new Error(`${e.message}\n${dump(await l.captured(), mark)}`);
      });
      assert.is(await d.vipNextHop(l), '10.10.0.5');
      return;
    }
    await d.refresh(l);
    await waitFor('the peer\'s ROUTE-REFRESH, then the VIP re-sent by tsbgp', async () => {
      const m = (await l.captured()).slice(mark);
      const rr = m.findIndex((x) => fromPeer(x) && x.result.ok && x.result.message.type === 'ROUTE_REFRESH');
      return rr >= 0 && m.slice(rr + 1).some((x) => fromTsbgp(x) && announcedNextHop(x, VIP) === '10.10.0.5');
    }, 10000).catch(async (e: Error) => {
      throw new Error(`${e.message}\n${dump(await l.captured(), mark)}`);
    });
    assert.is(await d.vipNextHop(l), '10.10.0.5');
  });

  s('5. SIGTERM: tsbgpd exits 0 after sending Cease/Administrative Shutdown (6/2); the peer records it', async () => {
    const l = lab();
    const mark = (await l.captured()).length;
    const code = await l.stop(l.tsbgpd!, 'SIGTERM', 8000);
    assert.is(code, 0, 'tsbgpd exit status after SIGTERM');
    const cease = await waitFor('tsbgp\'s NOTIFICATION in the capture', async () => {
      const m = (await l.captured()).slice(mark).find((x) => fromTsbgp(x) && x.result.ok && x.result.message.type === 'NOTIFICATION');
      return m?.result.ok && m.result.message.type === 'NOTIFICATION' ? m.result.message : undefined;
    }, 5000);
    assert.is(`${cease.code}/${cease.subcode}`, '6/2');
    const evidence = await waitFor(`${d.name} to record the Cease`, () => d.ceaseRecorded(l), 10000);
    assert.ok(evidence.length > 0);
  });

  s('5b. tsbgpd started again (hold-time 9): re-established, the VIP restored from the state file (via .5)', async () => {
    const l = lab();
    if (l.tsbgpd && l.alive(l.tsbgpd)) await l.stop(l.tsbgpd, 'SIGTERM', 8000); // test 5 failed half-way
    // Back with a short hold time (for test 6); the state file gives the VIP back its failed-over next hop.
    await l.startTsbgpd(l.tsbgpConfig({ holdTime: 9, families: d.ipv6 ? ['ipv4-unicast', 'ipv6-unicast'] : ['ipv4-unicast'] }));
    await established('tsbgp to re-establish after restart', 30000);
    await peerNh('10.10.0.5', 15000);
  });

  let stopped = false;
  s('6a. silence: a SIGSTOPped peer makes tsbgp\'s hold timer (9 s) expire: 4/0 sent', async () => {
    const l = lab();
    const n = await established('tsbgp Established with hold-time 9', 30000);
    assert.is(n.holdTime, 9, 'negotiated hold time (tsbgp offers 9)');
    assert.is(n.keepaliveTime, 3);
    const p = await d.info(l);
    assert.is(p.holdTime, 9, `${d.name} negotiated hold time`);
    const pid = d.sessionPid();
    process.kill(pid, 'SIGSTOP');
    stopped = true;
    let after: TsbgpNeighbor;
    try {
      after = await waitFor('tsbgp to leave Established by hold-timer expiry', async () => {
        const x = await l.neighbor();
        return x.state !== 'Established' && x.lastError?.code === 4 && x;
      }, 20000);
    } finally {
      process.kill(pid, 'SIGCONT');
      stopped = false;
    }
    assert.is(after.lastError?.direction, 'sent');
    assert.is(`${after.lastError?.code}/${after.lastError?.subcode}`, '4/0');
  });

  let recovered = false;
  s('6b. after SIGCONT the session recovers (Established again, VIP in the peer\'s RIB)', async () => {
    assert.not.ok(stopped);
    if (d.afterResume) await d.afterResume(lab());
    await established('tsbgp to recover after SIGCONT', 25000);
    await peerNh('10.10.0.5', 15000);
    recovered = true;
  });

  s('6c. a full peer restart (stop by PID, start) is followed by re-establishment and the VIP re-sent', async () => {
    const l = lab();
    if (!recovered) {
      // 6b failed (reported there). So that this test checks a peer restart on its own and not
      // 6b's failure again, tsbgpd is restarted too (a fresh process, same config and state file)
      // before the peer is restarted.
      await l.stop(l.tsbgpd!, 'SIGTERM', 8000);
      await l.startTsbgpd(l.path('tsbgpd.yaml'));
    }
    await d.stop(l);
    await waitFor('tsbgp to notice the peer went away', async () => (await l.neighbor()).state !== 'Established' || undefined, 15000);
    await d.start(l);
    await established('tsbgp to re-establish after the peer restart', 30000);
    await peerNh('10.10.0.5', 20000);
    const w = (await l.captured()).filter((m) => withdraws(m, VIP));
    assert.is(w.length, 0, `withdraws of ${VIP} over the whole run:\n${dump(w)}`);
  });

  s.run();
}
