// bgpctl's daemon commands as an operator runs them: a child process against a ControlServer in this process.
import { type SpawnOptions, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ControlServer } from '../../src/control/server.js';
import type { ChangeResult, PeerWrite, SpeakerEvent } from '../../src/control/types.js';
import { FakeSpeaker, LOCAL_ROUTES, VIPS, WEB_MOVES, changeFor } from '../control/fake-speaker.js';
import { TsbgpError, TsbgpErrorCode } from '../../src/errors.js';

const BGPCTL = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'cli', 'bgpctl.js');
const dir = mkdtempSync(join(tmpdir(), 'tsbgp-bgpctl-'));
chmodSync(dir, 0o755); // another user must reach the socket for the permission test to be about the socket
const SOCKET = join(dir, 'tsbgpd.sock');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run bgpctl without blocking this process's event loop (the server answering it lives here). */
function bgpctl(args: string[], o: SpawnOptions & { onStdout?: (s: string) => void } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, TSBGP_SOCKET: SOCKET, ...o.env };
    const child = spawn(process.execPath, [BGPCTL, ...args], { ...o, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      stdout += s;
      o.onStdout?.(s);
    });
    child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bgpctl ${args.join(' ')} did not finish: ${stderr}`));
    }, 10_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Reject after `ms`: every wait here is bounded. */
function within<T>(ms: number, p: Promise<T>, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    t = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(t));
}

/** Wait for a condition, checked every few ms; gives up (and stops checking) after `ms`. */
async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const speaker = new FakeSpeaker();
const server = new ControlServer({ path: SOCKET, speaker, version: '1.2.3' });
await server.listen();
const reset = () => speaker.calls.splice(0);

const Ping = suite('bgpctl ping');

Ping('answers with the daemon version; --json is the result object; the socket comes from TSBGP_SOCKET or --socket', async () => {
  const r = await bgpctl(['ping']);
  assert.equal([r.status, r.stdout, r.stderr], [0, 'pong: tsbgpd 1.2.3\n', '']);
  const j = await bgpctl(['ping', '--json', '--socket', SOCKET], { env: { TSBGP_SOCKET: '/nonexistent' } });
  assert.equal([j.status, JSON.parse(j.stdout)], [0, { pong: true, version: '1.2.3' }]);
});

Ping('unreachable: exit 2, the message names the path and the cause, --json puts the error on stdout too', async () => {
  const r = await bgpctl(['ping', '--socket', '/nonexistent/tsbgpd.sock']);
  assert.is(r.status, 2);
  assert.is(r.stdout, '');
  assert.is(
    r.stderr,
    'bgpctl: cannot reach tsbgpd at /nonexistent/tsbgpd.sock: is it running? (ENOENT); if it listens elsewhere, use --socket or TSBGP_SOCKET [TSBGP_ERR_UNREACHABLE]\n',
  );
  const j = await bgpctl(['ping', '--json'], { env: { TSBGP_SOCKET: '/nonexistent/tsbgpd.sock' } });
  assert.is(j.status, 2);
  const e = JSON.parse(j.stdout) as { error: { code: string; message: string } };
  assert.is(e.error.code, 'TSBGP_ERR_UNREACHABLE');
  assert.match(e.error.message, /^cannot reach tsbgpd at \/nonexistent\/tsbgpd\.sock: is it running\? \(ENOENT\)/);
  assert.match(j.stderr, /cannot reach tsbgpd/);
});

Ping('a socket we may not open: permission denied (EACCES)', async () => {
  const root = process.getuid?.() === 0;
  // Root passes permission checks: ask as nobody instead, against a socket only root may open.
  chmodSync(SOCKET, root ? 0o600 : 0o000);
  try {
    const r = await bgpctl(['ping'], root ? { uid: 65534, gid: 65534 } : {});
    assert.is(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^bgpctl: cannot reach tsbgpd at ${SOCKET}: permission denied \\(EACCES\\); run as root or as a member of the socket's group`));
  } finally {
    chmodSync(SOCKET, 0o660);
  }
});

Ping.run();

const Announce = suite('bgpctl announce');

Announce('prefix via nexthop with every option: the speaker gets the canonical route; one line per peer', async () => {
  reset();
  const r = await bgpctl([
    'announce', '100.64.0.1/32', 'via', '10.10.0.5',
    '--med', '10', '--community', '65010:100', '--community', 'no-export', '--large-community', '65010:1:2', '--as-path-prepend', '2',
  ]);
  assert.is(r.status, 0, r.stderr);
  const route = { prefix: '100.64.0.1/32', nextHop: '10.10.0.5', med: 10, communities: [65010 * 65536 + 100, 0xffffff01], largeCommunities: [[65010, 1, 2]], asPathPrepend: 2 };
  assert.equal(speaker.calls.map((c) => c.args[0]), [route]);
  assert.is(typeof speaker.calls[0]!.args[1], 'number', 'the arrival time goes with it');
  assert.is(
    r.stdout,
    'announce 100.64.0.1/32 via 10.10.0.5: sent to 1 of 2 neighbors in 92 µs, saved in 4.1 ms\n' +
      '127.0.0.2  Established  sent in 85 µs\n' +
      '127.0.0.3  Idle         will get the route when it comes up\n',
  );
  assert.is(r.stderr, '');
});

