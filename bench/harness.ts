// Daemon benchmarks' plumbing: temp dirs and child processes stopped by PID on every exit, tsbgpd, a JSON-lines control connection, /proc readers.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/src/cli, where tsbgpd.js and bgpctl.js are once built. */
export const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli');
export const TSBGPD = join(CLI, 'tsbgpd.js');
/** Every child is wrapped in timeout(1): even if this process is SIGKILLed, nothing outlives the bound. */
const TIMEOUT = '/usr/bin/timeout';

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

// ---- cleanup on every way out -------------------------------------------------------------------

const liveProcs = new Set<Proc>();
const liveDirs = new Set<string>();
let handlersInstalled = false;

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  // Last resort, synchronous: SIGKILL whatever is still running (by PID) and remove the temp dirs.
  process.on('exit', () => {
    for (const p of liveProcs) p.killNow();
    for (const d of liveDirs) rmSync(d, { recursive: true, force: true });
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\nbench: ${sig}: stopping every process started here\n`);
      void Promise.all([...liveProcs].map((p) => p.stop(2000))).finally(() => process.exit(130));
    });
  }
}

/** A private temp dir, removed by `remove()` or at exit whatever happens. */
export function tempDir(tag: string): { path: string; file(name: string): string; remove(): void } {
  installHandlers();
  const path = mkdtempSync(join(tmpdir(), `tsbgp-bench-${tag}-`));
  liveDirs.add(path);
  return {
    path,
    file: (name) => join(path, name),
    remove: () => {
      if (process.env['KEEP_TMP']) process.stderr.write(`bench: KEEP_TMP set, kept ${path}\n`);
      else rmSync(path, { recursive: true, force: true });
      liveDirs.delete(path);
    },
  };
}

/** /proc/PID/stat start time (clock ticks since boot): tells a PID from a later process that reuses it. */
function startTime(pid: number): string | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Children of a process, from /proc/PID/task/TID/children. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
      if (text) out.push(...text.split(/\s+/).map(Number));
    }
  } catch {
    /* gone */
  }
  return out;
}

/** A process we started (inside timeout(1)); its output goes to a log file. */
export class Proc {
  readonly child: ChildProcess;
  readonly wrapperPid: number;
  readonly log: string;
  exited = false;
  exitCode: number | null = null;
  private readonly exit: Promise<void>;
  /** Descendants seen so far, with their start times (killed by PID after the main process). */
  private readonly descendants = new Map<number, string>();

  constructor(
    readonly name: string,
    command: string,
    args: string[],
    o: { log: string; maxSeconds: number; env?: NodeJS.ProcessEnv; cwd?: string },
  ) {
    installHandlers();
    this.log = o.log;
    const fd = openSync(o.log, 'a');
    try {
      this.child = spawn(TIMEOUT, ['-k', '3', String(o.maxSeconds), command, ...args], {
        stdio: ['ignore', fd, fd],
        env: o.env ?? process.env,
        ...(o.cwd ? { cwd: o.cwd } : {}),
      });
    } finally {
      closeSync(fd);
    }
    this.wrapperPid = this.child.pid ?? -1;
    this.exit = new Promise((resolve) => {
      const gone = (code: number | null): void => {
        this.exited = true;
        this.exitCode = code;
        liveProcs.delete(this);
        resolve();
      };
      this.child.once('exit', gone);
      // timeout(1) itself could not be started (not installed): nothing runs.
      this.child.once('error', () => gone(null));
    });
    liveProcs.add(this);
  }

  /** The command itself (timeout's child); undefined until it has been forked. */
  get pid(): number | undefined {
    return this.wrapperPid < 0 ? undefined : childrenOf(this.wrapperPid)[0];
  }

  async waitPid(ms = 5000): Promise<number> {
    const end = nowMs() + ms;
    for (;;) {
      const p = this.pid;
      if (p !== undefined) return p;
      if (this.exited) throw new Error(`${this.name} exited (code ${this.exitCode}) before it started; see ${this.log}: ${this.tail()}`);
      if (nowMs() > end) throw new Error(`${this.name} did not start within ${ms} ms`);
      await sleep(2);
    }
  }

  /** Remember the whole process tree now (ExaBGP's API helpers), to stop what outlives the main process. */
  rememberDescendants(): void {
    const walk = (pid: number): void => {
      for (const c of childrenOf(pid)) {
        const t = startTime(c);
        if (t !== undefined) this.descendants.set(c, t);
        walk(c);
      }
    };
    walk(this.wrapperPid);
  }

  /** The last lines of its log (for error messages). */
  tail(lines = 8): string {
    try {
      return readFileSync(this.log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /** SIGTERM (timeout(1) passes it on), SIGKILL after `graceMs`; then any remembered descendant still alive. */
  async stop(graceMs = 5000, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    this.rememberDescendants();
    if (!this.exited && this.wrapperPid > 0) {
      try {
        process.kill(this.wrapperPid, signal);
      } catch {
        /* already gone */
      }
      const timer = setTimeout(() => this.killNow(), graceMs);
      await this.exit;
      clearTimeout(timer);
    }
    this.killDescendants();
  }

  private killDescendants(): void {
    for (const [pid, t] of this.descendants) {
      if (startTime(pid) !== t) continue; // gone, or the PID now belongs to someone else
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    this.descendants.clear();
  }

  killNow(): void {
    const main = this.pid;
    for (const pid of [main, this.wrapperPid]) {
      if (pid === undefined || pid < 0) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    this.killDescendants();
  }

  get done(): Promise<void> {
    return this.exit;
  }
}

// ---- /proc --------------------------------------------------------------------------------------

export const CLOCK_TICKS_PER_SEC = 100; // USER_HZ on Linux

/** utime + stime of a process, in µs (resolution: one clock tick, 10 ms). */
export function cpuMicros(pid: number): number {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat; after the ")" the list starts at field 3.
  return ((Number(f[11]) + Number(f[12])) * 1e6) / CLOCK_TICKS_PER_SEC;
}

/** VmRSS and VmHWM (peak) of a process, MB. */
export function memMb(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** Samples a process's RSS every `everyMs` and keeps the largest seen since the last reset. */
export class RssSampler {
  peak = 0;
  private timer: NodeJS.Timeout;
  constructor(
    private readonly pid: number,
    everyMs = 20,
  ) {
    this.timer = setInterval(() => this.sample(), everyMs);
  }
  sample(): number {
    try {
      const r = memMb(this.pid).rss;
      if (r > this.peak) this.peak = r;
      return r;
    } catch {
      return NaN;
    }
  }
  reset(): void {
    this.peak = 0;
    this.sample();
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

// ---- figures ------------------------------------------------------------------------------------

export const pct = (sorted: readonly number[], p: number): number =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;

export function stats(xs: readonly number[]): { n: number; p50: number; p99: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { n: s.length, p50: pct(s, 50), p99: pct(s, 99), max: s.length ? s[s.length - 1]! : NaN };
}

export const ms = (x: number, digits = 1): string => (Number.isFinite(x) ? `${x.toFixed(digits)} ms` : 'n/a');
export const secs = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)} s` : 'n/a');
export const mb = (x: number): string => (Number.isFinite(x) ? `${x.toFixed(1)} MB` : 'n/a');

/** Wait for `check`, polling every `everyMs`, bounded by `limitMs`; false on timeout. */
export async function poll(check: () => boolean | Promise<boolean>, limitMs: number, everyMs = 50): Promise<boolean> {
  const end = nowMs() + limitMs;
  for (;;) {
    if (await check()) return true;
    if (nowMs() > end) return false;
    await sleep(everyMs);
  }
}

// ---- tsbgpd -------------------------------------------------------------------------------------

export interface TsbgpdNeighbor {
  address: string;
  port: number;
  remoteAs?: number;
  holdTime?: number;
  localAddress?: string;
}

export interface TsbgpdRoute {
  prefix: string;
  nextHop: string;
}

/** A tsbgpd YAML config (shape: examples/azure-watcher.yaml): connects out only, on loopback. */
export function tsbgpdYaml(o: { socket: string; neighbors: TsbgpdNeighbor[]; routes: TsbgpdRoute[]; stateFile?: string; logLevel?: string }): string {
  const lines = ['router-id: 10.10.0.7', 'local-as: 65001', 'listen: false', 'neighbors:'];
  for (const n of o.neighbors) {
    const hold = n.holdTime ?? 180;
    lines.push(
      `  - { address: ${n.address}, remote-as: ${n.remoteAs ?? 65515}, port: ${n.port}, local-address: ${n.localAddress ?? '127.0.0.1'}, hold-time: ${hold}, keepalive-time: ${Math.floor(hold / 3)}, connect-retry: 1 }`,
    );
  }
  if (o.routes.length === 0) lines.push('routes: []');
  else {
    lines.push('routes:');
    for (const r of o.routes) lines.push(`  - { prefix: ${r.prefix}, next-hop: ${r.nextHop} }`);
  }
  lines.push(`control: { socket: ${o.socket} }`, `state-file: ${o.stateFile ?? 'false'}`, `log-level: ${o.logLevel ?? 'warn'}`, '');
  return lines.join('\n');
}

/** `count` distinct /32s from 100.64.0.0 + `from` (inside 100.64.0.0/10). */
export function hostPrefixes(count: number, from = 0): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = (0x64400000 + from + i) >>> 0;
    out.push(`${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/32`);
  }
  return out;
}

