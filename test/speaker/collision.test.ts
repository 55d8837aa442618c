// RFC 4271 §6.8 connection collision, forced deterministically with raw sockets from the peer's address.
import net from 'node:net';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type BgpMessage, DEFAULT_NEGOTIATED, Framer, KEEPALIVE, decodeMessage, encodeMessage, makeOpen } from '../../src/bgp/messages/index.js';
import { ManualClock } from '../../src/bgp/fsm/clock.js';
import { Speaker } from '../../src/daemon/speaker.js';
import { config, freePort, memoryLogger, neighbor, until, waitState } from '../helpers/speakers.js';

/** The loser of a collision must stay dead: no reconnect after its back-off would have run out. */
async function noOrphan(clock: ManualClock, accepted: Raw[]): Promise<void> {
  clock.advance(130_000);
  await new Promise((r) => setTimeout(r, 100));
  assert.is(accepted.length, 1, 'a dropped connection came back');
}

/** A raw BGP connection: what it received, and a way to send. */
class Raw {
  readonly got: BgpMessage[] = [];
  closed = false;
  private framer = new Framer();
  constructor(readonly socket: net.Socket) {
    socket.on('error', () => {});
    socket.on('close', () => (this.closed = true));
    socket.on('data', (c: Buffer) => {
      this.framer.push(new Uint8Array(c));
      for (let b = this.framer.next(); b; b = this.framer.next()) this.got.push(decodeMessage(b.slice(), { ...DEFAULT_NEGOTIATED, fourOctetAs: true }));
    });
  }
  send(m: BgpMessage): void {
    this.socket.write(encodeMessage(m, DEFAULT_NEGOTIATED));
  }
  types(): string[] {
    return this.got.map((m) => (m.type === 'NOTIFICATION' ? `N${m.code}/${m.subcode}` : m.type));
  }
}

/** A watcher (AS 65001) on 127.0.0.1 with a neighbor 127.0.0.2 whose side the test plays with raw sockets. */
async function watcher(watcherId: string) {
  const clock = new ManualClock();
  const wPort = await freePort('127.0.0.1');
  const accepted: Raw[] = [];
  const server = net.createServer((s) => accepted.push(new Raw(s)));
  await new Promise<void>((r) => server.listen({ host: '127.0.0.2', port: 0 }, () => r()));
  const pPort = (server.address() as net.AddressInfo).port;
  const w = new Speaker({
    config: config({ routerId: watcherId, localAs: 65001, listen: { address: '127.0.0.1', port: wPort }, neighbors: [neighbor('127.0.0.2', 65515, { port: pPort })] }),
    log: memoryLogger(),
    clock,
  });
  await w.start();
  await until('the outgoing connection', () => accepted.length === 1);
  const out = accepted[0]!;
  await until("the watcher's OPEN", () => out.got.length >= 1);
  const connectIn = (): Raw => new Raw(net.connect({ host: '127.0.0.1', port: wPort, localAddress: '127.0.0.2' }));
  return { w, out, server, accepted, clock, connectIn };
}

const openFrom = (peerId: string, gracefulRestart = false) =>
  makeOpen({
    asn: 65515,
    holdTime: 180,
    bgpId: peerId,
    capabilities: [{ type: 'MULTIPROTOCOL', afi: 1, safi: 1 }, ...(gracefulRestart ? [{ type: 'GRACEFUL_RESTART' as const, flags: 0, restartTime: 120, families: [] }] : [])],
  });

/** Our outgoing connection brought to Established with the peer's OPEN. */
async function establishOut(x: Awaited<ReturnType<typeof watcher>>, gracefulRestart: boolean): Promise<void> {
  x.out.send(openFrom('10.0.0.2', gracefulRestart));
  await until('KEEPALIVE on our connection', () => x.out.types().includes('KEEPALIVE'));
  x.out.send(KEEPALIVE);
  await waitState(x.w, '127.0.0.2', 'Established');
}

async function collide(watcherId: string, peerId: string) {
  const { w, out, server, accepted, clock, connectIn } = await watcher(watcherId);
  const open = openFrom(peerId);
  // 1. The watcher's own connection reaches OpenConfirm: we answer its OPEN, but hold back KEEPALIVE.
  out.send(open);
  await waitState(w, '127.0.0.2', 'OpenConfirm');
  // 2. The peer connects too, from its own address, and sends its OPEN: a collision.
  const inc = connectIn();
  await until("the watcher's OPEN on the incoming connection", () => inc.got.length >= 1);
  inc.send(open);
  return { w, out, inc, server, accepted, clock };
}

const Collision = suite('connection collision');

