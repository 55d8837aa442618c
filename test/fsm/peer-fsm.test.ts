// RFC 4271 §6.8 collision decisions (peer-fsm.ts), every case, without a socket.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { step } from '../../src/bgp/fsm/fsm.js';
import { type ConnectionView, type OpenInput, candidateEstablished, createCandidate, incomingConnection, openCollision, promote } from '../../src/bgp/fsm/peer-fsm.js';
import type { State } from '../../src/bgp/fsm/types.js';
import { SAMPLE, config, idleAfterFailures, render } from '../helpers/fsm-harness.js';
import { mulberry32 } from '../helpers/prng.js';

const STATES: readonly State[] = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];
const view = (state: State, outgoing = true): ConnectionView => ({ state, outgoing });

const Incoming = suite('incomingConnection');

Incoming('administratively down: refused with Cease 6/2 in every state, GR or not', () => {
  for (const state of STATES) {
    for (const gracefulRestart of [false, true]) {
      assert.equal(incomingConnection({ main: view(state), candidate: false, adminDown: true, gracefulRestart }), { type: 'refuse', subcode: 2, why: 'admin-down' }, state);
    }
  }
});

Incoming('Idle, Connect, Active: the peer\'s connection takes over (no restart)', () => {
  for (const state of ['Idle', 'Connect', 'Active'] as const) {
    assert.equal(incomingConnection({ main: view(state), candidate: false, adminDown: false, gracefulRestart: false }), { type: 'take-over', restart: false }, state);
  }
});

Incoming('Established without graceful restart: refused with Cease 6/7', () => {
  assert.equal(incomingConnection({ main: view('Established'), candidate: false, adminDown: false, gracefulRestart: false }), { type: 'refuse', subcode: 7, why: 'established' });
});

Incoming('Established with graceful restart: the peer restarted, its new connection takes over (RFC 4724 §4.2)', () => {
  assert.equal(incomingConnection({ main: view('Established'), candidate: false, adminDown: false, gracefulRestart: true }), { type: 'take-over', restart: true });
});

Incoming('OpenSent, OpenConfirm: runs as the candidate; with a candidate already running, refused with 6/7', () => {
  for (const state of ['OpenSent', 'OpenConfirm'] as const) {
    for (const gracefulRestart of [false, true]) {
      assert.equal(incomingConnection({ main: view(state), candidate: false, adminDown: false, gracefulRestart }), { type: 'candidate' }, state);
      assert.equal(incomingConnection({ main: view(state), candidate: true, adminDown: false, gracefulRestart }), { type: 'refuse', subcode: 7, why: 'collision-pending' }, state);
    }
  }
});

Incoming.run();

const Open = suite('openCollision');

const LOW = '10.0.0.1';
const HIGH = '10.0.0.9';

function open(o: Partial<OpenInput> & Pick<OpenInput, 'on' | 'main'>): OpenInput {
  return { candidate: view('OpenSent', false), local: { bgpId: LOW, asn: 65001 }, peer: { bgpId: HIGH, asn: 65002 }, ...o };
}

Open('no candidate: no collision, whatever the states', () => {
  for (const state of STATES) assert.equal(openCollision(open({ on: 'main', main: view(state), candidate: undefined })), { type: 'none' });
});

Open('the other connection not yet in OpenConfirm: no collision (RFC 4271 §6.8 examines OpenConfirm)', () => {
  for (const state of ['Idle', 'Connect', 'Active', 'OpenSent'] as const) {
    assert.equal(openCollision(open({ on: 'candidate', main: view(state), candidate: view('OpenSent', false) })), { type: 'none' }, `main ${state}`);
    assert.equal(openCollision(open({ on: 'main', main: view('OpenSent'), candidate: view(state, false) })), { type: 'none' }, `candidate ${state}`);
  }
});

Open('by identifier: ours lower, the connection the peer initiated survives', () => {
  // OPEN on the candidate (the peer's), main (ours) in OpenConfirm: ours goes.
  assert.equal(openCollision(open({ on: 'candidate', main: view('OpenConfirm', true), candidate: view('OpenSent', false) })), { type: 'dump', loser: 'main', rule: 'identifier', keepOutgoing: false });
  // OPEN on main (ours), the candidate in OpenConfirm: ours goes, the OPEN is not processed.
  assert.equal(openCollision(open({ on: 'main', main: view('OpenSent', true), candidate: view('OpenConfirm', false) })), { type: 'dump', loser: 'main', rule: 'identifier', keepOutgoing: false });
});

Open('by identifier: ours higher, the connection we initiated survives', () => {
  const local = { bgpId: HIGH, asn: 65001 };
  const peer = { bgpId: LOW, asn: 65002 };
  assert.equal(openCollision(open({ on: 'candidate', main: view('OpenConfirm', true), candidate: view('OpenSent', false), local, peer })), { type: 'dump', loser: 'candidate', rule: 'identifier', keepOutgoing: true });
  assert.equal(openCollision(open({ on: 'main', main: view('OpenSent', true), candidate: view('OpenConfirm', false), local, peer })), { type: 'dump', loser: 'candidate', rule: 'identifier', keepOutgoing: true });
});

