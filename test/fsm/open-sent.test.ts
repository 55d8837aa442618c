// step() in OpenSent (RFC 4271 §8.2.2, RFC 6286, RFC 6608): the peer's OPEN checked and negotiated, errors.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { step } from '../../src/bgp/fsm/fsm.js';
import type { EventType } from '../../src/bgp/fsm/types.js';
import { IPV4_UNICAST } from '../../src/bgp/iana.js';
import { type OpenMessage, makeOpen } from '../../src/bgp/messages/index.js';
import { J, LOCAL_ID, MP_IPV4, MP_IPV6, PEER_ID, ROUTE_REFRESH, SAMPLE, ev, expectStep, fields, peerOpen, sessionIn, toIdle, WALL } from '../helpers/fsm-harness.js';
import { hex } from '../helpers/hex.js';

const Open = suite('OpenSent: BGPOpen accepted');

Open('KEEPALIVE sent, KeepaliveTimer (jittered) and HoldTimer with the negotiated values, OpenConfirm', () => {
  const s = sessionIn('OpenSent');
  const open = peerOpen();
  expectStep(s, { type: 'BGPOpen', open }, [
    'StopTimer ConnectRetryTimer',
    'Send KEEPALIVE',
    `StartTimer KeepaliveTimer ${J(30)}`,
    'StartTimer HoldTimer 90',
    'StateChange OpenSent -> OpenConfirm',
  ]);
  assert.is(s.state, 'OpenConfirm');
  const n = s.negotiated;
  assert.ok(n);
  assert.is(n.peerAs, 65002);
  assert.is(n.peerId, PEER_ID);
  assert.is(n.peerOpen, open);
  assert.equal(n.localOpen, s.localOpen);
  // min(90 ours, 180 theirs); keepalive min(30 configured, 90 / 3).
  assert.is(n.holdTime, 90);
  assert.is(n.keepaliveTime, 30);
  assert.is(s.failures, 0);
  assert.is(s.connectRetryCounter, 0);
});

Open('negotiated send/receive contexts: 4-octet AS, the families both sent, directional ADD-PATH, external', () => {
  const local = [MP_IPV4, MP_IPV6, ROUTE_REFRESH, { type: 'ADD_PATH' as const, families: [{ afi: 1, safi: 1, sendReceive: 3 }] }];
  const s = sessionIn('OpenSent', { capabilities: local });
  const open = peerOpen({ capabilities: [MP_IPV4, ROUTE_REFRESH, { type: 'ADD_PATH', families: [{ afi: 1, safi: 1, sendReceive: 1 }] }] });
  step(s, { type: 'BGPOpen', open });
  const n = s.negotiated!;
  assert.is(n.send.fourOctetAs, true);
  assert.is(n.receive.fourOctetAs, true);
  assert.equal([...n.send.families], [IPV4_UNICAST]);
  assert.equal([...n.receive.families], [IPV4_UNICAST]);
  assert.is(n.send.routeRefresh, true);
  // We may send path ids (3 & 2), the peer receives them (1); the peer does not send any.
  assert.equal([...n.send.addPath], [IPV4_UNICAST]);
  assert.equal([...n.receive.addPath], []);
  assert.is(n.send.external, true);
  assert.is(n.receive.external, true);
  assert.is(n.send.extendedMessage, false);
});

Open('a peer without the 4-octet AS capability: 2-octet AS_PATH both ways', () => {
  const s = sessionIn('OpenSent');
  const open: OpenMessage = { type: 'OPEN', version: 4, myAs: 65002, holdTime: 90, bgpId: PEER_ID, capabilities: [] };
  step(s, { type: 'BGPOpen', open });
  assert.is(s.state, 'OpenConfirm');
  const n = s.negotiated!;
  assert.is(n.send.fourOctetAs, false);
  assert.is(n.receive.fourOctetAs, false);
  // RFC 4760 §8: no multiprotocol capability means IPv4 unicast.
  assert.equal([...n.send.families], [IPV4_UNICAST]);
  assert.is(n.send.routeRefresh, false);
});

