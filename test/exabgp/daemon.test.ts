// tsbgpd as ExaBGP users run it: text lines through socat, `echo ... > pipe` from a shell (also across a restart), bgpctl exabgp.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { UpdateMessage } from '../../src/bgp/messages/update.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { until } from '../helpers/speakers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSBGPD = join(ROOT, 'src', 'cli', 'tsbgpd.js');
const BGPCTL = join(ROOT, 'src', 'cli', 'bgpctl.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run a program with `input` on its stdin, bounded to 10 s. */
function runTool(bin: string, args: string[], input = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${bin} ${args.join(' ')} did not finish in 10 s (a blocked writer?); stdout: ${stdout}`));
    }, 10_000);
    child.on('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(e.code === 'ENOENT' ? new Error(`${bin} is not installed (Debian package socat; .ci/run installs it)`) : e);
    });
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
    // A tool that exits without reading its stdin (sh -c 'echo ... > pipe', on a busy machine before
    // the write lands) makes that write EPIPE: not a failure; its status and output are what is checked.
    child.stdin.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') reject(e);
    });
    child.stdin.end(input);
  });
}

interface Daemon {
  child: ChildProcess;
  log: string[];
  exited: Promise<number | null>;
}

function start(file: string): Daemon {
  const log: string[] = [];
  const child = spawn(process.execPath, [TSBGPD, '--config', file, '--no-pretty'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c: Buffer) => log.push(c.toString()));
  child.stderr!.on('data', (c: Buffer) => log.push(c.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, log, exited };
}

async function stop(d: Daemon, how: 'SIGTERM' | 'hard', socket: string): Promise<void> {
  if (d.child.exitCode !== null) return;
  if (how === 'SIGTERM') d.child.kill('SIGTERM');
  else await runTool(process.execPath, [BGPCTL, 'shutdown', '--hard', '--socket', socket]);
  const t = setTimeout(() => d.child.kill('SIGKILL'), 8000);
  await d.exited;
  clearTimeout(t);
}

/** A config with one route server on 127.0.0.2 and the named pipe. */
function setupFiles(port: number) {
  const dir = mkdtempSync(join(tmpdir(), 'tsbgp-exad-'));
  const socket = join(dir, 'tsbgpd.sock');
  const pipe = join(dir, 'run', 'exabgp.cmd');
  const file = join(dir, 'tsbgpd.yaml');
  writeFileSync(
    file,
    `router-id: 10.10.0.7
local-as: 65001
listen: false
neighbors:
  - { address: 127.0.0.2, remote-as: 65515, port: ${port} }
control: { socket: ${socket} }
exabgp: { pipe: ${pipe}, pipe-mode: "0620" }
state-file: ${join(dir, 'state.json')}
`,
  );
  return { dir, socket, pipe, file };
}

const announced = (rs: RawPeer): string[] => rs.ofType('UPDATE').flatMap((u: UpdateMessage) => u.nlri.map((x) => x.prefix));
const withdrawn = (rs: RawPeer): string[] => rs.ofType('UPDATE').flatMap((u: UpdateMessage) => u.withdrawn.map((x) => x.prefix));

/** Stop a holder left behind by a failed test: only the one named in its PID file, and only a `sleep infinity`. */
function killHolder(pipe: string): void {
  try {
    const pid = Number(readFileSync(`${pipe}.holder`, 'utf8').trim());
    if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() === 'sleep infinity') process.kill(pid, 'SIGKILL');
  } catch {
    // None.
  }
}

const D = suite('tsbgpd with the ExaBGP text API and named pipe');

D('socat on the control socket, echo into the pipe, a write during a restart, bgpctl exabgp, a hard stop', async () => {
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
  const port = await rs.listen('127.0.0.2');
  const f = setupFiles(port);
  let d = start(f.file);
  try {
    await until('tsbgpd started and Established', () => d.log.join('').includes('exabgp pipe open') && rs.ofType('UPDATE').length >= 1, 10_000);
    const st = lstatSync(f.pipe);
    assert.ok(st.isFIFO(), 'tsbgpd created a FIFO');
    assert.is(st.mode & 0o777, 0o620, 'with pipe-mode');

    // Text lines on the control socket, through the real socat: one answer line per command.
    const s = await runTool('/usr/bin/socat', ['-', `UNIX-CONNECT:${f.socket}`], 'announce route 100.64.0.1/32 next-hop 10.10.0.5\nannounce route 100.64.0.1/32 next-hop nowhere\n{"v":1,"id":1,"command":"ping"}\n');
    assert.is(s.status, 0, s.stderr);
    const lines = s.stdout.trim().split('\n');
    assert.equal(lines.slice(0, 2), ['done', 'error']);
    assert.is((JSON.parse(lines[2]!) as { ok: boolean }).ok, true, 'a JSON line on the same connection gets its JSON reply');
    assert.ok(announced(rs).includes('100.64.0.1/32'));
    assert.match(d.log.join(''), /exabgp command: error: next hop \\"nowhere\\" is not an IPv4 or IPv6 address/);

    // The reference setup's exact usage: a shell's echo into the pipe (bounded: a blocked writer fails the test).
    const e = await runTool('/bin/sh', ['-c', `echo "announce route 100.64.0.2/32 next-hop 10.10.0.5" > ${f.pipe}`]);
    assert.is(e.status, 0, e.stderr);
    await until('the piped route on the wire', () => announced(rs).includes('100.64.0.2/32'), 5000);
    await until('the pipe answer logged', () => d.log.join('').includes('exabgp pipe: done'), 5000);

    // A restart: writes while no tsbgpd runs neither block nor get lost; the next start applies them.
    await stop(d, 'SIGTERM', f.socket);
    assert.ok(lstatSync(f.pipe).isFIFO(), 'the FIFO stays across a graceful stop');
    const w = await runTool('/bin/sh', ['-c', `echo "announce route 100.64.0.3/32 next-hop 10.10.0.5" > ${f.pipe}; echo "withdraw route 100.64.0.1/32" > ${f.pipe}`]);
    assert.is(w.status, 0, 'the writer returned while tsbgpd was down');
    const holderPid = Number(readFileSync(`${f.pipe}.holder`, 'utf8').trim());
    d = start(f.file);
    await until('the line written during the stop applied', () => announced(rs).includes('100.64.0.3/32'), 10_000);
    await until('and the withdrawal after it', () => d.log.join('').includes('withdraw route 100.64.0.1/32'), 5000);
    assert.match(d.log.join(''), /exabgp pipe holder found/);
    assert.is(Number(readFileSync(`${f.pipe}.holder`, 'utf8').trim()), holderPid, 'the same holder kept the pipe');

    // bgpctl exabgp: the answer on stdout, the reason on stderr, the exit status says which.
    const ok = await runTool(process.execPath, [BGPCTL, 'exabgp', '--socket', f.socket, 'withdraw route 100.64.0.2/32']);
    assert.equal([ok.status, ok.stdout], [0, 'done\n'], ok.stderr);
    await until('the withdrawal', () => withdrawn(rs).includes('100.64.0.2/32'), 5000);
    const bad = await runTool(process.execPath, [BGPCTL, 'exabgp', '--socket', f.socket, 'announce route 100.64.0.9/32 next-hop 10.10.0.5 med lots']);
    assert.equal([bad.status, bad.stdout], [1, 'error\n']);
    assert.match(bad.stderr, /med must be an integer.*"lots" at column 53/);
    const show = await runTool(process.execPath, [BGPCTL, 'exabgp', '--socket', f.socket, 'show', 'adj-rib', 'out']);
    assert.is(show.status, 0, show.stderr);
    assert.ok(show.stdout.includes('neighbor 127.0.0.2 ipv4 unicast 100.64.0.3/32 next-hop 10.10.0.5\n'), show.stdout);
    assert.ok(show.stdout.endsWith('done\n'));

    // Decommission: the holder is stopped, the FIFO and its PID file removed.
    await stop(d, 'hard', f.socket);
    assert.not.ok(existsSync(f.pipe), 'the FIFO is removed on a hard stop');
    assert.not.ok(existsSync(`${f.pipe}.holder`));
    await until('the holder gone', () => !existsSync(`/proc/${holderPid}`) || readFileSync(`/proc/${holderPid}/stat`, 'utf8').includes(') Z'), 3000);

    // A regular file where the FIFO goes (what `echo > PATH` leaves): refused, with a clear error.
    writeFileSync(f.pipe, 'announce route 100.64.0.4/32 next-hop 10.10.0.5\n');
    d = start(f.file);
    assert.is(await d.exited, 1);
    assert.match(d.log.join(''), /exists and is not a named pipe \(FIFO\); refusing to replace it/);
  } finally {
    await stop(d, 'SIGTERM', f.socket);
    killHolder(f.pipe);
    await rs.close();
  }
});

D.run();