Open('equal identifiers: the larger AS keeps the connection it initiated (RFC 6286 §2.3)', () => {
  const id = { bgpId: LOW };
  const d1 = openCollision(open({ on: 'candidate', main: view('OpenConfirm', true), local: { ...id, asn: 65009 }, peer: { ...id, asn: 65002 } }));
  assert.equal(d1, { type: 'dump', loser: 'candidate', rule: 'identifier', keepOutgoing: true });
  const d2 = openCollision(open({ on: 'candidate', main: view('OpenConfirm', true), local: { ...id, asn: 65001 }, peer: { ...id, asn: 65002 } }));
  assert.equal(d2, { type: 'dump', loser: 'main', rule: 'identifier', keepOutgoing: false });
});

Open('an Established connection is never dumped: the newcomer goes, whatever the identifiers', () => {
  for (const [local, peer] of [[LOW, HIGH], [HIGH, LOW]] as const) {
    const ids = { local: { bgpId: local, asn: 65001 }, peer: { bgpId: peer, asn: 65002 } };
    assert.equal(openCollision(open({ on: 'candidate', main: view('Established', true), ...ids })), { type: 'dump', loser: 'candidate', rule: 'established' });
    assert.equal(openCollision(open({ on: 'main', main: view('OpenSent', true), candidate: view('Established', false), ...ids })), { type: 'dump', loser: 'main', rule: 'established' });
    // An OPEN on an Established connection (an FSM error there) still never costs it the collision.
    assert.equal(openCollision(open({ on: 'main', main: view('Established', true), candidate: view('OpenConfirm', false), ...ids })), { type: 'dump', loser: 'candidate', rule: 'established' });
  }
});

Open('both speakers agree on the connection that survives (random identifiers and ASes)', () => {
  const r = mulberry32(68);
  const ip = (): string => [0, 1, 2, 3].map(() => r.int(3)).join('.');
  for (let i = 0; i < 300; i++) {
    const a = { bgpId: ip(), asn: r.int(3) + 1 };
    const b = { bgpId: ip(), asn: r.int(3) + 1 };
    if (a.bgpId === b.bgpId && a.asn === b.asn) continue;
    // Connection X was initiated by A, Y by B. A runs X as main (outgoing) and Y as candidate; B the reverse.
    // The OPEN arrives on the candidate while main is in OpenConfirm, on each side.
    const atA = openCollision({ on: 'candidate', main: view('OpenConfirm', true), candidate: view('OpenSent', false), local: a, peer: b });
    const atB = openCollision({ on: 'candidate', main: view('OpenConfirm', true), candidate: view('OpenSent', false), local: b, peer: a });
    assert.ok(atA.type === 'dump' && atB.type === 'dump');
    // A dumping its main (X) means B must dump its candidate (X) and the other way round.
    const xLostAtA = atA.loser === 'main';
    const xLostAtB = atB.loser === 'candidate';
    assert.is(xLostAtA, xLostAtB, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
});

Open.run();

const Up = suite('candidateEstablished');

Up('the candidate reached Established first: main goes, from any state but Established', () => {
  for (const state of ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm'] as const) {
    assert.equal(candidateEstablished(view(state)), { type: 'dump', loser: 'main', rule: 'established' }, state);
  }
  assert.equal(candidateEstablished(view('Established')), { type: 'dump', loser: 'candidate', rule: 'established' });
});

Up.run();

const Sessions = suite('createCandidate and promote');

Sessions('a candidate starts in Active, administratively down: it answers the connection, and a failure never restarts it', () => {
  const c = createCandidate(config());
  assert.is(c.state, 'Active');
  assert.is(c.adminDown, true);
  assert.equal(step(c, SAMPLE.TcpConnectionConfirmed).map(render), ['StopTimer ConnectRetryTimer', 'Send OPEN myAs=65001 hold=90 id=192.0.2.1', 'StartTimer HoldTimer 240', 'StateChange Active -> OpenSent']);
  const out = step(c, SAMPLE.HoldTimer_Expires).map(render);
  assert.is(c.state, 'Idle');
  assert.not.ok(out.some((l) => l.startsWith('StartTimer IdleHoldTimer')), out.join(', '));
});

Sessions('promote: the candidate takes main\'s stop flag and back-off memory', () => {
  const main = idleAfterFailures(3);
  main.adminDown = false;
  const c = createCandidate(config());
  promote(c, main);
  assert.equal({ adminDown: c.adminDown, failures: c.failures, idleHoldTime: c.idleHoldTime }, { adminDown: false, failures: 3, idleHoldTime: main.idleHoldTime });
  // ...so a failure of the promoted session restarts it, with the back-off where main left it.
  step(c, SAMPLE.TcpConnectionConfirmed);
  const out = step(c, SAMPLE.HoldTimer_Expires).map(render);
  assert.ok(out.includes('StartTimer IdleHoldTimer 40'), out.join(', '));
});

Sessions.run();
