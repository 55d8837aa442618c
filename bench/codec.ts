// Codec throughput on a realistic UPDATE mix: many prefixes, varied attribute sets, 4-octet AS paths.
import { type Negotiated, type PathAttribute, type UpdateMessage, DEFAULT_NEGOTIATED, Framer, decodeMessage, encodeMessage } from '../src/bgp/messages/index.js';

export interface CodecFigures {
  messages: number;
  prefixes: number;
  decodeMessagesPerSec: number;
  decodePrefixesPerSec: number;
  encodeMessagesPerSec: number;
  encodePrefixesPerSec: number;
  heapPerPrefixBytes: number;
  framerMessagesPerSec: number;
  /** Octets the framer copied (messages spanning two reads) against the octets streamed, in 64 KiB reads. */
  framerCopied: number;
  framerStreamed: number;
  /** The octets of the messages that span reads: the least any framer must copy. */
  framerSpanning: number;
}

/** Deterministic PRNG (mulberry32) so every run measures the same mix. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CTX: Negotiated = { ...DEFAULT_NEGOTIATED, fourOctetAs: true };

export interface TableShape {
  /** Draw each UPDATE's attributes from a pool of this many sets; absent: a fresh set per UPDATE. */
  attributeSets?: number;
  /** Shortest prefix length drawn besides /24 (default 16; a 1M table needs 20 to fit in 2^32 addresses). */
  shortest?: number;
}

/**
 * A table of `prefixCount` IPv4 prefixes (mostly /24 as in the real table, the rest /shortest../23),
 * packed like a full-table dump: 1 to 40 prefixes per UPDATE (about 20 on average).
 */
export function makeUpdates(prefixCount: number, seed = 1, shape: TableShape = {}): UpdateMessage[] {
  const rnd = prng(seed);
  const int = (n: number): number => Math.floor(rnd() * n);
  const shortest = shape.shortest ?? 16;
  const makeAttributes = (): PathAttribute[] => {
    const pathLen = 2 + int(7);
    const asns = Array.from({ length: pathLen }, () => (rnd() < 0.3 ? 4200000000 + int(1000000) : 1 + int(64000)));
    const attributes: PathAttribute[] = [
      { type: 'ORIGIN', origin: int(3) },
      { type: 'AS_PATH', segments: [{ segmentType: 2, asns }] },
      { type: 'NEXT_HOP', nextHop: `10.${int(256)}.${int(256)}.${1 + int(254)}` },
    ];
    if (rnd() < 0.5) attributes.push({ type: 'MULTI_EXIT_DISC', med: int(1000) });
    if (rnd() < 0.6) attributes.push({ type: 'COMMUNITIES', communities: Array.from({ length: 1 + int(6) }, () => (asns[0]! & 0xffff) * 65536 + int(1000)) });
    if (rnd() < 0.1) attributes.push({ type: 'LARGE_COMMUNITY', communities: [[asns[0]!, int(100), int(100)]] });
    return attributes;
  };
  const pool = shape.attributeSets === undefined ? undefined : Array.from({ length: shape.attributeSets }, makeAttributes);
  const updates: UpdateMessage[] = [];
  let made = 0;
  let next = 0x01000000;
  while (made < prefixCount) {
    const attributes = pool ? pool[int(pool.length)]! : makeAttributes();
    const count = Math.min(prefixCount - made, 1 + int(40));
    const nlri = [];
    for (let i = 0; i < count; i++) {
      const len = rnd() < 0.7 ? 24 : shortest + int(24 - shortest);
      const step = 2 ** (32 - len);
      next = Math.ceil(next / step) * step;
      if (next + step > 2 ** 32) throw new Error(`${prefixCount} prefixes do not fit in IPv4 with /${shortest}`);
      const a = next >>> 0;
      nlri.push({ prefix: `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${len}` });
      next += step;
    }
    updates.push({ type: 'UPDATE', withdrawn: [], attributes, nlri });
    made += count;
  }
  return updates;
}

function timeIt(rounds: number, fn: () => void): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export function runCodecBench(prefixCount = 200_000, rounds = 5): CodecFigures {
  const updates = makeUpdates(prefixCount);
  const wire = updates.map((u) => encodeMessage(u, CTX));
  const prefixes = updates.reduce((n, u) => n + u.nlri.length, 0);
  // Warm up both paths so the JIT has settled before measuring.
  for (const w of wire) decodeMessage(w, CTX);
  for (const u of updates) encodeMessage(u, CTX);

  let sink = 0;
  const decodeSecs = timeIt(rounds, () => {
    for (const w of wire) sink += (decodeMessage(w, CTX) as UpdateMessage).nlri.length;
  });
  const encodeSecs = timeIt(rounds, () => {
    for (const u of updates) sink += encodeMessage(u, CTX).length;
  });
  if (sink === 0) throw new Error('benchmark did no work');

  // The table as a TCP stream in 64 KiB reads, each read its own buffer as a socket hands it over.
  const READ = 65536;
  const stream = new Uint8Array(wire.reduce((n, w) => n + w.length, 0));
  let spanning = 0;
  for (let at = 0, i = 0; i < wire.length; at += wire[i]!.length, i++) {
    stream.set(wire[i]!, at);
    if (Math.floor(at / READ) !== Math.floor((at + wire[i]!.length - 1) / READ)) spanning += wire[i]!.length;
  }
  const reads: Uint8Array[] = [];
  for (let at = 0; at < stream.length; at += READ) reads.push(stream.slice(at, at + READ));
  let copied = 0;
  const frameSecs = timeIt(rounds, () => {
    const f = new Framer();
    copied = 0;
    for (const r of reads) {
      f.push(r);
      // A message that is not a view of the read it came in was copied.
      for (let m = f.next(); m !== undefined; m = f.next()) if (m.buffer !== r.buffer) copied += m.length;
    }
    if (f.buffered !== 0) throw new Error('framer left octets over');
  });

  // Heap held by one decoded copy of the table, per prefix.
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.memoryUsage().heapUsed;
  const kept = wire.map((w) => decodeMessage(w, CTX));
  (globalThis as { gc?: () => void }).gc?.();
  const after = process.memoryUsage().heapUsed;
  if (kept.length !== wire.length) throw new Error('decode lost messages');

  return {
    messages: wire.length,
    prefixes,
    decodeMessagesPerSec: (wire.length * rounds) / decodeSecs,
    decodePrefixesPerSec: (prefixes * rounds) / decodeSecs,
    encodeMessagesPerSec: (updates.length * rounds) / encodeSecs,
    encodePrefixesPerSec: (prefixes * rounds) / encodeSecs,
    heapPerPrefixBytes: (after - before) / prefixes,
    framerMessagesPerSec: (wire.length * rounds) / frameSecs,
    framerCopied: copied,
    framerStreamed: stream.length,
    framerSpanning: spanning,
  };
}
