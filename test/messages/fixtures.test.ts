// Every message of every real capture: decode, re-encode to identical bytes, agree with tshark, re-frame.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { type BgpMessage, Framer, MESSAGE_TYPE_CODE, attributeCode, capabilityCode, encodeMessage } from '../../src/bgp/messages/index.js';
import type { CapturedMessage } from '../../src/pcap/bgp-streams.js';
import { type TsharkMessage, loadFixtures, loadTshark } from '../helpers/fixtures.js';
import { hex } from '../helpers/hex.js';

const fixtures = loadFixtures();

const Fixtures = suite('pcap fixtures');

Fixtures('there are at least five captures holding 100 or more BGP messages', () => {
  assert.ok(fixtures.length >= 5, `${fixtures.length} captures`);
  const total = fixtures.reduce((n, f) => n + f.messages.length, 0);
  assert.ok(total >= 100, `${total} messages`);
});

Fixtures('between them they hold every message type', () => {
  const types = new Set<string>(fixtures.flatMap((f) => f.messages.map((m) => (m.result.ok ? m.result.message.type : 'MALFORMED'))));
  for (const t of ['OPEN', 'UPDATE', 'NOTIFICATION', 'KEEPALIVE', 'ROUTE_REFRESH']) assert.ok(types.has(t), `no ${t} in the fixtures`);
});

for (const f of fixtures) {
  Fixtures(`${f.name}: every message decodes and re-encodes to identical bytes`, () => {
    assert.ok(f.messages.length > 0, 'no BGP messages found');
    for (const m of f.messages) {
      const where = `${f.name} frame ${m.frame}`;
      if (!m.result.ok) {
        assert.unreachable(`${where}: ${m.result.error.message}`);
        continue;
      }
      assert.is(hex(encodeMessage(m.result.message, m.negotiated)), hex(m.bytes), where);
    }
  });
}

Fixtures.run();

// ---- tshark's independent reading -------------------------------------------------------------

const NOTIFY_MINOR: Record<number, string> = {
  1: 'bgp.notify.minor_error',
  2: 'bgp.notify.minor_error_open',
  3: 'bgp.notify.minor_error_update',
  4: 'bgp.notify.minor_error_expired',
  5: 'bgp.notify.minor_error_state',
  6: 'bgp.notify.minor_error_cease',
};

/** The fields we compare, computed from our decoded message in tshark's vocabulary. */
function ourFields(m: BgpMessage, length: number, fourOctetAs: boolean): Map<string, string[]> {
  const f = new Map<string, string[]>();
  const put = (k: string, ...v: (string | number)[]): void => {
    f.set(k, [...(f.get(k) ?? []), ...v.map(String)]);
  };
  put('bgp.type', MESSAGE_TYPE_CODE[m.type]);
  put('bgp.length', length);
  const addr = (p: string): string => p.slice(0, p.indexOf('/'));
  const plen = (p: string): string => p.slice(p.indexOf('/') + 1);
  switch (m.type) {
    case 'OPEN':
      put('bgp.open.version', m.version);
      put('bgp.open.myas', m.myAs);
      put('bgp.open.holdtime', m.holdTime);
      put('bgp.open.identifier', m.bgpId);
      put('bgp.cap.type', ...m.capabilities.map(capabilityCode));
      for (const c of m.capabilities) if (c.type === 'FOUR_OCTET_AS') put('bgp.cap.4as', c.asn);
      break;
    case 'UPDATE':
      put('bgp.update.path_attribute.type_code', ...m.attributes.map(attributeCode));
      put('bgp.withdrawn_prefix', ...m.withdrawn.map((n) => addr(n.prefix)));
      put('bgp.nlri_prefix', ...m.nlri.map((n) => addr(n.prefix)));
      for (const a of m.attributes) {
        switch (a.type) {
          case 'ORIGIN':
            put('bgp.update.path_attribute.origin', a.origin);
            break;
          case 'NEXT_HOP':
            put('bgp.update.path_attribute.next_hop', a.nextHop);
            break;
          case 'AS_PATH':
            put('bgp.update.path_attribute.as_path_segment.type', ...a.segments.map((x) => x.segmentType));
            put(`bgp.update.path_attribute.as_path_segment.${fourOctetAs ? 'as4' : 'as2'}`, ...a.segments.flatMap((x) => x.asns));
            break;
          case 'AS4_PATH': // tshark files its segments under the AS_PATH field names
            put('bgp.update.path_attribute.as_path_segment.type', ...a.segments.map((x) => x.segmentType));
            put('bgp.update.path_attribute.as_path_segment.as4', ...a.segments.flatMap((x) => x.asns));
            break;
          case 'COMMUNITIES': {
            const wellKnown = (c: number): boolean => c >>> 16 === 0xffff;
            put('bgp.update.path_attribute.community_as', ...a.communities.filter((c) => !wellKnown(c)).map((c) => c >>> 16));
            put('bgp.update.path_attribute.community_value', ...a.communities.filter((c) => !wellKnown(c)).map((c) => c & 0xffff));
            put('bgp.update.path_attribute.community_wellknown', ...a.communities.filter(wellKnown).map((c) => '0x' + (c >>> 0).toString(16)));
            break;
          }
          case 'MULTI_EXIT_DISC':
            put('bgp.update.path_attribute.multi_exit_disc', a.med);
            break;
          case 'LOCAL_PREF':
            put('bgp.update.path_attribute.local_pref', a.localPref);
            break;
          case 'LARGE_COMMUNITY':
            put('bgp.large_communities.ga', ...a.communities.map((c) => c[0]));
            put('bgp.large_communities.ldp1', ...a.communities.map((c) => c[1]));
            put('bgp.large_communities.ldp2', ...a.communities.map((c) => c[2]));
            break;
          case 'MP_REACH_NLRI':
            if (a.afi === 2 && a.safi === 1) {
              put('bgp.mp_reach_nlri_ipv6_prefix', ...a.nlri.map((n) => addr(n.prefix)));
              put('bgp.update.path_attribute.mp_reach_nlri.afi', a.afi);
            }
            break;
          case 'MP_UNREACH_NLRI':
            if (a.afi === 2 && a.safi === 1) put('bgp.mp_unreach_nlri_ipv6_prefix', ...a.withdrawn.map((n) => addr(n.prefix)));
            break;
          default:
            break;
        }
      }
      // Every prefix length in wire order: withdrawn routes, MP attributes, then NLRI (as tshark lists them).
      put('bgp.prefix_length', ...m.withdrawn.map((n) => plen(n.prefix)));
      for (const a of m.attributes) {
        if (a.type === 'MP_REACH_NLRI') put('bgp.prefix_length', ...a.nlri.map((n) => plen(n.prefix)));
        if (a.type === 'MP_UNREACH_NLRI') put('bgp.prefix_length', ...a.withdrawn.map((n) => plen(n.prefix)));
      }
      put('bgp.prefix_length', ...m.nlri.map((n) => plen(n.prefix)));
      break;
    case 'NOTIFICATION':
      put('bgp.notify.major_error', m.code);
      // tshark names the subcode field after the code (minor_error_cease, minor_error_open, ...).
      put(NOTIFY_MINOR[m.code] ?? 'bgp.notify.minor_error', m.subcode);
      break;
    case 'ROUTE_REFRESH':
      put('bgp.route_refresh.afi', m.afi);
      put('bgp.route_refresh.subtype', m.subtype);
      put('bgp.route_refresh.safi', m.safi);
      break;
    case 'KEEPALIVE':
      break;
    default: {
      const never: never = m;
      throw new Error(String(never));
    }
  }
  return f;
}

