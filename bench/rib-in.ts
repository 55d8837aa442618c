// Adj-RIB-In with a full table: apply() speed, heap per prefix, and the heap after clear() and after withdrawing everything.
import { type UpdateMessage, decodeMessage, encodeMessage } from '../src/bgp/messages/index.js';
import { AdjRibIn } from '../src/bgp/rib/adj-rib-in.js';
import { CTX, makeUpdates } from './codec.js';

export interface RibInFigures {
  prefixes: number;
  updates: number;
  attributeSets: number;
  /** apply() alone, messages decoded beforehand; the best of the rounds, wall clock. */
  applyPrefixesPerSec: number;
  /** The same per second of CPU the process used (steadier on a shared machine). */
  applyPrefixesPerCpuSec: number;
  /** decodeMessage + apply() per message, as a session does. */
  loadPrefixesPerSec: number;
  /** Heap (JS heap + ArrayBuffers) held by the loaded table, per prefix. */
  bytesPerPrefix: number;
  /** Heap above the empty-RIB baseline, in MB: loaded, after clear(), after withdrawing every prefix. */
  loadedMb: number;
  clearedMb: number;
  withdrawnMb: number;
}

const gc = (): void => {
  const f = (globalThis as { gc?: () => void }).gc;
  if (!f) throw new Error('run with node --expose-gc (npm run bench does)');
  f();
  f();
};
const heap = (): number => {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

/** UPDATEs withdrawing every prefix of `updates`: 800 prefixes of at most 5 octets each stay within 4096. */
function withdrawals(updates: readonly UpdateMessage[]): UpdateMessage[] {
  const out: UpdateMessage[] = [];
  let batch: UpdateMessage['withdrawn'] = [];
  for (const u of updates) {
    for (const n of u.nlri) {
      batch.push(n);
      if (batch.length === 800) {
        out.push({ type: 'UPDATE', withdrawn: batch, attributes: [], nlri: [] });
        batch = [];
      }
    }
  }
  if (batch.length) out.push({ type: 'UPDATE', withdrawn: batch, attributes: [], nlri: [] });
  return out;
}

export function runRibInBench(prefixCount = 1_000_000, attributeSets = 5000, rounds = 3): RibInFigures {
  let updates: UpdateMessage[] | undefined = makeUpdates(prefixCount, 7, { attributeSets, shortest: 20 });
  const wire = updates.map((u) => encodeMessage(u, CTX));
  const unwire = withdrawals(updates).map((u) => encodeMessage(u, CTX));
  updates = undefined;

  // apply() alone: decode first, keep the decoded messages, time only apply().
  let best = Infinity;
  let bestCpu = Infinity;
  let size = 0;
  let sets = 0;
  {
    const decoded = wire.map((w) => decodeMessage(w, CTX) as UpdateMessage);
    for (let round = 0; round < rounds; round++) {
      const rib = new AdjRibIn();
      gc();
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      for (const u of decoded) rib.apply(u);
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
      const cpu = process.cpuUsage(c0);
      bestCpu = Math.min(bestCpu, (cpu.user + cpu.system) / 1e6);
      size = rib.size;
      sets = rib.attributeSets;
    }
  }
  if (size !== prefixCount) throw new Error(`loaded ${size} prefixes, expected ${prefixCount}`);

  // Memory: decode and apply message by message, as a session does; nothing else stays alive.
  const base = heap();
  const rib = new AdjRibIn();
  const t0 = process.hrtime.bigint();
  for (const w of wire) rib.apply(decodeMessage(w, CTX) as UpdateMessage);
  const loadSecs = Number(process.hrtime.bigint() - t0) / 1e9;
  const loaded = heap();
  if (rib.size !== prefixCount) throw new Error(`loaded ${rib.size} prefixes, expected ${prefixCount}`);
  rib.clear();
  const cleared = heap();
  for (const w of wire) rib.apply(decodeMessage(w, CTX) as UpdateMessage);
  for (const w of unwire) rib.apply(decodeMessage(w, CTX) as UpdateMessage);
  if (rib.size !== 0 || rib.attributeSets !== 0) throw new Error(`${rib.size} prefixes, ${rib.attributeSets} sets left after withdrawing all`);
  const withdrawn = heap();

  const mb = (n: number): number => (n - base) / 2 ** 20;
  return {
    prefixes: prefixCount,
    updates: wire.length,
    attributeSets: sets,
    applyPrefixesPerSec: prefixCount / best,
    applyPrefixesPerCpuSec: prefixCount / bestCpu,
    loadPrefixesPerSec: prefixCount / loadSecs,
    bytesPerPrefix: (loaded - base) / prefixCount,
    loadedMb: mb(loaded),
    clearedMb: mb(cleared),
    withdrawnMb: mb(withdrawn),
  };
}