Announce('on the wire but not saved: the line says so, stderr warns, the exit status is 0 (the route is in effect)', async () => {
  reset();
  speaker.nextChange = {
    prefix: '100.64.0.1/32',
    changed: true,
    route: { prefix: '100.64.0.1/32', nextHop: '10.10.0.5' },
    peers: [{ neighbor: '10.10.1.4', state: 'Established', sent: true, micros: 310 }],
    wireMicros: 310,
    saved: { ok: false, error: 'route sent, but the state file could not be saved: EROFS: read-only file system' },
  };
  const r = await bgpctl(['announce', '100.64.0.1/32', 'via', '10.10.0.5']);
  assert.is(r.status, 0);
  assert.is(
    r.stdout,
    'announce 100.64.0.1/32 via 10.10.0.5: sent to 1 of 1 neighbor in 310 µs, NOT saved: route sent, but the state file could not be saved: EROFS: read-only file system\n' +
      '10.10.1.4  Established  sent in 310 µs\n',
  );
  assert.is(
    r.stderr,
    'bgpctl: warning: announce 100.64.0.1/32 is on the wire but not in the state file; a restart of tsbgpd would undo it (route sent, but the state file could not be saved: EROFS: read-only file system)\n',
  );
});

Announce('--json: the ChangeResult as one object', async () => {
  reset();
  const r = await bgpctl(['announce', '100.64.0.1/32', 'via', '10.10.0.5', '--json']);
  assert.is(r.status, 0);
  assert.equal(JSON.parse(r.stdout), changeFor({ prefix: '100.64.0.1/32', nextHop: '10.10.0.5' }, '100.64.0.1/32'));
});

Announce('without the word "via": a usage error (exit 2) that shows the right form; nothing is sent', async () => {
  reset();
  const cases: [string[], string][] = [
    [['100.64.0.1/32', '10.10.0.5'], 'bgpctl announce: expected the word "via" before the next hop, e.g. bgpctl announce 100.64.0.1/32 via 10.10.0.5'],
    [['100.64.0.1/32'], 'bgpctl announce: missing "via <nexthop>" after the prefix, e.g. bgpctl announce 100.64.0.1/32 via <nexthop>'],
    [['100.64.0.1/32', 'via'], 'bgpctl announce: missing the next hop after "via", e.g. bgpctl announce 100.64.0.1/32 via <nexthop>'],
    [['100.64.0.1/32', 'via', '10.10.0.5', 'med', '5'], 'bgpctl announce: unexpected arguments after the next hop: med 5'],
  ];
  for (const [args, message] of cases) {
    const r = await bgpctl(['announce', ...args]);
    assert.is(r.status, 2, args.join(' '));
    assert.ok(r.stderr.startsWith(message + '\n'), r.stderr);
    assert.match(r.stderr, /Usage: bgpctl announce <prefix> via <nexthop> \[options\]/);
  }
  const j = await bgpctl(['announce', '100.64.0.1/32', '10.10.0.5', '--json']);
  assert.is(j.status, 2);
  assert.is(JSON.parse(j.stdout).error.code, 'TSBGP_ERR_BAD_ARGUMENT');
  const med = await bgpctl(['announce', '100.64.0.1/32', 'via', '10.10.0.5', '--med', 'ten']);
  assert.is(med.status, 2);
  assert.match(med.stderr, /option '--med <N>' argument 'ten' is invalid\. expected a non-negative integer/);
  assert.equal(speaker.calls, []);
});

Announce('an error reply: exit 1, the message and code on stderr, the error object on stdout with --json', async () => {
  reset();
  const r = await bgpctl(['announce', '100.64.0.1/24', 'via', '10.10.0.5']);
  assert.equal([r.status, r.stdout], [1, '']);
  assert.is(r.stderr, 'bgpctl: 100.64.0.1/24 has host bits set; did you mean 100.64.0.0/24? [TSBGP_ERR_BAD_PREFIX]\n');
  const j = await bgpctl(['announce', '100.64.0.1/32', 'via', 'fe80::1', '--json']);
  assert.is(j.status, 1);
  assert.equal(Object.keys(JSON.parse(j.stdout).error), ['code', 'message']);
  assert.is(JSON.parse(j.stdout).error.code, 'TSBGP_ERR_BAD_NEXT_HOP');
  assert.equal(speaker.calls, []);
});

