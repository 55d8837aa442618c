// ExaBGP-style programs: run each one, its stdout lines are API commands, its stdin gets answers and events (bounded), restarts with back-off.
import { type ChildProcess, spawn as nodeSpawn, type SpawnOptions } from 'node:child_process';
import type { Clock, TimerHandle } from '../bgp/fsm/clock.js';
import type { ProcessConfig } from '../config/types.js';
import type { ProcessInfo } from '../control/types.js';

export type { ProcessInfo };

/** The first restart waits this long; each exit in a row doubles it, up to RESTART_MAX_MS. */
export const RESTART_MIN_MS = 1000;
export const RESTART_MAX_MS = 60_000;
/** A program that ran at least this long before it exited is restarted after RESTART_MIN_MS again. */
export const STABLE_RUN_MS = 60_000;
/** Events and answers waiting for a program that does not read its stdin: past either bound they are dropped and counted. */
export const QUEUE_MAX_EVENTS = 1000;
export const QUEUE_MAX_BYTES = 1024 * 1024;
/** At stop, a program's stdin is closed: it has this long to exit on its own (as most do at end of input) before SIGTERM. */
export const STOP_GRACE_MS = 200;
/** After SIGTERM, a program still running after this long gets SIGKILL. */
export const STOP_KILL_AFTER_MS = 2000;
/** The last lines of a program's stderr kept to be logged when it exits, and the most kept of one line. */
export const STDERR_TAIL_LINES = 20;
const STDERR_LINE_MAX = 500;
/** A stdout line longer than this is no API command: it is dropped (and logged) instead of held in memory. */
export const LINE_MAX_BYTES = 64 * 1024;
/** Commands read but not yet answered: past it, the program's stdout is no longer read until they are. */
const PENDING_LINES_MAX = 64;

/** The wait before the next start, after `exits` consecutive short runs (1 s, 2 s, 4 s... 60 s). */
export function restartDelayMs(exits: number): number {
  return Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** Math.max(0, Math.min(exits - 1, 20)));
}

export interface ProcessLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

/** A command line from a program: the answer lines to write back (ExaBGP's `done` / `error`, or a show's output). */
export type ApiLineRunner = (name: string, line: string) => Promise<string[]>;

export interface ProcessManagerOptions {
  processes: readonly ProcessConfig[];
  clock: Clock;
  log: ProcessLogger;
  run: ApiLineRunner;
  /**
   * Write the answers back (ExaBGP's api.ack, on by default in 4.x): `exabgp healthcheck` without
   * --no-ack reads one line after each command it prints. false: the show commands' output only.
   */
  ack?: boolean;
  queueMaxEvents?: number;
  queueMaxBytes?: number;
  stopGraceMs?: number;
  stopKillAfterMs?: number;
  /** Tests: how children are spawned. */
  spawn?: (command: string, args: string[], options: SpawnOptions) => ChildProcess;
}

/** One program: its current child (if any), its queue toward stdin, its restart state. */
class Program {
  child: ChildProcess | undefined;
  startedAt = 0;
  startedWall = 0;
  /** Exits in a row after short runs (the back-off's exponent). */
  shortExits = 0;
  restarts = 0;
  restartTimer: TimerHandle | undefined;
  restartAt: number | undefined;
  lastExit: ProcessInfo['lastExit'];
  readonly stderrTail: string[] = [];
  stderrPartial = '';
  stdoutPartial = '';
  /** The stdout line being read is too long: skipped to its end. */
  skipping = false;
  /** Written to stdin but not yet accepted by the pipe (write() returned false): nothing more is written until 'drain'. */
  blocked = false;
  readonly queue: string[] = [];
  queuedBytes = 0;
  dropped = 0;
  /** Drops of the current episode (reset when the queue empties again). */
  droppedInEpisode = 0;
  commands = 0;
  /** Commands read and not yet answered, run one after another so the answers keep their order. */
  pending = 0;
  chain: Promise<void> = Promise.resolve();
  exited: Promise<void> = Promise.resolve();
  constructor(readonly config: ProcessConfig) {}
}