Open('hold time 0 from the peer: no KeepaliveTimer, the OPEN-wait HoldTimer stopped', () => {
  const s = sessionIn('OpenSent');
  expectStep(s, { type: 'BGPOpen', open: peerOpen({ holdTime: 0 }) }, [
    'StopTimer ConnectRetryTimer',
    'Send KEEPALIVE',
    'StopTimer HoldTimer',
    'StateChange OpenSent -> OpenConfirm',
  ]);
  assert.is(s.negotiated!.holdTime, 0);
  assert.is(s.negotiated!.keepaliveTime, 0);
});

Open('hold time 0 configured here: the same, whatever the peer offers', () => {
  const s = sessionIn('OpenSent', { holdTime: 0 });
  expectStep(s, { type: 'BGPOpen', open: peerOpen({ holdTime: 180 }) }, [
    'StopTimer ConnectRetryTimer',
    'Send KEEPALIVE',
    'StopTimer HoldTimer',
    'StateChange OpenSent -> OpenConfirm',
  ]);
});

Open('the peer offers less: its hold time wins and the keepalive shrinks to a third', () => {
  const s = sessionIn('OpenSent');
  expectStep(s, { type: 'BGPOpen', open: peerOpen({ holdTime: 9 }) }, [
    'StopTimer ConnectRetryTimer',
    'Send KEEPALIVE',
    `StartTimer KeepaliveTimer ${J(3)}`,
    'StartTimer HoldTimer 9',
    'StateChange OpenSent -> OpenConfirm',
  ]);
  assert.equal({ hold: s.negotiated!.holdTime, ka: s.negotiated!.keepaliveTime }, { hold: 9, ka: 3 });
});

Open('RFC 4271 §10: KeepaliveTimer between 75 % and 100 % of the interval', () => {
  for (const [r, check] of [
    [0, (x: number) => x === 22.5],
    [0.999, (x: number) => x > 29.9 && x < 30],
  ] as const) {
    const s = sessionIn('OpenSent', { random: () => r });
    const a = step(s, ev('BGPOpen')).find((x) => x.type === 'StartTimer' && x.timer === 'KeepaliveTimer');
    assert.ok(a?.type === 'StartTimer' && check(a.seconds), `random ${r}: ${a?.type === 'StartTimer' ? a.seconds : 'none'}`);
  }
});

Open('4-octet peer AS: AS_TRANS in My Autonomous System, the real AS from the capability (RFC 6793)', () => {
  const s = sessionIn('OpenSent', { localAs: 4200000001, peerAs: 4200000002 });
  const open = peerOpen({ asn: 4200000002 });
  assert.is(open.myAs, 23456);
  step(s, { type: 'BGPOpen', open });
  assert.is(s.state, 'OpenConfirm');
  assert.is(s.negotiated!.peerAs, 4200000002);
});

Open('eBGP peer using our BGP identifier is accepted (RFC 6286 §2.2 restricts only iBGP)', () => {
  const s = sessionIn('OpenSent');
  step(s, { type: 'BGPOpen', open: peerOpen({ bgpId: LOCAL_ID }) });
  assert.is(s.state, 'OpenConfirm');
  assert.is(s.negotiated!.peerId, LOCAL_ID);
});

Open('iBGP with distinct identifiers is accepted and internal', () => {
  const s = sessionIn('OpenSent', { peerAs: 65001 });
  step(s, { type: 'BGPOpen', open: peerOpen({ asn: 65001 }) });
  assert.is(s.state, 'OpenConfirm');
  assert.is(s.negotiated!.send.external, false);
  assert.is(s.negotiated!.receive.external, false);
});

Open.run();

const Refused = suite('OpenSent: BGPOpen refused (RFC 4271 §6.2)');

Refused('bad peer AS: NOTIFICATION 2/2, Idle, failure counted', () => {
  const s = sessionIn('OpenSent');
  expectStep(s, { type: 'BGPOpen', open: peerOpen({ asn: 65003 }) }, toIdle('OpenSent', { notify: '2/2 data=', idleHold: 5 }));
  assert.equal(fields(s), {
    state: 'Idle',
    connectRetryCounter: 1,
    failures: 1,
    idleHoldTime: 5,
    adminDown: false,
    negotiated: false,
    lastError: s.lastError,
  });
  assert.equal({ d: s.lastError?.direction, c: s.lastError?.code, sc: s.lastError?.subcode }, { d: 'sent', c: 2, sc: 2 });
  assert.match(s.lastError!.text, /Bad Peer AS/);
  assert.match(s.lastError!.text, /65003/);
});