Announce('exit status from how far a change got: 3 reached no neighbor, 4 missed an Established one, 0 unchanged', async () => {
  const change = (peers: PeerWrite[], changed = true): ChangeResult => ({
    prefix: '100.64.0.1/32',
    changed,
    route: { prefix: '100.64.0.1/32', nextHop: '10.10.0.5' },
    peers,
    wireMicros: 40,
  });
  const cases: [ChangeResult, number][] = [
    [change([{ neighbor: '10.10.1.4', state: 'Active', sent: false, note: 'not established' }, { neighbor: '10.10.1.5', state: 'Idle', sent: false, note: 'not established' }]), 3],
    [change([]), 3],
    [change([{ neighbor: '10.10.1.4', state: 'Established', sent: true, micros: 40 }, { neighbor: '10.10.1.5', state: 'Established', sent: false, note: 'write failed: EPIPE' }]), 4],
    [change([{ neighbor: '10.10.1.4', state: 'Established', sent: true, micros: 40 }, { neighbor: '10.10.1.5', state: 'Idle', sent: false, note: 'not established' }]), 0],
    [change([{ neighbor: '10.10.1.4', state: 'Idle', sent: false, note: 'unchanged: nothing sent' }], false), 0],
  ];
  for (const [reply, status] of cases) {
    for (const json of [false, true]) {
      speaker.nextChange = reply;
      const r = await bgpctl(['announce', '100.64.0.1/32', 'via', '10.10.0.5', ...(json ? ['-j'] : [])]);
      const what = `${JSON.stringify(reply.peers)} ${json ? '--json' : ''}`;
      assert.is(r.status, status, what);
      if (json) assert.equal(JSON.parse(r.stdout), reply, what);
      if (status === 0) assert.is(r.stderr, '', what);
      else assert.match(r.stderr, new RegExp(`^bgpctl: warning: announce 100\\.64\\.0\\.1/32 reached \\d of ${reply.peers.length} neighbors .*; exit status ${status}\\n$`), what);
    }
  }
});

Announce('bgpctl --help ends with the table of exit statuses', async () => {
  const r = await bgpctl(['--help']);
  assert.is(r.status, 0);
  for (const n of [0, 1, 2, 3, 4]) assert.match(r.stdout, new RegExp(`\\n  ${n}  \\S`), `status ${n}`);
});

Announce.run();

const Others = suite('bgpctl withdraw, show, neighbor, reload');

Others('withdraw', async () => {
  reset();
  const r = await bgpctl(['withdraw', '100.64.0.1/32']);
  assert.is(r.status, 0, r.stderr);
  assert.equal(speaker.calls.map((c) => [c.method, c.args[0], typeof c.args[1]]), [['withdraw', '100.64.0.1/32', 'number']]);
  assert.is(
    r.stdout,
    'withdraw 100.64.0.1/32: sent to 1 of 2 neighbors in 92 µs, saved in 4.1 ms\n' +
      '127.0.0.2  Established  sent in 85 µs\n' +
      '127.0.0.3  Idle         not established, nothing to withdraw\n',
  );
});

Others('show neighbors [address], show summary, show routes', async () => {
  reset();
  const all = await bgpctl(['show', 'neighbors']);
  assert.is(all.status, 0, all.stderr);
  assert.is(all.stdout.match(/^BGP neighbor is /gm)?.length, 2);
  const one = await bgpctl(['show', 'neighbors', '127.0.0.3', '--json']);
  assert.equal(JSON.parse(one.stdout).neighbors.map((n: { address: string }) => n.address), ['127.0.0.3']);
  const unknown = await bgpctl(['show', 'neighbors', '10.10.1.9']);
  assert.equal([unknown.status, unknown.stderr], [1, 'bgpctl: no neighbor 10.10.1.9 (configured: 127.0.0.2, 127.0.0.3) [TSBGP_ERR_UNKNOWN_NEIGHBOR]\n']);
  const summary = await bgpctl(['show', 'summary']);
  assert.match(summary.stdout, /^Neighbor +AS +MsgRcvd +MsgSent +Up\/Down +State\/PfxRcd +PfxSnt +Description$/m);
  // Up/Down is counted from the recorded stamp to now: whatever it is, it is a duration.
  assert.match(summary.stdout, /^127\.0\.0\.3  65515        3        4  \S+ +Idle       0$/m);
  reset();
  const local = await bgpctl(['show', 'routes']);
  assert.match(local.stdout, /^L      100\.64\.0\.1\/32  10\.10\.0\.6   10      i              65010:100$/m);
  const received = await bgpctl(['show', 'routes', '--received', '--neighbor', '127.0.0.2']);
  assert.match(received.stdout, /^\*      127\.0\.0\.2  172\.16\.0\.0\/12  127\.0\.0\.2    5      65515 12076 i  65515:1 65515:1:2$/m);
  await bgpctl(['show', 'routes', '--advertised']);
  assert.equal(speaker.calls.map((c) => [c.method, ...c.args]), [['routes', 'local'], ['routes', 'received', '127.0.0.2'], ['routes', 'advertised']]);
  const both = await bgpctl(['show', 'routes', '--received', '--advertised']);
  assert.is(both.status, 2);
  assert.match(both.stderr, /option '--received' cannot be used with option '--advertised'/);
  const localNeighbor = await bgpctl(['show', 'routes', '--neighbor', '10.10.1.4']);
  assert.is(localNeighbor.status, 2);
  assert.match(localNeighbor.stderr, /--neighbor goes with --received or --advertised/);
});

