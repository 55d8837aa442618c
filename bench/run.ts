// npm run bench: every benchmark, figures printed (targets in brackets; nothing here fails a build).
import { runCodecBench } from './codec.js';

const fmt = (n: number): string => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)} k` : n.toFixed(1));

const c = runCodecBench();
console.log(`codec: ${c.messages} UPDATEs, ${c.prefixes} IPv4 prefixes, 4-octet AS paths, varied attribute sets`);
console.log(`  decode  ${fmt(c.decodeMessagesPerSec)} msg/s  ${fmt(c.decodePrefixesPerSec)} prefixes/s  [target >= 2 M prefixes/s]`);
console.log(`  encode  ${fmt(c.encodeMessagesPerSec)} msg/s  ${fmt(c.encodePrefixesPerSec)} prefixes/s  [target >= 2 M prefixes/s]`);
console.log(`  heap    ${c.heapPerPrefixBytes.toFixed(0)} bytes per decoded prefix (whole table kept)`);
