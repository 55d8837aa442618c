// Captures without the OPENs: the AS number width guessed per UPDATE, labelled, or forced.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { AsPathSegment } from '../../src/bgp/messages/attributes/types.js';
import { type CapturedMessage, bgpMessages, guessAsOctets } from '../../src/pcap/bgp-streams.js';
import { type CapturedPacket, readCapture } from '../../src/pcap/capture.js';
import { attr, updateBody } from '../helpers/build.js';
import { FIXTURE_DIR } from '../helpers/fixtures.js';
import { message } from '../helpers/hex.js';
import { withoutOpens } from '../helpers/mid-session.js';

const packets = (name: string): CapturedPacket[] => readCapture(new Uint8Array(readFileSync(join(FIXTURE_DIR, name))));
/** gobgp-exabgp-as2: ExaBGP without the 4-octet AS capability; frr-bird: both sides 4-octet. */
const AS2 = 'gobgp-exabgp-as2.pcap';
const AS4 = 'frr-bird.pcap';

const updates = (ms: CapturedMessage[]): CapturedMessage[] => ms.filter((m) => m.bytes[18] === 2);
function asPath(m: CapturedMessage): AsPathSegment[] | undefined {
  if (!m.result.ok || m.result.message.type !== 'UPDATE') return undefined;
  const a = m.result.message.attributes.find((x) => x.type === 'AS_PATH');
  return a?.type === 'AS_PATH' ? a.segments : undefined;
}
/** UPDATEs by "frame/n": the n-th UPDATE completed by that frame (one frame may complete several). */
function byFrame(ms: CapturedMessage[]): Map<string, CapturedMessage> {
  const out = new Map<string, CapturedMessage>();
  for (const m of updates(ms)) {
    let n = 0;
    while (out.has(`${m.frame}/${n}`)) n++;
    out.set(`${m.frame}/${n}`, m);
  }
  return out;
}
/** What the full capture (OPENs and all) decodes for the same frames: the ground truth. */
const truthByFrame = (name: string): Map<string, CapturedMessage> => byFrame(bgpMessages(packets(name)));

const Guess = suite('AS width without OPENs');

for (const [name, octets] of [[AS2, 2], [AS4, 4]] as const) {
  Guess(`${name} with its OPENs cut: every UPDATE guessed ${octets}-octet, AS_PATH as the full capture decodes it`, () => {
    const cut = withoutOpens(packets(name));
    const ms = bgpMessages(cut);
    assert.ok(!ms.some((m) => m.result.ok && m.result.message.type === 'OPEN'), 'the OPENs are cut');
    const us = byFrame(ms);
    const truth = truthByFrame(name);
    const withPath = [...us.values()].filter((m) => (asPath(m)?.length ?? 0) > 0);
    assert.ok(withPath.length >= 2, `${name}: ${withPath.length} UPDATEs with an AS_PATH`);
    let decided = 0;
    for (const [at, m] of us) {
      const w = m.asWidth;
      assert.ok(w?.how === 'guessed', `frame ${at}`);
      if (w.basis === 'parse' || w.basis === 'plausible' || w.basis === 'earlier') {
        assert.is(w.octets, octets, `frame ${at}: ${JSON.stringify(w)}`);
        decided++;
      }
      assert.is(m.negotiated.fourOctetAs, w.octets === 4);
      const t = truth.get(at);
      assert.ok(t, `frame ${at} is in the full capture`);
      assert.equal(m.result, t!.result, `frame ${at}`);
    }
    assert.ok(decided >= withPath.length, `${decided} decided from the bytes`);
    for (const m of ms) if (m.bytes[18] !== 2) assert.is(m.asWidth, undefined, `frame ${m.frame}: only UPDATEs depend on the width`);
  });
}

Guess('a capture with both OPENs: nothing is labelled guessed', () => {
  for (const name of [AS2, AS4]) {
    const ms = bgpMessages(packets(name));
    assert.ok(updates(ms).length > 0);
    assert.ok(ms.every((m) => m.asWidth === undefined), name);
  }
});

Guess('forced: --as4 on a 2-octet stream gives the wrong-width reading, labelled forced; --as2 on it matches', () => {
  const cut = withoutOpens(packets(AS2));
  const wrong = updates(bgpMessages(cut, { forceAsOctets: 4 }));
  const withPath = wrong.filter((m) => m.bytes.length > 23);
  let withdrawn = 0;
  for (const m of wrong) {
    assert.equal(m.asWidth, { octets: 4, how: 'forced' });
    if (m.result.ok && m.result.message.type === 'UPDATE' && m.result.message.problems?.some((p) => p.attrType === 2 && p.subcode === 11)) withdrawn++;
  }
  assert.ok(withdrawn > 0 && withPath.length > 0, `${withdrawn} UPDATEs with a malformed AS_PATH when read 4-octet`);
  const right = byFrame(bgpMessages(cut, { forceAsOctets: 2 }));
  const truth = truthByFrame(AS2);
  for (const [at, m] of right) {
    assert.equal(m.asWidth, { octets: 2, how: 'forced' });
    assert.equal(m.result, truth.get(at)!.result);
  }
});

Guess('forced: --as2 on a 4-octet stream gives the malformed AS_PATH the user asked for', () => {
  const ms = updates(bgpMessages(withoutOpens(packets(AS4)), { forceAsOctets: 2 }));
  const bad = ms.filter((m) => m.result.ok && m.result.message.type === 'UPDATE' && m.result.message.problems?.some((p) => p.attrType === 2));
  assert.ok(bad.length > 0);
  for (const m of ms) assert.equal(m.asWidth, { octets: 2, how: 'forced' });
});

// ORIGIN IGP, AS_PATH (value given), NEXT_HOP 10.10.0.5, NLRI 100.64.0.1/32
const update = (asPathHex: string): Uint8Array =>
  message(2, updateBody('', attr(0x40, 1, '00') + attr(0x40, 2, asPathHex) + attr(0x40, 3, '0a0a0005'), '20 64400001'));

const octets = (bytes: Uint8Array, previous: 2 | 4 | undefined): [number, string] => {
  const w = guessAsOctets(bytes, previous);
  return [w.octets, w.how === 'guessed' ? w.basis : w.how];
};

Guess('guessAsOctets: the width whose AS_PATH segments consume the attribute exactly', () => {
  assert.equal(octets(update('0201 0000fde9'), 2), [4, 'parse'], '4-octet [65001] does not parse 2-octet');
  assert.equal(octets(update('0202 fde9 fdea'), 4), [2, 'parse'], '2-octet [65001 65002] does not parse 4-octet');
});

Guess('guessAsOctets: both parse -> no AS 0 wins; still tied -> the earlier guess, else 4', () => {
  // 4-octet: [65001, 0x0201fdea]; 2-octet: [0, 65001] [65002] — AS 0 (RFC 7607) is implausible.
  assert.equal(octets(update('0202 0000fde9 0201fdea'), 2), [4, 'plausible']);
  // 4-octet: [0xfde9fdea, 0x0201fdeb]; 2-octet: [65001 65002] [65003] — both plausible.
  const tied = update('0202 fde9fdea 0201fdeb');
  assert.equal(octets(tied, 2), [2, 'earlier']);
  assert.equal(octets(tied, 4), [4, 'earlier']);
  assert.equal(octets(tied, undefined), [4, 'default']);
  // An empty AS_PATH (iBGP) reads the same either way.
  assert.equal(octets(update(''), 2), [2, 'earlier']);
  assert.equal(octets(update(''), undefined), [4, 'default']);
});

Guess.run();
