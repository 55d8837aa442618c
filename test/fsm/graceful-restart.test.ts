// Graceful restart in the negotiated context, from OPENs captured from real daemons and synthetic ones.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSession, step } from '../../src/bgp/fsm/fsm.js';
import { grInfo, negotiateGracefulRestart, notificationNegotiated, stopMessage } from '../../src/bgp/fsm/graceful-restart.js';
import { type Capability, DEFAULT_NEGOTIATED, type OpenMessage, decodeMessage, makeOpen } from '../../src/bgp/messages/index.js';
import { loadFixtures } from '../helpers/fixtures.js';
import { MP_IPV4, ROUTE_REFRESH, WALL, config as fsmConfig, expectStep, peerOpen, sessionIn, toIdle } from '../helpers/fsm-harness.js';

const fixtures = loadFixtures();

/** The OPEN completed in `frame` of a capture, decoded from its bytes. */
function capturedOpen(capture: string, frame: number): OpenMessage {
  const f = fixtures.find((x) => x.name === capture);
  const m = f?.messages.find((x) => x.frame === frame && x.bytes[18] === 1);
  if (!m) throw new Error(`no OPEN in ${capture} frame ${frame}`);
  const open = decodeMessage(m.bytes, DEFAULT_NEGOTIATED);
  if (open.type !== 'OPEN') throw new Error('not an OPEN');
  return open;
}

const FRR = capturedOpen('exabgp-frr-ibgp.pcap', 4); // 10.0.2.1, FRR 8.4
const EXABGP = capturedOpen('exabgp-frr-ibgp.pcap', 6); // 10.0.2.2, ExaBGP 4.2
const BIRD = capturedOpen('frr-bird.pcap', 5); // 10.0.1.2, BIRD 2.0
const OPENBGPD = capturedOpen('openbgpd-bird.pcap', 7); // 10.0.6.1, OpenBGPD 7.7
const GOBGP = capturedOpen('frr-gobgp-addpath.pcapng', 6); // 10.0.4.2, GoBGP 3.10: no GR capability

const Captured = suite('grInfo: captured OPENs');

Captured('FRR: restart time 120, R and N set (RFC 8538), no families (helper only)', () => {
  assert.equal(grInfo(FRR), { restartTime: 120, restarted: true, notification: true, families: [] });
});

Captured('ExaBGP: restart time 90, R set, N clear, IPv4 and IPv6 unicast with forwarding preserved', () => {
  assert.equal(grInfo(EXABGP), {
    restartTime: 90,
    restarted: true,
    notification: false,
    families: [
      { afi: 1, safi: 1, forwardingPreserved: true },
      { afi: 2, safi: 1, forwardingPreserved: true },
    ],
  });
});

Captured('BIRD: no flags, two families without forwarding state', () => {
  assert.equal(grInfo(BIRD), {
    restartTime: 120,
    restarted: false,
    notification: false,
    families: [
      { afi: 1, safi: 1, forwardingPreserved: false },
      { afi: 2, safi: 1, forwardingPreserved: false },
    ],
  });
});

Captured('OpenBGPD: R set with restart time 0', () => {
  assert.equal(grInfo(OPENBGPD), { restartTime: 0, restarted: true, notification: false, families: [] });
});

Captured('GoBGP without the capability: undefined', () => {
  assert.is(grInfo(GOBGP), undefined);
});

Captured.run();

const Negotiate = suite('negotiateGracefulRestart');

Negotiate('FRR and ExaBGP: both sides as they advertised; N only on one side is no RFC 8538', () => {
  const gr = negotiateGracefulRestart(FRR, EXABGP);
  assert.equal(gr, { local: grInfo(FRR), peer: grInfo(EXABGP) });
  assert.is(notificationNegotiated(gr), false);
});

Negotiate('undefined when either side lacks the capability', () => {
  assert.is(negotiateGracefulRestart(FRR, GOBGP), undefined);
  assert.is(negotiateGracefulRestart(GOBGP, FRR), undefined);
});

Negotiate('N on both sides: RFC 8538 in effect', () => {
  const n = makeOpen({ asn: 65001, holdTime: 90, bgpId: '192.0.2.1', capabilities: [{ type: 'GRACEFUL_RESTART', flags: 0x4, restartTime: 30, families: [] }] });
  assert.is(notificationNegotiated(negotiateGracefulRestart(n, FRR)), true);
  assert.is(notificationNegotiated(undefined), false);
});

Negotiate('synthetic: each bit read on its own; of two instances only the last counts (RFC 4724 §3)', () => {
  const open = makeOpen({
    asn: 65001,
    holdTime: 90,
    bgpId: '192.0.2.1',
    capabilities: [
      { type: 'GRACEFUL_RESTART', flags: 0xc, restartTime: 1, families: [{ afi: 1, safi: 1, flags: 0x80 }] },
      { type: 'GRACEFUL_RESTART', flags: 0x4, restartTime: 4095, families: [{ afi: 2, safi: 1, flags: 0x80 }, { afi: 1, safi: 1, flags: 0x7f }] },
    ],
  });
  assert.equal(grInfo(open), {
    restartTime: 4095,
    restarted: false,
    notification: true,
    families: [
      { afi: 2, safi: 1, forwardingPreserved: true },
      { afi: 1, safi: 1, forwardingPreserved: false },
    ],
  });
});

