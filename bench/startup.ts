// Start-up scale: tsbgpd with thousands of configured routes, spawn -> control socket answers ping, -> both peers Established, -> both hold every route; beside a bare Node floor.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchPeer } from './peer.js';
import { ControlConn, Proc, TSBGPD, hostPrefixes, nowMs, poll, secs, sleep, tempDir, tsbgpdYaml } from './harness.js';

const FLOOR = join(dirname(fileURLToPath(import.meta.url)), 'floor-speaker.js');

export interface StartupRun {
  /** Seconds from spawn; undefined: not within the bound. */
  ping: number | undefined;
  established: number | undefined;
  allRoutes: number | undefined;
  /** Routes each peer held at the end. */
  held: number[];
  /** UPDATEs with routes each peer received. */
  updates: number[];
}

export interface StartupRow {
  routes: number;
  tsbgpd: StartupRun;
  floor: StartupRun;
  /** `tsbgpd --check-config` on the same file, process start to exit (s). */
  checkConfig: number | undefined;
  limitSeconds: number;
  note?: string;
}

/** Spawn `script` (tsbgpd or the floor) on a config, time its milestones, stop it. */
async function timeStart(dir: ReturnType<typeof tempDir>, name: string, script: string, n: number, limitMs: number): Promise<StartupRun & { tail: string }> {
  const peers = [new BenchPeer({ asn: 65515, bgpId: '10.10.1.4', holdTime: 90, name: 'rs1' }), new BenchPeer({ asn: 65515, bgpId: '10.10.1.5', holdTime: 90, name: 'rs2' })];
  let proc: Proc | undefined;
  let conn: ControlConn | undefined;
  try {
    const ports = [await peers[0]!.listen('127.0.0.2'), await peers[1]!.listen('127.0.0.3')];
    const socket = dir.file(`${name}.sock`);
    const config = dir.file(`${name}.yaml`);
    const routes = hostPrefixes(n).map((prefix) => ({ prefix, nextHop: '10.10.0.4' }));
    writeFileSync(config, tsbgpdYaml({ socket, neighbors: ports.map((port, i) => ({ address: `127.0.0.${i + 2}`, port, holdTime: 90 })), routes, stateFile: dir.file(`${name}.state.json`) }));
    for (const p of peers) p.expect(n);
    const t0 = nowMs();
    const args = script === TSBGPD ? [TSBGPD, '--config', config, '--no-pretty'] : [script, config];
    proc = new Proc(name, process.execPath, args, { log: dir.file(`${name}.log`), maxSeconds: limitMs / 1000 + 30 });
    const p = proc;
    let ping: number | undefined;
    // Ping: connect as soon as the socket accepts, one ping at a time until one is answered.
    const pinging = (async () => {
      while (nowMs() - t0 < limitMs && !p.exited) {
        try {
          conn ??= await ControlConn.connect(socket, 1000);
          const r = await conn.request(1, 'ping', {}, Math.max(1, limitMs - (nowMs() - t0)));
          if (r.ok) {
            ping = r.at - t0;
            return;
          }
        } catch {
          conn?.close();
          conn = undefined;
          await sleep(2);
        }
      }
    })();
    await poll(() => p.exited || peers.every((q) => q.targetAt !== undefined), limitMs, 10);
    await pinging;
    const est = peers.map((q) => q.establishedAt);
    const all = peers.map((q) => q.targetAt);
    return {
      ping: ping === undefined ? undefined : ping / 1000,
      established: est.every((x) => x !== undefined) ? (Math.max(...(est as number[])) - t0) / 1000 : undefined,
      allRoutes: all.every((x) => x !== undefined) ? (Math.max(...(all as number[])) - t0) / 1000 : undefined,
      held: peers.map((q) => q.announced),
      updates: peers.map((q) => q.routeUpdates),
      tail: p.exited ? `${name} exited (code ${p.exitCode}): ${p.tail()}` : '',
    };
  } finally {
    conn?.close();
    await proc?.stop();
    await Promise.all(peers.map((p) => p.close()));
  }
}

export async function runStartupBench(o: { counts?: number[]; limitSeconds?: number; progress?: (s: string) => void } = {}): Promise<StartupRow[]> {
  const limit = o.limitSeconds ?? 90;
  const rows: StartupRow[] = [];
  for (const n of o.counts ?? [5000, 20000]) {
    const dir = tempDir('startup');
    try {
      o.progress?.(`  startup: floor, ${n} routes ...`);
      const floor = await timeStart(dir, 'floor', FLOOR, n, 30_000);
      o.progress?.(`  startup: tsbgpd, ${n} routes (bound ${limit} s) ...`);
      const tsbgpd = await timeStart(dir, 'tsbgpd', TSBGPD, n, limit * 1000);
      o.progress?.(`  startup: tsbgpd --check-config, ${n} routes ...`);
      const c0 = nowMs();
      const check = spawnSync('/usr/bin/timeout', [String(limit), process.execPath, TSBGPD, '--check-config', dir.file('tsbgpd.yaml')], { stdio: 'ignore' });
      const checkConfig = check.status === 0 ? (nowMs() - c0) / 1000 : undefined;
      const notes = [floor.tail, tsbgpd.tail].filter(Boolean).join('; ');
      rows.push({ routes: n, tsbgpd, floor, checkConfig, limitSeconds: limit, ...(notes ? { note: notes } : {}) });
    } finally {
      dir.remove();
    }
  }
  return rows;
}

export function printStartup(rows: StartupRow[], print: (s: string) => void = console.log): void {
  const t = (x: number | undefined, bound: number): string => (x === undefined ? `> ${bound} s` : secs(x));
  print('start-up: tsbgpd with N configured /32s (one next hop) and 2 loopback peers; seconds from spawn');
  print('  floor: bench/floor-speaker.ts on the same file (YAML parsed, socket answered, OPEN, routes packed and written; no checks, no RIB)');
  print(`  ${'N'.padStart(7)}  ${''.padEnd(7)} ${'ping answered'.padStart(14)} ${'both Established'.padStart(17)} ${'both hold N'.padStart(12)}  UPDATEs rs1/rs2`);
  for (const r of rows) {
    const line = (who: string, x: StartupRun, bound: number): string =>
      `  ${r.routes.toLocaleString('en-US').padStart(7)}  ${who.padEnd(7)} ${t(x.ping, bound).padStart(14)} ${t(x.established, bound).padStart(17)} ${t(x.allRoutes, bound).padStart(12)}  ${x.updates.join('/')}${x.allRoutes === undefined ? `  (held ${x.held.map((h) => h.toLocaleString('en-US')).join('/')} of ${r.routes.toLocaleString('en-US')})` : ''}`;
    print(line('tsbgpd', r.tsbgpd, r.limitSeconds) + (r.routes >= 20_000 ? '  [target: well under 2 s at 20,000]' : ''));
    print(line('floor', r.floor, 30));
    print(`           tsbgpd --check-config on the same file: ${r.checkConfig === undefined ? 'failed or timed out' : secs(r.checkConfig)}`);
    if (r.note) print(`    note: ${r.note}`);
  }
}
