// processes through the real daemon: a script's command reaches a raw BGP peer, JSON events reach a script, ExaBGP's own health checker drives a route.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { UpdateMessage } from '../../src/bgp/messages/index.js';
import type { ProcessConfig } from '../../src/config/types.js';
import { ControlServer } from '../../src/control/server.js';
import { Speaker } from '../../src/daemon/speaker.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { config, memoryLogger, neighbor, until, waitState } from '../helpers/speakers.js';

const VIP = '100.64.0.1/32';
/** The scripts are in the source tree (tests run from dist/test/exabgp). */
const PROGRAMS = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'exabgp', 'programs');
const RECORD = join(PROGRAMS, 'record.sh');
const BGPCTL = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'bgpctl.js');
/** Debian's exabgp: its python module is there, whatever python3 comes first on PATH. */
const EXABGP_PYTHON = '/usr/bin/python3';
const EXABGP_MODULE = '/usr/lib/python3/dist-packages/exabgp/application/healthcheck.py';

/** A watcher (AS 65001) with these programs, Established with a scripted route server (AS 65515) on 127.0.0.2. */
async function watcher(processes: ProcessConfig[]) {
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
  const port = await rs.listen('127.0.0.2');
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const w = new Speaker({
    config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port })], processes }),
    log: memoryLogger(lines),
    random: () => 0.5,
  });
  await w.start();
  await waitState(w, '127.0.0.2', 'Established');
  return { rs, w, lines };
}

/** UPDATEs the route server got that carry this prefix (announced or withdrawn). */
function updatesFor(rs: RawPeer, prefix: string): UpdateMessage[] {
  return rs.ofType('UPDATE').filter((u) => u.nlri.some((n) => n.prefix === prefix) || u.withdrawn.some((n) => n.prefix === prefix));
}

const attr = <T extends UpdateMessage['attributes'][number]['type']>(u: UpdateMessage, type: T) =>
  u.attributes.find((a): a is Extract<UpdateMessage['attributes'][number], { type: T }> => a.type === type);

const readLines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter((l) => l !== '') : []);

let dir = '';
const Text = suite('a text program', {});
Text.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsbgp-proc-'));
});
Text.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

Text('its stdout line `announce route ... next-hop ...` reaches the raw peer; it reads `done`', async () => {
  const out = join(dir, 'text.out');
  const { rs, w } = await watcher([{ name: 'announcer', run: ['/bin/sh', RECORD, out, `announce route ${VIP} next-hop 10.10.0.5`], encoder: 'text' }]);
  try {
    await until('the UPDATE', () => updatesFor(rs, VIP).length === 1);
    const u = updatesFor(rs, VIP)[0]!;
    assert.equal(u.nlri, [{ prefix: VIP }]);
    assert.is(attr(u, 'NEXT_HOP')?.nextHop, '10.10.0.5');
    await until('the answer', () => readLines(out).length === 1);
    assert.equal(readLines(out), ['done']);
    assert.equal(w.processes().map((p) => [p.name, p.state, p.commands, p.restarts]), [['announcer', 'running', 1, 0]]);
    assert.ok(w.processes()[0]!.pid! > 0);
    // Owned by the operator, as from bgpctl.
    assert.equal([...w.routes('local')].map((r) => [r.prefix, r.nextHop, r.owner]), [[VIP, '10.10.0.5', 'operator']]);
  } finally {
    const pid = w.processes()[0]?.pid;
    await w.stop();
    await rs.close();
    assert.ok(pid !== undefined && !existsSync(`/proc/${pid}/cmdline`) || readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z'), 'the program outlived the speaker');
  }
});

Text('a bad line is answered `error` and changes nothing; a text program gets no events', async () => {
  const out = join(dir, 'bad.out');
  const { rs, w, lines } = await watcher([{ name: 'bad', run: ['/bin/sh', RECORD, out, `announce route ${VIP} next-hop banana`, 'announce route 300.1.1.1/32 next-hop 10.10.0.5'], encoder: 'text' }]);
  try {
    await until('two answers', () => readLines(out).length === 2);
    assert.equal(readLines(out), ['error', 'error']);
    assert.equal([...w.routes('local')], []);
    assert.equal(updatesFor(rs, VIP), []);
    assert.ok(lines.some((l) => l.msg === 'process bad: command refused' && JSON.stringify(l.obj).includes('banana')));
  } finally {
    await w.stop();
    await rs.close();
  }
});

Text.run();

const Json = suite('a json program');
Json.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsbgp-proc-'));
});
Json.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

