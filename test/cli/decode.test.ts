// bgpctl decode as an operator runs it: a child process, its output and its exit status.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readCapture } from '../../src/pcap/capture.js';
import { FIXTURE_DIR, loadFixtures } from '../helpers/fixtures.js';
import { hex, message } from '../helpers/hex.js';
import { withoutOpens, writePcap } from '../helpers/mid-session.js';
import { ipv4Tcp, pcap } from '../helpers/pcap.js';

const BGPCTL = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'bgpctl.js');
const run = (...args: string[]) => spawnSync(process.execPath, [BGPCTL, ...args], { encoding: 'utf8' });
const tmp = mkdtempSync(join(tmpdir(), 'tsbgp-decode-'));

const Decode = suite('bgpctl decode');

Decode('every fixture: one JSON object per message, all verified identical, exit 0', () => {
  for (const f of loadFixtures()) {
    const r = run('decode', f.path, '--json', '--verify');
    assert.is(r.status, 0, `${f.name}: ${r.stderr}`);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; src: string; verify: { identical: boolean } });
    assert.is(lines.length, f.messages.length, f.name);
    for (const l of lines) {
      assert.ok(l.verify.identical, `${f.name}: ${JSON.stringify(l)}`);
      assert.match(l.src, /^(\d+\.\d+\.\d+\.\d+|\[[0-9a-f:]+\]):\d+$/);
    }
  }
});

Decode('text form names each message and ends with a summary on stderr', () => {
  const f = loadFixtures()[0]!;
  const r = run('decode', f.path);
  assert.is(r.status, 0);
  assert.match(r.stdout, / OPEN as \d+ hold \d+ id /);
  assert.match(r.stderr, new RegExp(`^${f.messages.length} messages, 0 malformed`));
});

Decode('hex input: prefixes as text, 4-octet AS by default, --asn2 for 2-octet', () => {
  // ORIGIN IGP, AS_PATH [65001] (4-octet), NEXT_HOP 10.10.0.5, NLRI 100.64.0.1/32
  const update = message(2, '0000 0014 40010100 400206 0201 0000fde9 400304 0a0a0005 20 64400001');
  const file = join(tmp, 'update.hex');
  writeFileSync(file, `# a comment\n\n${hex(update)}\n`);
  const r = run('decode', file, '--json');
  assert.is(r.status, 0, r.stderr);
  const m = JSON.parse(r.stdout) as { nlri: string[]; attributes: { NEXT_HOP: string; AS_PATH: { asns: number[] }[] } };
  assert.equal(m.nlri, ['100.64.0.1/32']);
  assert.is(m.attributes.NEXT_HOP, '10.10.0.5');
  assert.equal(m.attributes.AS_PATH[0]!.asns, [65001]);
  // Read as 2-octet, the same bytes are a malformed AS_PATH: RFC 7606 treat-as-withdraw.
  const r2 = run('decode', file, '--json', '--as2');
  const m2 = JSON.parse(r2.stdout) as { attributes: Record<string, unknown>; problems: { action: string; attrType: number; subcode: number }[] };
  assert.not.ok('AS_PATH' in m2.attributes);
  assert.equal(m2.problems.map((p) => [p.action, p.attrType, p.subcode]), [['treat-as-withdraw', 2, 11]]);
});

Decode('a malformed message prints the NOTIFICATION it would cause, and decoding goes on', () => {
  const bad = message(2, '0000 0000 21ffffffffff'); // NLRI /33
  const good = message(4, '');
  const file = join(tmp, 'bad.hex');
  writeFileSync(file, `${hex(bad)}\n${hex(good)}\n`);
  const r = run('decode', file, '--json');
  assert.is(r.status, 0, r.stderr);
  const [first, second] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; error?: { code: number; subcode: number; name: string } });
  assert.equal(first!.error && [first!.error.code, first!.error.subcode, first!.error.name], [3, 10, 'UPDATE Message Error / Invalid Network Field']);
  assert.is(second!.type, 'KEEPALIVE');
});

