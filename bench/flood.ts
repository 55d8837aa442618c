// Control traffic must never starve BGP: one client pipelines announces while another pings every 10 ms; ping latency beside the no-flood floor, and whether a session dropped.
import { BenchPeer } from './peer.js';
import { ControlConn, Pinger, connectWhenUp, hostPrefixes, ms, nowMs, poll, secs, sleep, startTsbgpd, stats, tempDir, tsbgpdYaml } from './harness.js';

const HOLD = 9;

export interface FloodFigures {
  configured: number;
  flood: number;
  /** Spawn -> both peers hold the configured routes (s); undefined: not within the bound. */
  startSeconds: number | undefined;
  floor: ReturnType<typeof stats>;
  during: ReturnType<typeof stats> | undefined;
  /** First announce written -> last reply (s); undefined: not all answered within the bound. */
  floodSeconds: number | undefined;
  replies: number;
  errors: number;
  /** First announce written -> both peers had all the flooded routes (s). */
  peersSeconds: number | undefined;
  peers: { name: string; connections: number; notifications: string[]; closed: boolean; maxSilenceMs: number; daemonState?: string }[];
  holdTime: number;
  note?: string;
}

export async function runFloodBench(o: { configured?: number; flood?: number; limitSeconds?: number; progress?: (s: string) => void } = {}): Promise<FloodFigures> {
  const configured = o.configured ?? 5000;
  const flood = o.flood ?? 1000;
  const limit = (o.limitSeconds ?? 120) * 1000;
  const dir = tempDir('flood');
  const peers = [new BenchPeer({ asn: 65515, bgpId: '10.10.1.4', holdTime: HOLD, name: 'rs1' }), new BenchPeer({ asn: 65515, bgpId: '10.10.1.5', holdTime: HOLD, name: 'rs2' })];
  let daemon: Awaited<ReturnType<typeof startTsbgpd>> | undefined;
  const conns: { close(): void }[] = [];
  let pinger: Pinger | undefined;
  try {
    const ports = [await peers[0]!.listen('127.0.0.2'), await peers[1]!.listen('127.0.0.3')];
    const socket = dir.file('tsbgpd.sock');
    const routes = hostPrefixes(configured).map((prefix) => ({ prefix, nextHop: '10.10.0.4' }));
    const yaml = tsbgpdYaml({ socket, neighbors: ports.map((port, i) => ({ address: `127.0.0.${i + 2}`, port, holdTime: HOLD })), routes, stateFile: dir.file('state.json') });
    for (const p of peers) p.expect(configured);
    const t0 = nowMs();
    daemon = await startTsbgpd(dir, yaml);
    const d = daemon;
    o.progress?.(`  flood: tsbgpd with ${configured} routes starting ...`);
    const started = await poll(() => d.exited || peers.every((p) => p.targetAt !== undefined), limit, 20);
    if (d.exited) throw new Error(`tsbgpd exited: ${d.tail()}`);
    const startSeconds = started ? (Math.max(...peers.map((p) => p.targetAt!)) - t0) / 1000 : undefined;
    if (!started) {
      return { configured, flood, startSeconds, floor: stats([]), during: undefined, floodSeconds: undefined, replies: 0, errors: 0, peersSeconds: undefined, peers: [], holdTime: HOLD, note: `the peers did not get the ${configured} configured routes within ${limit / 1000} s; no flood run` };
    }
    await sleep(1000);
    for (const p of peers) p.resetCounts();

    // Floor: the same pings with nothing else going on.
    pinger = await Pinger.start(socket, 10);
    await sleep(300);
    pinger.take();
    await sleep(2000);
    const floor = stats(pinger.take());

    // The flood: one write of `flood` announces of new prefixes on another connection.
    o.progress?.(`  flood: ${flood} announces pipelined ...`);
    const c = await connectWhenUp(socket, 5000);
    conns.push(c);
    let replies = 0;
    let errors = 0;
    let lastAt = 0;
    c.onReply = (r) => {
      replies++;
      if (!r.ok) errors++;
      lastAt = r.at;
    };
    const text = hostPrefixes(flood, 0x10000).map((prefix, i) => ControlConn.line(i + 1, 'announce', { prefix, nextHop: '10.10.0.5' })).join('');
    for (const p of peers) p.expect(flood);
    pinger.take();
    const f0 = nowMs();
    c.write(text);
    const answered = await poll(() => replies >= flood || d.exited, limit, 10);
    await poll(() => peers.every((p) => p.targetAt !== undefined), 2000, 10);
    await sleep(200);
    const during = stats(pinger.take());
    await pinger.stop();
    pinger = undefined;

    const info = await connectWhenUp(socket, 5000).then(async (q) => {
      conns.push(q);
      return (await q.request('n', 'show-neighbors', {}, 10_000)).result as { neighbors: { address: string; state: string }[] };
    }).catch(() => undefined);
    const targets = peers.map((p) => p.targetAt);
    return {
      configured,
      flood,
      startSeconds,
      floor,
      during,
      floodSeconds: answered && replies >= flood ? (lastAt - f0) / 1000 : undefined,
      replies,
      errors,
      peersSeconds: targets.every((t) => t !== undefined) ? (Math.max(...(targets as number[])) - f0) / 1000 : undefined,
      peers: peers.map((p, i) => ({
        name: p.o.name,
        connections: p.connections,
        notifications: p.notifications.map((n) => `${n.code}/${n.subcode}`),
        closed: p.closedAt !== undefined,
        maxSilenceMs: p.maxSilence,
        ...(info ? { daemonState: info.neighbors.find((n) => n.address === `127.0.0.${i + 2}`)?.state ?? '?' } : {}),
      })),
      holdTime: HOLD,
      ...(d.exited ? { note: `tsbgpd exited: ${d.tail()}` } : {}),
    };
  } finally {
    await pinger?.stop(0);
    for (const c of conns) c.close();
    await daemon?.stop();
    await Promise.all(peers.map((p) => p.close()));
    dir.remove();
  }
}

