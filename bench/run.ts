// npm run bench [-- SECTION...]: benchmarks, each figure beside its floor or anchor and the target in brackets; nothing here fails a build.
import { runCodecBench } from './codec.js';
import { printFlood, runFloodBench } from './flood.js';
import { relayFloor, runLatencyBench } from './latency.js';
import { printLoad, runLoadBench } from './load.js';
import { type MassSpeaker, printMass, runMassBench } from './mass.js';
import { runRibInBench } from './rib-in.js';
import { runHealthBench } from './health.js';
import { printStartup, runStartupBench } from './startup.js';
import { printCli, runCliBench } from './cli.js';
import { have, isRoot } from './daemons.js';
import { loadavg } from 'node:os';

const SECTIONS = {
  codec: 'codec throughput, framer copies (in process, ~10 s)',
  'rib-in': 'Adj-RIB-In apply speed and heap with a full table (in process, ~30 s)',
  latency: 'command-to-wire, CPU per flip with and without a state file, bgpctl, idle RSS (~40 s)',
  mass: 'mass announce, tsbgp vs ExaBGP 4.2, two BIRD peers (~1-3 min; UPDATE counts need root for tcpdump)',
  flood: 'control flood vs pings, sessions with hold 9 s (~1 min on main)',
  load: '1,000,000-prefix received table, ping latency, RSS, show routes --received (~30 s)',
  startup: 'start-up with 5,000 and 20,000 configured routes (~2 min on main)',
  cli: 'bgpctl --help / show summary and tsbgpd --check-config start to exit, tsbgpd idle RSS, beside node -e 0 (~15 s)',
  health: 'a VIP move: the decision -> UPDATE in the kernel at two peers, beside a bare write (~5 s)',
} as const;
type Section = keyof typeof SECTIONS;
const DEFAULT: Section[] = ['codec', 'rib-in', 'latency', 'health', 'cli'];

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const flagValues = new Set(['--n', '--timeout', '--speakers'].flatMap((f) => (flag(f) === undefined ? [] : [flag(f)!])));
const named = args.filter((a) => !a.startsWith('--') && !flagValues.has(a));
if (args.includes('--help') || named.some((a) => a !== 'all' && !(a in SECTIONS))) {
  console.log('npm run bench [-- SECTION... | all] [--n 1000,10000] [--timeout SECONDS]');
  for (const [k, v] of Object.entries(SECTIONS)) console.log(`  ${k.padEnd(8)} ${v}${DEFAULT.includes(k as Section) ? '  (default)' : ''}`);
  console.log('  --n        mass: the Ns (default 1000,10000); flood: announces (1000); load: prefixes (1000000); startup: routes (5000,20000)');
  console.log('  --timeout  per-run bound in seconds (mass 120, flood 120, load 120, startup 90)');
  console.log('  --speakers mass: tsbgp,exabgp (default both)');
  process.exit(named.some((a) => a !== 'all' && !(a in SECTIONS)) ? 2 : 0);
}
const sections: Section[] = named.includes('all') ? (Object.keys(SECTIONS) as Section[]) : named.length ? (named as Section[]) : DEFAULT;
const ns = flag('--n')?.split(',').map(Number);
const timeout = flag('--timeout') === undefined ? undefined : Number(flag('--timeout'));
const progress = (s: string): void => void process.stderr.write(`${s}\n`);

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(1));
const us = (n: number): string => `${n.toFixed(0)} µs`;

