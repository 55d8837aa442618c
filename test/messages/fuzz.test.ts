// Deterministic fuzzing of decodeMessage, encodeMessage and the Framer from a hand-built seed corpus.
// Every input must decode to a message or throw a BgpError; anything else is a crash. Crash inputs
// found here are kept in fuzz-crashes.txt and replayed (GoBGP-style).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BgpError, type BgpMessage, Framer, type Negotiated, decodeMessage, encodeMessage } from '../../src/bgp/messages/index.js';
import { CORPUS, CORPUS_CONTEXTS, type CorpusContext, SEED_ATTRIBUTES, SEED_CAPABILITIES } from '../helpers/corpus.js';
import { cap, capParam, capParamExt, concat, openBody, openBodyExt, uint, updateBody } from '../helpers/build.js';
import { fromHex, hex, message } from '../helpers/hex.js';
import { type Prng, mulberry32 } from '../helpers/prng.js';

const SEED = 0x7b5b9f1d;
const MUTATIONS = 200_000;
/** Messages generated from corpus building blocks (structure-aware), on top of the mutations. */
const GENERATED = 20_000;
const CONTEXTS: readonly [CorpusContext, Negotiated][] = Object.entries(CORPUS_CONTEXTS) as [CorpusContext, Negotiated][];

// ---------------------------------------------------------------------------------------------
// The property every input must satisfy.

interface Failure {
  stage: string;
  ctx: string;
  input: string;
  error: string;
}

/** NOTIFICATION codes a decode error of each message type may carry (1 = header, always possible). */
const ERROR_CODES_BY_TYPE: Readonly<Record<number, readonly number[]>> = {
  1: [1, 2],
  2: [1, 3],
  3: [1],
  4: [1],
  5: [1, 7],
};

const describe = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : `thrown ${typeof e}: ${String(e)}`);

/**
 * Decode `bytes`; on success, a message that is clean (not an UPDATE with RFC 7606 problems) must
 * encode, and decode again to the same value. Returns the failures found (none for a good input).
 */
function checkInput(bytes: Uint8Array, ctxName: string, ctx: Negotiated): Failure[] {
  const fail = (stage: string, error: string): Failure[] => [{ stage, ctx: ctxName, input: hex(bytes), error }];
  let m: BgpMessage;
  try {
    m = decodeMessage(bytes, ctx);
  } catch (e) {
    if (!(e instanceof BgpError)) return fail('decode threw a non-BgpError', describe(e));
    const allowed = bytes.length >= 19 ? ERROR_CODES_BY_TYPE[bytes[18]!] ?? [1] : [1];
    if (!allowed.includes(e.code) || !(e.data instanceof Uint8Array) || e.subcode < 0 || e.subcode > 255) {
      return fail('decode threw an impossible NOTIFICATION', `${e.code}/${e.subcode} for type ${bytes[18]}: ${e.message}`);
    }
    return [];
  }
  if (m.type === 'UPDATE' && m.problems) return [];
  let encoded: Uint8Array;
  try {
    encoded = encodeMessage(m, ctx);
  } catch (e) {
    return fail('encode of a clean decode threw', describe(e));
  }
  let again: BgpMessage;
  try {
    again = decodeMessage(encoded, ctx);
  } catch (e) {
    return fail('decode of the re-encoded message threw', `${describe(e)}; re-encoded ${hex(encoded)}`);
  }
  if (!isDeepStrictEqual(again, m)) {
    return fail('re-encoded message decodes to a different value', `re-encoded ${hex(encoded)}`);
  }
  return [];
}

