// runCheck for exec checks: real child processes (node -e scripts), their exit status, stderr, timeouts and reaping.
import type { Socket } from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../src/bgp/fsm/clock.js';
import type { CheckConfig } from '../../src/config/types.js';
import { runCheck } from '../../src/health/checks.js';
import { type Events, closed, reaped, shut, tcpServer, within } from './helpers.js';

const node = (script: string, ...args: string[]): CheckConfig => ({ kind: 'exec', command: process.execPath, args: ['-e', script, ...args] });

/**
 * A script's part that connects to the test's server and says `<tag> <pid>`, so the test knows it runs and who it is.
 * It exits when that connection closes, so a failed test (or its end) leaves no process behind.
 */
const hello = (port: number, tag: string): string =>
  `const s = require('net').connect(${port}, '127.0.0.1', () => s.write('${tag} ' + process.pid + '\\n')); s.on('error', () => {}); s.on('close', () => process.exit(9));`;

/** What a process says first on its connection (see hello()). */
async function said(server: { lines(s: Socket): Events<string> }, conn: Socket): Promise<{ tag: string; pid: number }> {
  const line = await server.lines(conn).take('a process to say who it is');
  const [tag, pid] = line.split(' ');
  return { tag: tag!, pid: Number(pid) };
}

const Exec = suite('runCheck: exec');

Exec('exit 0 passes; another status fails, quoting the last line of stderr', async () => {
  const clock = new ManualClock();
  const pass = await within(runCheck(node('process.exit(0)'), { timeoutMs: 5000, clock }).done, 'the check');
  assert.equal(pass, { ok: true, latencyMs: 0, detail: 'exit 0' });
  const fail = await within(runCheck(node(`console.error('checking upstream'); console.error('no upstream\\n\\n'); process.exit(3)`), { timeoutMs: 5000, clock }).done, 'the check');
  assert.equal(fail, { ok: false, latencyMs: 0, detail: 'exit 3: no upstream' });
  const silent = await within(runCheck(node('process.exit(1)'), { timeoutMs: 5000, clock }).done, 'the check');
  assert.equal(silent, { ok: false, latencyMs: 0, detail: 'exit 1' });
  assert.is(clock.armed, 0);
});

Exec('killed by a signal', async () => {
  const out = await within(runCheck(node(`process.kill(process.pid, 'SIGTERM')`), { timeoutMs: 5000, clock: new ManualClock() }).done, 'the check');
  assert.equal(out, { ok: false, latencyMs: 0, detail: 'killed by SIGTERM' });
});

Exec('a command that does not exist: cannot run: ENOENT', async () => {
  const clock = new ManualClock();
  const out = await within(runCheck({ kind: 'exec', command: '/nonexistent/tsbgp-check', args: [] }, { timeoutMs: 5000, clock }).done, 'the check');
  assert.equal(out, { ok: false, latencyMs: 0, detail: 'cannot run: ENOENT' });
  assert.is(clock.armed, 0);
});

Exec('the environment is ours plus the given variables; arguments reach it as they are, no shell', async () => {
  const script = `const e = process.env; const ok = e.TSBGP_VIP === '100.64.0.1/32' && e.TSBGP_CANDIDATE === 'ws1' && e.PATH === ${JSON.stringify(process.env.PATH)} && process.argv[1] === '$HOME; exit 5' && process.argv[2] === '*'; if (!ok) console.error(JSON.stringify([e.TSBGP_VIP, e.TSBGP_CANDIDATE, process.argv.slice(1)])); process.exit(ok ? 0 : 4)`;
  const out = await within(runCheck(node(script, '$HOME; exit 5', '*'), { timeoutMs: 5000, clock: new ManualClock(), env: { TSBGP_VIP: '100.64.0.1/32', TSBGP_CANDIDATE: 'ws1' } }).done, 'the check');
  assert.equal(out, { ok: true, latencyMs: 0, detail: 'exit 0' });
});