Decode('unreadable input: non-zero exit and a message naming the problem', () => {
  const missing = run('decode', join(tmp, 'nope.pcap'));
  assert.is(missing.status, 2);
  assert.match(missing.stderr, /cannot read .*nope\.pcap: no such file/);
  const binary = join(tmp, 'binary.bin');
  writeFileSync(binary, Buffer.from([1, 0, 2, 0, 3, 0]));
  const b = run('decode', binary);
  assert.is(b.status, 2);
  assert.match(b.stderr, /not a pcap, pcapng or hex text file/);
  const text = join(tmp, 'text.txt');
  writeFileSync(text, 'ffff\nhello\n');
  const t = run('decode', text);
  assert.is(t.status, 2);
  assert.match(t.stderr, /text\.txt:2: not a hex message/);
  const truncated = join(tmp, 'truncated.pcap');
  const f = loadFixtures()[0]!;
  writeFileSync(truncated, (spawnSync('head', ['-c', '100', f.path]).stdout as Buffer));
  const tr = run('decode', truncated);
  assert.is(tr.status, 2);
  assert.match(tr.stderr, /truncated/);
});

const KA = message(4, '');

Decode('a gap in a capture is reported with its stream and offset, text and JSON, and decoding resumes', () => {
  const stream = new Uint8Array([...KA, ...KA, ...KA]);
  const file = join(tmp, 'gap.pcap');
  writeFileSync(file, pcap(1, [ipv4Tcp({ seq: 0, flags: 0x02 }), ipv4Tcp({ seq: 1, payload: stream.subarray(0, 23) }), ipv4Tcp({ seq: 1 + 30, payload: stream.subarray(30) })]));
  const r = run('decode', file);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /#3 127\.0\.0\.1:40000 > 127\.0\.0\.2:179 WARNING connection 0 stream offset 23: 7 octets missing; 4 octets of an unfinished message dropped/);
  assert.match(r.stdout, /WARNING connection 0 stream offset 38: unsynchronised: resumed at the marker/);
  assert.match(r.stderr, /^2 messages, 0 malformed, 2 stream warnings/);
  const j = run('decode', '--json', file).stdout.trim().split('\n').map((l) => JSON.parse(l) as { warning?: string; offset?: number; type?: string });
  assert.equal(j.map((l) => l.type ?? `warning@${l.offset}`), ['KEEPALIVE', 'warning@23', 'warning@38', 'KEEPALIVE']);
  // The same stream whole: no warning.
  writeFileSync(file, pcap(1, [ipv4Tcp({ seq: 0, flags: 0x02 }), ipv4Tcp({ seq: 1, payload: stream })]));
  const whole = run('decode', file);
  assert.not.match(whole.stdout, /WARNING/);
  assert.match(whole.stderr, /^3 messages, 0 malformed\n/);
});

Decode('gzip\'d captures are read by name (.gz) or by magic (1f 8b); a broken .gz is a clear error', () => {
  const f = loadFixtures()[0]!;
  const gz = gzipSync(readFileSync(f.path));
  const named = join(tmp, 'capture.pcap.gz');
  const unnamed = join(tmp, 'capture-gz.bin');
  writeFileSync(named, gz);
  writeFileSync(unnamed, gz);
  for (const file of [named, unnamed]) {
    const r = run('decode', file);
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^${f.messages.length} messages, 0 malformed`));
  }
  const broken = join(tmp, 'broken.pcap.gz');
  writeFileSync(broken, gz.subarray(0, 40));
  const b = run('decode', broken);
  assert.is(b.status, 2);
  assert.match(b.stderr, /broken\.pcap\.gz: cannot gunzip/);
});

Decode('hex lines may carry an id before a tab; the id is shown, a bad message after the tab is still an error', () => {
  const file = join(tmp, 'ids.hex');
  writeFileSync(file, `# id\tmessage\nka-1\t${hex(KA)}\n17\t${hex(KA)}\n`);
  const r = run('decode', file);
  assert.is(r.status, 0, r.stderr);
  assert.match(r.stdout, /^line 2 id ka-1 \[19\] KEEPALIVE/m);
  assert.match(r.stdout, /^line 3 id 17 \[19\] KEEPALIVE/m);
  const j = run('decode', '--json', file).stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; type: string });
  assert.equal(j.map((l) => [l.id, l.type]), [['ka-1', 'KEEPALIVE'], ['17', 'KEEPALIVE']]);
  writeFileSync(file, `ka-1\t${hex(KA)}\nka-2\tnot hex\n`);
  const bad = run('decode', file);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /ids\.hex:2: not a hex message/);
});

