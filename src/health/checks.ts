// One run of a candidate's health check (HTTP(S) GET, TCP connect or a command), bounded by a timeout on the injected clock.
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { Clock, TimerHandle } from '../bgp/fsm/clock.js';
import type { CheckConfig } from '../config/types.js';

export interface CheckOutcome {
  ok: boolean;
  /** clock.now() from the start of the run to its verdict. */
  latencyMs: number;
  /** For the operator: `HTTP 200`, `HTTP 503 (expected 200)`, `connect ECONNREFUSED`, `exit 3: <stderr>`, `timed out after 80 ms`... */
  detail: string;
}

export interface CheckOptions {
  /** A run without a verdict by then failed, and what it opened is torn down. */
  timeoutMs: number;
  clock: Clock;
  /** Added to process.env for an exec check (e.g. TSBGP_VIP, TSBGP_CANDIDATE, TSBGP_NEXT_HOP). */
  env?: Record<string, string>;
}

export interface RunningCheck {
  /**
   * Never rejects. Resolves once what the run opened is gone: a socket is destroyed at once; a command that is killed
   * has been reaped (its 'exit' seen), so the caller never starts the next run beside a previous one still dying.
   */
  done: Promise<CheckOutcome>;
  /** Tears the run down; `done` resolves with `{ ok: false, detail: 'cancelled' }` unless it already had a verdict. */
  cancel(): void;
}

/** How much of an HTTP body is searched for `expectBody`: a health endpoint that streams is cut here, not at the timeout. */
export const BODY_LIMIT = 64 * 1024;
/** Bytes of a command's stderr kept (its tail), and the length of the line quoted from it. */
const STDERR_TAIL = 4096;
const QUOTED_LINE = 200;
const USER_AGENT = 'tsbgp-health';

type Verdict = { ok: boolean; detail: string };

/** What one kind of check started: how to tear it down, and (optionally) what a timeout means for it. */
interface Probe {
  /** Closes what the probe opened; a promise when that takes an event (a killed child to be reaped). */
  teardown(): void | Promise<void>;
  /** The verdict at the timeout, given the default one's detail (`timed out after N ms`); default: that, failed. */
  atTimeout?(timedOut: string): Verdict;
}

type Finish = (ok: boolean, detail: string) => void;

export function runCheck(check: CheckConfig, o: CheckOptions): RunningCheck {
  const t0 = o.clock.now();
  let resolve!: (v: CheckOutcome) => void;
  const done = new Promise<CheckOutcome>((r) => (resolve = r));
  let settled = false;
  let probe: Probe | undefined;
  let timer: TimerHandle | undefined;

  const finish: Finish = (ok, detail) => {
    if (settled) return;
    settled = true;
    if (timer !== undefined) o.clock.clearTimer(timer);
    const outcome = { ok, latencyMs: o.clock.now() - t0, detail };
    let gone: void | Promise<void> = undefined;
    try {
      gone = probe?.teardown();
    } catch {
      // Tearing down is best effort: a verdict is owed whatever happens.
    }
    if (gone) gone.then(() => resolve(outcome), () => resolve(outcome));
    else resolve(outcome);
  };

  try {
    probe = check.kind === 'http' ? httpProbe(check, finish) : check.kind === 'tcp' ? tcpProbe(check, finish) : execProbe(check, o.env, finish);
  } catch (e) {
    // A synchronous throw (an unsupported URL, a bad port, an argument node refuses) opened nothing.
    finish(false, errorDetail(e));
    return { done, cancel() {} };
  }
  // Every verdict above comes from an I/O event, so none can have been given yet: the timer is armed for all of them.
  timer = o.clock.setTimer(o.timeoutMs, () => {
    timer = undefined;
    const timedOut = `timed out after ${o.timeoutMs} ms`;
    const v = probe?.atTimeout?.(timedOut) ?? { ok: false, detail: timedOut };
    finish(v.ok, v.detail);
  });
  return { done, cancel: () => finish(false, 'cancelled') };
}