Others('show routes --prefix P --limit N: the daemon filters and limits; bad values are refused', async () => {
  const inside = await bgpctl(['show', 'routes', '--prefix', '100.64.0.0/10', '--json']);
  assert.equal([inside.status, JSON.parse(inside.stdout)], [0, { view: 'local', prefix: '100.64.0.0/10', routes: LOCAL_ROUTES }]);
  const none = await bgpctl(['show', 'routes', '--prefix', '100.64.0.0/10', '--limit', '0']);
  assert.equal([none.status, none.stdout], [0, 'local routes inside 100.64.0.0/10: none shown (--limit 0)\n']);
  const outside = await bgpctl(['show', 'routes', '--prefix', '10.0.0.0/8']);
  assert.equal([outside.status, outside.stdout], [0, 'no local routes inside 10.0.0.0/8\n']);
  const bad = await bgpctl(['show', 'routes', '--prefix', '100.64.0.1']);
  assert.equal([bad.status, bad.stderr], [1, 'bgpctl: "100.64.0.1" has no prefix length; expected address/length, e.g. 100.64.0.1/32 [TSBGP_ERR_BAD_PREFIX]\n']);
  const limit = await bgpctl(['show', 'routes', '--limit', 'all']);
  assert.is(limit.status, 2);
  assert.match(limit.stderr, /option '--limit <N>' argument 'all' is invalid\. expected a non-negative integer/);
});

Others('neighbor <address> up|down|refresh [--message]', async () => {
  reset();
  const down = await bgpctl(['neighbor', '127.0.0.2', 'down', '--message', 'maintenance until 14:00']);
  assert.equal([down.status, down.stdout], [0, 'neighbor 127.0.0.2: down requested, state now Established\n']);
  assert.equal(speaker.calls[0], { method: 'neighborDown', args: ['127.0.0.2', 'maintenance until 14:00'] });
  reset();
  assert.is((await bgpctl(['neighbor', '127.0.0.2', 'refresh'])).status, 0);
  assert.equal(speaker.calls[0], { method: 'neighborRefresh', args: ['127.0.0.2'] });
  reset();
  const bad = await bgpctl(['neighbor', '127.0.0.2', 'reset']);
  assert.is(bad.status, 2);
  assert.match(bad.stderr, /value 'reset' is invalid for argument 'action'\. Allowed choices are up, down, refresh/);
  const msgUp = await bgpctl(['neighbor', '127.0.0.2', 'up', '--message', 'x']);
  assert.is(msgUp.status, 2);
  assert.equal(speaker.calls, []);
});

Others('reload', async () => {
  const r = await bgpctl(['reload']);
  assert.equal([r.status, r.stdout], [0, 'reloaded: 0 neighbors added, 0 removed, 1 reset, 0 routes changed\nreset    127.0.0.2\n']);
});

Others('shutdown: graceful by default, --hard for good; the answer says what each peer gets', async () => {
  reset();
  const r = await bgpctl(['shutdown']);
  assert.is(r.status, 0, r.stderr);
  assert.equal(speaker.calls, [{ method: 'shutdown', args: ['graceful'] }]);
  assert.is(r.stdout.split('\n')[0], 'tsbgpd is stopping for a restart: peers that negotiated graceful restart keep our routes until it is back');
  assert.match(r.stdout, /127\.0\.0\.2\s+Established\s+Cease \/ Administrative Shutdown \(6\/2\)\s+keeps our routes/);
  reset();
  const h = await bgpctl(['shutdown', '--hard', '--json']);
  assert.is(h.status, 0, h.stderr);
  assert.equal(speaker.calls, [{ method: 'shutdown', args: ['hard'] }]);
  const j = JSON.parse(h.stdout) as { mode: string; peers: { neighbor: string; sends: string; keepsRoutes: boolean }[] };
  assert.is(j.mode, 'hard');
  assert.equal(j.peers.find((p) => p.neighbor === '127.0.0.2'), { neighbor: '127.0.0.2', state: 'Established', sends: 'hard-reset', keepsRoutes: false });
  reset();
  speaker.throwing.shutdown = new TsbgpError(TsbgpErrorCode.STOPPING, 'tsbgpd is already stopping');
  const again = await bgpctl(['shutdown']);
  assert.equal([again.status, again.stderr], [1, 'bgpctl: tsbgpd is already stopping [TSBGP_ERR_STOPPING]\n']);
});

