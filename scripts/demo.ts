// npm run demo: the failover on loopback, no root. Two route-server stand-ins (tsbgpd, passive, AS
// 65515) and a watcher (AS 65001); announce the VIP via ws1, fail over to ws2 by hand, then a
// health-checked VIP whose server crashes; show what each route server saw, shut everything down.
// Every process is started here and stopped by its PID.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli');
const TSBGPD = join(CLI, 'tsbgpd.js');
const BGPCTL = join(CLI, 'bgpctl.js');
const VIP = '100.64.0.1/32';
const WEB = '100.64.0.2/32';
const dir = mkdtempSync(join(tmpdir(), 'tsbgp-demo-'));
const children: ChildProcess[] = [];

const say = (s = ''): void => void process.stdout.write(s + '\n');

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ host, port: 0 }, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function bgpctl(socket: string, ...args: string[]): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BGPCTL, ...args], { encoding: 'utf8', env: { ...process.env, TSBGP_SOCKET: socket } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function daemon(name: string, yaml: string): ChildProcess {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  const log = openSync(join(dir, `${name}.log`), 'w');
  const child = spawn(process.execPath, [TSBGPD, '--config', file, '--no-pretty'], { stdio: ['ignore', log, log] });
  children.push(child);
  return child;
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (logs in ${dir})`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface NeighborJson {
  messages: { received: { update: number } };
  lastError?: { code: number; subcode: number; text: string };
}

/** The one neighbor of a route-server stand-in (the watcher), from `bgpctl show neighbors --json`. */
function neighborOf(socket: string): NeighborJson {
  return (JSON.parse(bgpctl(socket, 'show', 'neighbors', '--json').stdout) as { neighbors: NeighborJson[] }).neighbors[0]!;
}

function established(socket: string): number {
  const r = bgpctl(socket, 'show', 'summary', '--json');
  if (r.status !== 0) return 0;
  const s = JSON.parse(r.stdout) as { neighbors: { state: string }[] };
  return s.neighbors.filter((n) => n.state === 'Established').length;
}

/** `bgpctl monitor --json` on a route server: every event it streams. */
function monitor(socket: string): { events: { type: string; direction?: string; action?: string; prefix?: string; nextHop?: string }[]; child: ChildProcess } {
  const events: { type: string }[] = [];
  const child = spawn(process.execPath, [BGPCTL, 'monitor', '--json'], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, TSBGP_SOCKET: socket } });
  children.push(child);
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (line.trim()) events.push(JSON.parse(line) as { type: string });
    }
  });
  return { events, child };
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    try {
      process.kill(child.pid!, 'SIGTERM');
    } catch {
      resolve(); // already gone
    }
  });
}

/** A web server process on loopback answering its name; crash() kills it (SIGKILL by PID), connections and all. */
async function webServer(name: string): Promise<{ port: number; crash(): void }> {
  const code = `const s=require('http').createServer((q,r)=>r.end('${name}\\n'));s.listen(0,'127.0.0.1',()=>console.log(s.address().port))`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'ignore'] });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', () => reject(new Error(`web server ${name} exited`)));
  });
  return { port, crash: () => void process.kill(child.pid!, 'SIGKILL') };
}

async function main(): Promise<void> {
  const ws = [await webServer('ws1'), await webServer('ws2')];
  const rsPorts = [await freePort('127.0.0.2'), await freePort('127.0.0.3')];
  const sock = { rs1: join(dir, 'rs1.sock'), rs2: join(dir, 'rs2.sock'), watcher: join(dir, 'watcher.sock') };
  const rsYaml = (i: number, addr: string) => `router-id: 10.10.1.${4 + i}
local-as: 65515
listen: { address: ${addr}, port: ${rsPorts[i]} }
neighbors:
  - { address: 127.0.0.1, remote-as: 65001, passive: true, description: watcher }
control: { socket: ${i === 0 ? sock.rs1 : sock.rs2} }
state-file: false
log-level: warn
`;
  say('tsbgp demo — all on loopback: two route-server stand-ins (AS 65515) and a watcher (AS 65001)');
  say(`  rs1 127.0.0.2:${rsPorts[0]}   rs2 127.0.0.3:${rsPorts[1]}   working directory ${dir}`);
  daemon('rs1', rsYaml(0, '127.0.0.2'));
  daemon('rs2', rsYaml(1, '127.0.0.3'));
  await until('the route servers', () => established(sock.rs1) === 0 && bgpctl(sock.rs1, 'ping').status === 0 && bgpctl(sock.rs2, 'ping').status === 0);
  const watcher = daemon(
    'watcher',
    `router-id: 10.10.0.7
local-as: 65001
listen: false
neighbors:
  - { address: 127.0.0.2, remote-as: 65515, port: ${rsPorts[0]}, local-address: 127.0.0.1, description: route server 1 }
  - { address: 127.0.0.3, remote-as: 65515, port: ${rsPorts[1]}, local-address: 127.0.0.1, description: route server 2 }
vips:
  - name: web
    prefix: ${WEB}
    candidates:
      - { name: ws1, next-hop: 10.10.0.4, check: { http: "http://127.0.0.1:${ws[0]!.port}/" } }
      - { name: ws2, next-hop: 10.10.0.5, check: { http: "http://127.0.0.1:${ws[1]!.port}/" } }
    interval: 100ms
    timeout: 80ms
    rise: 2
    fall: 2
    watch: true
control: { socket: ${sock.watcher} }
state-file: ${join(dir, 'state.json')}
log-level: info
`,
  );
  await until('both sessions Established', () => established(sock.watcher) === 2);
  say('\n$ bgpctl show summary');
  say(bgpctl(sock.watcher, 'show', 'summary').stdout.trimEnd());

  say(`\n$ bgpctl announce ${VIP} via 10.10.0.4`);
  say(bgpctl(sock.watcher, 'announce', VIP, 'via', '10.10.0.4').stdout.trimEnd());
  const routesAt = (s: string) => (JSON.parse(bgpctl(s, 'show', 'routes', '--received', '--json').stdout) as { routes: { prefix: string; nextHop: string }[] }).routes;
  await until('the VIPs at both route servers', () => [sock.rs1, sock.rs2].every((s) => routesAt(s).some((r) => r.prefix === VIP) && routesAt(s).some((r) => r.prefix === WEB)));

  const watch = [monitor(sock.rs1), monitor(sock.rs2)];
  await new Promise((r) => setTimeout(r, 300)); // monitors subscribed
  const updatesBefore = [sock.rs1, sock.rs2].map((s) => neighborOf(s).messages.received.update);

  say(`\n$ bgpctl announce ${VIP} via 10.10.0.5      # the failover: one UPDATE per route server`);
  const flip = bgpctl(sock.watcher, 'announce', VIP, 'via', '10.10.0.5');
  say(flip.stdout.trimEnd());
  await until('the new next hop at both route servers', () => [sock.rs1, sock.rs2].every((s) => routesAt(s).some((r) => r.prefix === VIP && r.nextHop === '10.10.0.5')));
  await new Promise((r) => setTimeout(r, 200));

  say('\nWhat each route server received:');
  let ok = true;
  ['rs1', 'rs2'].forEach((name, i) => {
    const s = i === 0 ? sock.rs1 : sock.rs2;
    const after = neighborOf(s).messages.received.update;
    const routeEvents = watch[i]!.events.filter((e) => e.type === 'route' && e.prefix === VIP);
    const withdraws = routeEvents.filter((e) => e.action === 'withdraw').length;
    const route = routesAt(s).find((r) => r.prefix === VIP);
    say(`  ${name}: ${after - updatesBefore[i]!} UPDATE, ${withdraws} withdraw, ${VIP} next hop now ${route?.nextHop}`);
    ok &&= after - updatesBefore[i]! === 1 && withdraws === 0 && route?.nextHop === '10.10.0.5';
  });
  say(`\n$ TSBGP_SOCKET=rs1.sock bgpctl show routes --received`);
  say(bgpctl(sock.rs1, 'show', 'routes', '--received').stdout.trimEnd());

  say(`\nA health-checked VIP: ${WEB} follows a healthy web server by itself (vips: in the watcher's config).`);
  say('$ bgpctl show vips');
  say(bgpctl(sock.watcher, 'show', 'vips').stdout.trimEnd());
  const webBefore = [sock.rs1, sock.rs2].map((s) => neighborOf(s).messages.received.update);
  const webEvents = watch.map((m) => m.events.length);
  say('\nws1 crashes (its web server process is killed with SIGKILL) ...');
  ws[0]!.crash();
  await until('the VIP via ws2 at both route servers', () => [sock.rs1, sock.rs2].every((s) => routesAt(s).some((r) => r.prefix === WEB && r.nextHop === '10.10.0.5')));
  await new Promise((r) => setTimeout(r, 200));
  say('$ bgpctl vip web history');
  say(bgpctl(sock.watcher, 'vip', 'web', 'history').stdout.trimEnd());
  say('\nWhat each route server received after the crash:');
  ['rs1', 'rs2'].forEach((name, i) => {
    const s = i === 0 ? sock.rs1 : sock.rs2;
    const updates = neighborOf(s).messages.received.update - webBefore[i]!;
    const withdraws = watch[i]!.events.slice(webEvents[i]).filter((e) => e.type === 'route' && e.prefix === WEB && e.action === 'withdraw').length;
    say(`  ${name}: ${updates} UPDATE, ${withdraws} withdraw, ${WEB} next hop now ${routesAt(s).find((r) => r.prefix === WEB)?.nextHop}`);
    ok &&= updates === 1 && withdraws === 0;
  });

  say('\nShutting down (SIGTERM by PID): the watcher sends Cease / Administrative Shutdown to both.');
  await stop(watcher);
  await until('the route servers to see the Cease', () =>
    [sock.rs1, sock.rs2].every((s) => neighborOf(s).lastError?.code === 6),
  );
  const last = neighborOf(sock.rs1).lastError;
  say(`  rs1 last error: ${last?.text}`);
  say(ok ? '\ndemo: OK — every move one UPDATE per route server, no withdraw' : '\ndemo: FAILED — see above');
  process.exitCode = ok ? 0 : 1;
}

try {
  await main();
} catch (e) {
  say(`demo failed: ${(e as Error).message}`);
  process.exitCode = 1;
} finally {
  await Promise.all(children.map(stop));
  rmSync(dir, { recursive: true, force: true });
}
