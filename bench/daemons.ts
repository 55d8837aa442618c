// Other people's daemons as private processes on loopback: BIRD 2 (passive route-server stand-in), ExaBGP 4.2 fed through a FIFO, tcpdump on lo.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { CLI, Proc, nowMs, poll, sleep } from './harness.js';

type Dir = { path: string; file(name: string): string };

/** Whether a program is installed (absolute path or on PATH). */
export function have(program: string): boolean {
  return spawnSync('/bin/sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;
}

export const isRoot = (): boolean => process.getuid?.() === 0;

// ---- BIRD ---------------------------------------------------------------------------------------

/**
 * One BIRD 2 process with one passive eBGP session (AS 65515, as Azure Route Server) that accepts
 * the speaker from 127.0.0.1 on `address`:`port`, imports everything into master4 and exports
 * nothing. No kernel protocol: nothing reaches a FIB. Next hops are unreachable here and BIRD keeps
 * such routes (marked unreachable), so `show route count` counts every route received.
 */
export class Bird {
  private conn: net.Socket | undefined;
  private buf = '';
  private waiting: ((reply: string) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly name: string,
    readonly address: string,
    readonly port: number,
    readonly proc: Proc,
    readonly socket: string,
  ) {}

  static async start(dir: Dir, o: { name: string; address: string; port: number; holdTime?: number; peerAddress?: string; peerAs?: number }): Promise<Bird> {
    const conf = dir.file(`${o.name}.conf`);
    const sock = dir.file(`${o.name}.ctl`);
    const hold = o.holdTime ?? 90;
    writeFileSync(
      conf,
      `router id ${o.address === '127.0.0.2' ? '10.10.1.4' : '10.10.1.5'};
log "${dir.file(`${o.name}.bird.log`)}" { warning, error, fatal, bug };
protocol device { }
protocol bgp speaker {
  local ${o.address} port ${o.port} as 65515;
  neighbor ${o.peerAddress ?? '127.0.0.1'} as ${o.peerAs ?? 65001};
  strict bind yes;
  passive;
  multihop;
  hold time ${hold};
  keepalive time ${Math.max(1, Math.floor(hold / 3))};
  ipv4 { import all; export none; };
}
`,
    );
    const proc = new Proc(o.name, 'bird', ['-f', '-c', conf, '-s', sock, '-P', dir.file(`${o.name}.pid`)], { log: dir.file(`${o.name}.out`), maxSeconds: 900 });
    const b = new Bird(o.name, o.address, o.port, proc, sock);
    const up = await poll(() => proc.exited || existsSync(sock), 10_000, 10);
    if (!up || proc.exited) throw new Error(`BIRD ${o.name} did not start: ${proc.tail()}`);
    await b.connect();
    return b;
  }

  private connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      const c = net.connect(this.socket);
      this.conn = c;
      c.setEncoding('utf8');
      c.once('error', reject);
      let greeted = false;
      c.on('data', (d: string) => {
        this.buf += d;
        // A reply ends with a line "NNNN text" whose code starts with 0 (done), 8 or 9 (errors).
        for (;;) {
          const m = /^[089]\d{3} .*$/m.exec(this.buf);
          if (!m) break;
          const reply = this.buf.slice(0, m.index + m[0].length);
          this.buf = this.buf.slice(m.index + m[0].length + 1);
          if (!greeted) {
            greeted = true;
            c.removeListener('error', reject);
            c.on('error', () => {});
            resolve();
          } else {
            const w = this.waiting;
            this.waiting = undefined;
            w?.(reply);
          }
        }
      });
    });
  }

  /** One birdc command over the control socket (serialised; bounded). */
  cmd(text: string, timeoutMs = 5000): Promise<string> {
    const run = (): Promise<string> =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          this.waiting = undefined;
          reject(new Error(`BIRD ${this.name}: no answer to "${text}" in ${timeoutMs} ms`));
        }, timeoutMs);
        this.waiting = (r) => {
          clearTimeout(t);
          resolve(r);
        };
        this.conn!.write(text + '\n');
      });
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Routes in master4 (each BIRD has only the speaker as a source). */
  async routeCount(): Promise<number> {
    const r = await this.cmd('show route count table master4');
    const m = /(\d+) of (\d+) routes for (\d+) networks in table master4/.exec(r);
    return m ? Number(m[1]) : NaN;
  }

  /** The session: BIRD's state, info and since (a changed since = the session was reset). */
  async session(): Promise<{ state: string; info: string; since: string }> {
    const r = await this.cmd('show protocols speaker');
    const m = /speaker\s+BGP\s+\S+\s+(\S+)\s+(\S+)\s+(.*?)\s*$/m.exec(r);
    return m ? { state: m[1]!, since: m[2]!, info: m[3]! } : { state: '?', since: '?', info: r.trim() };
  }

  async established(): Promise<boolean> {
    return (await this.session()).info.startsWith('Established');
  }

  async stop(): Promise<void> {
    this.conn?.destroy();
    await this.proc.stop();
  }
}