Others('usage: no command is exit 2 with the help; help is exit 0', async () => {
  const none = await bgpctl([]);
  assert.is(none.status, 2);
  assert.match(none.stderr, /Usage: bgpctl \[options\] \[command\]/);
  const help = await bgpctl(['--help']);
  assert.is(help.status, 0);
  assert.match(help.stdout, /announce <prefix> via <nexthop> \[options\]/);
  assert.match(help.stdout, /neighbor <address> up\|down\|refresh \[options\]/);
});

Others.run();

const Json = suite('bgpctl --json and -j anywhere on the line');

Json('before the command, between its words, after it, as -j: the same JSON reply; the failover command takes -j too', async () => {
  const expected = (await bgpctl(['show', 'summary', '--json'])).stdout;
  assert.ok(JSON.parse(expected), expected);
  for (const args of [['--json', 'show', 'summary'], ['show', '--json', 'summary'], ['-j', 'show', 'summary'], ['show', 'summary', '-j']]) {
    const r = await bgpctl(args);
    assert.equal([r.status, r.stdout, r.stderr], [0, expected, ''], args.join(' '));
  }
  reset();
  const a = await bgpctl(['-j', 'announce', '100.64.0.1/32', 'via', '10.10.0.5']);
  assert.is(a.status, 0, a.stderr);
  assert.is((JSON.parse(a.stdout) as { prefix: string }).prefix, '100.64.0.1/32');
  const w = await bgpctl(['--json', 'withdraw', '100.64.0.1/32']);
  assert.is(w.status, 0, w.stderr);
  assert.is((JSON.parse(w.stdout) as { prefix: string }).prefix, '100.64.0.1/32');
});

Json('an option value is not taken for the command: --json before --neighbor still reaches show routes', async () => {
  const r = await bgpctl(['--json', 'show', 'routes', '--received', '--neighbor', '127.0.0.2']);
  assert.is(r.status, 0, r.stderr);
  assert.ok(Array.isArray((JSON.parse(r.stdout) as { routes: unknown[] }).routes), r.stdout);
});

Json('-j alone is still a usage error (exit 2)', async () => {
  const r = await bgpctl(['-j']);
  assert.is(r.status, 2);
});

Json.run();

const Pipe = suite('bgpctl | head');

Pipe('a reader that stops early (head -1): bgpctl exits 0, no EPIPE stack trace', async () => {
  const base = LOCAL_ROUTES[0]!;
  speaker.localRoutes = Array.from({ length: 4000 }, (_, i) => ({ ...base, prefix: `100.${64 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}/32` }));
  try {
    const r = await new Promise<Run>((resolve, reject) => {
      const child = spawn('bash', ['-c', `"${process.execPath}" "${BGPCTL}" show routes | head -1; echo "bgpctl=\${PIPESTATUS[0]}" >&2`], {
        env: { ...process.env, TSBGP_SOCKET: SOCKET },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
      child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
      const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error('bgpctl | head did not finish'))), 10_000);
      child.on('close', (status) => (clearTimeout(timer), resolve({ status, stdout, stderr })));
    });
    assert.is(r.stdout.split('\n').length, 2, 'head printed one line');
    assert.is(r.stderr, 'bgpctl=0\n');
  } finally {
    speaker.localRoutes = undefined;
  }
});

Pipe.run();

const Vip = suite('bgpctl show vips, vip NAME move|freeze|unfreeze|history');

/** Fresh fixtures for each test: moves and freezes change them. */
Vip.before.each(() => {
  speaker.withVips();
  reset();
});