/** Feed `stream` to a Framer in the given chunks; every yielded message is checked, errors must be BgpError. */
function checkFramer(stream: Uint8Array, cuts: number[], ctxName: string, ctx: Negotiated): Failure[] {
  const fail = (stage: string, error: string): Failure[] => [{ stage, ctx: ctxName, input: hex(stream), error }];
  const f = new Framer();
  f.maxLength = ctx.extendedMessage ? 65535 : 4096;
  const out: Failure[] = [];
  let at = 0;
  let consumed = 0;
  for (const cut of [...cuts, stream.length]) {
    f.push(stream.subarray(at, cut));
    at = cut;
    try {
      for (let m = f.next(); m !== undefined; m = f.next()) {
        // A framed message is the next slice of the stream, exactly as long as its header says.
        const length = (m[16]! << 8) | m[17]!;
        if (m.length !== length || Buffer.compare(m, stream.subarray(consumed, consumed + m.length)) !== 0) {
          return fail('framer yielded bytes that are not the next message', `at ${consumed}: ${hex(m)}`);
        }
        consumed += m.length;
        out.push(...checkInput(m, ctxName, ctx));
      }
    } catch (e) {
      if (!(e instanceof BgpError)) return fail('framer threw a non-BgpError', describe(e));
      if (e.code !== 1) return fail('framer threw a non-header error', describe(e));
      try {
        f.next();
        return fail('framer recovered after a header error', 'next() returned after a BgpError');
      } catch (again) {
        if (again !== e) return fail('framer threw a different error after a header error', describe(again));
      }
      return out;
    }
  }
  if (consumed + f.buffered !== stream.length) return fail('framer lost octets', `${consumed} framed + ${f.buffered} buffered of ${stream.length}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Mutations.

const INTERESTING_8 = [0x00, 0x01, 0x02, 0x03, 0x04, 0x0f, 0x10, 0x1f, 0x20, 0x21, 0x40, 0x7f, 0x80, 0x81, 0xc0, 0xfe, 0xff];
const INTERESTING_16 = [0x0000, 0x0001, 0x0013, 0x0017, 0x00ff, 0x0100, 0x0fff, 0x1000, 0x1001, 0x7fff, 0x8000, 0xfffe, 0xffff];

/** A position, mostly past the header: header damage is found at once and teaches little. */
function position(rng: Prng, b: Uint8Array): number {
  if (b.length === 0) return 0;
  if (b.length > 19 && rng.chance(0.92)) return 19 + rng.int(b.length - 19);
  return rng.int(b.length);
}

function mutateOnce(rng: Prng, b: Uint8Array): Uint8Array {
  switch (rng.int(10)) {
    case 0: {
      // Bit flips.
      const out = b.slice();
      for (let n = 1 + rng.int(4); n > 0 && out.length; n--) out[position(rng, out)]! ^= 1 << rng.int(8);
      return out;
    }
    case 1: {
      // Byte replacements: 0x00, 0xff, random, or an interesting value.
      const out = b.slice();
      for (let n = 1 + rng.int(3); n > 0 && out.length; n--) {
        const k = rng.int(4);
        out[position(rng, out)] = k === 0 ? 0x00 : k === 1 ? 0xff : k === 2 ? rng.int(256) : rng.pick(INTERESTING_8);
      }
      return out;
    }
    case 2:
      // Truncation.
      return b.slice(0, rng.int(b.length + 1));
    case 3:
    case 4: {
      // Length-field rewrites: a 1- or 2-octet value nudged by a little or replaced by an interesting one.
      const out = b.slice();
      if (out.length < 2) return out;
      const at = Math.min(position(rng, out), out.length - 2);
      if (rng.chance(0.5)) {
        out[at] = rng.chance(0.5) ? (out[at]! + rng.pick([-3, -2, -1, 1, 2, 3, 4, 8])) & 0xff : rng.pick(INTERESTING_8);
      } else {
        const old = (out[at]! << 8) | out[at + 1]!;
        const v = rng.chance(0.5) ? (old + rng.pick([-4, -1, 1, 4, 16, 256])) & 0xffff : rng.pick(INTERESTING_16);
        out[at] = v >> 8;
        out[at + 1] = v & 0xff;
      }
      return out;
    }
    case 5: {
      // Duplicate a range in place.
      if (b.length === 0) return b.slice();
      const from = position(rng, b);
      const to = Math.min(b.length, from + 1 + rng.int(32));
      const at = position(rng, b);
      return concat(b.subarray(0, at), b.subarray(from, to), b.subarray(at));
    }
    case 6: {
      // Remove a range.
      const from = position(rng, b);
      const to = Math.min(b.length, from + 1 + rng.int(16));
      return concat(b.subarray(0, from), b.subarray(to));
    }
    case 7:
      // Random extension.
      return concat(b, rng.bytes(1 + rng.int(48)));
    case 8: {
      // Random insertion.
      const at = position(rng, b);
      return concat(b.subarray(0, at), rng.bytes(1 + rng.int(8)), b.subarray(at));
    }
    default: {
      // Splice: this message's head on another seed's tail.
      const other = rng.pick(CORPUS).bytes;
      const at = position(rng, b);
      const from = position(rng, other);
      return concat(b.subarray(0, at), other.subarray(from));
    }
  }
}

/** 1 to 3 stacked mutations; usually the header length is then made to match, so the body gets tested. */
function mutate(rng: Prng, seed: Uint8Array): Uint8Array {
  let b = seed;
  for (let n = 1 + rng.int(3); n > 0; n--) b = mutateOnce(rng, b);
  if (b.length >= 19 && b.length <= 0xffff && rng.chance(0.85)) {
    b = b === seed ? b.slice() : b;
    b[16] = b.length >> 8;
    b[17] = b.length & 0xff;
    if (rng.chance(0.3)) resyncBodyLength(b);
  }
  return b;
}

/**
 * Make the outermost body length agree with the message again, so a mutation deep inside is seen
 * by the parameter or attribute parser instead of failing the first length check.
 */
function resyncBodyLength(b: Uint8Array): void {
  if (b[18] === 1 && b.length >= 29 && b[28] !== 255) {
    b[28] = Math.min(255, b.length - 29); // Optional Parameters Length
  } else if (b[18] === 2 && b.length >= 23) {
    const withdrawn = (b[19]! << 8) | b[20]!;
    const rest = b.length - 23 - withdrawn;
    if (rest >= 0) {
      // Total Path Attribute Length: everything after the withdrawn routes, or all but a short NLRI tail.
      const attrs = Math.max(0, rest - (b.length & 3) * 4);
      b[21 + withdrawn] = attrs >> 8;
      b[22 + withdrawn] = attrs & 0xff;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Generated messages: corpus capabilities and attributes recombined in random groups and orders.

const PREFIXES4 = ['18c63364', '10ac10', '080a', '20c0000201', '00', '1ec0000200'];

const randomHex = (rng: Prng, n: number): string => hex(rng.bytes(n));

/** A corpus capability, or one of a known kind filled with random values, or an unknown code. */
function randomCapability(rng: Prng): string {
  const k = rng.int(10);
  if (k < 6) return rng.pick(SEED_CAPABILITIES);
  if (k === 6) {
    // FQDN with arbitrary octets: hostnames are text to us but bytes on the wire.
    const host = randomHex(rng, rng.int(200));
    const domain = randomHex(rng, rng.int(40));
    const value = uint(host.length / 2, 1) + host + uint(domain.length / 2, 1) + domain;
    return value.length / 2 <= 255 ? cap(73, value) : cap(73, '00' + '00');
  }
  if (k === 7) return cap(rng.pick([1, 5, 9, 64, 65, 69, 71]), randomHex(rng, rng.int(4) * rng.pick([1, 4, 6, 7])));
  return cap(rng.int(256), randomHex(rng, rng.int(20)));
}

function generateOpen(rng: Prng): Uint8Array {
  const params: string[][] = [];
  for (let n = rng.int(5); n > 0; n--) params.push(Array.from({ length: rng.int(4) }, () => randomCapability(rng)));
  // RFC 9072 form when asked for, and whenever the parameters would not fit 1-octet lengths.
  const octets = params.map((caps) => caps.join('').length / 2);
  const ext = rng.chance(0.2) || octets.some((n) => n > 255) || octets.reduce((a, n) => a + n + 2, 0) > 255;
  const body = params.map((caps) => (rng.chance(0.03) ? rng.pick(['01', '03', 'ff']) + (ext ? '0000' : '00') : ext ? capParamExt(...caps) : capParam(...caps))).join('');
  const fields = { myAs: rng.pick([65001, 23456, 0]), holdTime: rng.pick([0, 3, 90, 65535]) };
  return message(1, ext ? openBodyExt(body, fields) : openBody(body, fields));
}

function generateUpdate(rng: Prng, addPath: boolean): Uint8Array {
  const prefixes = (max: number): string =>
    Array.from({ length: rng.int(max) }, () => (addPath ? rng.int(4).toString(16).padStart(8, '0') : '') + rng.pick(PREFIXES4)).join('');
  const attrs = Array.from({ length: rng.int(9) }, () => rng.pick(SEED_ATTRIBUTES)).join('');
  return message(2, updateBody(rng.chance(0.3) ? prefixes(3) : '', attrs, rng.chance(0.7) ? prefixes(4) : ''));
}

// ---------------------------------------------------------------------------------------------

function report(failures: Failure[]): string {
  const seen = new Map<string, { first: Failure; count: number }>();
  for (const f of failures) {
    // One line per kind of failure: numbers and hex dumps do not make a failure distinct.
    const key = `${f.stage} | ${f.error.replace(/[0-9a-f]{8,}/g, 'HEX').replace(/\d+/g, 'N')}`;
    const s = seen.get(key);
    if (s) s.count++;
    else seen.set(key, { first: f, count: 1 });
  }
  const lines = [`${failures.length} failures, ${seen.size} distinct:`];
  for (const { first, count } of seen.values()) {
    lines.push(`- ${first.stage} (ctx ${first.ctx}, ${count}x): ${first.error.slice(0, 300)}`, `  input: ${first.input}`);
  }
  return lines.join('\n');
}

const Corpus = suite('fuzz seed corpus');

Corpus('every seed decodes cleanly in its context and re-encodes byte-identically', () => {
  for (const entry of CORPUS) {
    const ctx = CORPUS_CONTEXTS[entry.ctx];
    const m = decodeMessage(entry.bytes, ctx);
    assert.is(m.type === 'UPDATE' ? m.problems : undefined, undefined, `${entry.name}: RFC 7606 problems`);
    assert.is(hex(encodeMessage(m, ctx)), hex(entry.bytes), entry.name);
  }
});

Corpus('the corpus covers every message type, attribute and capability the codec decodes', () => {
  const types = new Set<string>();
  const attrs = new Set<string>();
  const caps = new Set<string>();
  for (const entry of CORPUS) {
    const m = decodeMessage(entry.bytes, CORPUS_CONTEXTS[entry.ctx]);
    types.add(m.type);
    if (m.type === 'UPDATE') for (const a of m.attributes) attrs.add(a.type);
    if (m.type === 'OPEN') for (const c of m.capabilities) caps.add(c.type);
  }
  assert.equal([...types].sort(), ['KEEPALIVE', 'NOTIFICATION', 'OPEN', 'ROUTE_REFRESH', 'UPDATE']);
  assert.equal([...attrs].sort(), [
    'AGGREGATOR', 'AS4_AGGREGATOR', 'AS4_PATH', 'AS_PATH', 'ATOMIC_AGGREGATE', 'BGPSEC_PATH', 'CLUSTER_LIST', 'COMMUNITIES', 'EXTENDED_COMMUNITIES',
    'LARGE_COMMUNITY', 'LOCAL_PREF', 'MP_REACH_NLRI', 'MP_UNREACH_NLRI', 'MULTI_EXIT_DISC', 'NEXT_HOP', 'ORIGIN', 'ORIGINATOR_ID', 'UNKNOWN',
  ]);
  assert.equal([...caps].sort(), [
    'ADD_PATH', 'BGPSEC', 'BGP_ROLE', 'ENHANCED_ROUTE_REFRESH', 'EXTENDED_MESSAGE', 'EXTENDED_NEXT_HOP', 'FOUR_OCTET_AS', 'FQDN', 'GRACEFUL_RESTART',
    'LONG_LIVED_GRACEFUL_RESTART', 'MULTIPROTOCOL', 'OUTBOUND_ROUTE_FILTERING', 'ROUTE_REFRESH', 'UNKNOWN',
  ]);
});

Corpus.run();

const Fuzz = suite('fuzz decodeMessage / encodeMessage / Framer');

Fuzz(`${MUTATIONS} mutations: decode returns a message or throws BgpError; clean decodes round-trip`, () => {
  const rng = mulberry32(SEED);
  const failures: Failure[] = [];
  let decoded = 0;
  let clean = 0;
  for (let i = 0; i < MUTATIONS; i++) {
    const seed = CORPUS[i % CORPUS.length]!;
    const input = mutate(rng, seed.bytes);
    for (const [name, ctx] of CONTEXTS) {
      const found = checkInput(input, name, ctx);
      failures.push(...found);
      if (found.length === 0 && i % 16 === 0) {
        // Cheap statistics on a sample, so a corpus that stops reaching the decoders is noticed.
        try {
          const m = decodeMessage(input, ctx);
          decoded++;
          if (m.type !== 'UPDATE' || !m.problems) clean++;
        } catch {
          // counted as an error outcome
        }
      }
    }
    // The same input inside a stream, cut into 1 to 4 chunks, through a Framer.
    const stream = concat(CORPUS[0]!.bytes, input, CORPUS[0]!.bytes);
    const cuts = Array.from({ length: rng.int(4) }, () => rng.int(stream.length + 1)).sort((a, b) => a - b);
    const [name, ctx] = CONTEXTS[i % CONTEXTS.length]!;
    failures.push(...checkFramer(stream, cuts, name, ctx));
    if (failures.length > 2000) break;
  }
  assert.ok(failures.length === 0, report(failures));
  // At least some mutants must get past the header and decode, or the fuzz tests nothing.
  assert.ok(decoded > (MUTATIONS / 16) * 0.15, `only ${decoded} sampled mutants decoded`);
  assert.ok(clean > (MUTATIONS / 16) * 0.05, `only ${clean} sampled mutants decoded cleanly`);
});

Fuzz(`${GENERATED} generated OPENs and UPDATEs, and one mutation of each`, () => {
  const rng = mulberry32(SEED ^ 0x5eed);
  const failures: Failure[] = [];
  for (let i = 0; i < GENERATED; i++) {
    const [name, ctx] = CONTEXTS[i % CONTEXTS.length]!;
    const input = i % 2 ? generateOpen(rng) : generateUpdate(rng, ctx.addPath.size > 0 && rng.chance(0.9));
    for (const [n, c] of CONTEXTS) failures.push(...checkInput(input, n, c));
    failures.push(...checkInput(mutate(rng, input), name, ctx));
    if (failures.length > 2000) break;
  }
  assert.ok(failures.length === 0, report(failures));
});

Fuzz.run();

// ---------------------------------------------------------------------------------------------

const CRASH_FILE = fileURLToPath(new URL('../../../test/messages/fuzz-crashes.txt', import.meta.url));

/** Hex lines of fuzz-crashes.txt; '#' starts a comment. */
function crashInputs(): { line: number; hex: string }[] {
  return readFileSync(CRASH_FILE, 'utf8')
    .split('\n')
    .map((text, i) => ({ line: i + 1, hex: text.replace(/#.*/, '').trim() }))
    .filter((l) => l.hex.length > 0);
}

const Replay = suite('fuzz crash inputs replayed (test/messages/fuzz-crashes.txt)');

Replay('every saved crash input now decodes, or fails with a BgpError, and round-trips when clean', () => {
  const inputs = crashInputs();
  assert.ok(inputs.length > 0, 'the crash file lists inputs');
  const failures: Failure[] = [];
  for (const { line, hex: h } of inputs) {
    const bytes = fromHex(h);
    for (const [name, ctx] of CONTEXTS) {
      for (const f of checkInput(bytes, name, ctx)) failures.push({ ...f, stage: `line ${line}: ${f.stage}` });
      failures.push(...checkFramer(concat(CORPUS[0]!.bytes, bytes), [], name, ctx).map((f) => ({ ...f, stage: `line ${line}: ${f.stage}` })));
    }
  }
  assert.ok(failures.length === 0, report(failures));
});

Replay.run();