const errText = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class ProcessManager {
  private readonly programs = new Map<string, Program>();
  private readonly clock: Clock;
  private readonly log: ProcessLogger;
  private readonly ack: boolean;
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private readonly killAfterMs: number;
  private readonly graceMs: number;
  private readonly spawn: NonNullable<ProcessManagerOptions['spawn']>;
  private stopping = false;

  constructor(private readonly opts: ProcessManagerOptions) {
    this.clock = opts.clock;
    this.log = opts.log;
    this.ack = opts.ack ?? true;
    this.maxEvents = opts.queueMaxEvents ?? QUEUE_MAX_EVENTS;
    this.maxBytes = opts.queueMaxBytes ?? QUEUE_MAX_BYTES;
    this.killAfterMs = opts.stopKillAfterMs ?? STOP_KILL_AFTER_MS;
    this.graceMs = opts.stopGraceMs ?? STOP_GRACE_MS;
    this.spawn = opts.spawn ?? nodeSpawn;
    for (const p of opts.processes) this.programs.set(p.name, new Program(p));
  }

  /** Start every program. */
  start(): void {
    for (const p of this.programs.values()) this.launch(p);
  }

  /** Programs that want the daemon's events (encoder json). */
  get listening(): boolean {
    return [...this.programs.values()].some((p) => p.config.encoder === 'json');
  }

  /** Write one event line (already encoded) to every program with encoder json; never blocks. */
  broadcast(line: string): void {
    for (const p of this.programs.values()) if (p.config.encoder === 'json') this.write(p, line);
  }

  info(): ProcessInfo[] {
    return [...this.programs.values()].map((p) => {
      const running = p.child !== undefined && p.child.exitCode === null && p.child.signalCode === null;
      const state: ProcessInfo['state'] = this.stopping ? 'stopped' : running ? 'running' : 'restarting';
      return {
        name: p.config.name,
        run: p.config.run,
        encoder: p.config.encoder,
        state,
        ...(running && p.child?.pid !== undefined ? { pid: p.child.pid, since: new Date(p.startedWall).toISOString() } : {}),
        restarts: p.restarts,
        ...(p.restartAt !== undefined && state === 'restarting' ? { restartAt: new Date(this.clock.wall() + p.restartAt - this.clock.now()).toISOString() } : {}),
        ...(p.lastExit ? { lastExit: p.lastExit } : {}),
        dropped: p.dropped,
        queued: { events: p.queue.length, bytes: p.queuedBytes },
        commands: p.commands,
      };
    });
  }

  /**
   * Stop every program: its stdin closed (what was queued for it written first), time to exit on
   * that end of input (stopGraceMs); then SIGTERM to its process group (the program and whatever it
   * started), SIGKILL to it after stopKillAfterMs; resolves once every one has exited.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const running: Program[] = [];
    for (const p of this.programs.values()) {
      if (p.restartTimer) this.clock.clearTimer(p.restartTimer);
      p.restartTimer = undefined;
      if (!p.child) continue;
      running.push(p);
      // end() after what is queued: its last lines (ExaBGP's shutdown event) reach it before EOF.
      for (const text of p.queue.splice(0)) p.child.stdin!.write(text);
      p.queuedBytes = 0;
      p.child.stdin!.end();
    }
    // Real timers: the bounds hold even when the daemon's clock is a manual one.
    const all = Promise.all(running.map((p) => p.exited));
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((r) => (grace = setTimeout(r, this.graceMs)))]);
    clearTimeout(grace);
    const waits = running.map((p) => {
      const pid = p.child?.pid;
      if (pid === undefined) return p.exited;
      signalGroup(pid, 'SIGTERM');
      const kill = setTimeout(() => {
        this.log.warn({ process: p.config.name, pid, afterMs: this.killAfterMs }, `process ${p.config.name} did not stop on SIGTERM: SIGKILL`);
        signalGroup(pid, 'SIGKILL');
      }, this.killAfterMs);
      return p.exited.finally(() => clearTimeout(kill));
    });
    await Promise.all(waits);
  }

  /**
   * For an exit that cannot wait (a second signal, an internal error): SIGTERM to every program's
   * process group now, synchronously, so that none outlives tsbgpd.
   */
  terminateNow(): void {
    this.stopping = true;
    for (const p of this.programs.values()) {
      if (p.restartTimer) this.clock.clearTimer(p.restartTimer);
      if (p.child?.pid !== undefined) signalGroup(p.child.pid, 'SIGTERM');
    }
  }

  private launch(p: Program): void {
    p.restartTimer = undefined;
    p.restartAt = undefined;
    if (this.stopping) return;
    const [command, ...args] = p.config.run;
    let child: ChildProcess;
    try {
      // detached: its own process group (as ExaBGP's setpgrp), so a ^C at tsbgpd's terminal does not
      // reach it before tsbgpd stops it, and stop() can signal whatever it started as well.
      child = this.spawn(command!, args, { stdio: ['pipe', 'pipe', 'pipe'], detached: true, env: { ...process.env, TERM: 'dumb' } });
    } catch (e) {
      this.exitedNow(p, null, null, errText(e));
      return;
    }
    p.child = child;
    p.startedAt = this.clock.now();
    p.startedWall = this.clock.wall();
    p.stdoutPartial = '';
    p.stderrPartial = '';
    p.skipping = false;
    p.blocked = false;
    p.stderrTail.length = 0;
    let resolveExit!: () => void;
    p.exited = new Promise<void>((r) => (resolveExit = r));
    let spawnError: string | undefined;
    child.once('error', (e) => {
      // ENOENT, EACCES: there is no 'exit' after a failed spawn, only 'close'.
      spawnError = errText(e);
    });
    child.stdin!.on('error', () => {
      // EPIPE: it exited; its 'exit' says so and restarts it.
    });
    child.stdin!.on('drain', () => {
      p.blocked = false;
      this.flush(p);
    });
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => this.stdout(p, child, chunk));
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => this.stderr(p, chunk));
    // 'exit' comes first; 'close' once its stdout and stderr are drained, which a child it left
    // running (holding them open) would put off for good: so its group is signalled at 'exit'.
    let leftovers: NodeJS.Timeout | undefined;
    child.once('exit', () => {
      if (child.pid === undefined) return;
      signalGroup(child.pid, 'SIGTERM');
      leftovers = setTimeout(() => signalGroup(child.pid!, 'SIGKILL'), this.killAfterMs);
    });
    child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(leftovers);
      if (p.child === child) this.exitedNow(p, code, signal, spawnError);
      resolveExit();
    });
    if (child.pid !== undefined) this.log.info({ process: p.config.name, pid: child.pid, run: p.config.run }, `process ${p.config.name} started (pid ${child.pid})`);
  }

  private exitedNow(p: Program, code: number | null, signal: NodeJS.Signals | null, spawnError?: string): void {
    const child = p.child;
    p.child = undefined;
    const pid = child?.pid;
    if (p.stderrPartial) this.keepStderr(p, p.stderrPartial);
    p.stderrPartial = '';
    const ranMs = child ? this.clock.now() - p.startedAt : 0;
    p.lastExit = { at: new Date(this.clock.wall()).toISOString(), code, signal, ranMs: Math.round(ranMs) };
    // Its queue was for that run: a new run starts from what happens next.
    p.queue.length = 0;
    p.queuedBytes = 0;
    p.blocked = false;
    const stderr = [...p.stderrTail];
    if (this.stopping) {
      this.log.info({ process: p.config.name, pid, code, signal, stderr }, `process ${p.config.name} stopped`);
      return;
    }
    p.shortExits = ranMs >= STABLE_RUN_MS ? 1 : p.shortExits + 1;
    const delayMs = restartDelayMs(p.shortExits);
    const status = spawnError ? `could not be started: ${spawnError}` : signal ? `was killed by ${signal}` : `exited with code ${code}`;
    this.log.error(
      { process: p.config.name, pid, code, signal, ...(spawnError ? { spawnError } : {}), ranMs: Math.round(ranMs), restartInMs: delayMs, stderr },
      `process ${p.config.name} ${status}; restarting in ${delayMs / 1000} s`,
    );
    p.restarts++;
    p.restartAt = this.clock.now() + delayMs;
    p.restartTimer = this.clock.setTimer(delayMs, () => this.launch(p));
  }

  private stdout(p: Program, child: ChildProcess, chunk: string): void {
    let text = p.stdoutPartial + chunk;
    for (;;) {
      const nl = text.indexOf('\n');
      if (nl < 0) break;
      const line = text.slice(0, nl);
      text = text.slice(nl + 1);
      if (p.skipping) {
        p.skipping = false;
        continue;
      }
      this.command(p, child, line.replace(/\r$/, ''));
    }
    if (Buffer.byteLength(text) > LINE_MAX_BYTES) {
      if (!p.skipping) this.log.warn({ process: p.config.name, maxBytes: LINE_MAX_BYTES }, `process ${p.config.name} wrote a line longer than ${LINE_MAX_BYTES} bytes: dropped`);
      p.skipping = true;
      text = '';
    }
    p.stdoutPartial = text;
  }

  /** One command: run after the ones before it; its answers written back (with ack). */
  private command(p: Program, child: ChildProcess, line: string): void {
    // Stopping: what a program says as it dies (healthcheck withdraws its routes on SIGTERM) is not
    // an operator's change, and must not become one that the state file keeps.
    if (line.trim() === '' || this.stopping) return;
    p.commands++;
    p.pending++;
    if (p.pending >= PENDING_LINES_MAX) child.stdout!.pause();
    p.chain = p.chain.then(async () => {
      let answers: string[];
      try {
        answers = await this.opts.run(p.config.name, line);
      } catch (e) {
        this.log.error({ process: p.config.name, err: errText(e) }, 'process command failed');
        answers = ['error'];
      }
      p.pending--;
      if (child.stdout!.isPaused() && p.pending < PENDING_LINES_MAX / 2) child.stdout!.resume();
      // Answers go to the run that asked; a restarted program never reads its predecessor's.
      if (p.child !== child) return;
      for (const a of this.ack ? answers : answers.filter((l) => l !== 'done' && l !== 'error')) this.write(p, a);
    });
  }

  private stderr(p: Program, chunk: string): void {
    const lines = (p.stderrPartial + chunk).split('\n');
    p.stderrPartial = lines.pop()!.slice(0, STDERR_LINE_MAX);
    for (const l of lines) this.keepStderr(p, l);
  }

  private keepStderr(p: Program, line: string): void {
    p.stderrTail.push(line.slice(0, STDERR_LINE_MAX));
    if (p.stderrTail.length > STDERR_TAIL_LINES) p.stderrTail.shift();
  }

  /** Queue one line for the program's stdin; past the bounds it is dropped and counted (logged once per episode). */
  private write(p: Program, line: string): void {
    const child = p.child;
    if (!child || !child.stdin!.writable) return;
    const text = `${line}\n`;
    if (!p.blocked && p.queue.length === 0) {
      p.blocked = !child.stdin!.write(text);
      return;
    }
    const bytes = Buffer.byteLength(text);
    if (p.queue.length >= this.maxEvents || p.queuedBytes + bytes > this.maxBytes) {
      p.dropped++;
      if (p.droppedInEpisode++ === 0) {
        this.log.warn(
          { process: p.config.name, pid: child.pid, queued: p.queue.length, queuedBytes: p.queuedBytes, maxEvents: this.maxEvents, maxBytes: this.maxBytes },
          `process ${p.config.name} does not read its stdin: events dropped (counted in bgpctl show processes) until it does`,
        );
      }
      return;
    }
    p.queue.push(text);
    p.queuedBytes += bytes;
  }

  private flush(p: Program): void {
    const stdin = p.child?.stdin;
    if (!stdin) return;
    while (!p.blocked && p.queue.length) {
      const text = p.queue.shift()!;
      p.queuedBytes -= Buffer.byteLength(text);
      p.blocked = !stdin.write(text);
    }
    if (!p.queue.length && p.droppedInEpisode) {
      this.log.info({ process: p.config.name, dropped: p.droppedInEpisode }, `process ${p.config.name} reads its stdin again; ${p.droppedInEpisode} dropped meanwhile`);
      p.droppedInEpisode = 0;
    }
  }
}

/** Signal a program's process group (its pid: it leads the group it was started in); gone already is fine. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: nothing of it is left.
  }
}
