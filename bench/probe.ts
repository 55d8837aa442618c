// Preloaded into tsbgpd by the load benchmark (node --import): on SIGUSR2 it writes the process's memory figures, after a full GC when --expose-gc is on, to $TSBGP_BENCH_PROBE.
import { renameSync, writeFileSync } from 'node:fs';

const out = process.env['TSBGP_BENCH_PROBE'];
let seq = 0;
if (out) {
  process.on('SIGUSR2', () => {
    const gc = (globalThis as { gc?: () => void }).gc;
    const t0 = performance.now();
    gc?.();
    const gcMs = performance.now() - t0;
    const m = process.memoryUsage();
    writeFileSync(`${out}.tmp`, JSON.stringify({ seq: ++seq, gc: gc !== undefined, gcMs, ...m }));
    renameSync(`${out}.tmp`, out);
  });
}
