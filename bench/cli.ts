// CLI and idle cost: bgpctl --help / show summary and tsbgpd --check-config start to exit, tsbgpd idle RSS; beside `node -e 0` and a bare Node process's RSS.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RawPeer } from '../test/helpers/raw-peer.js';
import { CLI, Proc, TSBGPD, memMb, poll, sleep, startTsbgpd, tempDir, tsbgpdYaml } from './harness.js';

export interface CliFigures {
  runs: number;
  /** Medians, process start to exit (ms). */
  nodeMs: number;
  helpMs: number;
  summaryMs: number;
  checkConfigMs: number;
  /** tsbgpd with two established loopback peers and one route, 2 s after the tables went out. */
  idleRssMb: number;
  /** A bare `node -e "setInterval(...)"` process, 1 s after its start. */
  nodeRssMb: number;
  /** ip-num loaded in a fresh node (medians): CPU (user + system) and RSS growth. */
  ipNum: Record<'createRequire' | 'import', { cpuMs: number; rssMb: number }>;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function startToExitMs(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const ROOT = join(CLI, '..', '..', '..');

/** CPU and RSS growth of loading ip-num in a fresh node, one way: CPU time, so a busy machine skews it less than wall time. */
function ipNumCost(how: 'createRequire' | 'import'): { cpuMs: number; rssMb: number } {
  const load = how === 'import' ? "await import('ip-num');" : "(await import('node:module')).createRequire(process.cwd() + '/x')('ip-num');";
  // node:module is loaded before the first reading in both cases, so only ip-num is counted.
  const script = `await import('node:module');const c0=process.cpuUsage();const r0=process.memoryUsage().rss;${load}const c=process.cpuUsage(c0);console.log(JSON.stringify({cpuMs:(c.user+c.system)/1000,rssMb:(process.memoryUsage().rss-r0)/1048576}));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`loading ip-num by ${how} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { cpuMs: number; rssMb: number };
}

export async function runCliBench(o: { runs?: number } = {}): Promise<CliFigures> {
  const runs = o.runs ?? 21;
  const dir = tempDir('cli');
  const peers = [new RawPeer({ asn: 65515, bgpId: '10.10.1.4' }), new RawPeer({ asn: 65515, bgpId: '10.10.1.5' })];
  let daemon: Proc | undefined;
  let bare: Proc | undefined;
  try {
    const ports = [await peers[0]!.listen('127.0.0.2'), await peers[1]!.listen('127.0.0.3')];
    const socket = dir.file('tsbgpd.sock');
    const yaml = tsbgpdYaml({ socket, neighbors: ports.map((port, i) => ({ address: `127.0.0.${i + 2}`, port })), routes: [{ prefix: '100.64.0.1/32', nextHop: '10.10.0.4' }] });
    daemon = await startTsbgpd(dir, yaml);
    const pid = await daemon.waitPid();
    if (!(await poll(() => peers.every((p) => p.ofType('UPDATE').length >= 2), 15_000, 10))) throw new Error('the sessions did not come up within 15 s');
    await sleep(2000);
    const idleRssMb = memMb(pid).rss;

    bare = new Proc('bare-node', process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { log: dir.file('bare.log'), maxSeconds: 60 });
    const barePid = await bare.waitPid();
    await sleep(1000);
    const nodeRssMb = memMb(barePid).rss;

    const bgpctl = join(CLI, 'bgpctl.js');
    const config = dir.file('check.yaml');
    writeFileSync(config, yaml);
    const t = { node: [] as number[], help: [] as number[], summary: [] as number[], check: [] as number[] };
    for (let i = 0; i < runs; i++) {
      t.node.push(startToExitMs(['-e', '0']));
      t.help.push(startToExitMs([bgpctl, '--help']));
      t.summary.push(startToExitMs([bgpctl, 'show', 'summary', '--socket', socket]));
      t.check.push(startToExitMs([TSBGPD, '--check-config', config]));
    }
    const cost = { createRequire: [] as { cpuMs: number; rssMb: number }[], import: [] as { cpuMs: number; rssMb: number }[] };
    for (let i = 0; i < runs; i++) for (const how of ['createRequire', 'import'] as const) cost[how].push(ipNumCost(how));
    const med = (xs: { cpuMs: number; rssMb: number }[]) => ({ cpuMs: median(xs.map((x) => x.cpuMs)), rssMb: median(xs.map((x) => x.rssMb)) });
    const ipNum = { createRequire: med(cost.createRequire), import: med(cost.import) };
    return { ipNum, runs, nodeMs: median(t.node), helpMs: median(t.help), summaryMs: median(t.summary), checkConfigMs: median(t.check), idleRssMb, nodeRssMb };
  } finally {
    await bare?.stop();
    await daemon?.stop();
    await Promise.all(peers.map((p) => p.close()));
    dir.remove();
  }
}

export function printCli(c: CliFigures, print: (s: string) => void = console.log): void {
  print(`cli: process start to exit, median of ${c.runs} runs each, beside node -e 0 (${c.nodeMs.toFixed(1)} ms)`);
  const row = (what: string, x: number, target: string): void => print(`  ${what.padEnd(40)} ${x.toFixed(1).padStart(6)} ms  (+${(x - c.nodeMs).toFixed(1)} ms over node -e 0)  ${target}`);
  row('bgpctl --help', c.helpMs, '[target < 60 ms]');
  row('bgpctl show summary (2 peers)', c.summaryMs, '[target < 60 ms]');
  row('tsbgpd --check-config (2 peers, 1 route)', c.checkConfigMs, '');
  const cost = (how: 'createRequire' | 'import'): string => `+${c.ipNum[how].cpuMs.toFixed(1)} ms CPU, +${c.ipNum[how].rssMb.toFixed(1)} MB RSS`;
  print(`  ip-num loaded in a fresh node (src/routes/addresses.ts's way): createRequire ${cost('createRequire')}; through ESM import(): ${cost('import')}`);
  print(`  tsbgpd RSS, idle with 2 peers: ${c.idleRssMb.toFixed(1)} MB (a bare node process: ${c.nodeRssMb.toFixed(1)} MB, +${(c.idleRssMb - c.nodeRssMb).toFixed(1)} MB)  [target < 64 MB]`);
}