Negotiate.run();

const InFsm = suite('SessionNegotiated.gracefulRestart after the OPEN exchange');

const OUR_GR: Capability = { type: 'GRACEFUL_RESTART', flags: 0, restartTime: 120, families: [] };

InFsm('our GR capability and a captured ExaBGP OPEN: set from both OPENs', () => {
  // iBGP in AS 4200000001, as in the capture.
  const s = sessionIn('OpenSent', { localAs: 4200000001, peerAs: 4200000001, capabilities: [MP_IPV4, ROUTE_REFRESH, OUR_GR] });
  step(s, { type: 'BGPOpen', open: EXABGP });
  assert.is(s.state, 'OpenConfirm');
  assert.equal(s.negotiated?.gracefulRestart, {
    local: { restartTime: 120, restarted: false, notification: false, families: [] },
    peer: grInfo(EXABGP),
  });
});

InFsm('we do not advertise GR: absent, whatever the peer says', () => {
  const s = sessionIn('OpenSent', { localAs: 4200000001, peerAs: 4200000001 });
  step(s, { type: 'BGPOpen', open: EXABGP });
  assert.is(s.state, 'OpenConfirm');
  assert.is(s.negotiated?.gracefulRestart, undefined);
});

InFsm('the peer does not advertise GR: absent', () => {
  const s = sessionIn('Established', { capabilities: [MP_IPV4, OUR_GR] }, peerOpen());
  assert.is(s.negotiated?.gracefulRestart, undefined);
  assert.ok(s.negotiated?.localOpen.capabilities.some((c) => c.type === 'GRACEFUL_RESTART'));
});

InFsm.run();

// ---- Stopping: what the peer is sent, by StopMode and what was negotiated (RFC 4724 §4.2, RFC 8538) ----

/** Our GR capability with N, IPv4 unicast with F; and a peer's, helper only. */
const OURS_N: Capability = { type: 'GRACEFUL_RESTART', flags: 0x4, restartTime: 120, families: [{ afi: 1, safi: 1, flags: 0x80 }] };
const PEER_N: Capability = { type: 'GRACEFUL_RESTART', flags: 0x4, restartTime: 120, families: [] };
const PEER_NO_N: Capability = { type: 'GRACEFUL_RESTART', flags: 0, restartTime: 120, families: [] };

const established = (ours: Capability[], theirs: Capability[]) => sessionIn('Established', { capabilities: [MP_IPV4, ROUTE_REFRESH, ...ours] }, peerOpen({ capabilities: [MP_IPV4, ROUTE_REFRESH, ...theirs] }));

const Stop = suite('ManualStop modes');

Stop('graceful with N on both sides: Cease / Administrative Shutdown (RFC 8538 keeps the routes), down as graceful', () => {
  const s = established([OURS_N], [PEER_N]);
  expectStep(s, { type: 'ManualStop', communication: 'bye', mode: 'graceful' }, toIdle('Established', { notify: '6/2 data=03627965', down: 'admin-stop "bye" graceful' }));
});

Stop('graceful with GR but no N at the peer: no NOTIFICATION at all, just the close (RFC 4724 §4.2)', () => {
  const s = established([OURS_N], [PEER_NO_N]);
  expectStep(s, { type: 'ManualStop', communication: 'bye', mode: 'graceful' }, toIdle('Established', { down: 'admin-stop "bye" graceful' }));
  assert.is(s.lastError, undefined);
});

Stop('graceful without GR: Cease / Administrative Shutdown, not graceful (the peer flushes anyway)', () => {
  const s = established([OURS_N], []);
  expectStep(s, { type: 'ManualStop', mode: 'graceful' }, toIdle('Established', { notify: '6/2 data=00', down: 'admin-stop' }));
});

Stop('hard with N on both sides: Cease / Hard Reset carrying the Cease it stands for (RFC 8538 §3)', () => {
  const s = established([OURS_N], [PEER_N]);
  // data: 06 02 (Cease / Administrative Shutdown), then its RFC 9003 communication: length 3, "bye".
  expectStep(s, { type: 'ManualStop', communication: 'bye', mode: 'hard' }, toIdle('Established', { notify: '6/9 data=060203627965', down: 'admin-stop "bye"' }));
  assert.equal(s.lastError, { direction: 'sent', code: 6, subcode: 9, text: 'hard reset (administrative shutdown)', at: WALL });
});

Stop('hard (and the default) without N on both sides: Cease / Administrative Shutdown', () => {
  const s = established([OURS_N], [PEER_NO_N]);
  expectStep(s, { type: 'ManualStop', mode: 'hard' }, toIdle('Established', { notify: '6/2 data=00', down: 'admin-stop' }));
  const t = established([OURS_N], [PEER_N]);
  expectStep(t, { type: 'ManualStop' }, toIdle('Established', { notify: '6/9 data=060200', down: 'admin-stop' }));
});

