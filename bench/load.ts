// Received-table load: a peer sends a 1,000,000-prefix IPv4 table to tsbgpd; load time, control ping latency meanwhile, RSS and heap per prefix, and `show routes --received` read in full.
import { decodeMessage } from '../src/bgp/messages/index.js';
import { CTX } from './codec.js';
import { BenchPeer } from './peer.js';
import { makeTable } from './table.js';
import {
  ControlConn,
  Pinger,
  RssSampler,
  connectWhenUp,
  mb,
  memMb,
  ms,
  nowMs,
  poll,
  probe,
  probeOptions,
  secs,
  sleep,
  startTsbgpd,
  stats,
  tempDir,
  tsbgpdYaml,
} from './harness.js';

export interface LoadFigures {
  prefixes: number;
  updates: number;
  attributeSets: number;
  wireMb: number;
  /** This process decoding the same messages with the codec, once (s): the floor under any load. */
  decodeFloorSeconds: number;
  /** First UPDATE written -> `show summary` says all received (s); undefined: not within the bound. */
  loadSeconds: number | undefined;
  /** First UPDATE written -> the peer's last byte handed to the kernel (s). */
  sendSeconds: number;
  receivedAtEnd: number;
  pingIdle: ReturnType<typeof stats>;
  pingLoad: ReturnType<typeof stats>;
  rss: { before: number; peakLoad: number; loaded: number; afterLeave: number; afterLeaveGc: number };
  heap: { before: number; loaded: number; afterLeave: number; externalBefore: number; externalLoaded: number };
  /** The table sent again after the peer came back, then read with show routes --received. */
  show?: { seconds: number | undefined; bytes: number; rows: number; pingMax: number; pingP99: number; peakRss: number; error?: string };
  /** The second send: first UPDATE written -> all received (s). */
  reloadSeconds?: number;
  leaveSeconds: number | undefined;
  note?: string;
}

const MB = 1024 * 1024;

/** Count `needle` in `hay` (rows of a JSON reply, without parsing 100+ MB). */
function occurrences(hay: Buffer, needle: string): number {
  let n = 0;
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length)) n++;
  return n;
}