Collision('our identifier is lower: the connection the peer initiated survives, ours gets Cease 6/7', async () => {
  const { w, out, inc, server, accepted, clock } = await collide('10.0.0.1', '10.0.0.2');
  try {
    await until('6/7 on our connection', () => out.types().includes('N6/7'));
    await until('KEEPALIVE on the incoming connection', () => inc.types().includes('KEEPALIVE'));
    assert.not.ok(inc.types().some((t) => t.startsWith('N')));
    inc.send(KEEPALIVE);
    await waitState(w, '127.0.0.2', 'Established');
    assert.is(w.neighbors()[0]!.peerId, '10.0.0.2');
    inc.socket.on('data', () => {}); // keep reading KEEPALIVEs while the clock runs
    await noOrphan(clock, accepted);
  } finally {
    await w.stop();
    server.close();
  }
});

Collision('our identifier is higher: our connection survives, the incoming one gets Cease 6/7', async () => {
  const { w, out, inc, server, accepted, clock } = await collide('10.0.0.9', '10.0.0.2');
  try {
    await until('6/7 on the incoming connection', () => inc.types().includes('N6/7'));
    assert.not.ok(out.types().some((t) => t.startsWith('N')));
    out.send(KEEPALIVE);
    await waitState(w, '127.0.0.2', 'Established');
    await until('the incoming connection closed', () => inc.closed);
    await noOrphan(clock, accepted);
  } finally {
    await w.stop();
    server.close();
  }
});

Collision.run();

const Candidate = suite('connection collision: the candidate connection');

Candidate('the peer answers only on its own connection: the candidate reaches Established and becomes the session, ours gets 6/7', async () => {
  const { w, out, server, accepted, clock, connectIn } = await watcher('10.0.0.9');
  try {
    // Ours stays in OpenSent: the peer never sends its OPEN on it.
    const inc = connectIn();
    await until("the watcher's OPEN on the incoming connection", () => inc.got.length >= 1);
    inc.send(openFrom('10.0.0.2'));
    await until('KEEPALIVE on the incoming connection', () => inc.types().includes('KEEPALIVE'));
    inc.send(KEEPALIVE);
    await waitState(w, '127.0.0.2', 'Established');
    await until('6/7 on our connection', () => out.types().includes('N6/7'));
    assert.not.ok(inc.types().some((t) => t.startsWith('N')));
    assert.is(w.neighbors()[0]!.peerId, '10.0.0.2');
    inc.socket.on('data', () => {});
    await noOrphan(clock, accepted);
  } finally {
    await w.stop();
    server.close();
  }
});

Candidate('a candidate whose connection drops is forgotten: the next connection from the peer runs as the candidate', async () => {
  const { w, out, server, connectIn } = await watcher('10.0.0.9');
  try {
    out.send(openFrom('10.0.0.2'));
    await waitState(w, '127.0.0.2', 'OpenConfirm');
    const first = connectIn();
    await until("the watcher's OPEN on the first incoming connection", () => first.got.length >= 1);
    first.socket.destroy();
    await new Promise((r) => setTimeout(r, 50)); // the watcher sees the close
    const second = connectIn();
    await until('an answer on the second incoming connection', () => second.got.length >= 1 || second.closed);
    assert.equal(second.types().slice(0, 1), ['OPEN'], 'refused as if a collision were still pending');
    assert.is(w.stateOf('127.0.0.2'), 'OpenConfirm');
    second.socket.destroy();
  } finally {
    await w.stop();
    server.close();
  }
});

Candidate.run();

const Established = suite('a new connection while Established');

Established('without graceful restart: refused with 6/7, the session stands', async () => {
  const x = await watcher('10.0.0.9');
  try {
    await establishOut(x, false);
    const inc = x.connectIn();
    await until('the refusal', () => inc.types().includes('N6/7'));
    assert.is(x.w.stateOf('127.0.0.2'), 'Established');
    assert.not.ok(x.out.closed);
  } finally {
    await x.w.stop();
    x.server.close();
  }
});

Established('with graceful restart: the peer restarted; the old connection closes without a NOTIFICATION and the new one takes over (RFC 4724 §4.2)', async () => {
  const x = await watcher('10.0.0.9');
  try {
    await establishOut(x, true);
    const inc = x.connectIn();
    await until("the watcher's OPEN on the new connection", () => inc.types().includes('OPEN'));
    await until('the old connection closed', () => x.out.closed);
    assert.not.ok(x.out.types().some((t) => t.startsWith('N')), 'a NOTIFICATION on the old connection');
    inc.send(openFrom('10.0.0.2', true));
    await until('KEEPALIVE on the new connection', () => inc.types().includes('KEEPALIVE'));
    inc.send(KEEPALIVE);
    await waitState(x.w, '127.0.0.2', 'Established');
  } finally {
    await x.w.stop();
    x.server.close();
  }
});

Established.run();