Decode('piped into head -1: exits 0 once the reader is gone, no EPIPE stack trace', () => {
  const file = join(tmp, 'many.txt');
  writeFileSync(file, `${hex(message(4, ''))}\n`.repeat(20_000));
  const r = spawnSync('bash', ['-c', `"${process.execPath}" "${BGPCTL}" decode --json "${file}" | head -1; echo "bgpctl=\${PIPESTATUS[0]}" >&2`], { encoding: 'utf8', timeout: 20_000 });
  assert.is((JSON.parse(r.stdout) as { type: string }).type, 'KEEPALIVE');
  assert.is(r.stderr, 'bgpctl=0\n');
});

Decode('a capture started mid-session: UPDATEs say the AS width was guessed, --as2/--as4 force it', () => {
  // gobgp-exabgp-as2 without its SYNs and OPENs: a 2-octet-AS session (ExaBGP lacks the capability).
  const cut = join(tmp, 'mid-session-as2.pcap');
  writeFileSync(cut, writePcap(withoutOpens(readCapture(new Uint8Array(readFileSync(join(FIXTURE_DIR, 'gobgp-exabgp-as2.pcap')))))));
  type Line = { type: string; asWidth?: { octets: number; how: string; basis?: string }; problems?: { attrType: number }[]; verify?: { identical: boolean } };
  const parse = (out: string): Line[] => out.trim().split('\n').map((l) => JSON.parse(l) as Line);
  const guessed = run('decode', cut, '--json', '--verify');
  assert.is(guessed.status, 0, guessed.stderr);
  const lines = parse(guessed.stdout);
  const updates = lines.filter((l) => l.type === 'UPDATE');
  assert.ok(updates.length > 0 && !lines.some((l) => l.type === 'OPEN'));
  assert.ok(updates.some((l) => l.asWidth?.basis === 'parse'));
  for (const u of updates) {
    assert.is(u.asWidth?.how, 'guessed');
    if (u.asWidth?.basis !== 'default') assert.is(u.asWidth?.octets, 2, JSON.stringify(u));
    assert.ok(u.verify?.identical);
    assert.not.ok(u.problems?.some((p) => p.attrType === 2));
  }
  assert.ok(lines.filter((l) => l.type !== 'UPDATE').every((l) => l.asWidth === undefined));
  const text = run('decode', cut);
  assert.match(text.stdout, / UPDATE .*\(no OPENs: 2-octet AS guessed, parse\)/);
  // Forced to the wrong width: the reading the user asked for, its AS_PATH malformed, and labelled so.
  const forced = parse(run('decode', cut, '--json', '--as4').stdout).filter((l) => l.type === 'UPDATE');
  assert.ok(forced.every((u) => u.asWidth?.how === 'forced' && u.asWidth.octets === 4));
  assert.ok(forced.some((u) => u.problems?.some((p) => p.attrType === 2)));
  assert.match(run('decode', cut, '--as4').stdout, /\(no OPENs: 4-octet AS forced\)/);
  // The full capture has its OPENs: nothing guessed or forced, even with --as4.
  assert.not.match(run('decode', join(FIXTURE_DIR, 'gobgp-exabgp-as2.pcap'), '--as4').stdout, /no OPENs/);
  const both = run('decode', cut, '--as2', '--as4');
  assert.is(both.status === 0, false);
  assert.match(both.stderr, /as2.*as4|as4.*as2/);
});

Decode.run();
