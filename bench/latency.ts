// Command-to-wire latency: a JSON request on the control socket -> the UPDATE at each of two peers,
// against a real tsbgpd process, with and without a state file; the daemon's CPU per flip; `bgpctl announce` end to end; idle RSS.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { RawPeer } from '../test/helpers/raw-peer.js';
import { CLI, Proc, cpuMicros, memMb, pct, startTsbgpd, tempDir, tsbgpdYaml } from './harness.js';

const VIP = '100.64.0.1/32';

export interface LatencyFigures {
  flips: number;
  stateFile: boolean;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Request to reply (all peers written, and the state file saved when there is one), median. */
  replyP50: number;
  /** tsbgpd's user + system CPU over the measured flips, per flip (µs; /proc/PID/stat, 10 ms ticks). */
  cpuPerFlip: number;
  /** Absent when bgpctl was not timed in this run. */
  bgpctlMedianMs?: number;
  nodeBaselineMs?: number;
  /** Both sessions up, nothing happening. */
  idleRssMb: number;
  /** After all the flips and bgpctl runs. */
  afterRssMb: number;
}

export interface FloorFigures {
  p50: number;
  p99: number;
  /** The relay's CPU per request (µs). */
  cpuPerRequest: number;
}

/**
 * Wait for `check`, bounded by `ms`. `spin` keeps this process awake (setImmediate) so a sample
 * measures the daemon, not the benchmark's own wake-up from sleep; otherwise it polls every 5 ms.
 */
function until(check: () => boolean, what: string, ms = 10_000, spin = false): Promise<void> {
  const end = Date.now() + ms;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      if (check()) resolve();
      else if (Date.now() > end) reject(new Error(`timed out waiting for ${what}`));
      else if (spin) setImmediate(tick);
      else setTimeout(tick, 5);
    };
    tick();
  });
}

/**
 * The same measurement through a bare Node relay (no BGP: a fixed 55-octet write to each of two
 * TCP receivers per request line): the floor this machine puts under any Node daemon.
 */
export async function relayFloor(count: number): Promise<FloorFigures> {
  const dir = tempDir('floor');
  const arrivals: (bigint | undefined)[] = [undefined, undefined];
  const servers = await Promise.all(
    ['127.0.0.2', '127.0.0.3'].map(
      (host, i) =>
        new Promise<net.Server>((resolve) => {
          const s = net.createServer((c) => c.on('data', () => (arrivals[i] = process.hrtime.bigint())));
          s.listen({ host, port: 0 }, () => resolve(s));
        }),
    ),
  );
  const sock = dir.file('relay.sock');
  const relay = `const net=require('net');const o=[${servers.map((s) => `net.connect({host:'${(s.address() as net.AddressInfo).address}',port:${(s.address() as net.AddressInfo).port}})`).join(',')}];o.forEach(s=>s.setNoDelay(true));const b=Buffer.alloc(55,255);net.createServer(c=>c.on('data',()=>{for(const s of o)s.write(b);c.write('ok\\n')})).listen(${JSON.stringify(sock)});`;
  const child = new Proc('relay', process.execPath, ['-e', relay], { log: dir.file('relay.log'), maxSeconds: 300 });
  try {
    const pid = await child.waitPid();
    await until(() => { try { return readFileSync(sock) !== undefined; } catch (e) { return (e as NodeJS.ErrnoException).code !== 'ENOENT'; } }, 'the relay');
    const c = net.connect(sock);
    await new Promise<void>((r) => c.once('connect', () => r()));
    let replies = 0;
    c.on('data', () => replies++);
    const samples: number[] = [];
    let cpu0 = 0;
    for (let i = 0; i < count + 200; i++) {
      if (i === 200) cpu0 = cpuMicros(pid);
      arrivals[0] = arrivals[1] = undefined;
      const before = replies;
      const t0 = process.hrtime.bigint();
      c.write('x\n');
      await until(() => arrivals[0] !== undefined && arrivals[1] !== undefined && replies > before, 'the relay', 10_000, true);
      if (i >= 200) for (const a of arrivals) samples.push(Number(a! - t0) / 1000);
    }
    const cpuPerRequest = (cpuMicros(pid) - cpu0) / count;
    c.end();
    samples.sort((a, b) => a - b);
    return { p50: pct(samples, 50), p99: pct(samples, 99), cpuPerRequest };
  } finally {
    await child.stop();
    for (const s of servers) s.close();
    dir.remove();
  }
}