for (const section of sections) {
  const t0 = Date.now();
  // Figures on a shared 2-core machine are only as quiet as the machine: say how busy it was.
  const busy = loadavg()[0]!;
  if (busy > 1) console.log(`(${section}: load average ${busy.toFixed(1)} at the start; other work on this machine skews the figures below)`);
  try {
    switch (section) {
      case 'health': {
        const h = await runHealthBench();
        console.log(`health: ${h.moves} moves of a VIP between two healthy loopback candidates, two loopback peers`);
        console.log(`  decision -> UPDATE in the kernel (slower peer): p50 ${us(h.p50)}  p99 ${us(h.p99)}  [target < 1 ms]`);
        console.log(`  floor: the same two sockets written directly: p50 ${us(h.floorP50)}  p99 ${us(h.floorP99)}`);
        break;
      }
      case 'codec': {
        const c = runCodecBench();
        console.log(`codec: ${c.messages} UPDATEs, ${c.prefixes} IPv4 prefixes, 4-octet AS paths, varied attribute sets`);
        console.log(`  decode  ${fmt(c.decodeMessagesPerSec)} msg/s  ${fmt(c.decodePrefixesPerSec)} prefixes/s  [target >= 2 M prefixes/s]`);
        console.log(`  encode  ${fmt(c.encodeMessagesPerSec)} msg/s  ${fmt(c.encodePrefixesPerSec)} prefixes/s  [target >= 2 M prefixes/s]`);
        console.log(`  heap    ${c.heapPerPrefixBytes.toFixed(0)} bytes per decoded prefix (whole table kept)`);
        console.log(`  framer  ${fmt(c.framerMessagesPerSec)} msg/s in 64 KiB reads, ${c.framerCopied} of ${c.framerStreamed} octets copied  [target <= ${c.framerSpanning}, the messages that span reads]`);
        break;
      }
      case 'rib-in': {
        const r = runRibInBench();
        console.log(`adj-rib-in: ${r.prefixes} IPv4 prefixes in ${r.updates} UPDATEs, ${r.attributeSets} distinct attribute sets`);
        console.log(`  apply   ${fmt(r.applyPrefixesPerSec)} prefixes/s, ${fmt(r.applyPrefixesPerCpuSec)} per CPU-second (decode + apply ${fmt(r.loadPrefixesPerSec)} prefixes/s)  [floor: the Map<string, route> store of 38b3676, measured here at 0.81-1.05 M per CPU-second on the 2-core dev box]`);
        console.log(`  heap    ${r.bytesPerPrefix.toFixed(0)} bytes per prefix  [target <= 300]`);
        console.log(`  heap above the empty RIB: loaded ${r.loadedMb.toFixed(1)} MB, after clear() ${r.clearedMb.toFixed(1)} MB, after withdrawing all ${r.withdrawnMb.toFixed(1)} MB  [target: near 0]`);
        break;
      }
      case 'latency': {
        const flips = 2000;
        const f = await relayFloor(flips);
        const withState = await runLatencyBench({ flips, stateFile: true, bgpctl: true });
        const without = await runLatencyBench({ flips, stateFile: false, bgpctl: false });
        console.log(`command-to-wire: ${flips} next-hop flips, JSON request on the control socket -> UPDATE at each of 2 loopback peers`);
        console.log(`  floor on this machine (a bare Node relay, same measurement): p50 ${us(f.p50)}  p99 ${us(f.p99)}`);
        for (const l of [withState, without]) {
          console.log(
            `  ${(l.stateFile ? 'with the state file' : 'without a state file').padEnd(21)} p50 ${us(l.p50)} (floor ${us(f.p50)}, ${(l.p50 / f.p50).toFixed(1)}x)  p99 ${us(l.p99)} (floor ${us(f.p99)}, ${(l.p99 / f.p99).toFixed(1)}x)  p90 ${us(l.p90)}  max ${us(l.max)}  [target p50 <= 2x floor, p99 <= 2x floor]`,
          );
        }
        console.log(`  request -> reply: p50 ${us(withState.replyP50)} (both peers written, state file saved), ${us(without.replyP50)} without a state file`);
        console.log(
          `  tsbgpd CPU per flip (utime+stime over ${flips} flips): ${us(withState.cpuPerFlip)} with the state file, ${us(without.cpuPerFlip)} without (floor: the relay, ${us(f.cpuPerRequest)} per request)  [target <= 300 µs]`,
        );
        if (withState.bgpctlMedianMs !== undefined) {
          console.log(`bgpctl announce, process start to exit: median ${withState.bgpctlMedianMs.toFixed(1)} ms (node -e 0: ${withState.nodeBaselineMs!.toFixed(1)} ms)  [target < 60 ms]`);
        }
        console.log(`tsbgpd RSS, idle with 2 peers: ${withState.idleRssMb.toFixed(1)} MB  [target < 64 MB]; after the runs above: ${withState.afterRssMb.toFixed(1)} MB`);
        break;
      }
      case 'mass': {
        const want = flag('--speakers')?.split(',') ?? ['exabgp', 'tsbgp'];
        const speakers: MassSpeaker[] = [];
        if (want.includes('exabgp')) {
          if (have('exabgp')) speakers.push('ExaBGP 4.2');
          else console.log('mass: exabgp is not installed: no ExaBGP anchor (Debian package exabgp)');
        }
        if (want.includes('tsbgp')) speakers.push('tsbgp');
        if (!have('bird')) {
          console.log('mass: skipped, BIRD 2 is not installed (Debian package bird2)');
          break;
        }
        if (!isRoot()) console.log('mass: not root, so no tcpdump on lo: UPDATE counts are not measured');
        printMass(await runMassBench({ counts: ns ?? [1000, 10000], timeoutSeconds: timeout ?? 120, speakers, progress }));
        break;
      }
      case 'flood':
        printFlood(await runFloodBench({ ...(ns?.[0] ? { flood: ns[0] } : {}), limitSeconds: timeout ?? 120, progress }));
        break;
      case 'load':
        printLoad(await runLoadBench({ ...(ns?.[0] ? { prefixes: ns[0] } : {}), limitSeconds: timeout ?? 120, progress }));
        break;
      case 'cli':
        printCli(await runCliBench());
        break;
      case 'startup':
        printStartup(await runStartupBench({ counts: ns ?? [5000, 20000], limitSeconds: timeout ?? 90, progress }));
        break;
    }
  } catch (e) {
    // A benchmark that cannot run says why and lets the others run: figures never fail a build.
    console.log(`${section}: could not run: ${(e as Error).stack ?? e}`);
  }
  progress(`  (${section}: ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}