Vip('show vips: every VIP as a block; show vips NAME (or show vip NAME) only that one; --json the result object', async () => {
  const r = await bgpctl(['show', 'vips']);
  assert.is(r.status, 0, r.stderr);
  assert.is(
    r.stdout,
    'VIP web  100.64.0.1/32  automatic  via ws2 (10.10.0.5) since 2026-12-01T12:00:03.120Z\n' +
      '  failback sticky, change window 30 s, all down: keep\n' +
      '  candidate  next hop   health  streak    last check                     watch\n' +
      '  ws1        10.10.0.4  down    fails 2   timed out after 80 ms (80 ms)  lost\n' +
      '  ws2        10.10.0.5  up      passes 3  HTTP 200 (1.2 ms)              connected\n' +
      '  last move: ws1 -> ws2 (watch: closed by peer) at 2026-12-01T12:00:03.120Z, 2 ms after the failure, on the wire 10.10.1.4 310 µs, 10.10.1.5 298 µs, confirmed in 41 ms, takes effect ~2026-12-01T12:00:30.500Z (change window)\n' +
      '\n' +
      'VIP api  100.64.0.2/32  frozen (no automatic moves)  not announced\n' +
      '  failback preferred-after 60s, no change window, all down: withdraw\n' +
      '  candidate  next hop   health   streak    last check\n' +
      '  api1       10.10.0.7  unknown  -         -\n' +
      '  api2       10.10.0.8  up       passes 1  connected (350 µs)\n' +
      '  last move: none\n',
  );
  const one = await bgpctl(['show', 'vip', 'api']);
  assert.is(one.status, 0, one.stderr);
  assert.match(one.stdout, /^VIP api  100\.64\.0\.2\/32  frozen \(no automatic moves\)  not announced\n/);
  assert.not.match(one.stdout, /VIP web/);
  const j = await bgpctl(['show', 'vips', 'web', '--json']);
  assert.equal([j.status, JSON.parse(j.stdout)], [0, { vips: [VIPS[0]] }]);
  assert.equal(speaker.calls, [
    { method: 'vips', args: [] },
    { method: 'vips', args: ['api'] },
    { method: 'vips', args: ['web'] },
  ]);
});

Vip('show vips NAME of no VIP: exit 1, the daemon\'s message and code; --json puts the error on stdout', async () => {
  const r = await bgpctl(['show', 'vips', 'db']);
  assert.equal([r.status, r.stdout, r.stderr], [1, '', 'bgpctl: no VIP db (configured: web, api) [TSBGP_ERR_UNKNOWN_VIP]\n']);
  const j = await bgpctl(['show', 'vips', 'db', '--json']);
  assert.equal([j.status, JSON.parse(j.stdout)], [1, { error: { code: 'TSBGP_ERR_UNKNOWN_VIP', message: 'no VIP db (configured: web, api)' } }]);
});

Vip('vip NAME move CANDIDATE: the move and where the VIP is now; --json {move, vip}', async () => {
  const r = await bgpctl(['vip', 'web', 'move', 'ws1']);
  assert.is(r.status, 0, r.stderr);
  assert.equal(speaker.calls, [
    { method: 'vipMove', args: ['web', 'ws1'] },
    { method: 'vips', args: ['web'] },
  ]);
  assert.is(
    r.stdout,
    'vip web moved ws2 -> ws1 (operator: requested by bgpctl) at 2026-12-01T12:05:00.000Z, on the wire 10.10.1.4 295 µs, 10.10.1.5 1.2 ms, confirmed in 38 ms\n' +
      'vip web 100.64.0.1/32 automatic: its health checks may move it; via ws1 (10.10.0.4) since 2026-12-01T12:05:00.000Z\n',
  );
  assert.is(r.stderr, '');
  speaker.withVips();
  const j = await bgpctl(['vip', 'web', 'move', 'ws1', '--json']);
  assert.is(j.status, 0, j.stderr);
  const result = JSON.parse(j.stdout) as { move: unknown; vip: { current: unknown; mode: string } };
  assert.equal(Object.keys(result), ['move', 'vip']);
  assert.equal(result.move, {
    at: '2026-12-01T12:05:00.000Z',
    from: 'ws2',
    to: 'ws1',
    cause: 'operator',
    detail: 'requested by bgpctl',
    wire: [
      { neighbor: '10.10.1.4', micros: 295 },
      { neighbor: '10.10.1.5', micros: 1240 },
    ],
    confirmedMs: 38,
    effectiveAt: '2026-12-01T12:05:00.000Z',
  });
  assert.equal(result.vip.current, { candidate: 'ws1', nextHop: '10.10.0.4', since: '2026-12-01T12:05:00.000Z' });
});

Vip('vip move refused: an unknown candidate or VIP (UNKNOWN_VIP), a prefix owned above health (OWNED): exit 1', async () => {
  const cand = await bgpctl(['vip', 'web', 'move', 'ws9']);
  assert.equal([cand.status, cand.stdout, cand.stderr], [1, '', 'bgpctl: no candidate ws9 in VIP web (candidates: ws1, ws2) [TSBGP_ERR_UNKNOWN_VIP]\n']);
  const vip = await bgpctl(['vip', 'db', 'move', 'ws1', '--json']);
  assert.equal([vip.status, JSON.parse(vip.stdout)], [1, { error: { code: 'TSBGP_ERR_UNKNOWN_VIP', message: 'no VIP db (configured: web, api)' } }]);
  speaker.throwing.vipMove = new TsbgpError(TsbgpErrorCode.OWNED, '100.64.0.1/32 is decided by the partner watcher (owner peer); it cannot be changed by hand while it is');
  const owned = await bgpctl(['vip', 'web', 'move', 'ws1']);
  assert.equal(
    [owned.status, owned.stderr],
    [1, 'bgpctl: 100.64.0.1/32 is decided by the partner watcher (owner peer); it cannot be changed by hand while it is [TSBGP_ERR_OWNED]\n'],
  );
  assert.equal(speaker.methods(), ['vipMove', 'vipMove', 'vipMove']);
});

