// A realistic received IPv4 table for load benchmarks: distinct prefixes, ~20 per UPDATE, drawn from a pool of a few thousand attribute sets; encoded once.
import { type PathAttribute, type UpdateMessage, encodeMessage } from '../src/bgp/messages/index.js';
import { CTX } from './codec.js';

/** Deterministic PRNG (mulberry32): every run sends the same table. */
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

export interface Table {
  prefixes: number;
  updates: number;
  attributeSets: number;
  /** The UPDATEs, encoded (4-octet AS), each a whole message. */
  messages: Uint8Array[];
  bytes: number;
}

/**
 * `prefixCount` distinct prefixes (70 % /24, 15 % /23, 10 % /22, 5 % /16../21, ascending from
 * 1.0.0.0: a million end below 90.0.0.0) in UPDATEs
 * of 1..39 prefixes (mean 20), each UPDATE taking one of `attributeSets` attribute sets (AS paths of
 * 2..8 ASNs, some 4-octet; MED, communities and large communities on some), as a full-table dump
 * from a transit peer looks. The same set recurs across UPDATEs, as it does in a real table.
 */
export function makeTable(prefixCount: number, o: { attributeSets?: number; seed?: number } = {}): Table {
  const rnd = prng(o.seed ?? 7);
  const int = (n: number): number => Math.floor(rnd() * n);
  const poolSize = o.attributeSets ?? 3000;
  const pool: PathAttribute[][] = [];
  for (let i = 0; i < poolSize; i++) {
    const pathLen = 2 + int(7);
    const asns = Array.from({ length: pathLen }, () => (rnd() < 0.3 ? 4200000000 + int(1000000) : 1 + int(64000)));
    asns[0] = 65515; // the peer's own AS first, as eBGP requires
    const attributes: PathAttribute[] = [
      { type: 'ORIGIN', origin: int(3) },
      { type: 'AS_PATH', segments: [{ segmentType: 2, asns }] },
      { type: 'NEXT_HOP', nextHop: '127.0.0.2' },
    ];
    if (rnd() < 0.5) attributes.push({ type: 'MULTI_EXIT_DISC', med: int(1000) });
    if (rnd() < 0.6) attributes.push({ type: 'COMMUNITIES', communities: Array.from({ length: 1 + int(6) }, () => (asns[1]! & 0xffff) * 65536 + int(1000)) });
    if (rnd() < 0.1) attributes.push({ type: 'LARGE_COMMUNITY', communities: [[asns[1]!, int(100), int(100)]] });
    pool.push(attributes);
  }
  const messages: Uint8Array[] = [];
  let bytes = 0;
  let made = 0;
  let next = 0x01000000;
  const used = new Set<number>();
  while (made < prefixCount) {
    const set = int(poolSize);
    used.add(set);
    const count = Math.min(prefixCount - made, 1 + int(39));
    const nlri = [];
    for (let i = 0; i < count; i++) {
      const r = rnd();
      const len = r < 0.7 ? 24 : r < 0.85 ? 23 : r < 0.95 ? 22 : 16 + int(6);
      const step = 2 ** (32 - len);
      next = Math.ceil(next / step) * step;
      const a = next >>> 0;
      nlri.push({ prefix: `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${len}` });
      next += step;
    }
    const u: UpdateMessage = { type: 'UPDATE', withdrawn: [], attributes: pool[set]!, nlri };
    const m = encodeMessage(u, CTX);
    messages.push(m);
    bytes += m.length;
    made += count;
  }
  return { prefixes: made, updates: messages.length, attributeSets: used.size, messages, bytes };
}