function compare(ours: Map<string, string[]>, theirs: TsharkMessage, where: string): void {
  for (const [key, values] of ours) {
    const t = theirs.get(key) ?? [];
    if (values.length === 0 && t.length === 0) continue;
    assert.equal(values, t, `${where}: ${key}`);
  }
}

const Tshark = suite('fixtures agree with tshark');

for (const f of fixtures) {
  Tshark(`${f.name}: every message matches tshark's reading`, () => {
    const tshark = loadTshark(f.path);
    const byFrame = new Map<number, CapturedMessage[]>();
    for (const m of f.messages) byFrame.set(m.frame, [...(byFrame.get(m.frame) ?? []), m]);
    let compared = 0;
    for (const [frame, ours] of byFrame) {
      const theirs = tshark.get(frame);
      assert.ok(theirs, `${f.name}: tshark has no BGP in frame ${frame}`);
      assert.is(ours.length, theirs!.length, `${f.name} frame ${frame}: message count`);
      ours.forEach((m, i) => {
        if (!m.result.ok) return;
        compare(ourFields(m.result.message, m.bytes.length, m.negotiated.fourOctetAs), theirs![i]!, `${f.name} frame ${frame} message ${i + 1}`);
        compared++;
      });
    }
    // tshark must not see BGP messages we missed.
    const tsharkTotal = [...tshark.values()].reduce((n, l) => n + l.length, 0);
    assert.is(f.messages.length, tsharkTotal, `${f.name}: message count vs tshark`);
    assert.ok(compared > 0);
  });
}

Tshark.run();

// ---- the framer on real streams, split at every octet ------------------------------------------

const Split = suite('framer on fixture streams');

Split('every stream split at every byte offset yields the same messages', () => {
  let streams = 0;
  for (const f of fixtures) {
    const byDirection = new Map<string, Uint8Array[]>();
    for (const m of f.messages) {
      const k = `${m.connection} ${m.src.address} ${m.src.port}`;
      byDirection.set(k, [...(byDirection.get(k) ?? []), m.bytes]);
    }
    for (const [k, msgs] of byDirection) {
      const stream = Buffer.concat(msgs);
      const want = msgs.map(hex);
      for (let cut = 0; cut <= stream.length; cut++) {
        const framer = new Framer();
        framer.maxLength = 65535;
        const got: string[] = [];
        for (const part of [stream.subarray(0, cut), stream.subarray(cut)]) {
          framer.push(new Uint8Array(part));
          for (let m = framer.next(); m; m = framer.next()) got.push(hex(m));
        }
        if (got.length !== want.length || got.some((g, i) => g !== want[i])) {
          assert.unreachable(`${f.name} ${k}: split at ${cut} gave ${got.length} messages, want ${want.length}`);
        }
      }
      streams++;
    }
  }
  assert.ok(streams >= 10, `${streams} streams`);
});

Split.run();