function timeCommand(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`${args.join(' ')} failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function runLatencyBench(o: { flips?: number; stateFile?: boolean; bgpctl?: boolean } = {}): Promise<LatencyFigures> {
  const flips = o.flips ?? 2000;
  const withState = o.stateFile ?? !process.env['BENCH_NO_STATE'];
  const dir = tempDir('latency');
  const peers = [new RawPeer({ asn: 65515, bgpId: '10.10.1.4' }), new RawPeer({ asn: 65515, bgpId: '10.10.1.5' })];
  let daemon: Proc | undefined;
  try {
    const ports = [await peers[0]!.listen('127.0.0.2'), await peers[1]!.listen('127.0.0.3')];
    const socket = dir.file('tsbgpd.sock');
    const yaml = tsbgpdYaml({
      socket,
      neighbors: ports.map((port, i) => ({ address: `127.0.0.${i + 2}`, port })),
      routes: [{ prefix: VIP, nextHop: '10.10.0.4' }],
      ...(withState ? { stateFile: dir.file('state.json') } : {}),
    });
    daemon = await startTsbgpd(dir, yaml);
    const pid = await daemon.waitPid();
    // Established and the initial table delivered to both.
    await until(() => peers.every((p) => p.ofType('UPDATE').length >= 2), 'both sessions and their initial tables');
    await new Promise((r) => setTimeout(r, 2000));
    const idleRssMb = memMb(pid).rss;
    const control = net.connect(socket);
    await new Promise<void>((r) => control.once('connect', () => r()));
    control.setNoDelay(true);
    let replies = 0;
    let lastReplyAt = 0n;
    let buf = '';
    control.on('data', (d: Buffer) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (!(JSON.parse(line) as { ok: boolean }).ok) throw new Error(`error reply: ${line}`);
        replies++;
        lastReplyAt = process.hrtime.bigint();
      }
    });
    const arrivals: (bigint | undefined)[] = [undefined, undefined];
    peers.forEach((p, i) => {
      p.onMessage = (r) => {
        if (r.message.type === 'UPDATE' && r.message.nlri[0]?.prefix === VIP) arrivals[i] = r.at;
      };
    });
    const samples: number[] = [];
    const replyTimes: number[] = [];
    const warmup = 200;
    let cpu0 = 0;
    for (let i = 0; i < flips + warmup; i++) {
      if (i === warmup) cpu0 = cpuMicros(pid);
      arrivals[0] = arrivals[1] = undefined;
      const before = replies;
      const nextHop = i % 2 === 0 ? '10.10.0.5' : '10.10.0.4';
      const line = JSON.stringify({ v: 1, id: i, command: 'announce', args: { prefix: VIP, nextHop } }) + '\n';
      const t0 = process.hrtime.bigint();
      control.write(line);
      await until(() => arrivals[0] !== undefined && arrivals[1] !== undefined && replies > before, `flip ${i}`, 10_000, true);
      if (i >= warmup) {
        for (const a of arrivals) samples.push(Number(a! - t0) / 1000);
        replyTimes.push(Number(lastReplyAt - t0) / 1000);
      }
    }
    // Every flip was answered, so the daemon's work for it (the state file's save included) is done.
    const cpuPerFlip = (cpuMicros(pid) - cpu0) / flips;
    control.end();
    const sorted = [...samples].sort((a, b) => a - b);

    let bgpctl: { bgpctlMedianMs: number; nodeBaselineMs: number } | undefined;
    if (o.bgpctl !== false) {
      // bgpctl as an operator runs it: process start to exit.
      const bgpctlJs = join(CLI, 'bgpctl.js');
      const runs: number[] = [];
      const base: number[] = [];
      for (let i = 0; i < 21; i++) {
        base.push(timeCommand(['-e', '0']));
        runs.push(timeCommand([bgpctlJs, 'announce', VIP, 'via', i % 2 ? '10.10.0.4' : '10.10.0.5', '--socket', socket]));
      }
      bgpctl = { bgpctlMedianMs: median(runs), nodeBaselineMs: median(base) };
    }
    await new Promise((r) => setTimeout(r, 1000));
    return {
      flips,
      stateFile: withState,
      p50: pct(sorted, 50),
      p90: pct(sorted, 90),
      p99: pct(sorted, 99),
      max: sorted[sorted.length - 1]!,
      replyP50: median(replyTimes),
      cpuPerFlip,
      ...(bgpctl ?? {}),
      idleRssMb,
      afterRssMb: memMb(pid).rss,
    };
  } finally {
    await daemon?.stop();
    await Promise.all(peers.map((p) => p.close()));
    dir.remove();
  }
}