Exec('stderr is kept bounded: a megabyte of it, and the last line is still the one quoted, cut at 200 characters', async () => {
  const script = `process.stderr.write('noise\\n'.repeat(200000)); process.stderr.write('y'.repeat(1000) + '\\n', () => process.exit(2))`;
  const out = await within(runCheck(node(script), { timeoutMs: 5000, clock: new ManualClock() }).done, 'the check');
  assert.equal(out, { ok: false, latencyMs: 0, detail: `exit 2: ${'y'.repeat(200)}…` });
});

Exec('a command not done by the timeout: failed, killed, and reaped before done resolves', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  const run = runCheck(node(`${hello(s.port, 'cmd')} console.error('still working'); setInterval(() => {}, 1e6)`), { timeoutMs: 80, clock });
  const conn = await s.connections.take('the command to connect');
  const { pid } = await said(s, conn);
  clock.advance(80);
  const out = await within(run.done, 'the check');
  assert.is(out.ok, false);
  assert.is(out.latencyMs, 80);
  assert.match(out.detail, /^timed out after 80 ms/);
  // Reaped, not a zombie: the pid is gone from /proc the moment done resolved.
  assert.throws(() => process.kill(pid, 0), /ESRCH/);
  await within(closed(conn), 'its connection to close');
  await shut(s.server);
});

Exec('at the timeout, what the command started is killed with it (its process group)', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  // The command starts a child of its own that outlives it unless killed, and both connect to the test.
  const child = JSON.stringify(`${hello(s.port, 'child')} setInterval(() => {}, 1e6)`);
  const script = `${hello(s.port, 'cmd')} require('child_process').spawn(process.execPath, ['-e', ${child}], { stdio: 'ignore' }); setInterval(() => {}, 1e6)`;
  const run = runCheck(node(script), { timeoutMs: 80, clock });
  const a = await s.connections.take('a process to connect');
  const b = await s.connections.take('the other to connect');
  assert.equal((await Promise.all([said(s, a), said(s, b)])).map((x) => x.tag).sort(), ['child', 'cmd']);
  clock.advance(80);
  assert.match((await within(run.done, 'the check')).detail, /^timed out/);
  await within(Promise.all([closed(a), closed(b)]), 'both processes to die');
  await shut(s.server);
});

Exec('a command that exited in time while its child holds stderr open: judged by its exit status at the timeout', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  // The child inherits stderr and stays; the command exits 0 when the test writes to it.
  const child = JSON.stringify(`${hello(s.port, 'child')} setInterval(() => {}, 1e6)`);
  const script = `require('child_process').spawn(process.execPath, ['-e', ${child}], { stdio: ['ignore', 'ignore', 'inherit'] }); ${hello(s.port, 'cmd')} s.on('data', () => process.exit(0));`;
  const run = runCheck(node(script), { timeoutMs: 80, clock });
  const conns = [await s.connections.take('a process to connect'), await s.connections.take('the other to connect')];
  const who = await Promise.all(conns.map((c) => said(s, c)));
  const cmd = who.findIndex((x) => x.tag === 'cmd');
  conns[cmd]!.write('x');
  // 'exit' is seen (the command reaped) but 'close' cannot come while the child holds stderr: then the timeout.
  await reaped(who[cmd]!.pid);
  clock.advance(80);
  assert.equal(await within(run.done, 'the check'), { ok: true, latencyMs: 80, detail: 'exit 0' });
  // Once the command has exited, its child is not killed by the check: the test ends it.
  process.kill(who[1 - cmd]!.pid, 'SIGKILL');
  await within(closed(conns[1 - cmd]!), 'the child to die');
  await shut(s.server);
});

Exec('cancel(): cancelled, once the command is killed and reaped', async () => {
  const s = await tcpServer();
  const clock = new ManualClock();
  const run = runCheck(node(`${hello(s.port, 'cmd')} setInterval(() => {}, 1e6)`), { timeoutMs: 80, clock });
  const conn = await s.connections.take('the command to connect');
  const { pid } = await said(s, conn);
  run.cancel();
  assert.equal(await within(run.done, 'the check'), { ok: false, latencyMs: 0, detail: 'cancelled' });
  assert.throws(() => process.kill(pid, 0), /ESRCH/);
  assert.is(clock.armed, 0);
  await shut(s.server);
});

Exec.run();