/** Spawn tsbgpd on a config written into `dir`; resolves once its PID is known (not yet listening). */
export async function startTsbgpd(dir: { file(name: string): string }, yaml: string, o: { name?: string; maxSeconds?: number; nodeArgs?: string[]; env?: NodeJS.ProcessEnv } = {}): Promise<Proc> {
  const name = o.name ?? 'tsbgpd';
  const config = dir.file(`${name}.yaml`);
  writeFileSync(config, yaml);
  const p = new Proc(name, process.execPath, [...(o.nodeArgs ?? []), TSBGPD, '--config', config, '--no-pretty'], {
    log: dir.file(`${name}.log`),
    maxSeconds: o.maxSeconds ?? 900,
    ...(o.env ? { env: o.env } : {}),
  });
  await p.waitPid();
  return p;
}

// ---- the control socket, raw ---------------------------------------------------------------------

export interface ReplyLine {
  id: number | string | null;
  ok: boolean;
  result?: any;
  error?: { code: string; message: string };
  /** hrtime ms when the line's last byte arrived. */
  at: number;
  bytes: number;
}

/**
 * One connection to tsbgpd's control socket speaking the JSON lines of src/control/protocol.ts by
 * hand (the contract a script sees), timing every reply line by its arrival.
 */
export class ControlConn {
  private chunks: Buffer[] = [];
  private pendingBytes = 0;
  private readonly waiters = new Map<number | string, (r: ReplyLine) => void>();
  /** Every reply, as it arrives. */
  onReply: ((r: ReplyLine) => void) | undefined;
  /** Bytes received so far (all lines). */
  received = 0;
  closed = false;
  /** Parse reply lines (false: only count them, for a reader that wants the bytes, not the values). */
  parse = true;
  /** With parse off: each whole line's bytes (newline excluded). */
  keepRaw: ((line: Buffer) => void) | undefined;

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay?.(true);
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('error', () => {});
    socket.on('close', () => (this.closed = true));
  }

  static connect(path: string, timeoutMs = 2000): Promise<ControlConn> {
    return new Promise((resolve, reject) => {
      const s = net.connect(path);
      const t = setTimeout(() => {
        s.destroy();
        reject(new Error(`control socket ${path}: no connection in ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
      s.once('connect', () => {
        clearTimeout(t);
        s.removeAllListeners('error');
        resolve(new ControlConn(s));
      });
    });
  }

  private onData(d: Buffer): void {
    const at = nowMs();
    this.received += d.length;
    let start = 0;
    for (let nl = d.indexOf(10); nl >= 0; nl = d.indexOf(10, start)) {
      const piece = d.subarray(start, nl);
      start = nl + 1;
      const bytes = this.pendingBytes + piece.length;
      const line = this.pendingBytes ? Buffer.concat([...this.chunks, piece], bytes) : piece;
      this.chunks = [];
      this.pendingBytes = 0;
      this.deliver(line, at, bytes);
    }
    if (start < d.length) {
      const rest = Buffer.from(d.subarray(start));
      this.chunks.push(rest);
      this.pendingBytes += rest.length;
    }
  }

  private deliver(line: Buffer, at: number, bytes: number): void {
    let r: ReplyLine;
    if (this.parse) {
      const v = JSON.parse(line.toString('utf8')) as Omit<ReplyLine, 'at' | 'bytes'> & { event?: unknown };
      if (v.event !== undefined) return;
      r = { ...v, at, bytes };
    } else {
      // Only the id, from the line's start: {"v":1,"id":N,...
      const m = /"id":(\d+|"[^"]*"|null)/.exec(line.subarray(0, 64).toString('latin1'));
      const id = m ? (JSON.parse(m[1]!) as number | string | null) : null;
      r = { id, ok: line.subarray(0, 128).includes('"ok":true'), at, bytes };
      this.keepRaw?.(line);
    }
    this.onReply?.(r);
    if (r.id !== null) {
      const w = this.waiters.get(r.id);
      if (w) {
        this.waiters.delete(r.id);
        w(r);
      }
    }
  }

  write(text: string): boolean {
    return this.socket.write(text);
  }

  static line(id: number | string, command: string, args: object = {}): string {
    return JSON.stringify({ v: 1, id, command, args }) + '\n';
  }

  /** Send one request; resolves with its reply line, or rejects after `timeoutMs`. */
  request(id: number | string, command: string, args: object = {}, timeoutMs = 30_000): Promise<ReplyLine> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.waiters.delete(id);
        reject(new Error(`no reply to ${command} (id ${id}) within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.set(id, (r) => {
        clearTimeout(t);
        resolve(r);
      });
      this.socket.write(ControlConn.line(id, command, args));
    });
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Connect to the control socket once it accepts (bounded). */
export async function connectWhenUp(path: string, limitMs: number, daemon?: Proc): Promise<ControlConn> {
  const end = nowMs() + limitMs;
  for (;;) {
    try {
      return await ControlConn.connect(path, 1000);
    } catch (e) {
      if (daemon?.exited) throw new Error(`${daemon.name} exited (code ${daemon.exitCode}): ${daemon.tail()}`);
      if (nowMs() > end) throw new Error(`control socket ${path} not up after ${limitMs} ms: ${(e as Error).message}`);
      await sleep(5);
    }
  }
}

/**
 * Pings on their own connection every `everyMs`, each timed from its write to its reply, whether
 * or not the previous one was answered (what a health checker sees when the daemon stalls).
 */
export class Pinger {
  private conn: ControlConn | undefined;
  private timer: NodeJS.Timeout | undefined;
  private next = 1;
  private readonly sent = new Map<number, number>();
  samples: number[] = [];
  private maxSample = 0;

  static async start(path: string, everyMs = 10): Promise<Pinger> {
    const p = new Pinger();
    p.conn = await ControlConn.connect(path);
    p.conn.onReply = (r) => {
      const t = typeof r.id === 'number' ? p.sent.get(r.id) : undefined;
      if (t === undefined) return;
      p.sent.delete(r.id as number);
      const d = r.at - t;
      p.samples.push(d);
      if (d > p.maxSample) p.maxSample = d;
    };
    p.timer = setInterval(() => {
      const id = p.next++;
      p.sent.set(id, nowMs());
      p.conn!.write(ControlConn.line(id, 'ping'));
    }, everyMs);
    return p;
  }

  /** Samples so far, and start again. Unanswered pings count as their age so far. */
  take(): number[] {
    const now = nowMs();
    const out = [...this.samples, ...[...this.sent.values()].map((t) => now - t)];
    this.samples = [];
    this.maxSample = 0;
    this.sent.clear();
    return out;
  }

  /** The longest any ping has been waiting so far (answered or not). */
  worst(): number {
    const now = nowMs();
    let w = this.maxSample;
    for (const t of this.sent.values()) w = Math.max(w, now - t);
    return w;
  }

  /** Stop sending; wait (bounded) for the answers to what was sent. */
  async stop(waitMs = 2000): Promise<void> {
    clearInterval(this.timer);
    await poll(() => this.sent.size === 0, waitMs, 5);
    this.conn?.close();
  }
}

/** A reasonably free TCP port on `host` (bound, read, released). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ host, port: 0 }, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

// ---- inside tsbgpd: bench/probe.ts ----------------------------------------------------------------

export const PROBE = join(dirname(fileURLToPath(import.meta.url)), 'probe.js');

export interface ProbeReading {
  seq: number;
  gc: boolean;
  gcMs: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** Node flags and env that load the probe into a tsbgpd started with startTsbgpd(). */
export function probeOptions(file: string): { nodeArgs: string[]; env: NodeJS.ProcessEnv } {
  return { nodeArgs: ['--expose-gc', '--import', PROBE], env: { ...process.env, TSBGP_BENCH_PROBE: file } };
}

/** Ask the probe for a reading (it runs a full GC first); bounded. */
export async function probe(pid: number, file: string, limitMs = 10_000): Promise<ProbeReading> {
  const read = (): ProbeReading | undefined => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as ProbeReading;
    } catch {
      return undefined;
    }
  };
  const before = read()?.seq ?? 0;
  process.kill(pid, 'SIGUSR2');
  let r: ProbeReading | undefined;
  if (!(await poll(() => (r = read()) !== undefined && r.seq > before, limitMs, 5))) throw new Error(`the memory probe in ${pid} did not answer in ${limitMs} ms`);
  return r!;
}
