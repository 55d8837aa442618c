// npm run bench: every benchmark, figures printed (targets in brackets; nothing here fails a build).
import { runCodecBench } from './codec.js';
import { relayFloor, runLatencyBench } from './latency.js';
import { runRibInBench } from './rib-in.js';

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(1));
const only = process.argv[2];

if (!only || only === 'codec') {
  const c = runCodecBench();
  console.log(`codec: ${c.messages} UPDATEs, ${c.prefixes} IPv4 prefixes, 4-octet AS paths, varied attribute sets`);
  console.log(`  decode  ${fmt(c.decodeMessagesPerSec)} msg/s  ${fmt(c.decodePrefixesPerSec)} prefixes/s  [target >= 2 M prefixes/s]`);
  console.log(`  encode  ${fmt(c.encodeMessagesPerSec)} msg/s  ${fmt(c.encodePrefixesPerSec)} prefixes/s  [target >= 2 M prefixes/s]`);
  console.log(`  heap    ${c.heapPerPrefixBytes.toFixed(0)} bytes per decoded prefix (whole table kept)`);
  console.log(`  framer  ${fmt(c.framerMessagesPerSec)} msg/s in 64 KiB reads, ${c.framerCopied} of ${c.framerStreamed} octets copied  [target <= ${c.framerSpanning}, the messages that span reads]`);
}

if (!only || only === 'rib-in') {
  const r = runRibInBench();
  console.log(`adj-rib-in: ${r.prefixes} IPv4 prefixes in ${r.updates} UPDATEs, ${r.attributeSets} distinct attribute sets`);
  console.log(`  apply   ${fmt(r.applyPrefixesPerSec)} prefixes/s, ${fmt(r.applyPrefixesPerCpuSec)} per CPU-second (decode + apply ${fmt(r.loadPrefixesPerSec)} prefixes/s)  [floor: the Map<string, route> store of 38b3676, measured here at 0.81-1.05 M per CPU-second on the 2-core dev box]`);
  console.log(`  heap    ${r.bytesPerPrefix.toFixed(0)} bytes per prefix  [target <= 300]`);
  console.log(`  heap above the empty RIB: loaded ${r.loadedMb.toFixed(1)} MB, after clear() ${r.clearedMb.toFixed(1)} MB, after withdrawing all ${r.withdrawnMb.toFixed(1)} MB  [target: near 0]`);
}

if (!only || only === 'latency') {
  const l = await runLatencyBench();
  const us = (n: number): string => `${n.toFixed(0)} µs`;
  console.log(`command-to-wire: ${l.flips} next-hop flips, JSON request on the control socket -> UPDATE at each of 2 loopback peers`);
  console.log(`  p50 ${us(l.p50)}  p90 ${us(l.p90)}  p99 ${us(l.p99)}  max ${us(l.max)}  [target p50 < 100 µs, p99 < 500 µs]`);
  const f = await relayFloor(l.flips);
  console.log(`  floor on this machine (a bare Node relay, same measurement): p50 ${us(f.p50)}  p99 ${us(f.p99)}`);
  console.log(`  request -> reply (both peers written, state file saved): p50 ${us(l.replyP50)}`);
  console.log(`bgpctl announce, process start to exit: median ${l.bgpctlMedianMs.toFixed(1)} ms (node -e 0: ${l.nodeBaselineMs.toFixed(1)} ms)  [target < 60 ms]`);
  console.log(`tsbgpd RSS, idle with 2 peers: ${l.idleRssMb.toFixed(1)} MB  [target < 64 MB]; after the runs above: ${l.afterRssMb.toFixed(1)} MB`);
}
