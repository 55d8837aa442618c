// Interop harness: a two-hop topology in network namespaces, processes started and stopped by PID,
// tsbgpd + bgpctl, a tcpdump capture read back with our own decoder (src/pcap), bounded waits.
//
//   tsbgp-io-w (tsbgpd)        tsbgp-io-r (router, forwarding)          tsbgp-io-p (peer daemon)
//   tiow0 10.10.0.7/24 ------- tior0 10.10.0.1/24   tior1 10.10.1.1/24 ------- tiop0 10.10.1.4/24
//         2001:db8:a::7/64           2001:db8:a::1    2001:db8:b::1                 2001:db8:b::4/64
//   default via 10.10.0.1                                                  default via 10.10.1.1
//
// Every address exists only inside these namespaces; veths are created directly inside them.
// Nothing is sent from the host namespace except over Unix sockets in our temp dir.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { chmodSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UpdateMessage } from '../../src/bgp/messages/index.js';
import { type CapturedMessage, bgpMessages } from '../../src/pcap/bgp-streams.js';
import { readCapture } from '../../src/pcap/capture.js';

export const NS = { w: 'tsbgp-io-w', r: 'tsbgp-io-r', p: 'tsbgp-io-p' } as const;
export const WATCHER = '10.10.0.7';
export const PEER = '10.10.1.4';
export const PEER6 = '2001:db8:b::4';
export const VIP = '100.64.0.1/32';
export const WATCHER_AS = 65001;
export const PEER_AS = 65515;

const HERE = dirname(fileURLToPath(import.meta.url)); // dist/test/interop
export const DIST = resolve(HERE, '..', '..');
export const TSBGPD = join(DIST, 'src', 'cli', 'tsbgpd.js');
export const BGPCTL = join(DIST, 'src', 'cli', 'bgpctl.js');

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll `check` until it returns a value other than undefined/false (bounded). */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, ms: number, every = 250): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      last = undefined;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      const why = last instanceof Error ? ` (last error: ${last.message.slice(0, 400)})` : '';
      throw new Error(`timed out after ${ms} ms waiting for ${what}${why}`);
    }
    await sleep(every);
  }
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run a command to completion (killed after `ms`), optionally inside a namespace. */
export function run(argv: readonly string[], opts: { ns?: string; ms?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  const full = opts.ns ? ['ip', 'netns', 'exec', opts.ns, ...argv] : [...argv];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(full[0]!, full.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.ms ?? 15000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Run and demand exit status 0. */
export async function ok(argv: readonly string[], opts: { ns?: string; ms?: number; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) throw new Error(`${argv.join(' ')} exited ${r.code}: ${(r.stderr || r.stdout).trim().slice(0, 600)}`);
  return r.stdout;
}

function commandExists(bin: string): boolean {
  if (bin.startsWith('/')) return existsSync(bin);
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

/** Fail (never skip) when a binary is missing, naming the Debian package to install. */
export function requireBinaries(bins: Record<string, string>): void {
  const missing = Object.entries(bins).filter(([bin]) => !commandExists(bin));
  if (missing.length > 0) {
    throw new Error(`missing ${missing.map(([b]) => b).join(', ')}: install ${[...new Set(missing.map(([, p]) => p))].join(' ')}`);
  }
  if (process.getuid?.() !== 0) throw new Error('interop tests need root (network namespaces): run with sudo');
}

export interface Proc {
  name: string;
  pid: number;
  log: string;
  child: ChildProcess;
  exited: Promise<number | null>;
  exitCode?: number | null;
}

/** Every live Lab, so that an exit or a signal still cleans up (synchronously). */
const LIVE = new Set<Lab>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const lab of LIVE) lab.closeSync();
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      for (const lab of LIVE) lab.closeSync();
      process.exit(130);
    });
  }
}

function nsExists(ns: string): boolean {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').some((l) => l.split(' ')[0] === ns);
}

