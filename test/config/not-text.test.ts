// A config file that is not YAML text gets one short message that never echoes its bytes; long lines in messages are cut.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load.js';
import { mulberry32 } from '../helpers/prng.js';
import { HEAD, configError, one, problems } from './problems.js';

const EXAMPLE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'azure-watcher.yaml');
const enc = (text: string) => new TextEncoder().encode(text);
const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};

/** The one message a binary file gets; also that it quotes nothing of the file (short, printable ASCII only). */
function binaryMessage(bytes: Uint8Array): string {
  const e = configError(bytes, 'watcher.yaml');
  assert.is(e.problems.length, 1, e.message);
  assert.is(e.problems[0]!.path, '');
  assert.is(e.problems[0]!.line, undefined);
  assert.ok(/^[\x20-\x7e]{1,100}$/.test(e.message), JSON.stringify(e.message));
  return e.message;
}

const Binary = suite('binary content');

Binary('a gzip-compressed config: byte 0 (its magic number is not text)', () => {
  const gz = gzipSync(readFileSync(EXAMPLE));
  assert.is(binaryMessage(gz), 'watcher.yaml: not a YAML text file (binary content at byte 0)');
});

Binary('random bytes, many seeds: always the one message, at the first byte that is not text', () => {
  for (let seed = 1; seed <= 50; seed++) {
    const bytes = mulberry32(seed).bytes(64 + seed * 40);
    assert.match(binaryMessage(bytes), /^watcher\.yaml: not a YAML text file \(binary content at byte \d+\)$/, `seed ${seed}`);
  }
  // The first four are text ("abc:"), the fifth is not.
  assert.is(binaryMessage(concat(enc('abc:'), new Uint8Array([0x9c, 0x00, 0xff, 0x10]))), 'watcher.yaml: not a YAML text file (binary content at byte 4)');
});

Binary('one NUL in an otherwise good file is enough', () => {
  const bytes = concat(enc(HEAD), new Uint8Array([0]), enc('log-level: info\n'));
  assert.is(binaryMessage(bytes), `watcher.yaml: not a YAML text file (binary content at byte ${HEAD.length})`);
  // The same through a string: the check is on what the text is, not on how it arrived.
  assert.is(configError(`${HEAD}\0`, 'watcher.yaml').message, `watcher.yaml: not a YAML text file (binary content at byte ${HEAD.length})`);
});

Binary('UTF-16 (a byte order mark) is named as such', () => {
  const le = new Uint8Array([0xff, 0xfe, ...Array.from(HEAD).flatMap((ch) => [ch.charCodeAt(0), 0])]);
  assert.is(binaryMessage(le), 'watcher.yaml: not a YAML text file (UTF-16; save it as UTF-8)');
});

Binary('loadConfig reads bytes: a binary file on disk gets the same message', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbgp-config-'));
  try {
    const file = join(dir, 'watcher.yaml.gz');
    writeFileSync(file, gzipSync(readFileSync(EXAMPLE)));
    try {
      await loadConfig(file);
      assert.unreachable('should throw');
    } catch (e) {
      assert.instance(e, ConfigError);
      assert.is((e as ConfigError).message, `${file}: not a YAML text file (binary content at byte 0)`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

Binary('a UTF-8 BOM and non-ASCII text are text', () => {
  const c = parseConfig(concat(new Uint8Array([0xef, 0xbb, 0xbf]), enc(`${HEAD}    description: "Zürich → 𝔸"\n`)), 'watcher.yaml');
  assert.is(c.neighbors[0]!.description, 'Zürich → 𝔸');
});

Binary.run();

const Stray = suite('a stray character in a text file');

Stray('a control character: its line, key and column, and its code point instead of itself', () => {
  one(`${HEAD}    description: "a\x1b[31mb"\n`, 'neighbors[0].description', 6, 'a control character (U+001B) at column 20; YAML allows only printable characters');
  one(`${HEAD}    description: ab\x7f\n`, 'neighbors[0].description', 6, '(U+007F) at column 20');
});

Stray('a byte that is not UTF-8 (a Latin-1 é): its line, key and column, and the byte in hex', () => {
  const bytes = concat(enc(`${HEAD}    description: caf`), new Uint8Array([0xe9]), enc('\n'));
  const e = configError(bytes, 'watcher.yaml');
  assert.is(e.message, 'watcher.yaml:6: neighbors[0].description: byte 0xE9 at column 21 is not UTF-8; save the file as UTF-8');
});

Stray('several: the first is reported, with how many bytes are not text', () => {
  const got = problems(`${HEAD}    description: "a\x07b"\nlog-level: "\x07\x07"\n`);
  assert.is(got.length, 1, JSON.stringify(got));
  assert.is(got[0]!.line, 6);
  assert.ok(got[0]!.message.endsWith('(3 bytes in the file are not text)'), got[0]!.message);
});

Stray.run();

const Long = suite('long lines in messages');

Long('a huge string value is quoted cut, with its length', () => {
  const got = problems(HEAD.replace('65001', `"${'9'.repeat(100_000)}"`));
  assert.is(got.length, 1);
  assert.is(got[0]!.message, `expected an integer 1..4294967295, got the string "${'9'.repeat(40)}"… (100000 characters)`);
});

Long('a long unknown key: path and message are cut to a line a terminal shows', () => {
  // YAML itself refuses implicit keys over 1024 characters.
  const key = 'k'.repeat(1000);
  const e = configError(`${HEAD}${key}: 1\n`);
  const p = e.problems[0]!;
  assert.is(p.line, 6);
  assert.ok(p.path.length <= 120 && p.path.endsWith('…'), p.path);
  assert.ok(p.message.length <= 300, p.message);
  assert.ok(e.message.length < 500, `${e.message.length} characters`);
});

Long('a message from a shared value parser that quotes a huge value is cut too', () => {
  const prefix = `${'1'.repeat(20_000)}/32`;
  const e = configError(`${HEAD}routes:\n  - prefix: "${prefix}"\n    next-hop: 10.0.0.9\n`);
  assert.is(e.problems.length, 1);
  assert.is(e.problems[0]!.path, 'routes[0].prefix');
  assert.ok(e.problems[0]!.message.length <= 300 && e.problems[0]!.message.endsWith('…'), e.problems[0]!.message);
});

Long.run();

const Tidy = suite('ConfigError');

Tidy('keeps every problem to one line of printable text', () => {
  const e = new ConfigError('watcher.yaml', [{ path: 'a\x1b[2Jb', line: 3, message: 'first\nsecond\x07' }]);
  assert.equal(e.problems, [{ path: 'a\\u001b[2Jb', line: 3, message: 'first second\\u0007' }]);
  assert.is(e.message, 'watcher.yaml:3: a\\u001b[2Jb: first second\\u0007');
});

Tidy('never cuts a character in half', () => {
  const e = new ConfigError('f', [{ path: '', message: `${'x'.repeat(298)}𝔸𝔸` }]);
  const m = e.problems[0]!.message;
  assert.is(m.length, 299);
  assert.is(m, `${'x'.repeat(298)}…`);
});

Tidy.run();