Refused('bad peer AS: a 4-octet peer without the capability shows only AS_TRANS', () => {
  const s = sessionIn('OpenSent', { peerAs: 4200000002 });
  const open: OpenMessage = { type: 'OPEN', version: 4, myAs: 23456, holdTime: 90, bgpId: PEER_ID, capabilities: [] };
  expectStep(s, { type: 'BGPOpen', open }, toIdle('OpenSent', { notify: '2/2 data=', idleHold: 5 }));
});

Refused('bad peer AS: the capability, not My Autonomous System, is the speaker AS', () => {
  const s = sessionIn('OpenSent');
  const open = makeOpen({ asn: 65002, holdTime: 90, bgpId: PEER_ID, capabilities: [{ type: 'FOUR_OCTET_AS', asn: 65009 }] });
  expectStep(s, { type: 'BGPOpen', open }, toIdle('OpenSent', { notify: '2/2 data=', idleHold: 5 }));
});

Refused('iBGP peer with our BGP identifier: NOTIFICATION 2/3 (RFC 6286 §2.2)', () => {
  const s = sessionIn('OpenSent', { peerAs: 65001 });
  expectStep(s, { type: 'BGPOpen', open: peerOpen({ asn: 65001, bgpId: LOCAL_ID }) }, toIdle('OpenSent', { notify: '2/3 data=', idleHold: 5 }));
  assert.equal({ d: s.lastError?.direction, c: s.lastError?.code, sc: s.lastError?.subcode }, { d: 'sent', c: 2, sc: 3 });
  assert.is(s.failures, 1);
});

Refused.run();

const Errors = suite('OpenSent: message errors, hold timer, collision');

Errors('BGPOpenMsgErr: its NOTIFICATION (2/6), Idle, failure counted', () => {
  const s = sessionIn('OpenSent');
  const e = ev('BGPOpenMsgErr');
  expectStep(s, e, toIdle('OpenSent', { notify: '2/6 data=', idleHold: 5 }));
  assert.equal(s.lastError, { direction: 'sent', code: 2, subcode: 6, text: e.error.message, at: WALL });
  assert.is(s.connectRetryCounter, 1);
  assert.is(s.failures, 1);
});

Errors('BGPHeaderErr: its NOTIFICATION with its data (1/2, the bad length)', () => {
  const s = sessionIn('OpenSent');
  expectStep(s, ev('BGPHeaderErr'), toIdle('OpenSent', { notify: '1/2 data=0012', idleHold: 5 }));
  assert.equal({ d: s.lastError?.direction, c: s.lastError?.code, sc: s.lastError?.subcode }, { d: 'sent', c: 1, sc: 2 });
});

Errors('HoldTimer_Expires: NOTIFICATION 4/0, Idle, failure counted', () => {
  const s = sessionIn('OpenSent');
  expectStep(s, ev('HoldTimer_Expires'), toIdle('OpenSent', { notify: '4/0 data=', idleHold: 5 }));
  assert.equal(s.lastError, { direction: 'sent', code: 4, subcode: 0, text: 'Hold Timer Expired / Unspecific', at: WALL });
  assert.is(s.connectRetryCounter, 1);
  assert.is(s.failures, 1);
});

Errors('OpenCollisionDump: Cease 6/7, Idle, no back-off growth', () => {
  const s = sessionIn('OpenSent');
  expectStep(s, ev('OpenCollisionDump'), toIdle('OpenSent', { notify: '6/7 data=', idleHold: 5 }));
  assert.equal(s.lastError, { direction: 'sent', code: 6, subcode: 7, text: 'Cease / Connection Collision Resolution', at: WALL });
  assert.is(s.failures, 0);
});