export function printFlood(f: FloodFigures, print: (s: string) => void = console.log): void {
  const line = (s: ReturnType<typeof stats>): string => `p50 ${ms(s.p50, 2)}  p99 ${ms(s.p99, 2)}  max ${ms(s.max, 2)}  (${s.n} pings)`;
  print(`control flood: tsbgpd with ${f.configured.toLocaleString('en-US')} configured routes and 2 loopback peers (hold ${f.holdTime} s, keepalive ${f.holdTime / 3} s, state file on)`);
  print(`  client A writes ${f.flood.toLocaleString('en-US')} announces of new /32s in one write; client B sends a ping every 10 ms on its own connection`);
  print(`  start-up (spawn -> both peers hold the ${f.configured.toLocaleString('en-US')} routes): ${f.startSeconds === undefined ? 'did not finish' : secs(f.startSeconds)}`);
  if (f.note) print(`  note: ${f.note}`);
  if (!f.during) return;
  print(`  ping latency, no flood (floor):  ${line(f.floor)}`);
  print(`  ping latency during the flood:   ${line(f.during)}  [target: a few ms; floor p99 ${ms(f.floor.p99, 2)}]`);
  print(`  flood: ${f.replies.toLocaleString('en-US')} replies${f.errors ? ` (${f.errors} errors)` : ''} ${f.floodSeconds === undefined ? '(not all within the bound)' : `in ${secs(f.floodSeconds)}`}; both peers held every flooded route after ${f.peersSeconds === undefined ? 'n/a (not all arrived)' : secs(f.peersSeconds)}`);
  const dropped = f.peers.filter((p) => p.connections !== 1 || p.closed || p.notifications.length || (p.daemonState && p.daemonState !== 'Established') || p.maxSilenceMs > f.holdTime * 1000);
  for (const p of f.peers) {
    print(
      `  session ${p.name}: ${p.closed ? 'CLOSED' : 'up'}, connections ${p.connections}, NOTIFICATIONs from tsbgpd ${p.notifications.length ? p.notifications.join(' ') : 'none'}, tsbgpd says ${p.daemonState ?? '?'}; longest silence from tsbgpd ${ms(p.maxSilenceMs, 0)} (keepalive ${f.holdTime / 3} s, hold ${f.holdTime} s)`,
    );
  }
  print(`  => ${dropped.length ? `SESSION DROPPED or at risk: ${dropped.map((p) => p.name).join(', ')}` : 'no session dropped during the flood'}`);
}
