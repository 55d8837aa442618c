// ExaBGP text lines against a real Speaker and scripted route servers on loopback: what reaches the wire, and when `done` comes.
import { mkdtempSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { UpdateMessage } from '../../src/bgp/messages/update.js';
import { ControlServer } from '../../src/control/server.js';
import { Speaker } from '../../src/daemon/speaker.js';
import { runApiLine } from '../../src/exabgp/dispatch.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { config, memoryLogger, neighbor, until, waitState } from '../helpers/speakers.js';
import { cleanup, opened, within } from '../control/harness.js';

const SRC = { kind: 'control' as const };

/** A speaker with two route servers (127.0.0.2 and 127.0.0.3, eBGP 65515), both Established, their tables received. */
async function setup() {
  const peers = [new RawPeer({ asn: 65515, bgpId: '10.10.1.4' }), new RawPeer({ asn: 65515, bgpId: '10.10.1.5' })];
  const ports = [await peers[0]!.listen('127.0.0.2'), await peers[1]!.listen('127.0.0.3')];
  for (const p of peers) opened.push(() => p.close());
  const speaker = new Speaker({
    config: config({
      routerId: '10.10.0.7',
      localAs: 65001,
      neighbors: [neighbor('127.0.0.2', 65515, { port: ports[0]! }), neighbor('127.0.0.3', 65515, { port: ports[1]! })],
      routes: [{ prefix: '100.64.9.0/24', nextHop: '10.10.0.4' }],
    }),
    log: memoryLogger(),
    random: () => 0.5,
  });
  await speaker.start();
  opened.push(() => speaker.stop());
  await waitState(speaker, '127.0.0.2', 'Established');
  await waitState(speaker, '127.0.0.3', 'Established');
  for (const p of peers) await until('the table and End-of-RIB', () => p.ofType('UPDATE').length === 2);
  return { speaker, peers };
}

const updatesAfter = (p: RawPeer, n: number): UpdateMessage[] => p.received.slice(n).map((r) => r.message).filter((m): m is UpdateMessage => m.type === 'UPDATE');
const nlri = (u: UpdateMessage): string[] => u.nlri.map((x) => x.prefix);

const Wire = suite('done after the wire');

Wire('a text line on the control socket: both route servers have the UPDATE before `done` reaches the client', async () => {
  const { speaker, peers } = await setup();
  const server = new ControlServer({ path: join(mkdtempSync(join(tmpdir(), 'tsbgp-exa-')), 'tsbgpd.sock'), speaker, closeGraceMs: 100 });
  await server.listen();
  opened.push(() => server.close());
  const before = peers.map((p) => p.received.length);
  const client = createConnection(server.path);
  opened.push(() => client.destroy());
  let text = '';
  let doneAt: bigint | undefined;
  client.on('data', (c: Buffer) => {
    text += c.toString();
    if (doneAt === undefined && text.includes('\n')) doneAt = process.hrtime.bigint();
  });
  client.write('announce route 100.64.0.1/32 next-hop 10.10.0.5 med 7\n');
  await within(5000, new Promise<void>((r) => client.on('data', () => text.includes('\n') && r())), 'the answer');
  assert.is(text, 'done\n');
  for (const [i, p] of peers.entries()) {
    await until(`the UPDATE at ${i}`, () => p.received.length > before[i]!);
    const got = p.received[before[i]!]!;
    assert.is(got.message.type, 'UPDATE');
    assert.ok(got.at <= doneAt!, `route server ${i} read the UPDATE ${got.at - doneAt!} ns after the client read done`);
  }
});

Wire('every attribute ExaBGP scripts send is carried: MED, communities, large communities, as-path as a prepend', async () => {
  const { speaker, peers } = await setup();
  const n = peers[0]!.received.length;
  const a = await runApiLine(speaker, 'announce route 100.64.0.1/32 next-hop 10.10.0.5 med 100 origin igp local-preference 200 as-path [ 65001 65001 ] community [ 65000:1 no-export ] large-community 65001:1:2', SRC);
  assert.equal([a.status, a.lines, a.reason], ['done', ['done'], undefined]);
  await until('the UPDATE', () => updatesAfter(peers[0]!, n).length === 1);
  const u = updatesAfter(peers[0]!, n)[0]!;
  assert.equal(nlri(u), ['100.64.0.1/32']);
  const attr = Object.fromEntries(u.attributes.map((x) => [x.type, x]));
  assert.is((attr['NEXT_HOP'] as { nextHop: string }).nextHop, '10.10.0.5');
  assert.is((attr['MULTI_EXIT_DISC'] as { med: number }).med, 100);
  assert.equal((attr['AS_PATH'] as { segments: { asns: number[] }[] }).segments[0]!.asns, [65001, 65001]);
  assert.equal((attr['COMMUNITIES'] as { communities: number[] }).communities, [65000 * 65536 + 1, 0xffffff01]);
  assert.equal((attr['LARGE_COMMUNITY'] as { communities: number[][] }).communities, [[65001, 1, 2]]);
  assert.not.ok(attr['LOCAL_PREF'], 'LOCAL_PREF is never sent to an external peer');
  // The operator's: bgpctl show routes sees it so.
  assert.is([...speaker.routes('local')].find((r) => r.prefix === '100.64.0.1/32')?.owner, 'operator');
});

Wire('announce attributes ... nlri: the prefixes go out together in one UPDATE; withdraw attributes takes them back', async () => {
  const { speaker, peers } = await setup();
  const n = peers[1]!.received.length;
  const a = await runApiLine(speaker, 'announce attributes next-hop 10.10.0.5 nlri 100.64.0.1/32 100.64.0.2/32 100.64.0.3/32', SRC);
  assert.is(a.status, 'done', a.reason);
  await until('the UPDATE', () => updatesAfter(peers[1]!, n).length >= 1);
  assert.equal(updatesAfter(peers[1]!, n).flatMap(nlri).sort(), ['100.64.0.1/32', '100.64.0.2/32', '100.64.0.3/32']);
  assert.is(updatesAfter(peers[1]!, n).length, 1, 'one UPDATE for one attribute set');
  const m = peers[1]!.received.length;
  const w = await runApiLine(speaker, 'withdraw attributes nlri 100.64.0.1/32 100.64.0.3/32', SRC);
  assert.is(w.status, 'done', w.reason);
  await until('the withdrawal', () => updatesAfter(peers[1]!, m).length >= 1);
  assert.equal(updatesAfter(peers[1]!, m).flatMap((u) => u.withdrawn.map((x) => x.prefix)).sort(), ['100.64.0.1/32', '100.64.0.3/32']);
});

Wire.run();

const Refused = suite('refused lines change nothing');

Refused('bad tokens and what tsbgp cannot honour: `error` with the reason, no UPDATE, the local routes as they were', async () => {
  const { speaker, peers } = await setup();
  const n = peers.map((p) => p.received.length);
  const local = JSON.stringify([...speaker.routes('local')]);
  const cases: [string, RegExp][] = [
    ['announce attributes next-hop 10.10.0.5 nlri 100.64.0.1/32 100.64.0.3/31', /100\.64\.0\.3\/31 has host bits set.*column 59/],
    ['announce route 100.64.0.1/32 next-hop self', /next-hop self is not supported/],
    ['announce route 100.64.0.1/32 next-hop 10.10.0.5 origin egp', /origin egp is not supported: .*ORIGIN IGP/],
    ['announce route 100.64.0.1/32 next-hop 10.10.0.5 as-path [ 65001 64512 ]', /as-path \[ 65001 64512 \] is not supported: .*AS 65001/],
    ['announce route 100.64.0.1/32 next-hop 10.10.0.5 extended-community target:65000:1', /extended-community target:65000:1 is not supported/],
    ['neighbor 127.0.0.2 announce route 100.64.0.1/32 next-hop 10.10.0.5', /cannot limit them to 127\.0\.0\.2.*not named: 127\.0\.0\.3/],
    ['neighbor 127.0.0.9 announce route 100.64.0.1/32 next-hop 10.10.0.5', /127\.0\.0\.9 is not a configured neighbor/],
    ['neighbor 127.0.0.2 peer-as 1, neighbor 127.0.0.3 announce route 100.64.0.1/32 next-hop 10.10.0.5', /127\.0\.0\.2 has peer-as 65515, not 1/],
    ['announce route 2001:db8::/48 next-hop 2001:db8::5', /no neighbor carries ipv6-unicast/],
    ['show neighbor summary 127.0.0.9', /127\.0\.0\.9/],
    ['frobnicate', /unknown command "frobnicate"/],
  ];
  for (const [line, reason] of cases) {
    const a = await runApiLine(speaker, line, SRC);
    assert.is(a.status, 'error', line);
    assert.equal(a.lines, ['error'], `${line}: the answer is the bare word, as ExaBGP's`);
    assert.match(a.reason ?? '', reason, line);
  }
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(peers.map((p, i) => updatesAfter(p, n[i]!).length), [0, 0], 'no UPDATE reached either route server');
  assert.is(JSON.stringify([...speaker.routes('local')]), local);
});

Refused('a selector naming every neighbor is honoured; withdrawing what is not announced is `done` with a note, as ExaBGP', async () => {
  const { speaker } = await setup();
  const a = await runApiLine(speaker, 'neighbor 127.0.0.2 peer-as 65515 local-as 65001, neighbor 127.0.0.3 announce route 100.64.0.1/32 next-hop 10.10.0.5', SRC);
  assert.is(a.status, 'done', a.reason);
  const w = await runApiLine(speaker, 'withdraw route 100.64.0.77/32 next-hop 10.10.0.5', SRC);
  assert.equal([w.status, w.lines], ['done', ['done']]);
  assert.match(w.reason ?? '', /not announced, nothing to withdraw: 100\.64\.0\.77\/32/);
});

Refused.run();

const Show = suite('show commands, version, JSON lines');

Show('show neighbor summary and show adj-rib out are shaped as ExaBGP 4.2 prints them', async () => {
  const { speaker } = await setup();
  await runApiLine(speaker, 'announce route 100.64.0.1/32 next-hop 10.10.0.5 med 5 community 65000:1', SRC);
  const s = await runApiLine(speaker, 'show neighbor summary', SRC);
  assert.is(s.lines[0], 'Peer            AS        up/down state       |     #sent     #recvd');
  assert.match(s.lines[1]!, /^127\.0\.0\.2       65515     +\d+:\d\d:\d\d established +\d+ +\d+$/);
  assert.match(s.lines[2]!, /^127\.0\.0\.3       65515 /);
  assert.is(s.lines.at(-1), 'done');
  const out = await runApiLine(speaker, 'show adj-rib out', SRC);
  assert.equal(out.lines.filter((l) => l.includes('100.64.0.1')), ['neighbor 127.0.0.2 ipv4 unicast 100.64.0.1/32 next-hop 10.10.0.5', 'neighbor 127.0.0.3 ipv4 unicast 100.64.0.1/32 next-hop 10.10.0.5']);
  assert.ok(out.lines.includes('neighbor 127.0.0.2 ipv4 unicast 100.64.9.0/24 next-hop 10.10.0.4'));
  const ext = await runApiLine(speaker, 'show adj-rib out extensive 127.0.0.3', SRC);
  assert.ok(
    ext.lines.includes('neighbor 127.0.0.3 local-ip auto local-as 65001 peer-as 65515 router-id 10.10.0.7 family-allowed in-open ipv4 unicast 100.64.0.1/32 next-hop 10.10.0.5 origin igp as-path [ 65001 ] med 5 community 65000:1'),
    ext.lines.join('\n'),
  );
  assert.not.ok(ext.lines.some((l) => l.includes('127.0.0.2 ')));
});

Show('version, comments, blank lines; a JSON line gets its JSON reply', async () => {
  const { speaker } = await setup();
  const v = await runApiLine(speaker, 'version', { kind: 'pipe', version: '9.9.9' });
  assert.equal(v.lines, ['tsbgp 9.9.9 (ExaBGP 4.2 text API)', 'done']);
  assert.equal((await runApiLine(speaker, '# hello', SRC)).lines, ['done']);
  assert.equal(await runApiLine(speaker, '  ', SRC), { format: 'text', status: 'none', lines: [] });
  const j = await runApiLine(speaker, ' {"v":1,"id":3,"command":"announce","args":{"prefix":"100.64.0.1/32","nextHop":"10.10.0.5"}}', { kind: 'process' });
  assert.is(j.format, 'json');
  assert.is(j.status, 'done');
  const reply = JSON.parse(j.lines[0]!) as { id: number; ok: boolean; result: { changed: boolean; peers: { sent: boolean }[] } };
  assert.equal([reply.id, reply.ok, reply.result.changed, reply.result.peers.map((p) => p.sent)], [3, true, true, [true, true]]);
  const bad = await runApiLine(speaker, '{"v":1,"id":4,"command":"monitor"}', { kind: 'process' });
  assert.equal([bad.format, bad.status], ['json', 'error']);
  assert.match(bad.reason ?? '', /monitor/);
});

Show.after.each(cleanup);
Wire.after.each(cleanup);
Refused.after.each(cleanup);
Show.run();