Errors('TcpConnectionFails: Disconnect, HoldTimer stopped, ConnectRetryTimer restarted, Active', () => {
  const s = sessionIn('OpenSent');
  expectStep(s, ev('TcpConnectionFails'), ['Disconnect', 'StopTimer HoldTimer', `StartTimer ConnectRetryTimer ${J(120)}`, 'StateChange OpenSent -> Active']);
  assert.is(s.state, 'Active');
  assert.is(s.failures, 0);
  assert.is(s.adminDown, false);
});

Errors('TcpConnectionFails, passive: Active without a ConnectRetryTimer', () => {
  const s = sessionIn('OpenSent', { passive: true });
  expectStep(s, ev('TcpConnectionFails'), ['Disconnect', 'StopTimer HoldTimer', 'StateChange OpenSent -> Active']);
});

Errors.run();

const Notif = suite('OpenSent: NOTIFICATION received');

Notif('NotifMsg: Idle without answering (documented deviation from the FSM error of §8.2.2), failure counted', () => {
  const s = sessionIn('OpenSent');
  expectStep(s, ev('NotifMsg'), toIdle('OpenSent', { idleHold: 5 }));
  assert.equal(s.lastError, { direction: 'received', code: 6, subcode: 2, text: 'Cease / Administrative Shutdown', at: WALL });
  assert.is(s.connectRetryCounter, 1);
  assert.is(s.failures, 1);
});

Notif('NotifMsgVerErr: Idle, ConnectRetryCounter and failures not incremented', () => {
  const s = sessionIn('OpenSent');
  expectStep(s, ev('NotifMsgVerErr'), toIdle('OpenSent', { idleHold: 5 }));
  assert.equal(s.lastError, { direction: 'received', code: 2, subcode: 1, text: 'OPEN Message Error / Unsupported Version Number', at: WALL });
  assert.is(s.connectRetryCounter, 0);
  assert.is(s.failures, 0);
});

Notif.run();

const Stop = suite('OpenSent: ManualStop');

Stop('Cease 6/2 with an empty communication (length octet 0), Idle, no restart', () => {
  const s = sessionIn('OpenSent');
  expectStep(s, ev('ManualStop'), toIdle('OpenSent', { notify: '6/2 data=00' }));
  assert.equal(fields(s), {
    state: 'Idle',
    connectRetryCounter: 0,
    failures: 0,
    idleHoldTime: 5,
    adminDown: true,
    negotiated: false,
    lastError: { direction: 'sent', code: 6, subcode: 2, text: 'administrative shutdown', at: WALL },
  });
});

Stop('with a communication: RFC 9003 length octet + UTF-8', () => {
  const s = sessionIn('OpenSent');
  const text = 'maintenance';
  const actions = step(s, { type: 'ManualStop', communication: text });
  const sent = actions[0];
  assert.ok(sent?.type === 'Send' && sent.message.type === 'NOTIFICATION');
  assert.is(hex(sent.message.data), '0b' + Buffer.from(text).toString('hex'));
});

Stop.run();

const Fsm = suite('OpenSent: unexpected events are FSM errors 5/1 (RFC 6608)');

const UNEXPECTED: readonly EventType[] = ['KeepAliveMsg', 'UpdateMsg', 'UpdateMsgErr', 'RouteRefreshMsg', 'KeepaliveTimer_Expires', 'ConnectRetryTimer_Expires'];

for (const type of UNEXPECTED) {
  Fsm(`${type}: NOTIFICATION 5/1, Idle, failure counted`, () => {
    const s = sessionIn('OpenSent');
    expectStep(s, SAMPLE[type], toIdle('OpenSent', { notify: '5/1 data=', idleHold: 5 }));
    assert.equal({ d: s.lastError?.direction, c: s.lastError?.code, sc: s.lastError?.subcode }, { d: 'sent', c: 5, sc: 1 });
    assert.is(s.connectRetryCounter, 1);
    assert.is(s.failures, 1);
  });
}

Fsm.run();

const Ignored = suite('OpenSent: ignored events');

for (const type of ['ManualStart', 'AutomaticStart', 'IdleHoldTimer_Expires'] as const) {
  Ignored(`${type}`, () => {
    const s = sessionIn('OpenSent');
    const before = fields(s);
    expectStep(s, ev(type), []);
    assert.equal(fields(s), before);
  });
}

Ignored.run();