export async function runLoadBench(o: { prefixes?: number; limitSeconds?: number; show?: boolean; progress?: (s: string) => void } = {}): Promise<LoadFigures> {
  const want = o.prefixes ?? 1_000_000;
  const limit = (o.limitSeconds ?? 120) * 1000;
  o.progress?.(`  load: building the ${want.toLocaleString('en-US')}-prefix table ...`);
  const table = makeTable(want);
  const d0 = nowMs();
  for (const m of table.messages) decodeMessage(m, CTX);
  const decodeFloorSeconds = (nowMs() - d0) / 1000;
  // Sent in ~256 KB writes: what a real peer's TCP stream looks like to the daemon.
  const chunks: Buffer[] = [];
  for (let i = 0; i < table.messages.length; ) {
    const part: Uint8Array[] = [];
    let size = 0;
    while (i < table.messages.length && size < 256 * 1024) {
      size += table.messages[i]!.length;
      part.push(table.messages[i++]!);
    }
    chunks.push(Buffer.concat(part, size));
  }

  const dir = tempDir('load');
  const peer = new BenchPeer({ asn: 65515, bgpId: '10.10.1.4', holdTime: 90, name: 'rs1' });
  let daemon: Awaited<ReturnType<typeof startTsbgpd>> | undefined;
  let pinger: Pinger | undefined;
  let sampler: RssSampler | undefined;
  const conns: ControlConn[] = [];
  try {
    const port = await peer.listen('127.0.0.2');
    const socket = dir.file('tsbgpd.sock');
    const probeFile = dir.file('probe.json');
    const yaml = tsbgpdYaml({ socket, neighbors: [{ address: '127.0.0.2', port, holdTime: 90 }], routes: [{ prefix: '100.64.0.1/32', nextHop: '10.10.0.4' }] });
    daemon = await startTsbgpd(dir, yaml, probeOptions(probeFile));
    const d = daemon;
    const pid = await d.waitPid();
    const summary = await connectWhenUp(socket, 30_000, d);
    conns.push(summary);
    if (!(await poll(() => peer.established && peer.endOfRibAt !== undefined, 30_000, 10))) throw new Error(`the session did not come up: ${d.tail()}`);
    await sleep(1500);
    const p0 = await probe(pid, probeFile);
    await sleep(200);
    const rssBefore = memMb(pid).rss;
    pinger = await Pinger.start(socket, 10);
    await sleep(1000);
    pinger.take();
    await sleep(1000);
    const pingIdle = stats(pinger.take());

    // The load: every UPDATE as fast as TCP takes it; summary polled every 50 ms on a third connection.
    o.progress?.(`  load: sending ${table.updates.toLocaleString('en-US')} UPDATEs ...`);
    sampler = new RssSampler(pid, 20);
    sampler.reset();
    let received = 0;
    let reqId = 0;
    const received$ = async (): Promise<number> => {
      const r = await summary.request(++reqId, 'show-summary', {}, limit);
      return ((r.result as { neighbors: { received: number }[] }).neighbors[0]?.received ?? 0) as number;
    };
    const t0 = nowMs();
    let sentAt = 0;
    const sending = (async () => {
      for (const c of chunks) await peer.send(c);
      sentAt = nowMs();
    })();
    let doneAt: number | undefined;
    await poll(async () => {
      received = await received$();
      if (received >= table.prefixes) doneAt = nowMs();
      return doneAt !== undefined || d.exited || peer.closedAt !== undefined;
    }, limit, 50);
    await sending;
    const pingLoad = stats(pinger.take());
    const peakLoad = sampler.peak;
    await sleep(1000);
    const loadedRss = memMb(pid).rss;
    const p1 = await probe(pid, probeFile, 30_000);

    // The peer leaves (TCP closed, no NOTIFICATION; it stops listening so tsbgpd cannot reconnect).
    await pinger.stop();
    pinger = undefined;
    o.progress?.('  load: the peer leaves ...');
    const l0 = nowMs();
    await peer.close();
    let leaveAt: number | undefined;
    await poll(async () => {
      if ((await received$()) === 0) leaveAt = nowMs();
      return leaveAt !== undefined;
    }, 30_000, 50);
    await sleep(3000);
    const afterLeave = memMb(pid).rss;
    const p2 = await probe(pid, probeFile);
    const afterLeaveGc = memMb(pid).rss;

    // show routes --received needs the table: the peer comes back and sends it again; then a client
    // that keeps up reads the reply to its end.
    let show: LoadFigures['show'];
    let reloadSeconds: number | undefined;
    if (o.show !== false && doneAt !== undefined) {
      o.progress?.('  load: the peer comes back and sends the table again ...');
      await peer.listen('127.0.0.2', port);
      if (await poll(() => d.exited || (peer.established && peer.endOfRibAt !== undefined), 60_000, 10)) {
        const r0 = nowMs();
        for (const c of chunks) await peer.send(c);
        if (await poll(async () => (await received$()) >= table.prefixes || d.exited, limit, 50)) reloadSeconds = (nowMs() - r0) / 1000;
      }
      if (reloadSeconds !== undefined) {
        await sleep(1000);
        o.progress?.('  load: show routes --received ...');
        pinger = await Pinger.start(socket, 10);
        await sleep(500);
        const reader = await connectWhenUp(socket, 5000);
        conns.push(reader);
        reader.parse = false;
        let raw: Buffer | undefined;
        reader.keepRaw = (b) => (raw = b);
        sampler.reset();
        pinger.take();
        const s0 = nowMs();
        const reply = await reader.request('routes', 'show-routes', { view: 'received' }, limit).catch((e: Error) => e);
        const showPing = stats(pinger.take());
        show =
          reply instanceof Error
            ? { seconds: undefined, bytes: reader.received, rows: 0, pingMax: showPing.max, pingP99: showPing.p99, peakRss: sampler.peak, error: reply.message }
            : { seconds: (reply.at - s0) / 1000, bytes: reply.bytes, rows: raw ? occurrences(raw, '"prefix":') : 0, pingMax: showPing.max, pingP99: showPing.p99, peakRss: sampler.peak };
        raw = undefined;
        reader.close();
      } else {
        show = { seconds: undefined, bytes: 0, rows: 0, pingMax: NaN, pingP99: NaN, peakRss: NaN, error: 'the peer could not send the table again (no session, or not all received in time)' };
      }
    }
    sampler.stop();
    return {
      prefixes: table.prefixes,
      updates: table.updates,
      attributeSets: table.attributeSets,
      wireMb: table.bytes / MB,
      decodeFloorSeconds,
      loadSeconds: doneAt === undefined ? undefined : (doneAt - t0) / 1000,
      sendSeconds: (sentAt - t0) / 1000,
      receivedAtEnd: received,
      pingIdle,
      pingLoad,
      rss: { before: rssBefore, peakLoad, loaded: loadedRss, afterLeave, afterLeaveGc },
      heap: { before: p0.heapUsed / MB, loaded: p1.heapUsed / MB, afterLeave: p2.heapUsed / MB, externalBefore: p0.external / MB, externalLoaded: p1.external / MB },
      ...(show ? { show } : {}),
      ...(reloadSeconds !== undefined ? { reloadSeconds } : {}),
      leaveSeconds: leaveAt === undefined ? undefined : (leaveAt - l0) / 1000,
      ...(d.exited ? { note: `tsbgpd exited: ${d.tail()}` } : doneAt === undefined ? { note: `only ${received.toLocaleString('en-US')} received within ${limit / 1000} s` } : {}),
    };
  } finally {
    sampler?.stop();
    await pinger?.stop(0);
    for (const c of conns) c.close();
    await daemon?.stop();
    await peer.close();
    dir.remove();
  }
}