// ---- ExaBGP -------------------------------------------------------------------------------------

/**
 * ExaBGP 4.2 with one neighbor per BIRD, all routes coming from the text API: its `process` is
 * `cat` on a FIFO that this process keeps open read-write and writes API lines into (as the lab).
 */
export class Exabgp {
  private constructor(
    readonly proc: Proc,
    private readonly fifo: ReturnType<typeof createWriteStream>,
  ) {}

  static async start(dir: Dir, o: { neighbors: { address: string; port: number }[]; holdTime?: number; maxSeconds?: number }): Promise<Exabgp> {
    const fifo = dir.file('exabgp.in');
    if (spawnSync('mkfifo', [fifo]).status !== 0) throw new Error(`mkfifo ${fifo} failed`);
    const hold = o.holdTime ?? 90;
    const conf = dir.file('exabgp.conf');
    writeFileSync(
      conf,
      `process feed {
  run /usr/bin/timeout ${o.maxSeconds ?? 600} /bin/sh -c 'exec 3<>${fifo}; exec cat <&3';
  encoder text;
}
template {
  neighbor rs {
    router-id 10.10.0.7;
    local-address 127.0.0.1;
    local-as 65001;
    peer-as 65515;
    hold-time ${hold};
    family { ipv4 unicast; }
    capability { route-refresh; }
    api { processes [ feed ]; }
  }
}
${o.neighbors.map((n, i) => `neighbor ${n.address} { inherit rs; connect ${n.port}; description "rs${i + 1}"; }`).join('\n')}
`,
    );
    const env = {
      ...process.env,
      'exabgp.daemon.user': userInfo().username,
      'exabgp.daemon.daemonize': 'false',
      'exabgp.daemon.pid': dir.file('exabgp.pid'),
      'exabgp.log.destination': dir.file('exabgp.log'),
      'exabgp.log.level': 'WARNING',
      'exabgp.api.ack': 'false',
      'exabgp.api.cli': 'false',
    };
    const proc = new Proc('exabgp', 'exabgp', [conf], { log: dir.file('exabgp.out'), maxSeconds: o.maxSeconds ?? 600, env, cwd: dir.path });
    // r+ is O_RDWR: opening never blocks on a FIFO, and writes wait for cat when the pipe is full.
    const stream = createWriteStream(fifo, { flags: 'r+' });
    await new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    return new Exabgp(proc, stream);
  }

  /** Write API lines in one write; resolves when they are all in the pipe. */
  write(text: string): Promise<void> {
    return new Promise((resolve, reject) => this.fifo.write(text, (e) => (e ? reject(e) : resolve())));
  }

  async stop(): Promise<void> {
    this.proc.rememberDescendants();
    await this.proc.stop();
    this.fifo.destroy();
  }
}

// ---- tcpdump on lo -------------------------------------------------------------------------------

