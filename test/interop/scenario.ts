// The interop scenario every daemon goes through, as one uvu suite. A daemon file supplies a
// PeerDriver (how to start/stop/query that daemon as the route server, AS 65515, at 10.10.1.4).
//
// Order on the wire: 1 Established, 2 routes in, 3 failover, 4 route refresh, 5 SIGTERM and 5b
// kill -9 (graceful restart: the peer keeps the VIP while tsbgpd is away), 5c the hard stop (Hard
// Reset: the peer flushes it; tsbgpd is then started again with hold-time 9 and must restore the
// VIP from its state file), 6 hold-timer expiry against a SIGSTOPped peer, recovery after SIGCONT,
// and a full peer restart (tsbgp keeping the peer's routes stale where graceful restart says so).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { IPV4_UNICAST } from '../../src/bgp/iana.js';
import { endOfRibFamily } from '../../src/bgp/messages/index.js';
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
  /** Evidence (text) that the peer recorded the NOTIFICATION tsbgp's hard stop sent (`sent`: code/subcode), or undefined. */
  ceaseRecorded(lab: Lab, sent: '6/2' | '6/9'): Promise<string | undefined>;
  /**
   * As a graceful-restart helper for tsbgp (RFC 4724 §4.2): `true` when the daemon keeps tsbgp's
   * routes across its restart (checked in its RIB); otherwise why it cannot, and restartEvidence
   * gives its own record of the restart instead.
   */
  grHelper: true | { because: string };
  /** Without a RIB to check (grHelper not true): the daemon's record that tsbgp restarted gracefully since `t0`, or undefined. */
  restartEvidence?(lab: Lab, t0: number): Promise<string | undefined>;
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

  /**
   * tsbgpd is down (stopped by `how`, at `t0`) and started again: while it is away and until it has
   * sent the VIP again, the peer must hold the VIP via .5 (polled every 100 ms), unless it cannot
   * (grHelper), when its own record of the restart is asserted instead. After the start, the VIP
   * goes before End-of-RIB on the new connection, and no withdraw of the VIP is ever sent.
   */
  const acrossRestart = async (how: string, t0: number, mark: number): Promise<void> => {
    const l = lab();
    const absent: string[] = [];
    let polls = 0;
    const poll = async (): Promise<void> => {
      if (d.grHelper !== true) return;
      const nh = await d.vipNextHop(l);
      polls++;
      if (nh !== '10.10.0.5') absent.push(`${Date.now() - t0} ms: ${nh ?? 'absent'}`);
    };
    // Down for a while (longer than any daemon takes to notice the close), then back.
    for (const end = Date.now() + 1500; Date.now() < end; ) {
      await poll();
      await sleep(100);
    }
    const tStart = Date.now();
    await l.startTsbgpd(l.path('tsbgpd.yaml'));
    const back = await waitFor(`tsbgp's VIP, then End-of-RIB, on the new connection (${d.name})`, async () => {
      await poll();
      const all = (await l.captured()).slice(mark);
      // The connection that came up: the last one with the peer's OPEN on it (attempts before may go unanswered).
      const conn = all.filter((x) => fromPeer(x) && x.result.ok && x.result.message.type === 'OPEN').at(-1)?.connection;
      const onIt = all.filter((x) => fromTsbgp(x) && x.connection === conn);
      const vip = onIt.findIndex((x) => announcedNextHop(x, VIP) === '10.10.0.5');
      const eor = onIt.findIndex((x) => updateOf(x) !== undefined && endOfRibFamily(updateOf(x)!) === IPV4_UNICAST);
      return eor >= 0 && { vip, eor, vipAt: onIt[vip]?.time, eorAt: onIt[eor]!.time };
    }, 30000).catch(async (e: Error) => {
      throw new Error(`${e.message}\n${dump(await l.captured(), mark)}\n--- tsbgpd log tail ---\n${tsbgpLog()}`);
    });
    assert.ok(back.vip >= 0 && back.vip < back.eor, `the VIP must come before End-of-RIB (VIP #${back.vip}, EoR #${back.eor}):\n${dump(await l.captured(), mark)}`);
    await established(`tsbgp Established after the ${how} restart`, 15000);
    await peerNh('10.10.0.5', 15000);
    await poll();
    const keptMs = Math.round((back.vipAt ?? back.eorAt) * 1000 - t0);
    const eorMs = Math.round(back.eorAt * 1000 - tStart);
    if (d.grHelper === true) {
      assert.equal(absent, [], `${d.name} lost ${VIP} via .5 during the ${how} restart (${polls} polls)`);
      console.log(`  GR ${d.name} ${how}: ${VIP} kept via 10.10.0.5 for ${keptMs} ms until tsbgpd re-sent it (${polls} polls, none absent); start -> End-of-RIB ${eorMs} ms`);
    } else {
      const ev = await waitFor(`${d.name}'s own record of the graceful restart`, () => d.restartEvidence!(l, t0), 10000);
      console.log(`  GR ${d.name} ${how}: ${d.grHelper.because}; its record: ${ev}; start -> End-of-RIB ${eorMs} ms`);
    }
    const w = (await l.captured()).filter((m) => withdraws(m, VIP));
    assert.is(w.length, 0, `withdraws of ${VIP}:\n${dump(w)}`);
  };

  s('5. SIGTERM: a graceful stop (6/2 with N on both sides, else only the close); the peer keeps the VIP until tsbgpd is back; VIP before End-of-RIB', async () => {
    const l = lab();
    const n = (await l.neighbor()).gracefulRestart?.negotiated;
    assert.ok(n, `graceful restart negotiated with ${d.name}`);
    assert.equal(n.local.families.map((f) => [f.family, f.forwardingPreserved]), (d.ipv6 ? ['ipv4-unicast', 'ipv6-unicast'] : ['ipv4-unicast']).map((f) => [f, true]));
    const mark = (await l.captured()).length;
    const t0 = Date.now();
    const code = await l.stop(l.tsbgpd!, 'SIGTERM', 8000);
    assert.is(code, 0, 'tsbgpd exit status after SIGTERM');
    await sleep(300); // the last segments are in the capture
    const sent = (await l.captured()).slice(mark).filter((x) => fromTsbgp(x) && x.result.ok && x.result.message.type === 'NOTIFICATION');
    assert.equal(sent.map((x) => (x.result.ok && x.result.message.type === 'NOTIFICATION' ? `${x.result.message.code}/${x.result.message.subcode}` : '')), n.notification ? ['6/2'] : [], `N on both sides: ${n.notification}`);
    await acrossRestart('SIGTERM', t0, mark);
  });

  s('5b. kill -9: the kernel closes the session; the peer keeps the VIP until tsbgpd is back; VIP before End-of-RIB', async () => {
    const l = lab();
    if (l.tsbgpd && !l.alive(l.tsbgpd)) await l.startTsbgpd(l.path('tsbgpd.yaml')); // test 5 failed half-way
    await established('tsbgp Established before kill -9', 30000);
    await peerNh('10.10.0.5', 15000);
    const mark = (await l.captured()).length;
    const t0 = Date.now();
    await l.stop(l.tsbgpd!, 'SIGKILL', 8000);
    await acrossRestart('kill -9', t0, mark);
    const sent = (await l.captured()).slice(mark).filter((x) => fromTsbgp(x) && x.result.ok && x.result.message.type === 'NOTIFICATION');
    assert.is(sent.length, 0, `a killed tsbgpd sends nothing:\n${dump(sent)}`);
  });

  s('5c. bgpctl shutdown --hard: Hard Reset (6/9) with N on both sides, else 6/2; the peer flushes the VIP and records it; back with hold-time 9, the VIP restored', async () => {
    const l = lab();
    if (!l.tsbgpd || !l.alive(l.tsbgpd)) await l.startTsbgpd(l.path('tsbgpd.yaml'));
    await established('tsbgp Established before the hard stop', 30000);
    await peerNh('10.10.0.5', 15000);
    const n = (await l.neighbor()).gracefulRestart?.negotiated;
    const mark = (await l.captured()).length;
    const answer = (await l.bgpctl(['shutdown', '--hard'])) as { mode: string; peers: { neighbor: string; sends: string; keepsRoutes: boolean }[] };
    assert.equal(answer.peers.map((p) => [p.neighbor, p.sends, p.keepsRoutes]), [[PEER, n?.notification ? 'hard-reset' : 'cease', false]]);
    const code = await Promise.race([l.tsbgpd!.exited, sleep(8000).then(() => 'timeout' as const)]);
    assert.is(code, 0, 'tsbgpd exit status after shutdown --hard');
    await l.stop(l.tsbgpd!);
    const want = n?.notification ? '6/9' : '6/2';
    const note = await waitFor('tsbgp\'s NOTIFICATION in the capture', async () => {
      const m = (await l.captured()).slice(mark).find((x) => fromTsbgp(x) && x.result.ok && x.result.message.type === 'NOTIFICATION');
      return m?.result.ok && m.result.message.type === 'NOTIFICATION' ? m.result.message : undefined;
    }, 5000);
    assert.is(`${note.code}/${note.subcode}`, want);
    const t0 = Date.now();
    await waitFor(`${d.name} to flush ${VIP}`, async () => (await d.vipNextHop(l)) === undefined || undefined, 10000);
    console.log(`  GR ${d.name} hard stop: ${want} sent, ${VIP} flushed within ${Date.now() - t0} ms of the check`);
    const evidence = await waitFor(`${d.name} to record the ${want}`, () => d.ceaseRecorded(l, want), 10000);
    assert.ok(evidence.length > 0);
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

  s('6c. a full peer restart (stop by PID, start): tsbgp keeps its routes stale or flushes them as RFC 4724/8538 say; re-established, the VIP re-sent', async () => {
    const l = lab();
    if (!recovered) {
      // 6b failed (reported there). So that this test checks a peer restart on its own and not
      // 6b's failure again, tsbgpd is restarted too (a fresh process, same config and state file)
      // before the peer is restarted.
      await l.stop(l.tsbgpd!, 'SIGTERM', 8000);
      await l.startTsbgpd(l.path('tsbgpd.yaml'));
    }
    const gr = (await established('tsbgp Established before the peer restart', 30000)).gracefulRestart?.negotiated;
    await waitFor(`${ROUTE4} from ${d.name} in tsbgp's Adj-RIB-In, not stale`, async () => (await l.received()).some((r) => r.prefix === ROUTE4 && !r.stale) || undefined, 20000);
    const mark = (await l.captured()).length;
    await d.stop(l);
    await waitFor('tsbgp to notice the peer went away', async () => (await l.neighbor()).state !== 'Established' || undefined, 15000);
    // What the peer said on its way out decides (RFC 4724 §4.2, RFC 8538 §4): an independent reading of the rules.
    const said = (await l.captured()).slice(mark).find((x) => fromPeer(x) && x.result.ok && x.result.message.type === 'NOTIFICATION');
    const note = said?.result.ok && said.result.message.type === 'NOTIFICATION' ? `${said.result.message.code}/${said.result.message.subcode}` : undefined;
    const restarts = (gr?.peer.families.length ?? 0) > 0;
    const keeps = restarts && (note === undefined || (gr!.notification && note !== '6/9'));
    const during = await l.received();
    const why = `${d.name} restarts ${JSON.stringify(gr?.peer.families)}, N both ${gr?.notification}, sent ${note ?? 'no NOTIFICATION'}`;
    if (keeps) {
      assert.ok(during.some((r) => r.prefix === ROUTE4 && r.stale === true), `${ROUTE4} kept stale (${why}): ${JSON.stringify(during)}\n${dump(await l.captured(), mark)}\n${tsbgpLog()}`);
    } else {
      assert.not.ok(during.some((r) => r.prefix === ROUTE4), `${ROUTE4} flushed (${why}): ${JSON.stringify(during)}\n${dump(await l.captured(), mark)}\n${tsbgpLog()}`);
    }
    console.log(`  GR ${d.name} restarting as the peer: ${why}: tsbgp ${keeps ? 'kept its routes stale' : 'flushed its routes'}`);
    await d.start(l);
    await established('tsbgp to re-establish after the peer restart', 30000);
    await peerNh('10.10.0.5', 20000);
    await waitFor(`${ROUTE4} fresh again, nothing stale left`, async () => {
      const r = await l.received();
      const n = await l.neighbor();
      return r.some((x) => x.prefix === ROUTE4 && !x.stale) && !r.some((x) => x.stale) && n.gracefulRestart?.stale === undefined;
    }, 20000);
    const w = (await l.captured()).filter((m) => withdraws(m, VIP));
    assert.is(w.length, 0, `withdraws of ${VIP} over the whole run:\n${dump(w)}`);
  });

  s.run();
}