Json('gets ExaBGP JSON events: connected and up, the UPDATEs the peer sends, down, and shutdown', async () => {
  const out = join(dir, 'json.out');
  const { rs, w } = await watcher([{ name: 'listener', run: ['/bin/sh', RECORD, out], encoder: 'json' }]);
  const events = (): Record<string, any>[] => readLines(out).map((l) => JSON.parse(l));
  try {
    await until('up', () => events().some((e) => e.type === 'state' && e.neighbor.state === 'up'));
    rs.send({
      type: 'UPDATE',
      withdrawn: [],
      nlri: [{ prefix: '10.20.0.0/16' }],
      attributes: [
        { type: 'ORIGIN', origin: 0 },
        { type: 'AS_PATH', segments: [{ segmentType: 2, asns: [65515, 64512] }] },
        { type: 'NEXT_HOP', nextHop: '10.10.1.4' },
        { type: 'MULTI_EXIT_DISC', med: 7 },
        { type: 'COMMUNITIES', communities: [65515 * 65536 + 100] },
      ],
    });
    rs.send({ type: 'UPDATE', withdrawn: [{ prefix: '10.20.0.0/16' }], nlri: [], attributes: [] });
    await until('two updates', () => events().filter((e) => e.type === 'update' && !e.neighbor.message.eor).length === 2);
    const states = events().filter((e) => e.type === 'state');
    assert.equal(states.map((e) => e.neighbor.state), ['connected', 'up']);
    assert.equal(states[1]!.neighbor.address, { local: '10.10.0.7', peer: '127.0.0.2' });
    assert.equal(states[1]!.neighbor.asn, { local: 65001, peer: 65515 });
    const [announce, withdraw] = events().filter((e) => e.type === 'update' && !e.neighbor.message.eor);
    assert.is(announce!.exabgp, '4.0.1');
    assert.is(announce!.neighbor.direction, 'receive');
    assert.equal(announce!.neighbor.message.update, {
      attribute: { origin: 'igp', 'as-path': [65515, 64512], 'confederation-path': [], med: 7, community: [[65515, 100]] },
      announce: { 'ipv4 unicast': { '10.10.1.4': [{ nlri: '10.20.0.0/16' }] } },
    });
    assert.equal(withdraw!.neighbor.message.update, { withdraw: { 'ipv4 unicast': [{ nlri: '10.20.0.0/16' }] } });
    // One counter per neighbor, one more each event.
    const counters = events().filter((e) => e.neighbor).map((e) => e.counter);
    assert.equal(counters, counters.map((_, i) => i + 1));
    // The session ends: down, with the reason.
    rs.socket!.destroy();
    await until('down', () => events().some((e) => e.type === 'state' && e.neighbor.state === 'down'));
    assert.type(events().find((e) => e.neighbor?.state === 'down')!.neighbor.reason, 'string');
  } finally {
    await w.stop();
    await rs.close();
  }
  assert.equal(events().at(-1), { ...events().at(-1), type: 'notification', notification: 'shutdown' });
});

Json.run();