export interface WireUpdates {
  /** UPDATEs with routes (End-of-RIB excluded) the speaker sent to this port. */
  updates: number;
  announced: number;
  withdrawn: number;
  /** Capture time (epoch ms) of the last UPDATE with routes. */
  lastAt: number | undefined;
  /** OPENs and NOTIFICATIONs in either direction on this port (a session reset shows here). */
  opens: number;
  notifications: number;
}

/** tcpdump on lo for some TCP ports, written to a pcap; decoded afterwards with `bgpctl decode --json`. */
export class Capture {
  private constructor(
    readonly proc: Proc,
    readonly file: string,
  ) {}

  static async start(dir: Dir, name: string, ports: number[]): Promise<Capture> {
    const file = dir.file(`${name}.pcap`);
    const filter = ports.map((p) => `tcp port ${p}`).join(' or ');
    const proc = new Proc(`tcpdump-${name}`, 'tcpdump', ['-i', 'lo', '--immediate-mode', '-s', '0', '-B', '65536', '-U', '-n', '-w', file, filter], { log: dir.file(`${name}.tcpdump.out`), maxSeconds: 900 });
    const ok = await poll(() => proc.exited || /listening on/.test(safeRead(proc.log)), 10_000, 10);
    if (!ok || proc.exited) throw new Error(`tcpdump did not start: ${proc.tail()}`);
    return new Capture(proc, file);
  }

  /** Stop (SIGINT flushes); returns what tcpdump says it dropped. */
  async stop(): Promise<number> {
    if (!this.proc.exited) await sleep(500); // immediate mode: what is on lo is read by now
    await this.proc.stop(5000, 'SIGINT');
    const m = /(\d+) packets? dropped by kernel/.exec(safeRead(this.proc.log));
    return m ? Number(m[1]) : NaN;
  }

  /** UPDATEs per destination port, and OPENs/NOTIFICATIONs per port, between two epoch times. */
  async updates(ports: number[], fromEpochMs = 0, toEpochMs = Infinity): Promise<Map<number, WireUpdates>> {
    const out = new Map<number, WireUpdates>(ports.map((p) => [p, { updates: 0, announced: 0, withdrawn: 0, lastAt: undefined, opens: 0, notifications: 0 }]));
    const child = spawn(process.execPath, [join(CLI, 'bgpctl.js'), 'decode', '--json', this.file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let rest = '';
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d: string) => {
      rest += d;
      let nl: number;
      while ((nl = rest.indexOf('\n')) >= 0) {
        const line = rest.slice(0, nl);
        rest = rest.slice(nl + 1);
        if (!/"(UPDATE|OPEN|NOTIFICATION)"/.test(line)) continue;
        const m = JSON.parse(line) as { time: string; src: string; dst: string; type: string; nlri?: string[]; withdrawn?: string[] };
        const portOf = (e: string): number => Number(e.slice(e.lastIndexOf(':') + 1));
        const at = Date.parse(m.time);
        if (at < fromEpochMs || at > toEpochMs) continue;
        if (m.type === 'OPEN' || m.type === 'NOTIFICATION') {
          const w = out.get(portOf(m.dst)) ?? out.get(portOf(m.src));
          if (w && m.type === 'OPEN') w.opens++;
          else if (w) w.notifications++;
          continue;
        }
        const w = out.get(portOf(m.dst));
        if (!w || m.type !== 'UPDATE') continue;
        const a = m.nlri?.length ?? 0;
        const wd = m.withdrawn?.length ?? 0;
        if (a + wd === 0) continue;
        w.updates++;
        w.announced += a;
        w.withdrawn += wd;
        w.lastAt = at;
      }
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    if (code !== 0) throw new Error(`bgpctl decode ${this.file} failed (${code}): ${err.slice(0, 500)}`);
    return out;
  }
}

function safeRead(f: string): string {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}

/** Wall clock (epoch ms) that corresponds to an hrtime ms reading, for comparing with capture times. */
export function epochOf(hrMs: number): number {
  return Date.now() - (nowMs() - hrMs);
}