function httpProbe(check: Extract<CheckConfig, { kind: 'http' }>, finish: Finish): Probe {
  const url = new URL(check.url);
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') throw new Error(`not an http:// or https:// URL: ${check.url}`);
  const options: https.RequestOptions = {
    method: 'GET',
    // A fresh connection per run: a pooled one could hide a server that no longer accepts.
    agent: false,
    headers: { 'User-Agent': USER_AGENT, Connection: 'close', Accept: '*/*' },
    ...(secure ? { rejectUnauthorized: !check.insecure } : {}),
  };
  const req = (secure ? https : http).request(url, options);
  // Kept for the whole run: a destroy by teardown may still emit an error, which must not go unheard.
  req.on('error', (e) => finish(false, errorDetail(e)));
  req.on('response', (res) => {
    res.on('error', (e) => finish(false, `response ${errorDetail(e)}`));
    const status = res.statusCode ?? 0;
    if (status !== check.expectStatus) return finish(false, `HTTP ${status} (expected ${check.expectStatus})`);
    // The status is the verdict: the body is not waited for (teardown closes the connection).
    if (check.expectBody === undefined) return finish(true, `HTTP ${status}`);
    const want = Buffer.from(check.expectBody);
    const lacks = `body lacks ${JSON.stringify(check.expectBody)}`;
    let body = Buffer.alloc(0);
    res.on('data', (chunk: Buffer) => {
      // Search from where a match could start that the last search could not see (it may span two chunks).
      const from = Math.max(0, body.length - want.length + 1);
      body = Buffer.concat([body, chunk.subarray(0, BODY_LIMIT - body.length)]);
      if (body.indexOf(want, from) >= 0) finish(true, `HTTP ${status}`);
      else if (body.length >= BODY_LIMIT) finish(false, `${lacks} (in its first ${BODY_LIMIT / 1024} KiB)`);
    });
    res.on('end', () => finish(false, lacks));
    // A server that dies mid-body: 'close' without 'end' (node may or may not emit 'error' first).
    res.on('close', () => finish(false, res.complete ? lacks : 'connection closed before the body was complete'));
  });
  req.end();
  return { teardown: () => void req.destroy() };
}

function tcpProbe(check: Extract<CheckConfig, { kind: 'tcp' }>, finish: Finish): Probe {
  const s = net.connect({ host: check.host, port: check.port });
  s.on('connect', () => finish(true, 'connected'));
  s.on('error', (e) => finish(false, errorDetail(e)));
  return { teardown: () => void s.destroy() };
}

function execProbe(check: Extract<CheckConfig, { kind: 'exec' }>, env: Record<string, string> | undefined, finish: Finish): Probe {
  const child = spawn(check.command, check.args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
    // Its own process group: a script's children (a curl it runs) are killed with it at a timeout, and none of them
    // is left holding the stderr pipe open.
    detached: true,
  });
  let tail = Buffer.alloc(0);
  child.stderr?.on('data', (b: Buffer) => {
    tail = tail.length + b.length <= STDERR_TAIL ? Buffer.concat([tail, b]) : Buffer.concat([tail, b]).subarray(-STDERR_TAIL);
  });
  child.stderr?.on('error', () => {});
  let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  // 'exit' means libuv has reaped the child: no zombie is left, and its pid is no longer ours to signal.
  const exited = new Promise<void>((r) =>
    child.once('exit', (code, signal) => {
      exit = { code, signal };
      r();
    }),
  );
  const quoted = (): string => {
    const line = lastLine(tail);
    return line ? `: ${line}` : '';
  };
  const judged = (e: { code: number | null; signal: NodeJS.Signals | null }): Verdict =>
    e.signal ? { ok: false, detail: `killed by ${e.signal}${quoted()}` } : e.code === 0 ? { ok: true, detail: 'exit 0' } : { ok: false, detail: `exit ${e.code}${quoted()}` };
  child.on('error', (e) => {
    // Without a pid it never ran (ENOENT...); other errors (a failed kill) change no verdict.
    if (child.pid === undefined) finish(false, `cannot run: ${(e as NodeJS.ErrnoException).code ?? e.message}`);
  });
  // 'close' comes after 'exit' once stderr is drained too, so the quoted line is the real last one.
  child.once('close', () => {
    if (exit) {
      const v = judged(exit);
      finish(v.ok, v.detail);
    }
  });
  return {
    // Exited in time while something it started still holds stderr open: its exit status is the answer.
    atTimeout: (timedOut) => (exit ? judged(exit) : { ok: false, detail: timedOut + quoted() }),
    teardown() {
      const pid = child.pid;
      if (pid === undefined) return;
      child.stderr?.destroy();
      if (exit) return;
      // Not yet reaped, so the pid (and the group named after it) is still ours.
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      return exited;
    },
  };
}

/** The last non-empty line of a command's stderr, trimmed and bounded. */
function lastLine(bytes: Buffer): string {
  const lines = bytes.toString('utf8').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  const line = lines[lines.length - 1] ?? '';
  return line.length > QUOTED_LINE ? `${line.slice(0, QUOTED_LINE)}…` : line;
}

/** `connect ECONNREFUSED`, `getaddrinfo ENOTFOUND`, `DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate`... */
export function errorDetail(e: unknown): string {
  if (e instanceof AggregateError && e.errors.length > 0) return errorDetail(e.errors[0]);
  const err = e as Partial<NodeJS.ErrnoException> | undefined;
  if (err?.syscall && err.code) return `${err.syscall.split(' ')[0]} ${err.code}`;
  if (err?.code) return `${err.code}: ${err.message ?? ''}`;
  return err?.message ?? String(e);
}
