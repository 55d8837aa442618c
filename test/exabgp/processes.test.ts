// ProcessManager with real child processes: commands and answers, back-off on a manual clock, the bounded stdin queue, stopping without orphans.
import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ManualClock } from '../../src/bgp/fsm/clock.js';
import type { ProcessConfig } from '../../src/config/types.js';
import { splitWords } from '../../src/config/sections/processes.js';
import { ProcessManager, type ProcessManagerOptions, restartDelayMs } from '../../src/exabgp/processes.js';
import { memoryLogger, until } from '../helpers/speakers.js';

type Line = { level: string; obj: object; msg?: string };

function manager(run: string[], over: Partial<ProcessManagerOptions> = {}, encoder: ProcessConfig['encoder'] = 'text') {
  const lines: Line[] = [];
  const commands: string[] = [];
  const clock = new ManualClock();
  const m = new ProcessManager({
    processes: [{ name: 'p', run, encoder }],
    clock,
    log: memoryLogger(lines),
    run: async (_name, line) => {
      commands.push(line);
      return ['done'];
    },
    ...over,
  });
  return { m, lines, commands, clock };
}

/** Whether a process with this pid still exists (a zombie, dead but not yet reaped, counts as gone). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const Words = suite('splitWords');

Words('words as a shell splits them, with no shell', () => {
  assert.equal(splitWords('/usr/bin/socat stdout pipe:/etc/exabgp/exabgp.cmd'), ['/usr/bin/socat', 'stdout', 'pipe:/etc/exabgp/exabgp.cmd']);
  assert.equal(splitWords(`  a  'b c'  "d \\"e\\" $f" g\\ h ''  `), ['a', 'b c', 'd "e" $f', 'g h', '']);
  assert.equal(splitWords('echo $HOME; rm -rf / | x'), ['echo', '$HOME;', 'rm', '-rf', '/', '|', 'x']);
});

Words('an unterminated quote is refused', () => {
  assert.throws(() => splitWords(`a 'b`), /unterminated ' quote at character 3/);
  assert.throws(() => splitWords('a "b'), /unterminated " quote/);
});

Words.run();

const Backoff = suite('back-off');

Backoff('1 s doubling to 60 s', () => {
  assert.equal([1, 2, 3, 4, 5, 6, 7, 8, 100].map(restartDelayMs), [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
});

Backoff('a program that exits is restarted after 1, 2, 4... 60 s (manual clock), logged with its code and stderr', async () => {
  const { m, lines, clock } = manager(['/bin/sh', '-c', 'echo "first line" >&2; echo "it broke" >&2; exit 3']);
  m.start();
  const expected = [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000];
  for (let i = 0; i < expected.length; i++) {
    await until(`exit ${i + 1}`, () => m.info()[0]!.restarts === i + 1);
    const info = m.info()[0]!;
    assert.is(info.state, 'restarting');
    assert.is(info.pid, undefined);
    assert.equal({ code: info.lastExit?.code, signal: info.lastExit?.signal }, { code: 3, signal: null });
    const logged = lines.filter((l) => l.level === 'error').at(-1)!;
    assert.equal((logged.obj as { restartInMs: number }).restartInMs, expected[i]);
    assert.equal((logged.obj as { stderr: string[] }).stderr, ['first line', 'it broke']);
    assert.match(logged.msg!, /exited with code 3; restarting in/);
    // Not a millisecond early...
    clock.advance(expected[i]! - 1);
    await new Promise((r) => setTimeout(r, 20));
    assert.is(m.info()[0]!.restarts, i + 1);
    assert.is(lines.filter((l) => l.msg?.includes('started')).length, i + 1);
    // ...and started again when it is due.
    clock.advance(1);
    assert.is(lines.filter((l) => l.msg?.includes('started')).length, i + 2);
  }
  await m.stop();
});

Backoff('after a run of 60 s or more the back-off starts again at 1 s', async () => {
  // Exits when it reads a line: the test decides how long it ran (on the manual clock).
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let asked = 0;
  const { m, lines, clock } = manager(['/bin/sh', '-c', 'echo hello; read x; exit 1'], {
    run: async () => {
      // The third run's answer waits for the test.
      if (++asked === 3) await held;
      return ['done'];
    },
  });
  m.start();
  const delays = (): number[] => lines.filter((l) => l.level === 'error').map((l) => (l.obj as { restartInMs: number }).restartInMs);
  // Two short runs: 1 s, then 2 s.
  for (let i = 1; i <= 2; i++) {
    await until(`short exit ${i}`, () => m.info()[0]!.restarts === i);
    clock.advance(restartDelayMs(i));
  }
  assert.equal(delays(), [1000, 2000]);
  // The third run lasts 60 s before it exits: reset.
  await until('third run', () => m.info()[0]!.state === 'running' && m.info()[0]!.commands === 3);
  clock.advance(60_000);
  release();
  await until('third exit', () => m.info()[0]!.restarts === 3);
  assert.equal(delays(), [1000, 2000, 1000]);
  assert.ok(m.info()[0]!.lastExit!.ranMs >= 60_000);
  await m.stop();
});

Backoff('a program that cannot be started is logged and retried with the same back-off', async () => {
  const { m, lines, clock } = manager(['/nonexistent/program', 'x']);
  m.start();
  await until('failed start', () => m.info()[0]!.restarts === 1);
  const logged = lines.find((l) => l.level === 'error')!;
  assert.match(logged.msg!, /could not be started: .*ENOENT/);
  clock.advance(1000);
  await until('second failed start', () => m.info()[0]!.restarts === 2);
  assert.is((lines.filter((l) => l.level === 'error')[1]!.obj as { restartInMs: number }).restartInMs, 2000);
  await m.stop();
});

Backoff.run();

const Commands = suite('commands and answers');

Commands('each stdout line is a command; its answers are written back to stdin in order (ack)', async () => {
  const script = 'echo "announce route 100.64.0.1/32 next-hop 10.10.0.5"; read a; echo "withdraw route 100.64.0.1/32"; read b; echo "got [$a] [$b]"; read c; sleep 30';
  const answers = [['done'], ['error', 'reason x'], ['done']];
  const commands: string[] = [];
  const { m } = manager(['/bin/sh', '-c', script], {
    run: async (name, line) => {
      assert.is(name, 'p');
      commands.push(line);
      // The first answer comes late: the second command must wait for it, so the answers keep their order.
      if (commands.length === 1) await new Promise((r) => setTimeout(r, 50));
      return answers[commands.length - 1]!;
    },
  });
  m.start();
  await until('three commands', () => commands.length === 3);
  assert.equal(commands, ['announce route 100.64.0.1/32 next-hop 10.10.0.5', 'withdraw route 100.64.0.1/32', 'got [done] [error]']);
  assert.is(m.info()[0]!.commands, 3);
  await m.stop();
});

Commands('with ack off, done and error are not written back (only a show command output)', async () => {
  const commands: string[] = [];
  const { m } = manager(['/bin/sh', '-c', 'echo "show neighbor summary"; read a; echo "announce route 1.2.3.4/32 next-hop 1.1.1.1"; echo "then [$a]"; read b; echo "last [$b]"; sleep 30'], {
    ack: false,
    run: async (_n, line) => {
      commands.push(line);
      return line.startsWith('show') ? ['neighbor 10.10.1.4 up', 'done'] : line.startsWith('then') ? ['done'] : ['error'];
    },
  });
  m.start();
  await until('four commands', () => commands.length === 4, 3000).catch(() => {});
  // `then` was answered with `done` only: nothing written, so the script is still waiting in `read b`.
  assert.equal(commands, ['show neighbor summary', 'announce route 1.2.3.4/32 next-hop 1.1.1.1', 'then [neighbor 10.10.1.4 up]']);
  await m.stop();
});

Commands('a runner that throws is answered error (its message logged)', async () => {
  const commands: string[] = [];
  const { m } = manager(['/bin/sh', '-c', 'echo boom; read a; echo "[$a]"; sleep 30'], {
    run: async (_n, line) => {
      commands.push(line);
      if (line === 'boom') throw new Error('it blew up');
      return ['done'];
    },
  });
  m.start();
  await until('answer', () => commands.length === 2);
  assert.equal(commands, ['boom', '[error]']);
  await m.stop();
});

Commands.run();

const Queue = suite('bounded stdin queue');

Queue('a program that never reads its stdin: events queued up to the bound, then dropped and counted, logged once; broadcast never blocks', async () => {
  const { m, lines } = manager(['/bin/sleep', '30'], { queueMaxEvents: 100 }, 'json');
  m.start();
  await until('running', () => m.info()[0]!.state === 'running');
  const event = JSON.stringify({ exabgp: '4.0.1', pad: 'x'.repeat(1000) });
  const total = 5000;
  const t0 = performance.now();
  for (let i = 0; i < total; i++) m.broadcast(event);
  const ms = performance.now() - t0;
  // Let the writes reach the pipe, which fills (64 KiB) and stays full.
  await new Promise((r) => setTimeout(r, 100));
  const info = m.info()[0]!;
  assert.is(info.queued.events, 100);
  assert.is(info.queued.bytes, 100 * (event.length + 1));
  // What the pipe and Node's stream buffer took is bounded too: all the rest was dropped.
  assert.ok((total - 100 - info.dropped) * event.length <= 256 * 1024, `dropped ${info.dropped}`);
  assert.ok(info.dropped < total - 100);
  assert.ok(ms < 2000, `broadcast took ${ms} ms`);
  assert.is(lines.filter((l) => l.msg?.includes('does not read its stdin')).length, 1);
  await m.stop();
});

Queue('the byte bound holds too', async () => {
  const { m } = manager(['/bin/sleep', '30'], { queueMaxBytes: 10_000 }, 'json');
  m.start();
  await until('running', () => m.info()[0]!.state === 'running');
  for (let i = 0; i < 500; i++) m.broadcast('y'.repeat(999));
  const info = m.info()[0]!;
  assert.ok(info.queued.bytes <= 10_000 && info.queued.bytes > 9000, `queued ${info.queued.bytes}`);
  assert.ok(info.dropped > 0);
  await m.stop();
});

Queue('text programs get no events', async () => {
  const { m } = manager(['/bin/sleep', '30'], {}, 'text');
  m.start();
  await until('running', () => m.info()[0]!.state === 'running');
  assert.is(m.listening, false);
  for (let i = 0; i < 5000; i++) m.broadcast('x'.repeat(100));
  assert.equal({ dropped: m.info()[0]!.dropped, queued: m.info()[0]!.queued.events }, { dropped: 0, queued: 0 });
  await m.stop();
});

Queue.run();

const Stop = suite('stop');

Stop('stop ends the program and what it started, by its process group; nothing is left', async () => {
  const commands: string[] = [];
  const { m } = manager(['/bin/sh', '-c', 'sleep 300 & echo "child $!"; wait'], {
    run: async (_n, line) => {
      commands.push(line);
      return [];
    },
  });
  m.start();
  await until('child pid', () => commands.length === 1);
  const pid = m.info()[0]!.pid!;
  const grandchild = Number(/^child (\d+)$/.exec(commands[0]!)![1]);
  assert.ok(alive(pid) && alive(grandchild));
  await m.stop();
  await until('both gone', () => !alive(pid) && !alive(grandchild), 3000);
  assert.is(m.info()[0]!.state, 'stopped');
});

Stop('a program that ignores SIGTERM gets SIGKILL after the bound', async () => {
  const { m, lines, commands } = manager(['/bin/sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 0.05; done'], { stopGraceMs: 100, stopKillAfterMs: 300 });
  m.start();
  await until('ready', () => commands.length === 1);
  const pid = m.info()[0]!.pid!;
  const t0 = performance.now();
  await m.stop();
  const ms = performance.now() - t0;
  assert.ok(ms >= 390 && ms < 2000, `stopped in ${ms} ms`);
  assert.ok(!alive(pid));
  assert.ok(lines.some((l) => l.msg?.includes('did not stop on SIGTERM: SIGKILL')));
});

Stop('a program that exits leaving a child behind: the child is ended too, and the program restarted', async () => {
  const { m, commands, clock } = manager(['/bin/sh', '-c', 'sleep 300 & echo "child $!"; exit 0']);
  m.start();
  await until('exited', () => m.info()[0]!.restarts === 1);
  const grandchild = Number(/^child (\d+)$/.exec(commands[0]!)![1]);
  await until('its child gone', () => !alive(grandchild), 3000);
  clock.advance(1000);
  await until('restarted and exited again', () => m.info()[0]!.restarts === 2);
  await m.stop();
  const second = Number(/^child (\d+)$/.exec(commands[1]!)![1]);
  await until('second child gone', () => !alive(second), 3000);
});

Stop('no restart after stop, even when one was due', async () => {
  const { m, clock, lines } = manager(['/bin/sh', '-c', 'exit 1']);
  m.start();
  await until('exited', () => m.info()[0]!.restarts === 1);
  await m.stop();
  clock.advance(120_000);
  assert.is(lines.filter((l) => l.msg?.includes('started')).length, 1);
  assert.is(clock.armed, 0);
});

Stop('stop closes stdin first: a program that exits at end of input gets no signal, and reads what was queued for it', async () => {
  const commands: string[] = [];
  // Writes its stdin's line count at EOF, then exits 0; SIGTERM would kill it without a word.
  const { m, lines } = manager(['/bin/sh', '-c', 'echo ready; n=0; while read x; do n=$((n+1)); done; echo "read $n" >&2; exit 0'], {
    run: async (_n, line) => {
      commands.push(line);
      return [];
    },
  }, 'json');
  m.start();
  await until('ready', () => commands.length === 1);
  for (let i = 0; i < 3; i++) m.broadcast('{"x": 1}');
  const t0 = performance.now();
  await m.stop();
  assert.ok(performance.now() - t0 < 190, 'it waited for the grace period');
  const stopped = lines.find((l) => l.msg === 'process p stopped')!;
  assert.equal((stopped.obj as { code: number; signal: string | null; stderr: string[] }), { ...(stopped.obj as object), code: 0, signal: null, stderr: ['read 3'] });
});

Stop.run();
