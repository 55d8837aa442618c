// The ExaBGP-style named pipe: a FIFO tsbgpd creates and reads without ever blocking, kept open across restarts by a holder process.
import { execFile, spawn } from 'node:child_process';
import { constants, openSync, closeSync } from 'node:fs';
import { chmod, lstat, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { type Clock, realClock } from '../bgp/fsm/clock.js';
import { LineSplitter } from '../control/lines.js';
import type { ControlLogger } from '../control/connection.js';
import type { SpeakerControl } from '../control/types.js';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import { runApiLine } from './dispatch.js';

const run = promisify(execFile);

export interface ExaPipeOptions {
  /** The FIFO's path (config exabgp.pipe). */
  path: string;
  /** Its mode when tsbgpd creates it (config exabgp.pipe-mode). Default 0o600. */
  mode?: number;
  speaker: SpeakerControl;
  log: ControlLogger;
  /** Where a line's arrival time is read (the speaker's clock). Default realClock. */
  clock?: Pick<Clock, 'now'>;
  /**
   * Keep the FIFO open across restarts with a holder process (default true): a writer's open()
   * never blocks and what it writes waits in the kernel's buffer until the next tsbgpd reads it.
   */
  holder?: boolean;
}

/** Lines read ahead of the one being run before tsbgpd stops reading (the kernel's buffer holds the rest). */
const MAX_QUEUED_LINES = 4096;

/** The holder: a process that only keeps the FIFO open (as its stdin) and never reads it. */
const HOLDER_ARGV = ['sleep', 'infinity'] as const;

/** The file beside the FIFO that names its holder's PID. */
export const holderPidPath = (path: string): string => `${path}.holder`;

/**
 * Reads ExaBGP text (or JSON) lines from a FIFO and runs each through runApiLine, in order. A pipe
 * has no reply channel: every answer is logged (info for `done`, warn for `error` with its reason).
 *
 * Never blocking: tsbgpd opens the FIFO O_RDWR | O_NONBLOCK, so its open() returns at once, it never
 * sees EOF when a writer closes, and a writer's open() finds a reader and returns at once. It reads
 * continuously into a bounded queue, so a writer does not wait while a line is being applied.
 *
 * Across a restart: a holder process (`sleep infinity`, detached, the FIFO as its stdin opened
 * O_RDWR) keeps the pipe open while no tsbgpd runs, so `echo ... > pipe` neither blocks nor is lost
 * (up to the pipe's buffer, 64 KiB on Linux); the next start finds the holder by the PID in
 * PATH.holder, checks that its stdin is this FIFO, and reads what waited. A hard stop (decommission)
 * ends the holder and removes the FIFO.
 */
export class ExaPipe {
  readonly path: string;
  private readonly mode: number;
  private readonly log: ControlLogger;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly useHolder: boolean;
  private socket: Socket | undefined;
  private readonly splitter = new LineSplitter();
  private readonly queue: { line: string; at: number }[] = [];
  private pumping: Promise<void> | undefined;
  private paused = false;
  /** The holder's PID, once started or found. */
  holderPid: number | undefined;

  constructor(private readonly o: ExaPipeOptions) {
    this.path = o.path;
    this.mode = o.mode ?? 0o600;
    this.log = o.log;
    this.clock = o.clock ?? realClock;
    this.useHolder = o.holder ?? true;
  }

  /** Create the FIFO (or reuse the one there), make sure a holder keeps it open, and start reading. Throws TsbgpError(FILE). */
  async open(): Promise<void> {
    if (this.socket) throw new Error('ExaPipe.open() called twice');
    await this.ensureFifo();
    if (this.useHolder) await this.ensureHolder();
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_RDWR | constants.O_NONBLOCK);
    } catch (e) {
      throw fileError(this.path, 'cannot open', e as NodeJS.ErrnoException);
    }
    const socket = new Socket({ fd, readable: true, writable: false });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.log.error({ path: this.path, err: e.message }, 'exabgp pipe read error'));
    this.socket = socket;
    this.log.info({ path: this.path, holder: this.holderPid }, 'exabgp pipe open: reading ExaBGP commands');
  }

  private async ensureFifo(): Promise<void> {
    let isFifo: boolean | undefined;
    try {
      isFifo = (await lstat(this.path)).isFIFO();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw fileError(this.path, 'cannot inspect', e as NodeJS.ErrnoException);
    }
    if (isFifo === false) {
      // A regular file is what `echo ... > PATH` leaves when no FIFO was there: its lines were never run.
      throw new TsbgpError(TsbgpErrorCode.FILE, `exabgp pipe ${this.path} exists and is not a named pipe (FIFO); refusing to replace it (a writer may have created it while no FIFO was there: check its content, remove it, start again)`);
    }
    if (isFifo) return;
    await mkdir(dirname(this.path), { recursive: true, mode: 0o755 });
    try {
      // Node has no mkfifo(3): coreutils' does it, with the mode given exactly (no umask).
      await run('mkfifo', ['-m', this.mode.toString(8), this.path]);
      await chmod(this.path, this.mode);
    } catch (e) {
      const err = e as NodeJS.ErrnoException & { stderr?: string };
      throw new TsbgpError(TsbgpErrorCode.FILE, `cannot create exabgp pipe ${this.path}: ${(err.stderr ?? '').trim() || err.message}`);
    }
    this.log.info({ path: this.path, mode: '0' + this.mode.toString(8) }, 'exabgp pipe created');
  }

  /** Reuse the holder a previous start left (its stdin is this very FIFO), or start one. */
  private async ensureHolder(): Promise<void> {
    const found = await this.liveHolder();
    if (found !== undefined) {
      this.holderPid = found;
      this.log.info({ path: this.path, pid: found }, 'exabgp pipe holder found: what was written while tsbgpd was down is read now');
      return;
    }
    let fd: number;
    try {
      fd = openSync(this.path, constants.O_RDWR | constants.O_NONBLOCK);
    } catch (e) {
      throw fileError(this.path, 'cannot open', e as NodeJS.ErrnoException);
    }
    try {
      const child = spawn(HOLDER_ARGV[0], HOLDER_ARGV.slice(1), { detached: true, stdio: [fd, 'ignore', 'ignore'] });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('spawn', () => resolve(child.pid!));
        child.once('error', reject);
      });
      child.unref();
      this.holderPid = pid;
      await writeFile(holderPidPath(this.path), `${pid}\n`, { mode: 0o600 });
      this.log.info({ path: this.path, pid }, 'exabgp pipe holder started: writers never block, even across a restart');
    } catch (e) {
      // Without a holder the pipe still works while tsbgpd runs; a restart just loses its buffer.
      this.log.warn({ path: this.path, err: (e as Error).message }, 'cannot start the exabgp pipe holder: lines written while tsbgpd restarts will wait for it (their writer blocks)');
    } finally {
      closeSync(fd);
    }
  }

  /** The PID in PATH.holder when that process is alive and holds this FIFO as its stdin (not a reused PID). */
  private async liveHolder(): Promise<number | undefined> {
    let pid: number;
    try {
      pid = Number((await readFile(holderPidPath(this.path), 'utf8')).trim());
    } catch {
      return undefined;
    }
    if (!Number.isInteger(pid) || pid <= 1) return undefined;
    try {
      const [held, fifo] = await Promise.all([stat(`/proc/${pid}/fd/0`), stat(this.path)]);
      if (held.dev !== fifo.dev || held.ino !== fifo.ino) return undefined;
      const cmdline = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
      if (cmdline.join(' ') !== HOLDER_ARGV.join(' ')) return undefined;
      return pid;
    } catch {
      return undefined;
    }
  }

  private onData(chunk: Buffer): void {
    const at = this.clock.now();
    for (const item of this.splitter.push(chunk)) {
      if (item.kind === 'overflow') {
        this.log.warn({ path: this.path, bytes: item.bytes }, 'exabgp pipe: line longer than the limit, skipped');
        continue;
      }
      this.queue.push({ line: item.line, at });
    }
    if (this.queue.length > MAX_QUEUED_LINES && !this.paused && this.socket) {
      this.paused = true;
      this.socket.pause();
    }
    this.pumping ??= this.pump().finally(() => (this.pumping = undefined));
  }

  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      const { line, at } = this.queue.shift()!;
      const answer = await runApiLine(this.o.speaker, line, { kind: 'pipe', name: this.path, receivedAt: at });
      if (answer.status === 'error') this.log.warn({ path: this.path, line, answer: 'error', reason: answer.reason, code: answer.code }, `exabgp pipe: error: ${answer.reason ?? ''}`);
      else if (answer.status === 'done') {
        if (answer.reason) this.log.warn({ path: this.path, line, answer: 'done', warning: answer.reason }, `exabgp pipe: done (${answer.reason})`);
        else this.log.info({ path: this.path, line, answer: answer.format === 'text' ? answer.lines : 'ok' }, 'exabgp pipe: done');
      }
      if (this.paused && this.queue.length <= MAX_QUEUED_LINES / 2) {
        this.paused = false;
        this.socket?.resume();
      }
    }
  }

  /**
   * Stop reading; the lines already read are run first. `graceful` (a restart): the FIFO and its
   * holder stay, so that writers go on being buffered for the next start. `hard` (decommission): the
   * holder is stopped and the FIFO and its PID file removed.
   */
  async close(mode: 'graceful' | 'hard' = 'graceful'): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    socket?.destroy();
    await this.pumping;
    if (mode === 'hard') await this.removeAll();
    this.log.info({ path: this.path, mode }, mode === 'hard' ? 'exabgp pipe removed' : 'exabgp pipe closed (kept open by its holder for the next start)');
  }

  private async removeAll(): Promise<void> {
    const pid = this.holderPid ?? (await this.liveHolder());
    // Only a process we started and checked: the one whose stdin is this FIFO.
    if (pid !== undefined && (await this.liveHolder()) === pid) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Gone already.
      }
    }
    await unlink(holderPidPath(this.path)).catch(() => {});
    await unlink(this.path).catch(() => {});
  }
}

function fileError(path: string, what: string, e: NodeJS.ErrnoException): TsbgpError {
  return new TsbgpError(TsbgpErrorCode.FILE, `${what} exabgp pipe ${path}: ${e.message}`);
}