Vip('vip NAME freeze|unfreeze: the new mode, or that it was so already; --json {vip, changed}', async () => {
  const freeze = await bgpctl(['vip', 'web', 'freeze']);
  assert.equal(
    [freeze.status, freeze.stdout],
    [0, 'vip web 100.64.0.1/32 frozen: no automatic moves until unfrozen; via ws2 (10.10.0.5) since 2026-12-01T12:00:03.120Z\n'],
  );
  const again = await bgpctl(['vip', 'web', 'freeze', '--json']);
  assert.equal([again.status, JSON.parse(again.stdout)], [0, { vip: { ...VIPS[0], mode: 'frozen' }, changed: false }]);
  const thaw = await bgpctl(['vip', 'web', 'unfreeze']);
  assert.equal(
    [thaw.status, thaw.stdout],
    [0, 'vip web 100.64.0.1/32 unfrozen: its health checks may move it; via ws2 (10.10.0.5) since 2026-12-01T12:00:03.120Z\n'],
  );
  assert.equal(speaker.calls.filter((c) => c.method === 'vipFreeze'), [
    { method: 'vipFreeze', args: ['web', true] },
    { method: 'vipFreeze', args: ['web', true] },
    { method: 'vipFreeze', args: ['web', false] },
  ]);
  const unknown = await bgpctl(['vip', 'db', 'unfreeze']);
  assert.equal([unknown.status, unknown.stderr], [1, 'bgpctl: no VIP db (configured: web, api) [TSBGP_ERR_UNKNOWN_VIP]\n']);
});

Vip('vip NAME history: a row per move, oldest first; --json {name, prefix, moves}', async () => {
  const r = await bgpctl(['vip', 'web', 'history']);
  assert.is(r.status, 0, r.stderr);
  assert.is(
    r.stdout,
    'VIP web  100.64.0.1/32: 2 moves, oldest first\n' +
      '\n' +
      'time                      move           cause  failure->decision  on the wire                                  confirmed  detail\n' +
      '2026-12-01T12:00:00.500Z  (none) -> ws1  start  -                  10.10.1.4 412 µs, 10.10.1.5 not established  -          ws1 passed 3 checks\n' +
      '2026-12-01T12:00:03.120Z  ws1 -> ws2     watch  2 ms               10.10.1.4 310 µs, 10.10.1.5 298 µs           41 ms      closed by peer; takes effect ~2026-12-01T12:00:30.500Z (change window)\n',
  );
  const j = await bgpctl(['vip', 'web', 'history', '--json']);
  assert.equal([j.status, JSON.parse(j.stdout)], [0, { name: 'web', prefix: '100.64.0.1/32', moves: WEB_MOVES }]);
  const none = await bgpctl(['vip', 'api', 'history']);
  assert.equal([none.status, none.stdout], [0, 'VIP api  100.64.0.2/32: no moves recorded\n']);
});

Vip('usage errors (exit 2, nothing sent): move without a candidate, a candidate after another action, an unknown action', async () => {
  const cases: [string[], RegExp][] = [
    [['web', 'move'], /^bgpctl vip: missing the candidate after "move", e\.g\. bgpctl vip web move ws2\n/],
    [['web', 'freeze', 'ws1'], /^bgpctl vip: unexpected argument after "freeze": ws1\n/],
    [['web', 'jump'], /value 'jump' is invalid for argument 'action'\. Allowed choices are move, freeze, unfreeze, history/],
    [['web'], /missing required argument 'action'/],
    [['web', 'move', 'ws1', 'now'], /too many arguments for 'vip'/],
  ];
  for (const [args, message] of cases) {
    const r = await bgpctl(['vip', ...args]);
    assert.is(r.status, 2, args.join(' '));
    assert.match(r.stderr, message);
    assert.match(r.stderr, /Usage: bgpctl vip <name> move <candidate>\|freeze\|unfreeze\|history \[options\]/);
  }
  const j = await bgpctl(['vip', 'web', 'history', 'ws1', '--json']);
  assert.equal([j.status, JSON.parse(j.stdout)], [2, { error: { code: 'TSBGP_ERR_BAD_ARGUMENT', message: 'unexpected argument after "history": ws1' } }]);
  assert.equal(speaker.calls, []);
  const help = await bgpctl(['--help']);
  assert.match(help.stdout, /^  vip <name> move <candidate>\|freeze\|unfreeze\|history \[options\]  move a health-checked VIP by hand/m);
});

Vip.run();