export function printLoad(f: LoadFigures, print: (s: string) => void = console.log): void {
  const n = f.prefixes;
  const per = (mbDelta: number): string => `${((mbDelta * MB) / n).toFixed(0)} bytes`;
  print(`received table load: one loopback peer sends ${n.toLocaleString('en-US')} IPv4 prefixes in ${f.updates.toLocaleString('en-US')} UPDATEs (${f.attributeSets.toLocaleString('en-US')} attribute sets, ${f.wireMb.toFixed(1)} MB on the wire)`);
  print(`  load (first UPDATE written -> show summary says ${n.toLocaleString('en-US')} received): ${f.loadSeconds === undefined ? `did not finish (${f.receivedAtEnd.toLocaleString('en-US')} received)` : secs(f.loadSeconds)}   [main: 3.1 s]`);
  print(`    floor: this process decodes the same messages with the codec in ${secs(f.decodeFloorSeconds)}; the peer's writes took ${secs(f.sendSeconds)}`);
  print(`  control ping every 10 ms: idle p50 ${ms(f.pingIdle.p50, 2)} p99 ${ms(f.pingIdle.p99, 2)} max ${ms(f.pingIdle.max, 2)} | during the load p50 ${ms(f.pingLoad.p50, 2)} p99 ${ms(f.pingLoad.p99, 2)} worst ${ms(f.pingLoad.max)}  [target worst < 50 ms; main: 458 ms]`);
  print(
    `  tsbgpd RSS: before ${mb(f.rss.before)}, peak during the load ${mb(f.rss.peakLoad)}, loaded ${mb(f.rss.loaded)}; 3 s after the peer left ${mb(f.rss.afterLeave)} (${mb(f.rss.afterLeaveGc)} after a forced GC)  [target: back near ${mb(f.rss.before)}]`,
  );
  print(
    `  JS heap used (after a full GC): before ${mb(f.heap.before)}, loaded ${mb(f.heap.loaded)} = ${per(f.heap.loaded - f.heap.before)} per received prefix  [target <= 300 bytes]; external ${mb(f.heap.externalBefore)} -> ${mb(f.heap.externalLoaded)} (${per(f.heap.externalLoaded - f.heap.externalBefore)} per prefix); after the peer left ${mb(f.heap.afterLeave)}`,
  );
  print(`    RSS growth per received prefix: ${per(f.rss.loaded - f.rss.before)} (loaded, not GC'd)`);
  print(`  peer left -> show summary says 0 received: ${f.leaveSeconds === undefined ? 'not within 30 s' : secs(f.leaveSeconds)}`);
  if (f.show) {
    const s = f.show;
    if (f.reloadSeconds !== undefined) print(`  the peer came back and sent the table again: all received in ${secs(f.reloadSeconds)}`);
    print(
      `  show routes --received, read to the end: ${s.seconds === undefined ? `FAILED (${s.error})` : secs(s.seconds)}, ${(s.bytes / MB).toFixed(1)} MB, ${s.rows.toLocaleString('en-US')} rows; tsbgpd peak RSS meanwhile ${mb(s.peakRss)} (loaded: ${mb(f.rss.loaded)}); ping meanwhile p99 ${ms(s.pingP99)} worst ${ms(s.pingMax)} (idle p99 ${ms(f.pingIdle.p99, 2)})  [main: one 174 MB reply, 4.8 s blocked, 1 GB RSS]`,
    );
  }
  if (f.note) print(`  note: ${f.note}`);
}
