// Adj-RIB-In interning and RFC 7606 outcomes.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { UpdateMessage } from '../../src/bgp/messages/index.js';
import { AdjRibIn } from '../../src/bgp/rib/adj-rib-in.js';


const update = (nlri: string[], nextHop: string, extra: Partial<UpdateMessage> = {}): UpdateMessage => ({
  type: 'UPDATE',
  withdrawn: [],
  attributes: [
    { type: 'ORIGIN', origin: 0 },
    { type: 'AS_PATH', segments: [{ segmentType: 2, asns: [65515] }] },
    { type: 'NEXT_HOP', nextHop },
  ],
  nlri: nlri.map((prefix) => ({ prefix })),
  ...extra,
});

const RibIn = suite('AdjRibIn');

RibIn('prefixes with the same attributes share one interned set, released when gone', () => {
  const rib = new AdjRibIn();
  const changes = rib.apply(update(['10.1.0.0/16', '10.2.0.0/16', '10.3.0.0/16'], '10.10.1.4'));
  assert.is(changes.length, 3);
  assert.is(rib.size, 3);
  assert.is(rib.attributeSets, 1);
  rib.apply(update(['10.3.0.0/16'], '10.10.1.5'));
  assert.is(rib.attributeSets, 2);
  rib.apply({ type: 'UPDATE', withdrawn: [{ prefix: '10.3.0.0/16' }], attributes: [], nlri: [] });
  assert.is(rib.attributeSets, 1);
  assert.equal([...rib.all()].map((r) => r.prefix), ['10.1.0.0/16', '10.2.0.0/16']);
});

RibIn('the same route again changes nothing', () => {
  const rib = new AdjRibIn();
  rib.apply(update(['10.1.0.0/16'], '10.10.1.4'));
  assert.equal(rib.apply(update(['10.1.0.0/16'], '10.10.1.4')), []);
});

RibIn('treat-as-withdraw removes every prefix the UPDATE names (RFC 7606 §2)', () => {
  const rib = new AdjRibIn();
  rib.apply(update(['10.1.0.0/16', '10.2.0.0/16'], '10.10.1.4'));
  const bad = update(['10.1.0.0/16'], '10.10.1.4', { problems: [{ action: 'treat-as-withdraw', attrType: 1, subcode: 6, reason: 'ORIGIN value 3' }] });
  assert.equal(rib.apply(bad), [{ action: 'withdraw', prefix: '10.1.0.0/16' }]);
  assert.equal([...rib.all()].map((r) => r.prefix), ['10.2.0.0/16']);
});

RibIn('IPv6 from MP_REACH/MP_UNREACH, ADD-PATH ids kept apart', () => {
  const rib = new AdjRibIn();
  rib.apply({
    type: 'UPDATE',
    withdrawn: [],
    attributes: [
      { type: 'MP_REACH_NLRI', afi: 2, safi: 1, nextHops: ['2001:db8::1'], nlri: [{ prefix: '2001:db8:1::/48', pathId: 1 }, { prefix: '2001:db8:1::/48', pathId: 2 }] },
      { type: 'ORIGIN', origin: 0 },
      { type: 'AS_PATH', segments: [] },
    ],
    nlri: [],
  });
  assert.is(rib.size, 2);
  assert.equal([...rib.all()].map((r) => r.attrs.nextHop), ['2001:db8::1', '2001:db8::1']);
  rib.apply({ type: 'UPDATE', withdrawn: [], attributes: [{ type: 'MP_UNREACH_NLRI', afi: 2, safi: 1, withdrawn: [{ prefix: '2001:db8:1::/48', pathId: 1 }] }], nlri: [] });
  assert.equal([...rib.all()].map((r) => r.pathId), [2]);
});

RibIn.run();
