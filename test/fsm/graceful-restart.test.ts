// Graceful restart in the negotiated context, from OPENs captured from real daemons and synthetic ones.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { step } from '../../src/bgp/fsm/fsm.js';
import { grInfo, negotiateGracefulRestart, notificationNegotiated } from '../../src/bgp/fsm/graceful-restart.js';
import { type Capability, DEFAULT_NEGOTIATED, type OpenMessage, decodeMessage, makeOpen } from '../../src/bgp/messages/index.js';
import { loadFixtures } from '../helpers/fixtures.js';
import { MP_IPV4, ROUTE_REFRESH, peerOpen, sessionIn } from '../helpers/fsm-harness.js';

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
