// Loading the capture fixtures and tshark's reading of them (test/pcap-fixtures/*.tshark.json).
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCapture } from '../../src/pcap/capture.js';
import { type CapturedMessage, bgpMessages } from '../../src/pcap/bgp-streams.js';

/** test/pcap-fixtures in the source tree (tests run from dist/test/...); TSBGP_FIXTURE_DIR overrides it. */
export const FIXTURE_DIR = process.env.TSBGP_FIXTURE_DIR ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'pcap-fixtures');

export interface Fixture {
  name: string;
  path: string;
  messages: CapturedMessage[];
}

export function loadFixtures(): Fixture[] {
  return readdirSync(FIXTURE_DIR)
    .filter((f) => f.endsWith('.pcap') || f.endsWith('.pcapng'))
    .sort()
    .map((f) => {
      const path = join(FIXTURE_DIR, f);
      return { name: f, path, messages: bgpMessages(readCapture(new Uint8Array(readFileSync(path)))) };
    });
}

/** One BGP message as tshark read it: every field name with its values in document order. */
export type TsharkMessage = Map<string, string[]>;

function flatten(o: unknown, key: string, out: TsharkMessage): void {
  if (Array.isArray(o)) for (const v of o) flatten(v, key, out);
  else if (o !== null && typeof o === 'object') for (const [k, v] of Object.entries(o)) flatten(v, k, out);
  else {
    const list = out.get(key);
    if (list) list.push(String(o));
    else out.set(key, [String(o)]);
  }
}

/** tshark's messages by frame number, in order within each frame. */
export function loadTshark(capturePath: string): Map<number, TsharkMessage[]> {
  const jsonPath = capturePath.replace(/\.pcap(ng)?$/, '.tshark.json');
  const packets = JSON.parse(readFileSync(jsonPath, 'utf8')) as { _source: { layers: Record<string, unknown> } }[];
  const out = new Map<number, TsharkMessage[]>();
  for (const p of packets) {
    const layers = p._source.layers;
    const frameLayer = layers.frame as Record<string, unknown> | undefined;
    const frame = Number(frameLayer?.['frame.number']);
    if (!Number.isInteger(frame)) throw new Error(`${jsonPath}: a packet without frame.number (export with -J "frame bgp")`);
    const bgp = layers.bgp;
    const list = Array.isArray(bgp) ? bgp : bgp === undefined ? [] : [bgp];
    out.set(
      frame,
      list.map((m) => {
        const fields: TsharkMessage = new Map();
        flatten(m, '', fields);
        return fields;
      }),
    );
  }
  return out;
}