const Monitor = suite('bgpctl monitor');

/** Servers a monitor test started: closed after each test, passed or failed, so that a failure cannot hang the run. */
const servers: ControlServer[] = [];
async function monitorServer(path: string, sp: FakeSpeaker): Promise<ControlServer> {
  const srv = new ControlServer({ path, speaker: sp, closeGraceMs: 100 });
  await srv.listen();
  servers.push(srv);
  return srv;
}
Monitor.after.each(async () => {
  for (const srv of servers.splice(0)) await within(3000, srv.close(), 'close').catch(() => {});
});

Monitor('--json: one event per line as they happen; exit 2 when the daemon goes away', async () => {
  const path = join(dir, 'monitor.sock');
  const sp = new FakeSpeaker();
  const srv = await monitorServer(path, sp);
  const events: SpeakerEvent[] = [
    { type: 'state', at: '2025-03-01T12:00:00.000Z', neighbor: '10.10.1.4', from: 'OpenConfirm', to: 'Established', reason: 'KEEPALIVE received' },
    { type: 'local', at: '2025-03-01T12:00:01.000Z', action: 'announce', prefix: '100.64.0.1/32', nextHop: '10.10.0.6' },
  ];
  let out = '';
  let gotBoth!: () => void;
  const both = new Promise<void>((r) => (gotBoth = r));
  const child = bgpctl(['monitor', '--json', '--socket', path], {
    onStdout: (s) => {
      out += s;
      if (out.split('\n').length > events.length) gotBoth();
    },
  });
  await until(() => sp.subscribers > 0, 5000, 'bgpctl subscribed');
  assert.is(sp.subscribers, 1, 'bgpctl subscribed');
  for (const e of events) sp.emit(e);
  await within(5000, both, 'both events printed');
  await within(3000, srv.close(), 'close');
  const r = await child;
  const [first, second, last, ...more] = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);
  assert.equal([first, second], events);
  assert.equal(more, []);
  // Scripts learn why the stream ended from stdout as well.
  assert.equal(last, { error: { code: 'TSBGP_ERR_UNREACHABLE', message: `tsbgpd at ${path} closed the connection` } });
  assert.is(r.status, 2);
  assert.match(r.stderr, /tsbgpd at .*monitor\.sock closed the connection \[TSBGP_ERR_UNREACHABLE\]/);
});

Monitor('text: one timestamped line per event', async () => {
  const path = join(dir, 'monitor2.sock');
  const sp = new FakeSpeaker();
  const srv = await monitorServer(path, sp);
  let gotOne!: () => void;
  const one = new Promise<void>((r) => (gotOne = r));
  const child = bgpctl(['monitor', '--socket', path], { onStdout: () => gotOne() });
  await until(() => sp.subscribers > 0, 5000, 'bgpctl subscribed');
  sp.emit({ type: 'local', at: '2025-03-01T12:00:01.000Z', action: 'withdraw', prefix: '100.64.0.1/32' });
  await within(5000, one, 'the event printed');
  await within(3000, srv.close(), 'close');
  const r = await child;
  assert.is(r.stdout, '2025-03-01T12:00:01.000Z  local  withdraw 100.64.0.1/32\n');
});

Monitor.run();

const Imports = suite('bgpctl import graph');

/** Every module bgpctl loads before its first await import(): static imports, followed transitively. */
function staticImports(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  if (!file.startsWith('/')) return seen;
  const src = readFileSync(file, 'utf8');
  for (const m of src.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)) {
    const spec = m[1]!;
    if (spec.startsWith('.')) staticImports(resolve(dirname(file), spec), seen);
    else seen.add(spec);
  }
  return seen;
}

Imports('daemon commands do not load pino, yaml, ip-num, the codec or the config loader', () => {
  const banned = [/^pino/, /^yaml/, /^ip-num/, /^bgp\/messages\//, /^config\//, /^cli\/decode\.js$/, /^pcap\//];
  const graphOf = (file: string): string[] =>
    [...staticImports(file)].map((f) => (f.startsWith('/') ? f.slice(resolve(dirname(BGPCTL), '..').length + 1) : f));
  const entry = graphOf(BGPCTL);
  const program = graphOf(join(dirname(BGPCTL), 'bgpctl-program.js'));
  for (const rel of [entry, program]) {
    for (const b of banned) assert.not.ok(rel.some((f) => b.test(f)), `${b} in ${rel.join(', ')}`);
  }
  // The failover command (the entry alone) does not even load commander; the full program does.
  assert.ok(entry.includes('control/client.js') && !entry.includes('commander'), entry.join(', '));
  assert.ok(program.includes('commander'), program.join(', '));
});

// Suites run one after another: the last one closes the shared server.
Imports.after(async () => {
  await within(3000, server.close(), 'close').catch(() => {});
});

Imports.run();
