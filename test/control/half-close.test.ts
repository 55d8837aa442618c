// A client that half-closes after its last request (nc -q1, socat, a PassThrough that ends) still gets every reply.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ControlConnection, connectionSettings } from '../../src/control/connection.js';
import { ControlServer } from '../../src/control/server.js';
import { FakeSpeaker } from './fake-speaker.js';
import { cleanup, line, opened, recordingLogger, within } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'tsbgp-half-'));
let n = 0;
const ANNOUNCE = line({ v: 1, id: 1, command: 'announce', args: { prefix: '100.64.0.1/32', nextHop: '10.10.0.5' } });
const PING = line({ v: 1, id: 2, command: 'ping' });
const FINISHED = 'control client finished sending; answering what it sent';

/** A FakeSpeaker whose announce is held until `release()`: its reply is due after the client has half-closed. */
function heldSpeaker() {
  const speaker = new FakeSpeaker();
  let release!: () => void;
  speaker.announceGate = new Promise((r) => (release = r));
  return { speaker, release };
}

async function server() {
  const { speaker, release } = heldSpeaker();
  const logger = recordingLogger();
  const s = new ControlServer({ path: join(dir, `s${++n}.sock`), speaker, logger, version: '1.2.3', closeGraceMs: 100 });
  await s.listen();
  opened.push(() => s.close());
  // The announce completes only once the daemon has seen the client's half-close.
  void logger.next(FINISHED).then(release);
  return { path: s.path, speaker };
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run a real tool with `input` on its stdin (then EOF); a missing binary fails the test, saying what to install. */
function tool(bin: string, pkg: string, args: string[], input: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${bin} ${args.join(' ')} did not finish in 10 s; stdout: ${stdout}`));
    }, 10_000);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === 'ENOENT' ? new Error(`${bin} is not installed: this test needs the Debian package ${pkg} (apt-get install ${pkg}; .ci/run installs it)`) : e);
    });
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

type Printed = { id: unknown; ok: boolean; result?: { changed?: boolean } };
function replies(stdout: string): Printed[] {
  assert.ok(stdout.trim() !== '', 'nothing was printed: the replies were dropped');
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as Printed);
}

const Tools = suite('half-close with the real tools');

Tools('printf ... | socat - UNIX-CONNECT:SOCK prints the reply of a failover that completes after the half-close', async () => {
  const { path, speaker } = await server();
  const r = await tool('/usr/bin/socat', 'socat', ['-', `UNIX-CONNECT:${path}`], ANNOUNCE + PING);
  assert.is(r.status, 0, r.stderr);
  assert.equal(replies(r.stdout).map((x) => [x.id, x.ok]), [[1, true], [2, true]]);
  assert.is(replies(r.stdout)[0]!.result!.changed, true);
  assert.equal(speaker.methods(), ['announce']);
});

Tools('printf ... | nc -U -q1 SOCK (netcat-openbsd) does too', async () => {
  const { path } = await server();
  const r = await tool('/usr/bin/nc', 'netcat-openbsd', ['-U', '-q1', path], ANNOUNCE + PING);
  assert.is(r.status, 0, r.stderr);
  assert.equal(replies(r.stdout).map((x) => [x.id, x.ok]), [[1, true], [2, true]]);
});

Tools('a last request without its newline is still answered', async () => {
  const { path } = await server();
  const r = await tool('/usr/bin/socat', 'socat', ['-', `UNIX-CONNECT:${path}`], ANNOUNCE + PING.trimEnd());
  assert.equal(replies(r.stdout).map((x) => [x.id, x.ok]), [[1, true], [2, true]]);
});

Tools.after.each(cleanup);
Tools.run();

const Streams = suite('half-close over a stream pair');

Streams('input ends with a request in progress: every reply is written, then the output ends', async () => {
  const { speaker, release } = heldSpeaker();
  const input = new PassThrough();
  const output = new PassThrough();
  new ControlConnection(input, output, connectionSettings({ speaker, version: '1.2.3' }));
  let text = '';
  output.setEncoding('utf8').on('data', (s: string) => (text += s));
  const ended = new Promise<void>((r) => output.once('end', () => r()));
  input.end(ANNOUNCE + PING);
  await new Promise((r) => setImmediate(r));
  assert.is(text, '', 'the announce is still held');
  release();
  await within(2000, ended, 'the output ends');
  assert.equal(replies(text).map((x) => [x.id, x.ok]), [[1, true], [2, true]]);
});

Streams('a monitor that half-closes gets its ok reply, then its subscription ends with the output', async () => {
  const speaker = new FakeSpeaker();
  const input = new PassThrough();
  const output = new PassThrough();
  const conn = new ControlConnection(input, output, connectionSettings({ speaker }));
  let text = '';
  output.setEncoding('utf8').on('data', (s: string) => (text += s));
  input.end(line({ v: 1, id: 'm', command: 'monitor' }));
  await within(2000, conn.closed, 'the connection closes');
  assert.equal(replies(text).map((x) => [x.id, x.ok]), [['m', true]]);
  assert.equal(speaker.methods(), ['subscribe']);
  assert.is(speaker.subscribers, 0);
});

Streams.run();