Stop('graceful before Established (OpenConfirm): never a Hard Reset, nor a NOTIFICATION a peer without N would flush for', () => {
  // The peer may still hold our routes from the session before this one.
  const n = sessionIn('OpenConfirm', { capabilities: [MP_IPV4, OURS_N] }, peerOpen({ capabilities: [MP_IPV4, PEER_N] }));
  expectStep(n, { type: 'ManualStop', mode: 'graceful' }, toIdle('OpenConfirm', { notify: '6/2 data=00' }));
  const noN = sessionIn('OpenConfirm', { capabilities: [MP_IPV4, OURS_N] }, peerOpen({ capabilities: [MP_IPV4, PEER_NO_N] }));
  expectStep(noN, { type: 'ManualStop', mode: 'graceful' }, toIdle('OpenConfirm'));
  const openSent = sessionIn('OpenSent', { capabilities: [MP_IPV4, OURS_N] });
  expectStep(openSent, { type: 'ManualStop', mode: 'graceful' }, toIdle('OpenSent', { notify: '6/2 data=00' }));
});

Stop('stopMessage: the table the FSM and `bgpctl shutdown` share', () => {
  const gr = (ln: boolean, pn: boolean) => negotiateGracefulRestart(open([{ ...OURS_N, flags: ln ? 4 : 0 }]), open([{ ...PEER_N, flags: pn ? 4 : 0 }]));
  assert.equal(stopMessage('graceful', true, gr(true, true)), { send: 'cease', peerKeepsRoutes: true });
  assert.equal(stopMessage('graceful', true, gr(true, false)), { send: 'nothing', peerKeepsRoutes: true });
  assert.equal(stopMessage('graceful', true, gr(false, true)), { send: 'nothing', peerKeepsRoutes: true });
  assert.equal(stopMessage('graceful', true, undefined), { send: 'cease', peerKeepsRoutes: false });
  assert.equal(stopMessage('graceful', false, gr(true, true)), { send: 'cease', peerKeepsRoutes: false });
  assert.equal(stopMessage('graceful', false, gr(true, false)), { send: 'nothing', peerKeepsRoutes: false });
  assert.equal(stopMessage('hard', true, gr(true, true)), { send: 'hard-reset', peerKeepsRoutes: false });
  assert.equal(stopMessage('hard', true, gr(true, false)), { send: 'cease', peerKeepsRoutes: false });
  assert.equal(stopMessage('hard', true, undefined), { send: 'cease', peerKeepsRoutes: false });
});

Stop.run();

const open = (caps: Capability[]): OpenMessage => makeOpen({ asn: 65001, holdTime: 90, bgpId: '192.0.2.9', capabilities: caps });

const RBit = suite('the R bit (RFC 4724 §4.1)');

/** The GR capability of the OPEN a step sent. */
function sentGr(actions: ReturnType<typeof step>): Extract<Capability, { type: 'GRACEFUL_RESTART' }> | undefined {
  for (const a of actions) {
    if (a.type !== 'Send' || a.message.type !== 'OPEN') continue;
    return a.message.capabilities.find((c): c is Extract<Capability, { type: 'GRACEFUL_RESTART' }> => c.type === 'GRACEFUL_RESTART');
  }
  throw new Error('no OPEN sent');
}

RBit('restarting: R in every OPEN until Established, then never again; the configured flags kept beside it', () => {
  const s = createSession(fsmConfig({ capabilities: [MP_IPV4, OURS_N], restarting: true }));
  step(s, { type: 'ManualStart' });
  assert.is(sentGr(step(s, { type: 'Tcp_CR_Acked' }))?.flags, 0xc);
  // The first attempt fails before Established: the next OPEN still says R.
  step(s, { type: 'TcpConnectionFails' });
  step(s, { type: 'ConnectRetryTimer_Expires' });
  assert.is(sentGr(step(s, { type: 'Tcp_CR_Acked' }))?.flags, 0xc);
  step(s, { type: 'BGPOpen', open: peerOpen({ capabilities: [MP_IPV4, PEER_N] }) });
  assert.is(s.negotiated?.gracefulRestart?.local.restarted, true, 'negotiated from the OPEN really sent');
  step(s, { type: 'KeepAliveMsg' });
  assert.is(s.state, 'Established');
  step(s, { type: 'TcpConnectionFails' });
  step(s, { type: 'IdleHoldTimer_Expires' });
  assert.is(sentGr(step(s, { type: 'Tcp_CR_Acked' }))?.flags, 0x4);
});

RBit('not restarting: never R', () => {
  const s = createSession(fsmConfig({ capabilities: [MP_IPV4, OURS_N] }));
  step(s, { type: 'ManualStart' });
  assert.is(sentGr(step(s, { type: 'Tcp_CR_Acked' }))?.flags, 0x4);
});

RBit.run();