/** Processes inside one of *our* namespaces (left over from a crashed run of this harness). */
function killNamespace(ns: string): void {
  const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' });
  for (const p of (r.stdout ?? '').split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(p), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
}

/** One test's world: temp dir, namespaces, processes, and what must be undone. */
export class Lab {
  readonly dir: string;
  readonly procs: Proc[] = [];
  private readonly namespaces: string[] = [];
  private readonly undo: (() => void)[] = [];
  private closed = false;

  private constructor(readonly name: string) {
    this.dir = mkdtempSync(join(tmpdir(), `tsbgp-io-${name}-`));
    chmodSync(this.dir, 0o755); // daemons that drop privileges (FRR zebra, OpenBGPD) must reach their files
    LIVE.add(this);
    hookExit();
  }

  static async create(name: string): Promise<Lab> {
    const lab = new Lab(name);
    try {
      await lab.topology();
    } catch (e) {
      await lab.close();
      throw e;
    }
    return lab;
  }

  /** Register something to undo at close (run in reverse order, synchronously). */
  onClose(fn: () => void): void {
    this.undo.push(fn);
  }

  private async topology(): Promise<void> {
    for (const ns of Object.values(NS)) if (nsExists(ns)) killNamespace(ns); // a crashed earlier run
    for (const ns of Object.values(NS)) {
      await ok(['ip', 'netns', 'add', ns]);
      this.namespaces.push(ns);
      await ok(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    }
    await ok(['ip', 'link', 'add', 'name', 'tiow0', 'netns', NS.w, 'type', 'veth', 'peer', 'name', 'tior0', 'netns', NS.r]);
    await ok(['ip', 'link', 'add', 'name', 'tiop0', 'netns', NS.p, 'type', 'veth', 'peer', 'name', 'tior1', 'netns', NS.r]);
    const addr = async (ns: string, dev: string, v4: string, v6: string): Promise<void> => {
      await ok(['ip', '-n', ns, 'addr', 'add', v4, 'dev', dev]);
      await ok(['ip', '-n', ns, 'addr', 'add', v6, 'dev', dev, 'nodad']);
      await ok(['ip', '-n', ns, 'link', 'set', dev, 'up']);
    };
    await addr(NS.w, 'tiow0', '10.10.0.7/24', '2001:db8:a::7/64');
    await addr(NS.r, 'tior0', '10.10.0.1/24', '2001:db8:a::1/64');
    await addr(NS.r, 'tior1', '10.10.1.1/24', '2001:db8:b::1/64');
    await addr(NS.p, 'tiop0', '10.10.1.4/24', '2001:db8:b::4/64');
    await ok(['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1'], { ns: NS.r });
    await ok(['sysctl', '-q', '-w', 'net.ipv6.conf.all.forwarding=1'], { ns: NS.r });
    await ok(['ip', '-n', NS.w, 'route', 'add', 'default', 'via', '10.10.0.1']);
    await ok(['ip', '-n', NS.p, 'route', 'add', 'default', 'via', '10.10.1.1']);
    await ok(['ip', '-n', NS.w, '-6', 'route', 'add', 'default', 'via', '2001:db8:a::1']);
    await ok(['ip', '-n', NS.p, '-6', 'route', 'add', 'default', 'via', '2001:db8:b::1']);
    // Reachability through the router without ping: a TCP connect to a closed port of the peer's
    // namespace is refused (RST) once the path works.
    const probe = `const s=require('net').connect(9,'${PEER}');s.on('error',e=>process.exit(e.code==='ECONNREFUSED'?0:1));s.on('connect',()=>process.exit(0));setTimeout(()=>process.exit(2),1500)`;
    await waitFor('the watcher to reach the peer through the router', async () => (await run([process.execPath, '-e', probe], { ns: NS.w, ms: 3000 })).code === 0, 10000, 200);
  }

  file(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** Start `argv` inside namespace `ns` (ip netns exec execs it, so the PID is the program's own). */
  start(name: string, ns: string, argv: readonly string[], env: NodeJS.ProcessEnv = {}): Proc {
    const log = join(this.dir, `${name}.log`);
    const fd = openSync(log, 'a');
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
    closeSync(fd);
    if (child.pid === undefined) throw new Error(`could not start ${name}: ${argv.join(' ')}`);
    const proc: Proc = {
      name,
      pid: child.pid,
      log,
      child,
      exited: new Promise((r) => child.on('exit', (code, signal) => r(code ?? (signal ? -1 : null)))),
    };
    void proc.exited.then((c) => (proc.exitCode = c));
    this.procs.push(proc);
    return proc;
  }

  alive(p: Proc): boolean {
    return p.exitCode === undefined;
  }

  /** Signal one of our processes and wait (bounded) for it to exit; SIGKILL after `ms`. */
  async stop(p: Proc, signal: NodeJS.Signals = 'SIGTERM', ms = 8000): Promise<number | null> {
    if (this.alive(p)) {
      try {
        process.kill(p.pid, 'SIGCONT');
        process.kill(p.pid, signal);
      } catch {
        /* already gone */
      }
      const t = await Promise.race([p.exited, sleep(ms).then(() => 'timeout' as const)]);
      if (t === 'timeout') {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        await Promise.race([p.exited, sleep(2000)]);
      }
    }
    const i = this.procs.indexOf(p);
    if (i >= 0) this.procs.splice(i, 1);
    return p.exitCode ?? null;
  }

  signal(p: Proc, signal: NodeJS.Signals): void {
    if (!this.alive(p)) throw new Error(`${p.name} (pid ${p.pid}) is not running`);
    process.kill(p.pid, signal);
  }

  logOf(p: Proc | string): string {
    const path = typeof p === 'string' ? p : p.log;
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const p of [...this.procs].reverse()) await this.stop(p, p.name === 'tcpdump' ? 'SIGINT' : 'SIGTERM', 4000);
    this.closeSync();
  }

  /** Kill what is left by PID, delete our namespaces and temp dir. Safe to call twice. */
  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    LIVE.delete(this);
    for (const p of this.procs) {
      if (p.exitCode !== undefined) continue;
      try {
        process.kill(p.pid, 'SIGCONT');
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    for (const fn of this.undo.reverse()) {
      try {
        fn();
      } catch {
        /* keep cleaning */
      }
    }
    for (const ns of this.namespaces) killNamespace(ns);
    if (process.env.TSBGP_IO_KEEP) process.stderr.write(`interop: kept ${this.dir}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }

  // ---------------------------------------------------------------- capture

  pcap = '';
  async startCapture(): Promise<void> {
    this.pcap = this.path('session.pcap');
    const p = this.start('tcpdump', NS.w, ['tcpdump', '-Z', 'root', '-i', 'tiow0', '-s', '0', '-U', '--immediate-mode', '-n', '-w', this.pcap, 'tcp port 179']);
    await waitFor('tcpdump to listen', () => this.logOf(p).includes('listening on'), 10000, 100);
  }

  /** Every BGP message captured so far, decoded by our own reader (a half-written record: retried). */
  async captured(): Promise<CapturedMessage[]> {
    return waitFor(
      'a readable capture',
      () => {
        const bytes = readFileSync(this.pcap);
        return bgpMessages(readCapture(bytes));
      },
      3000,
      100,
    );
  }

  // ---------------------------------------------------------------- tsbgpd

  tsbgpd?: Proc;
  get socket(): string {
    return this.path('tsbgpd.sock');
  }

  tsbgpConfig(opts: { holdTime?: number; families?: string[] } = {}): string {
    const n = [
      `  - address: ${PEER}`,
      `    remote-as: ${PEER_AS}`,
      `    description: route-server`,
      `    connect-retry: 1`,
      `    families: [${(opts.families ?? ['ipv4-unicast']).join(', ')}]`,
    ];
    if (opts.holdTime !== undefined) n.push(`    hold-time: ${opts.holdTime}`, `    keepalive-time: ${Math.floor(opts.holdTime / 3)}`);
    return this.file(
      'tsbgpd.yaml',
      [
        `router-id: ${WATCHER}`,
        `local-as: ${WATCHER_AS}`,
        `listen: { address: 0.0.0.0, port: 179 }`,
        `state-file: ${this.path('state.json')}`,
        `control: { socket: ${this.socket} }`,
        `log-level: debug`,
        `neighbors:`,
        ...n,
        '',
      ].join('\n'),
    );
  }

  async startTsbgpd(config: string): Promise<Proc> {
    const p = this.start('tsbgpd', NS.w, [process.execPath, TSBGPD, '--config', config, '--no-pretty']);
    this.tsbgpd = p;
    await waitFor('tsbgpd control socket', async () => this.alive(p) && existsSync(this.socket) && (await run([process.execPath, BGPCTL, 'show', 'summary', '--json'], { env: { TSBGP_SOCKET: this.socket } })).code === 0, 10000, 100).catch((e: Error) => {
      throw new Error(`${e.message}\n--- tsbgpd log ---\n${this.logOf(p).slice(-2000)}`);
    });
    return p;
  }

  async bgpctl(args: readonly string[]): Promise<unknown> {
    const r = await run([process.execPath, BGPCTL, ...args, '--json'], { env: { TSBGP_SOCKET: this.socket }, ms: 10000 });
    if (r.code !== 0) throw new Error(`bgpctl ${args.join(' ')} exited ${r.code}: ${(r.stdout + r.stderr).trim().slice(0, 500)}`);
    return JSON.parse(r.stdout);
  }

  async neighbor(): Promise<TsbgpNeighbor> {
    const j = (await this.bgpctl(['show', 'neighbors'])) as { neighbors: TsbgpNeighbor[] };
    const n = j.neighbors.find((x) => x.address === PEER);
    if (!n) throw new Error(`bgpctl show neighbors has no ${PEER}: ${JSON.stringify(j).slice(0, 300)}`);
    return n;
  }

  async received(): Promise<{ prefix: string; nextHop: string; stale?: boolean }[]> {
    const j = (await this.bgpctl(['show', 'routes', '--received'])) as { routes: { prefix: string; nextHop: string; stale?: boolean }[] };
    return j.routes;
  }
}

export interface TsbgpNeighbor {
  address: string;
  state: string;
  holdTime?: number;
  keepaliveTime?: number;
  capabilities?: { fourOctetAs: boolean; routeRefresh: boolean; enhancedRouteRefresh: boolean; families: string[]; local: string[]; remote: string[] };
  messages: { received: Record<string, number>; sent: Record<string, number> };
  lastError?: { direction: string; code: number; subcode: number; text: string; at: string };
  gracefulRestart?: {
    negotiated?: { notification: boolean; local: GrSide; peer: GrSide };
    stale?: { phase: string; families: string[]; routes: number };
  };
}

interface GrSide {
  restartTime: number;
  restarted: boolean;
  notification: boolean;
  families: { family: string; forwardingPreserved: boolean }[];
}

// ---------------------------------------------------------------- capture queries

export const fromTsbgp = (m: CapturedMessage): boolean => m.src.address === WATCHER;
export const fromPeer = (m: CapturedMessage): boolean => m.src.address === PEER;

export function updateOf(m: CapturedMessage): UpdateMessage | undefined {
  return m.result.ok && m.result.message.type === 'UPDATE' ? m.result.message : undefined;
}

/** The IPv4 next hop an UPDATE gives `prefix` (NLRI field), or undefined when it does not announce it. */
export function announcedNextHop(m: CapturedMessage, prefix: string): string | undefined {
  const u = updateOf(m);
  if (!u || !u.nlri.some((n) => n.prefix === prefix)) return undefined;
  const nh = u.attributes.find((a) => a.type === 'NEXT_HOP');
  return nh && nh.type === 'NEXT_HOP' ? nh.nextHop : '(no NEXT_HOP)';
}

/** True when the message withdraws `prefix` (Withdrawn Routes or MP_UNREACH_NLRI). */
export function withdraws(m: CapturedMessage, prefix: string): boolean {
  const u = updateOf(m);
  if (!u) return false;
  if (u.withdrawn.some((n) => n.prefix === prefix)) return true;
  return u.attributes.some((a) => a.type === 'MP_UNREACH_NLRI' && a.withdrawn.some((n) => n.prefix === prefix));
}

export function describe(m: CapturedMessage): string {
  if (!m.result.ok) return `#${m.frame} ${m.src.address}>${m.dst.address} malformed ${m.result.error.message}`;
  const msg = m.result.message;
  let extra = '';
  if (msg.type === 'UPDATE') extra = ` nlri=[${msg.nlri.map((n) => n.prefix).join(',')}] withdrawn=[${msg.withdrawn.map((n) => n.prefix).join(',')}]`;
  if (msg.type === 'NOTIFICATION') extra = ` ${msg.code}/${msg.subcode}`;
  if (msg.type === 'ROUTE_REFRESH') extra = ` subtype ${msg.subtype}`;
  return `#${m.frame} conn${m.connection} ${m.src.address}>${m.dst.address} ${msg.type}${extra}`;
}

/** Make a directory that must exist for a daemon (e.g. OpenBGPD's chroot), removed at close if we made it. */
export function ensureDir(lab: Lab, path: string): void {
  if (existsSync(path)) return;
  mkdirSync(path, { recursive: true });
  lab.onClose(() => rmdirSync(path));
}