/** An HTTP service on 127.0.0.1 whose health the test sets. */
async function service(): Promise<{ port: number; setUp: (up: boolean) => void; checks: () => number; close: () => Promise<void> }> {
  let up = true;
  let checks = 0;
  const server = http.createServer((_req, res) => {
    checks++;
    res.writeHead(up ? 200 : 503).end(up ? 'ok' : 'down');
  });
  await new Promise<void>((r) => server.listen({ host: '127.0.0.1', port: 0 }, r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    setUp: (v) => (up = v),
    checks: () => checks,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** `python3 -m exabgp healthcheck` as the reference setup runs it: never touching the host's addresses (--no-ip-setup), acks on. */
function healthcheck(port: number, extra: string[] = []): ProcessConfig {
  // Its --cmd runs in a shell; node is there whatever else is not.
  const check = `'${process.execPath}' -e 'fetch("http://127.0.0.1:${port}/").then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))'`;
  return {
    name: 'healthcheck',
    run: [EXABGP_PYTHON, '-m', 'exabgp', 'healthcheck', '--no-syslog', '--no-ip-setup', '--interval', '0.3', '--fast-interval', '0.3', '--rise', '1', '--fall', '1', '--timeout', '3',
      '--cmd', check, '--ip', VIP, '--next-hop', '10.10.0.5', '--up-metric', '100', '--down-metric', '1000', ...extra],
    encoder: 'text',
  };
}

const Health = suite('ExaBGP healthcheck as a process (Debian exabgp)');

Health('the exabgp package is installed (the tests below need it; .ci/run installs it)', () => {
  assert.ok(existsSync(EXABGP_MODULE), `${EXABGP_MODULE} is missing: apt-get install exabgp`);
});

Health('up: announced with its up metric as MED; down: announced again with its down metric', async () => {
  const svc = await service();
  const { rs, w, lines } = await watcher([healthcheck(svc.port)]);
  try {
    await until('the announcement (med 100)', () => updatesFor(rs, VIP).length >= 1, 15_000);
    const up = updatesFor(rs, VIP)[0]!;
    assert.equal(up.nlri, [{ prefix: VIP }]);
    assert.is(attr(up, 'NEXT_HOP')?.nextHop, '10.10.0.5');
    assert.is(attr(up, 'MULTI_EXIT_DISC')?.med, 100);
    // It goes on announcing every interval, waiting for each answer: those repeat nothing on the wire.
    const before = w.processes()[0]!.commands;
    await until('more checks and their answers', () => w.processes()[0]!.commands >= before + 2, 10_000);
    assert.is(updatesFor(rs, VIP).length, 1);
    svc.setUp(false);
    await until('the down metric', () => updatesFor(rs, VIP).length >= 2, 15_000);
    const down = updatesFor(rs, VIP)[1]!;
    assert.equal(down.nlri, [{ prefix: VIP }]);
    assert.equal(down.withdrawn, []);
    assert.is(attr(down, 'MULTI_EXIT_DISC')?.med, 1000);
    assert.is(attr(down, 'NEXT_HOP')?.nextHop, '10.10.0.5');
    // Back up: med 100 again.
    svc.setUp(true);
    await until('up again', () => updatesFor(rs, VIP).length >= 3, 15_000);
    assert.is(attr(updatesFor(rs, VIP)[2]!, 'MULTI_EXIT_DISC')?.med, 100);
    assert.equal(w.processes().map((p) => [p.state, p.restarts, p.dropped]), [['running', 0, 0]]);
    assert.not.ok(lines.some((l) => l.msg?.includes('command refused')), JSON.stringify(lines.filter((l) => l.level !== 'info').slice(0, 5)));
  } finally {
    await w.stop();
    await rs.close();
    await svc.close();
  }
});

Health('--withdraw-on-down: down withdraws the route, up announces it again', async () => {
  const svc = await service();
  const { rs, w } = await watcher([healthcheck(svc.port, ['--withdraw-on-down'])]);
  try {
    await until('the announcement', () => updatesFor(rs, VIP).length >= 1, 15_000);
    assert.is(attr(updatesFor(rs, VIP)[0]!, 'MULTI_EXIT_DISC')?.med, 100);
    svc.setUp(false);
    await until('the withdrawal', () => updatesFor(rs, VIP).length >= 2, 15_000);
    const down = updatesFor(rs, VIP)[1]!;
    assert.equal([down.withdrawn, down.nlri], [[{ prefix: VIP }], []]);
    assert.equal([...w.routes('local')], []);
    svc.setUp(true);
    await until('announced again', () => updatesFor(rs, VIP).length >= 3, 15_000);
    assert.equal(updatesFor(rs, VIP)[2]!.nlri, [{ prefix: VIP }]);
  } finally {
    await w.stop();
    await rs.close();
    await svc.close();
  }
  // Stopped with the daemon: what it said as it died (it withdraws on SIGTERM) changed nothing.
  assert.equal([...w.routes('local')].map((r) => r.prefix), [VIP]);
});

Health.run();

const Show = suite('bgpctl show processes');
Show.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tsbgp-proc-'));
});
Show.after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** bgpctl against this socket, without blocking the event loop the daemon runs in. */
function bgpctl(socket: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BGPCTL, ...args], { timeout: 10_000, env: { ...process.env, TSBGP_SOCKET: socket } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

Show('name, state, pid, restarts, last exit (code and stderr logged), dropped; --json the result object', async () => {
  const out = join(dir, 'show.out');
  const { rs, w, lines } = await watcher([
    { name: 'steady', run: ['/bin/sh', RECORD, out], encoder: 'json' },
    { name: 'crashy', run: '/bin/sh -c'.split(' ').concat(['echo "no config" >&2; exit 3']), encoder: 'text' },
  ]);
  const socket = join(dir, 'tsbgpd.sock');
  const control = new ControlServer({ path: socket, speaker: w, version: 'test' });
  await control.listen();
  try {
    await until('crashy exited', () => w.processes()[1]!.restarts === 1);
    const json = await bgpctl(socket, ['show', 'processes', '--json']);
    assert.is(json.code, 0, json.stderr);
    const r = JSON.parse(json.stdout) as { processes: Record<string, any>[] };
    const [steady, crashy] = r.processes;
    assert.equal([steady!.name, steady!.state, steady!.restarts, steady!.dropped, steady!.encoder], ['steady', 'running', 0, 0, 'json']);
    assert.is(steady!.pid, w.processes()[0]!.pid);
    assert.equal([crashy!.name, crashy!.state, crashy!.restarts, crashy!.lastExit.code, crashy!.lastExit.signal], ['crashy', 'restarting', 1, 3, null]);
    assert.is(crashy!.pid, undefined);
    assert.type(crashy!.restartAt, 'string');
    const text = await bgpctl(socket, ['show', 'processes']);
    assert.is(text.code, 0, text.stderr);
    assert.match(text.stdout, /^Name\s+State\s+PID\s+Restarts\s+Last exit\s+Dropped\s+Encoder\s+Run/);
    assert.match(text.stdout, new RegExp(`steady\\s+running\\s+${steady!.pid}\\s+0\\s+-\\s+0\\s+json`));
    assert.match(text.stdout, /crashy\s+restarting at \d\d:\d\d:\d\d\s+-\s+1\s+code 3 after/);
    const logged = lines.find((l) => l.msg?.startsWith('process crashy exited with code 3'))!;
    assert.equal((logged.obj as { stderr: string[] }).stderr, ['no config']);
  } finally {
    await control.close();
    await w.stop();
    await rs.close();
  }
});

Show.run();
