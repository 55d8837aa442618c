// Every malformed-input path of the codec mapped to its exact outcome: NOTIFICATION or RFC 7606 action.
import { Buffer } from 'node:buffer';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AS_TRANS, IPV4_UNICAST, IPV6_UNICAST, familyKey } from '../../src/bgp/iana.js';
import {
  type AsPathSegment,
  DEFAULT_NEGOTIATED,
  type Negotiated,
  type NotificationMessage,
  type OpenMessage,
  type PathAttribute,
  type UpdateMessage,
  asPathLength,
  decodeMessage,
  encodeMessage,
  endOfRib,
  endOfRibFamily,
  makeNotification,
  mergeAs4Path,
  shutdownCommunication,
  updateAction,
} from '../../src/bgp/messages/index.js';
import { describeMessage } from '../../src/bgp/messages/describe.js';
import { problemsOf, throwsBgp } from '../helpers/bgp-assert.js';
import { attr, cap, capParam, capParamExt, openBody, openBodyExt, openFixed, updateBody } from '../helpers/build.js';
import { fromHex, hex, message } from '../helpers/hex.js';

const CTX = DEFAULT_NEGOTIATED;
const EXT_MSG: Negotiated = { ...DEFAULT_NEGOTIATED, extendedMessage: true };
const ERR: Negotiated = { ...DEFAULT_NEGOTIATED, routeRefresh: true, enhancedRouteRefresh: true };
const AS4: Negotiated = { ...DEFAULT_NEGOTIATED, fourOctetAs: true };
const ORF: Negotiated = { ...DEFAULT_NEGOTIATED, routeRefresh: true, orf: true };
const ORF_ERR: Negotiated = { ...ERR, orf: true };
const BGPSEC: Negotiated = { ...AS4, bgpsec: true };
const EBGP: Negotiated = { ...DEFAULT_NEGOTIATED, external: true };

const MARKER = 'ff'.repeat(16);
const ORIGIN_IGP = attr(0x40, 1, '00');
const AS_PATH = attr(0x40, 2, '0201fde9'); // AS_SEQUENCE 65001 (2-octet)
const NEXT_HOP = attr(0x40, 3, 'c0000201'); // 192.0.2.1
const MANDATORY = ORIGIN_IGP + AS_PATH + NEXT_HOP;
const NLRI = '18c63364'; // 198.51.100.0/24
const V6_NH = '20010db8000000000000000000000001';
const mpReachV6 = (nlriHex: string): string => attr(0x80, 14, '000201' + '10' + V6_NH + '00' + nlriHex);

const update = (attrs: string, nlri = NLRI, withdrawn = ''): Uint8Array => message(2, updateBody(withdrawn, attrs, nlri));

function decodeUpdate(bytes: Uint8Array, ctx: Negotiated = CTX): UpdateMessage {
  const m = decodeMessage(bytes, ctx);
  if (m.type !== 'UPDATE') throw new Error(`expected an UPDATE, got ${m.type}`);
  return m;
}

function decodeOpen(bytes: Uint8Array): OpenMessage {
  const m = decodeMessage(bytes, CTX);
  if (m.type !== 'OPEN') throw new Error(`expected an OPEN, got ${m.type}`);
  return m;
}

const types = (u: UpdateMessage): string[] => u.attributes.map((a) => (a.type === 'UNKNOWN' ? `UNKNOWN(${a.code})` : a.type));

/** A decoded UPDATE with no RFC 7606 problem other than `expected`, whose action must be `action`. */
function assertProblems(u: UpdateMessage, expected: { action: string; attrType: number; subcode: number }[], action: string): void {
  assert.equal(problemsOf(u), expected);
  assert.is(updateAction(u), action);
}

// ---------------------------------------------------------------------------------------------

const Header = suite('decodeMessage: message header (RFC 4271 §6.1)');

Header('a marker that is not all ones is Connection Not Synchronized (1/1)', () => {
  const bytes = message(4, '');
  bytes[0] = 0xfe;
  throwsBgp(() => decodeMessage(bytes, CTX), 1, 1);
  const last = message(4, '');
  last[15] = 0x00;
  throwsBgp(() => decodeMessage(last, CTX), 1, 1);
});

Header('a length field below 19 is Bad Message Length (1/2), data = the length', () => {
  throwsBgp(() => decodeMessage(fromHex(MARKER + '0012' + '04'), CTX), 1, 2, '0012');
  throwsBgp(() => decodeMessage(fromHex(MARKER + '0000' + '04'), CTX), 1, 2, '0000');
});

// An UPDATE of exactly `total` octets: one optional transitive unknown attribute (extended length) fills it.
const updateOfLength = (total: number): Uint8Array => message(2, updateBody('', attr(0xd0, 99, '00'.repeat(total - 27))));

Header('a length above 4096 is Bad Message Length (1/2) without Extended Message', () => {
  assert.is(decodeUpdate(updateOfLength(4096)).attributes.length, 1);
  throwsBgp(() => decodeMessage(updateOfLength(4097), CTX), 1, 2, '1001');
  throwsBgp(() => decodeMessage(updateOfLength(65535), CTX), 1, 2, 'ffff');
});

Header('with Extended Message (RFC 8654) an UPDATE may be 4097 up to 65535 octets', () => {
  for (const total of [4097, 65535]) {
    const u = decodeUpdate(updateOfLength(total), EXT_MSG);
    const a = u.attributes[0];
    assert.is(a?.type === 'UNKNOWN' ? a.data.length : -1, total - 27);
    assert.is(u.problems, undefined);
  }
});

Header('with Extended Message an OPEN above 4096 octets is still Bad Message Length (RFC 8654 §4)', () => {
  // 2000 capabilities of 4 octets would be 8000 octets, sent as RFC 9072 parameters.
  const caps = cap(240, '000000').repeat(1300);
  const bytes = message(1, openBodyExt(capParamExt(caps)));
  assert.ok(bytes.length > 4096);
  throwsBgp(() => decodeMessage(bytes, EXT_MSG), 1, 2, hex(bytes.subarray(16, 18)));
});

Header('a length field different from the octets received is Bad Message Length, data = the length field', () => {
  const long = new Uint8Array([...message(4, ''), 0]);
  throwsBgp(() => decodeMessage(long, CTX), 1, 2, '0013');
  const short = fromHex(MARKER + '0017' + '02' + '0000');
  throwsBgp(() => decodeMessage(short, CTX), 1, 2, '0017');
});

Header('message types 0 and 6 are Bad Message Type (1/3), data = the type', () => {
  throwsBgp(() => decodeMessage(fromHex(MARKER + '0013' + '00'), CTX), 1, 3, '00');
  throwsBgp(() => decodeMessage(fromHex(MARKER + '0013' + '06'), CTX), 1, 3, '06');
  throwsBgp(() => decodeMessage(fromHex(MARKER + '0013' + 'ff'), CTX), 1, 3, 'ff');
});

Header('a KEEPALIVE of 20 octets is Bad Message Length (1/2)', () => {
  assert.equal(decodeMessage(message(4, ''), CTX), { type: 'KEEPALIVE' });
  throwsBgp(() => decodeMessage(message(4, '00'), CTX), 1, 2, '0014');
});

Header('an OPEN shorter than 29 octets is Bad Message Length (1/2)', () => {
  throwsBgp(() => decodeMessage(message(1, '04fde9005a0a000001'), CTX), 1, 2, '001c');
});

Header('an UPDATE shorter than 23 octets is Bad Message Length (1/2)', () => {
  throwsBgp(() => decodeMessage(message(2, '000000'), CTX), 1, 2, '0016');
});

Header('a NOTIFICATION shorter than 21 octets is Bad Message Length (1/2)', () => {
  throwsBgp(() => decodeMessage(message(3, '06'), CTX), 1, 2, '0014');
});

Header('a ROUTE-REFRESH of 24 octets is Bad Message Length (1/2) without enhanced route refresh', () => {
  throwsBgp(() => decodeMessage(message(5, '00010001' + '00'), CTX), 1, 2, '0018');
  throwsBgp(() => decodeMessage(message(5, '00010101' + '00'), CTX), 1, 2, '0018');
});

Header('with enhanced route refresh a 24-octet BoRR is ROUTE-REFRESH Invalid Message Length (7/1), data = the message', () => {
  const bytes = message(5, '00010101' + '00');
  throwsBgp(() => decodeMessage(bytes, ERR), 7, 1, hex(bytes));
});

Header('with enhanced route refresh a 22-octet EoRR is 7/1 too (RFC 7313 §5: any length but 4 for subtypes 1 and 2)', () => {
  // AFI and subtype are present, so the message is recognisably an EoRR whose body is not 4 octets.
  const bytes = message(5, '000102');
  throwsBgp(() => decodeMessage(bytes, ERR), 7, 1, hex(bytes));
});

Header('a well-formed ROUTE-REFRESH decodes, unknown subtypes included (RFC 7313 §5 says to ignore them)', () => {
  assert.equal(decodeMessage(message(5, '00020001'), ERR), { type: 'ROUTE_REFRESH', afi: 2, subtype: 0, safi: 1 });
  assert.equal(decodeMessage(message(5, '00010701'), ERR), { type: 'ROUTE_REFRESH', afi: 1, subtype: 7, safi: 1 });
});

// RFC 5291 §5 / RFC 5292: IMMEDIATE, an Address-Prefix ORF (type 64) entry ADD seq 10 198.51.100.0/24 le 24, a REMOVE-ALL.
const ORF_BODY = '00010001' + '01' + '40000b' + '000000000a181818c63364' + '400001' + '80';

Header('with ORF negotiated a normal ROUTE-REFRESH longer than 4 octets decodes its ORF entries and re-encodes byte for byte (RFC 5291 §5)', () => {
  for (const ctx of [ORF, ORF_ERR]) {
    const bytes = message(5, ORF_BODY);
    const m = decodeMessage(bytes, ctx);
    assert.equal(m, {
      type: 'ROUTE_REFRESH',
      afi: 1,
      subtype: 0,
      safi: 1,
      orf: { whenToRefresh: 1, groups: [{ orfType: 64, entries: fromHex('000000000a181818c63364') }, { orfType: 64, entries: fromHex('80') }] },
    });
    assert.is(hex(encodeMessage(m, ctx)), hex(bytes));
  }
  assert.equal(describeMessage(decodeMessage(message(5, ORF_BODY), ORF)), {
    type: 'ROUTE_REFRESH',
    family: 'ipv4-unicast',
    subtype: 'normal',
    whenToRefresh: 'IMMEDIATE',
    orfs: [{ orfType: 64, entries: '000000000a181818c63364' }, { orfType: 64, entries: '80' }],
  });
  // DEFER with no entries: When-to-refresh alone.
  assert.equal(decodeMessage(message(5, '00020001' + '02'), ORF), { type: 'ROUTE_REFRESH', afi: 2, subtype: 0, safi: 1, orf: { whenToRefresh: 2, groups: [] } });
});

Header('without ORF negotiated the same message keeps its length error: 1/2, or 7/1 with enhanced route refresh', () => {
  const bytes = message(5, ORF_BODY);
  throwsBgp(() => decodeMessage(bytes, CTX), 1, 2, bytes.length.toString(16).padStart(4, '0'));
  throwsBgp(() => decodeMessage(bytes, ERR), 7, 1, hex(bytes));
});

Header('with ORF negotiated a BoRR or EoRR still has exactly 4 octets (RFC 7313 §5)', () => {
  for (const subtype of ['01', '02']) {
    const bytes = message(5, '0001' + subtype + '01' + ORF_BODY.slice(8));
    throwsBgp(() => decodeMessage(bytes, ORF_ERR), 7, 1, hex(bytes));
    throwsBgp(() => decodeMessage(bytes, ORF), 1, 2, bytes.length.toString(16).padStart(4, '0'));
  }
});

Header('with ORF negotiated an ORF group overrunning the message is a length error', () => {
  // Length of ORF entries 12, 11 octets present; then a group header cut short.
  for (const body of ['00010001' + '01' + '40000c' + '000000000a181818c63364', '00010001' + '01' + '4000']) {
    const bytes = message(5, body);
    throwsBgp(() => decodeMessage(bytes, ORF_ERR), 7, 1, hex(bytes));
    throwsBgp(() => decodeMessage(bytes, ORF), 1, 2, bytes.length.toString(16).padStart(4, '0'));
  }
});

Header.run();

// ---------------------------------------------------------------------------------------------

const CAPS = capParam(cap(1, '00010001'), cap(65, '0000fde9'));

const Open = suite('decodeMessage: OPEN (RFC 4271 §6.2, RFC 5492, RFC 9072)');

Open('a well-formed OPEN decodes', () => {
  assert.equal(decodeOpen(message(1, openBody(CAPS))), {
    type: 'OPEN',
    version: 4,
    myAs: 65001,
    holdTime: 90,
    bgpId: '10.0.0.1',
    capabilities: [
      { type: 'MULTIPROTOCOL', afi: 1, safi: 1 },
      { type: 'FOUR_OCTET_AS', asn: 65001 },
    ],
  });
});

Open('version 3 and 5 are Unsupported Version Number (2/1), data = 0004 (the version we speak)', () => {
  throwsBgp(() => decodeMessage(message(1, openBody(CAPS, { version: 3 })), CTX), 2, 1, '0004');
  throwsBgp(() => decodeMessage(message(1, openBody(CAPS, { version: 5 })), CTX), 2, 1, '0004');
});

Open('hold time 1 and 2 are Unacceptable Hold Time (2/6); 0 and 3 are accepted', () => {
  throwsBgp(() => decodeMessage(message(1, openBody(CAPS, { holdTime: 1 })), CTX), 2, 6);
  throwsBgp(() => decodeMessage(message(1, openBody(CAPS, { holdTime: 2 })), CTX), 2, 6);
  assert.is(decodeOpen(message(1, openBody(CAPS, { holdTime: 0 }))).holdTime, 0);
  assert.is(decodeOpen(message(1, openBody(CAPS, { holdTime: 3 }))).holdTime, 3);
  assert.is(decodeOpen(message(1, openBody(CAPS, { holdTime: 65535 }))).holdTime, 65535);
});

Open('BGP Identifier 0.0.0.0 is Bad BGP Identifier (2/3); any other value is accepted (RFC 6286)', () => {
  throwsBgp(() => decodeMessage(message(1, openBody(CAPS, { bgpId: '00000000' })), CTX), 2, 3);
  assert.is(decodeOpen(message(1, openBody(CAPS, { bgpId: 'ffffffff' }))).bgpId, '255.255.255.255');
});

Open('optional parameter type 1 is Unsupported Optional Parameter (2/4)', () => {
  throwsBgp(() => decodeMessage(message(1, openBody('0102' + '0000')), CTX), 2, 4);
  throwsBgp(() => decodeMessage(message(1, openBody(CAPS + '0102' + '0000')), CTX), 2, 4);
});

Open('Optional Parameters Length not matching what follows is OPEN Message Error (2/0)', () => {
  const params = CAPS; // 14 octets
  throwsBgp(() => decodeMessage(message(1, openFixed() + '0f' + params), CTX), 2, 0);
  throwsBgp(() => decodeMessage(message(1, openFixed() + '0d' + params), CTX), 2, 0);
});

Open('a parameter length overrunning the optional parameters is 2/0', () => {
  // Parameter claims 13 octets, 12 follow.
  throwsBgp(() => decodeMessage(message(1, openBody('020d' + '010400010001' + '41040000fde9')), CTX), 2, 0);
});

Open('a capability length overrunning its parameter is 2/0', () => {
  throwsBgp(() => decodeMessage(message(1, openBody('0206' + '4105' + '0000fde9')), CTX), 2, 0);
});

Open('a 4-octet AS capability of length 2 is malformed: 2/0, data = the capability value', () => {
  throwsBgp(() => decodeMessage(message(1, openBody(capParam(cap(65, 'fde9')))), CTX), 2, 0, 'fde9');
});

Open('an unknown capability code is kept as UNKNOWN and re-encoded byte-identically', () => {
  const bytes = message(1, openBody(capParam(cap(1, '00010001'), cap(240, 'c0ffee'), cap(65, '0000fde9'))));
  const open = decodeOpen(bytes);
  assert.equal(open.capabilities[1], { type: 'UNKNOWN', code: 240, data: fromHex('c0ffee') });
  assert.is(hex(encodeMessage(open, CTX)), hex(bytes));
});

Open('RFC 9072 extended optional parameters (255, 255, 2-octet length) decode and re-encode identically', () => {
  const bytes = message(1, openBodyExt(capParamExt(cap(65, '0000fde9'), cap(2))));
  const open = decodeOpen(bytes);
  assert.is(open.extendedParams, true);
  assert.equal(open.capabilities, [{ type: 'FOUR_OCTET_AS', asn: 65001 }, { type: 'ROUTE_REFRESH' }]);
  assert.is(hex(encodeMessage(open, CTX)), hex(bytes));
});

Open('several capabilities in one parameter re-encode byte-identically', () => {
  const bytes = message(1, openBody(capParam(cap(1, '00010001'), cap(1, '00020001'), cap(2), cap(65, '0000fde9'))));
  const open = decodeOpen(bytes);
  assert.is(open.capabilities.length, 4);
  assert.is(hex(encodeMessage(open, CTX)), hex(bytes));
});

Open('one capability per parameter re-encodes byte-identically', () => {
  const bytes = message(1, openBody(capParam(cap(1, '00010001')) + capParam(cap(1, '00020001')) + capParam(cap(2)) + capParam(cap(65, '0000fde9'))));
  const open = decodeOpen(bytes);
  assert.is(open.capabilities.length, 4);
  assert.equal(open.paramGroups, [1, 1, 1, 1]);
  assert.is(hex(encodeMessage(open, CTX)), hex(bytes));
});

Open.run();

// ---------------------------------------------------------------------------------------------

const UpdateFatal = suite('decodeMessage: session-fatal UPDATE errors (RFC 4271 §6.3, RFC 7606 §5.3)');

UpdateFatal('Withdrawn Routes Length overrunning the message is Malformed Attribute List (3/1)', () => {
  throwsBgp(() => decodeMessage(message(2, '0010' + '0000'), CTX), 3, 1);
  // The withdrawn routes would swallow the Total Path Attribute Length field.
  throwsBgp(() => decodeMessage(message(2, '0002' + '0000'), CTX), 3, 1);
});

UpdateFatal('Total Path Attribute Length overrunning the message is 3/1', () => {
  throwsBgp(() => decodeMessage(message(2, '0000' + '0010' + '40010100'), CTX), 3, 1);
});

UpdateFatal('RFC 4271 §6.3 order: overrunning lengths are 3/1 before the withdrawn prefixes are parsed (not 3/10)', () => {
  // A withdrawn prefix of length 33 (3/10 on its own) and a Total Path Attribute Length of 16 with 4 octets left.
  throwsBgp(() => decodeMessage(message(2, '0002' + '21c6' + '0010' + '40010100'), CTX), 3, 1);
  // Withdrawn Routes Length + Total Path Attribute Length + 23 exceeds the message by one octet.
  throwsBgp(() => decodeMessage(message(2, '0002' + '21c6' + '0005' + '40010100'), CTX), 3, 1);
  // The withdrawn prefix alone overruns the field (a /24 in one octet) and the attribute length overruns too.
  throwsBgp(() => decodeMessage(message(2, '0001' + '18' + '00ff'), CTX), 3, 1);
  // With the lengths right, the same bad prefix is Invalid Network Field.
  throwsBgp(() => decodeMessage(message(2, '0002' + '21c6' + '0000'), CTX), 3, 10);
});

UpdateFatal('lengths that exactly fill the message decode: withdrawn routes, attributes and NLRI all found', () => {
  const u = decodeUpdate(update(MANDATORY, NLRI, '18c63365' + '10c0a8'));
  assert.equal(u.withdrawn, [{ prefix: '198.51.101.0/24' }, { prefix: '192.168.0.0/16' }]);
  assert.equal(types(u), ['ORIGIN', 'AS_PATH', 'NEXT_HOP']);
  assert.equal(u.nlri, [{ prefix: '198.51.100.0/24' }]);
  assert.is(u.problems, undefined);
  // Total Path Attribute Length 0 and withdrawn routes that end the message: a withdraw-only UPDATE.
  assert.equal(decodeUpdate(message(2, '0004' + '18c63365' + '0000')).withdrawn, [{ prefix: '198.51.101.0/24' }]);
});

UpdateFatal('an NLRI prefix length of 33 is Invalid Network Field (3/10)', () => {
  throwsBgp(() => decodeMessage(update(MANDATORY, '21' + 'c633640000'), CTX), 3, 10);
});

UpdateFatal('a withdrawn prefix length of 33 is Invalid Network Field (3/10)', () => {
  throwsBgp(() => decodeMessage(update('', '', '21' + 'c633640000'), CTX), 3, 10);
});

UpdateFatal('an IPv6 MP_REACH_NLRI prefix length of 129 is Optional Attribute Error (3/9), data = the attribute', () => {
  // RFC 4760 §7 names the subcode; RFC 4271 §6.3 says its data is the attribute (type, length, value).
  const mp = mpReachV6('81' + 'ff'.repeat(17));
  throwsBgp(() => decodeMessage(update(ORIGIN_IGP + AS_PATH + mp, ''), CTX), 3, 9, mp);
});

UpdateFatal('MP_REACH_NLRI appearing twice is Malformed Attribute List (3/1, RFC 7606 §3 g)', () => {
  const mp = mpReachV6('2020010db8');
  throwsBgp(() => decodeMessage(update(ORIGIN_IGP + AS_PATH + mp + mp, ''), CTX), 3, 1);
});

UpdateFatal('MP_UNREACH_NLRI appearing twice is 3/1', () => {
  const mp = attr(0x80, 15, '000201' + '2020010db8');
  throwsBgp(() => decodeMessage(update(mp + mp, ''), CTX), 3, 1);
});

UpdateFatal('MP_REACH_NLRI with a next hop length of 5 is 3/9 (RFC 7606 §7.11), data = the attribute', () => {
  const mp = attr(0x80, 14, '000201' + '05' + '20010db800' + '00' + '2020010db8');
  throwsBgp(() => decodeMessage(update(ORIGIN_IGP + AS_PATH + mp, ''), CTX), 3, 9, mp);
});

UpdateFatal('MP_REACH_NLRI whose length overruns the path attributes is Attribute Length Error (3/5)', () => {
  // Claims 48 octets of value; the attribute area ends 10 octets in. The data is the attribute as received.
  const mp = '800e30' + '000201' + '10' + '20010db80000';
  throwsBgp(() => decodeMessage(update(ORIGIN_IGP + AS_PATH + mp, ''), CTX), 3, 5, mp);
});

UpdateFatal('an unrecognized well-known attribute (flags 0x40, type 99) is 3/2, data = the whole attribute', () => {
  throwsBgp(() => decodeMessage(update(MANDATORY + attr(0x40, 99, 'abcd')), CTX), 3, 2, '406302abcd');
});

UpdateFatal.run();

// ---------------------------------------------------------------------------------------------

const Revised = suite('decodeMessage: RFC 7606 attribute problems');

const TAW = 'treat-as-withdraw';
const DISCARD = 'attribute-discard';

Revised('ORIGIN of length 2: treat-as-withdraw, Attribute Length Error (5)', () => {
  const u = decodeUpdate(update(attr(0x40, 1, '0000') + AS_PATH + NEXT_HOP));
  assertProblems(u, [{ action: TAW, attrType: 1, subcode: 5 }], TAW);
  assert.equal(u.nlri, [{ prefix: '198.51.100.0/24' }]);
});

Revised('ORIGIN value 3: treat-as-withdraw, Invalid ORIGIN Attribute (6)', () => {
  assertProblems(decodeUpdate(update(attr(0x40, 1, '03') + AS_PATH + NEXT_HOP)), [{ action: TAW, attrType: 1, subcode: 6 }], TAW);
});

Revised('AS_PATH with segment type 5: treat-as-withdraw, Malformed AS_PATH (11)', () => {
  assertProblems(decodeUpdate(update(ORIGIN_IGP + attr(0x40, 2, '0501fde9') + NEXT_HOP)), [{ action: TAW, attrType: 2, subcode: 11 }], TAW);
});

Revised('AS_PATH with a zero-length segment: treat-as-withdraw (11)', () => {
  assertProblems(decodeUpdate(update(ORIGIN_IGP + attr(0x40, 2, '0200') + NEXT_HOP)), [{ action: TAW, attrType: 2, subcode: 11 }], TAW);
  assertProblems(decodeUpdate(update(ORIGIN_IGP + attr(0x40, 2, '0201fde9' + '0200') + NEXT_HOP)), [{ action: TAW, attrType: 2, subcode: 11 }], TAW);
});

Revised('AS_PATH with a segment overrunning the attribute: treat-as-withdraw (11)', () => {
  assertProblems(decodeUpdate(update(ORIGIN_IGP + attr(0x40, 2, '0203fde9fdea') + NEXT_HOP)), [{ action: TAW, attrType: 2, subcode: 11 }], TAW);
  // A lone segment type octet with no count.
  assertProblems(decodeUpdate(update(ORIGIN_IGP + attr(0x40, 2, '0201fde9' + '02') + NEXT_HOP)), [{ action: TAW, attrType: 2, subcode: 11 }], TAW);
});

Revised('NEXT_HOP of length 5: treat-as-withdraw (RFC 7606 §7.3)', () => {
  assertProblems(decodeUpdate(update(ORIGIN_IGP + AS_PATH + attr(0x40, 3, 'c000020100'))), [{ action: TAW, attrType: 3, subcode: 5 }], TAW);
});

Revised('MULTI_EXIT_DISC of length 3: treat-as-withdraw (RFC 7606 §7.4)', () => {
  assertProblems(decodeUpdate(update(MANDATORY + attr(0x80, 4, '000064'))), [{ action: TAW, attrType: 4, subcode: 5 }], TAW);
});

Revised('ATOMIC_AGGREGATE of length 1: attribute-discard, and the attribute is gone (RFC 7606 §7.6)', () => {
  const u = decodeUpdate(update(MANDATORY + attr(0x40, 6, '00')));
  assertProblems(u, [{ action: DISCARD, attrType: 6, subcode: 5 }], DISCARD);
  assert.equal(types(u), ['ORIGIN', 'AS_PATH', 'NEXT_HOP']);
  assert.equal(u.nlri, [{ prefix: '198.51.100.0/24' }]);
});

Revised('AGGREGATOR of length 7: attribute-discard (RFC 7606 §7.7)', () => {
  const u = decodeUpdate(update(MANDATORY + attr(0xc0, 7, 'fde9' + 'c000020100')));
  assertProblems(u, [{ action: DISCARD, attrType: 7, subcode: 5 }], DISCARD);
  assert.equal(types(u), ['ORIGIN', 'AS_PATH', 'NEXT_HOP']);
});

Revised('COMMUNITIES of length 5 and of length 0: treat-as-withdraw (RFC 7606 §7.8)', () => {
  assertProblems(decodeUpdate(update(MANDATORY + attr(0xc0, 8, 'fde9006400'))), [{ action: TAW, attrType: 8, subcode: 5 }], TAW);
  assertProblems(decodeUpdate(update(MANDATORY + attr(0xc0, 8, ''))), [{ action: TAW, attrType: 8, subcode: 5 }], TAW);
});

Revised('LARGE_COMMUNITY of length 13: treat-as-withdraw (RFC 8092 §6)', () => {
  assertProblems(decodeUpdate(update(MANDATORY + attr(0xc0, 32, '0000fde9' + '00000001' + '00000002' + '00'))), [{ action: TAW, attrType: 32, subcode: 5 }], TAW);
});

Revised('EXTENDED_COMMUNITIES of length 9: treat-as-withdraw (RFC 7606 §7.14)', () => {
  assertProblems(decodeUpdate(update(MANDATORY + attr(0xc0, 16, '0002fde900000064' + '00'))), [{ action: TAW, attrType: 16, subcode: 5 }], TAW);
});

Revised('ONLY_TO_CUSTOMER of length 3 and of length 5: treat-as-withdraw (RFC 9234 §5)', () => {
  assertProblems(decodeUpdate(update(MANDATORY + attr(0xc0, 35, '00fde9'))), [{ action: TAW, attrType: 35, subcode: 5 }], TAW);
  assertProblems(decodeUpdate(update(MANDATORY + attr(0xc0, 35, '0000fde900'))), [{ action: TAW, attrType: 35, subcode: 5 }], TAW);
});

Revised('a malformed AS4_PATH: attribute-discard (RFC 6793 §6)', () => {
  const u = decodeUpdate(update(MANDATORY + attr(0xc0, 17, '0501' + '0000fde9')));
  assertProblems(u, [{ action: DISCARD, attrType: 17, subcode: 11 }], DISCARD);
  assert.equal(types(u), ['ORIGIN', 'AS_PATH', 'NEXT_HOP']);
  const odd = decodeUpdate(update(MANDATORY + attr(0xc0, 17, '0201' + '0000fd')));
  assertProblems(odd, [{ action: DISCARD, attrType: 17, subcode: 11 }], DISCARD);
});

Revised('ORIGIN sent as optional (flags 0xC0): treat-as-withdraw, Attribute Flags Error (4)', () => {
  assertProblems(decodeUpdate(update(attr(0xc0, 1, '00') + AS_PATH + NEXT_HOP)), [{ action: TAW, attrType: 1, subcode: 4 }], TAW);
});

Revised('a non-MP attribute appearing twice: the second is discarded, the first kept (RFC 7606 §3 g)', () => {
  const u = decodeUpdate(update(MANDATORY + attr(0x80, 4, '00000064') + attr(0x80, 4, '000000c8')));
  assertProblems(u, [{ action: DISCARD, attrType: 4, subcode: 1 }], DISCARD);
  assert.equal(u.attributes[3], { type: 'MULTI_EXIT_DISC', flags: 0x80, med: 100 });
  assert.equal(types(u), ['ORIGIN', 'AS_PATH', 'NEXT_HOP', 'MULTI_EXIT_DISC']);
});

Revised('missing ORIGIN with IPv4 NLRI: treat-as-withdraw, Missing Well-known Attribute (3)', () => {
  assertProblems(decodeUpdate(update(AS_PATH + NEXT_HOP)), [{ action: TAW, attrType: 1, subcode: 3 }], TAW);
});

Revised('missing AS_PATH with IPv4 NLRI: treat-as-withdraw (3)', () => {
  assertProblems(decodeUpdate(update(ORIGIN_IGP + NEXT_HOP)), [{ action: TAW, attrType: 2, subcode: 3 }], TAW);
});

Revised('missing NEXT_HOP with IPv4 NLRI: treat-as-withdraw (3)', () => {
  assertProblems(decodeUpdate(update(ORIGIN_IGP + AS_PATH)), [{ action: TAW, attrType: 3, subcode: 3 }], TAW);
});

Revised('NEXT_HOP is not required with MP_REACH_NLRI alone, ORIGIN and AS_PATH are (RFC 4760 §3)', () => {
  assertProblems(decodeUpdate(update(ORIGIN_IGP + AS_PATH + mpReachV6('2020010db8'), '')), [], 'none');
  assertProblems(decodeUpdate(update(mpReachV6('2020010db8'), '')), [
    { action: TAW, attrType: 1, subcode: 3 },
    { action: TAW, attrType: 2, subcode: 3 },
  ], TAW);
});

Revised('an UPDATE with only withdrawn routes and no attributes is clean', () => {
  const u = decodeUpdate(update('', '', NLRI));
  assert.is(u.problems, undefined);
  assert.is(updateAction(u), 'none');
  assert.equal(u, { type: 'UPDATE', withdrawn: [{ prefix: '198.51.100.0/24' }], attributes: [], nlri: [] });
});

Revised('2 trailing octets in the path attributes: treat-as-withdraw, NLRI still found (RFC 7606 §4)', () => {
  const u = decodeUpdate(update(MANDATORY + '4001'));
  assertProblems(u, [{ action: TAW, attrType: 0, subcode: 1 }], TAW);
  assert.equal(u.nlri, [{ prefix: '198.51.100.0/24' }]);
  assert.equal(types(u), ['ORIGIN', 'AS_PATH', 'NEXT_HOP']);
});

Revised('a non-MP attribute overrunning the path attributes: treat-as-withdraw, NLRI still found (RFC 7606 §4)', () => {
  const u = decodeUpdate(update(MANDATORY + '80040a' + '00000064'));
  assertProblems(u, [{ action: TAW, attrType: 4, subcode: 5 }], TAW);
  assert.equal(u.nlri, [{ prefix: '198.51.100.0/24' }]);
});

Revised('from an external peer LOCAL_PREF is discarded (RFC 7606 §7.5); from an internal one it is kept', () => {
  const bytes = update(MANDATORY + attr(0x40, 5, '00000064'));
  const ebgp = decodeUpdate(bytes, EBGP);
  assertProblems(ebgp, [{ action: DISCARD, attrType: 5, subcode: 0 }], DISCARD);
  assert.equal(types(ebgp), ['ORIGIN', 'AS_PATH', 'NEXT_HOP']);
  const ibgp = decodeUpdate(bytes, { ...CTX, external: false });
  assertProblems(ibgp, [], 'none');
  assert.equal(ibgp.attributes[3], { type: 'LOCAL_PREF', flags: 0x40, localPref: 100 });
});

Revised('from an external peer ORIGINATOR_ID and CLUSTER_LIST are discarded (RFC 7606 §7.9, §7.10)', () => {
  const u = decodeUpdate(update(MANDATORY + attr(0x80, 9, '0a000009') + attr(0x80, 10, '0a00000a')), EBGP);
  assertProblems(u, [
    { action: DISCARD, attrType: 9, subcode: 0 },
    { action: DISCARD, attrType: 10, subcode: 0 },
  ], DISCARD);
});

Revised('several problems: every one is listed and updateAction returns the strongest', () => {
  // attribute-discard first, treat-as-withdraw second, attribute-discard last: the order must not matter.
  const u = decodeUpdate(update(attr(0x40, 6, '00') + attr(0x40, 1, '07') + AS_PATH + NEXT_HOP + attr(0xc0, 7, '00')));
  assertProblems(u, [
    { action: DISCARD, attrType: 6, subcode: 5 },
    { action: TAW, attrType: 1, subcode: 6 },
    { action: DISCARD, attrType: 7, subcode: 5 },
  ], TAW);
});

Revised('an optional unknown attribute is kept as UNKNOWN with its flags and re-encodes identically', () => {
  const bytes = update(MANDATORY + attr(0xe0, 99, '0102') + attr(0x90, 200, 'aa'));
  const u = decodeUpdate(bytes);
  assertProblems(u, [], 'none');
  assert.equal(u.attributes.slice(3), [
    { type: 'UNKNOWN', code: 99, flags: 0xe0, data: fromHex('0102') },
    { type: 'UNKNOWN', code: 200, flags: 0x90, data: fromHex('aa') },
  ]);
  assert.is(hex(encodeMessage(u, CTX)), hex(bytes));
});

Revised.run();

// ---------------------------------------------------------------------------------------------

const Bgpsec = suite('decodeMessage: BGPsec_PATH stands in for AS_PATH (RFC 8205)');

// Secure_Path 65001, 65002 and one Signature_Block (suite 1) with a signature per segment.
const SIG_BLOCK = '0037' + '01' + 'aa'.repeat(20) + '0004' + 'deadbeef' + 'bb'.repeat(20) + '0004' + 'cafef00d';
const SECURE_PATH = '000e' + '01000000fde9' + '01000000fdea';
const BGPSEC_PATH = attr(0x90, 33, SECURE_PATH + SIG_BLOCK);
const V4_SECURE = ORIGIN_IGP + BGPSEC_PATH + NEXT_HOP;

Bgpsec('negotiated: an UPDATE with BGPsec_PATH and no AS_PATH is clean, its routes are announced, and it re-encodes byte for byte', () => {
  const bytes = update(V4_SECURE);
  const u = decodeUpdate(bytes, BGPSEC);
  assert.equal(types(u), ['ORIGIN', 'BGPSEC_PATH', 'NEXT_HOP']);
  assertProblems(u, [], 'none');
  assert.equal(u.nlri, [{ prefix: '198.51.100.0/24' }]);
  const sec = u.attributes[1]!;
  assert.ok(sec.type === 'BGPSEC_PATH');
  assert.equal(sec.segments.map((s) => s.asn), [65001, 65002]);
  assert.is(sec.signatureBlocks[0]!.signatures.length, 2);
  assert.is(hex(encodeMessage(u, BGPSEC)), hex(bytes));
  // MP_REACH_NLRI (IPv6) with BGPsec_PATH and no AS_PATH: clean too.
  assertProblems(decodeUpdate(update(ORIGIN_IGP + BGPSEC_PATH + mpReachV6('2020010db8'), ''), BGPSEC), [], 'none');
});

Bgpsec('not negotiated: the same UPDATE is missing AS_PATH, treat-as-withdraw (RFC 7606 §3 d)', () => {
  for (const ctx of [AS4, { ...DEFAULT_NEGOTIATED, bgpsec: false }]) {
    assertProblems(decodeUpdate(update(V4_SECURE), ctx), [{ action: 'treat-as-withdraw', attrType: 2, subcode: 3 }], 'treat-as-withdraw');
  }
});

Bgpsec('negotiated but neither AS_PATH nor BGPsec_PATH: still missing AS_PATH', () => {
  assertProblems(decodeUpdate(update(ORIGIN_IGP + NEXT_HOP), BGPSEC), [{ action: 'treat-as-withdraw', attrType: 2, subcode: 3 }], 'treat-as-withdraw');
});

Bgpsec('a malformed BGPsec_PATH is treat-as-withdraw (RFC 8205 §5.2), never a session reset', () => {
  const bad = [
    '000d' + '01000000fde9' + '01000000fd' + SIG_BLOCK, // Secure_Path Length not 2 + 6k
    '0002' + SIG_BLOCK, // no Secure_Path segment
    SECURE_PATH, // no Signature_Block
    SECURE_PATH + SIG_BLOCK.replace(/^0037/, '0038'), // Signature_Block Length overruns the attribute
    SECURE_PATH + '001d' + '01' + 'aa'.repeat(20) + '0004' + 'deadbeef', // one signature for two segments
    SECURE_PATH + SIG_BLOCK + SIG_BLOCK + SIG_BLOCK, // three Signature_Blocks
    SECURE_PATH + SIG_BLOCK + '00', // a trailing octet
    SECURE_PATH + SIG_BLOCK.replace('0004deadbeef', '0000deadbeef'), // Signature Length 0
  ];
  for (const value of bad) {
    const u = decodeUpdate(update(ORIGIN_IGP + attr(0x90, 33, value) + NEXT_HOP), BGPSEC);
    assertProblems(u, [{ action: 'treat-as-withdraw', attrType: 33, subcode: 9 }], 'treat-as-withdraw');
    assert.equal(types(u), ['ORIGIN', 'NEXT_HOP'], value);
  }
  // Transitive set on an optional non-transitive attribute: Attribute Flags Error, treat-as-withdraw.
  assertProblems(decodeUpdate(update(ORIGIN_IGP + attr(0xd0, 33, SECURE_PATH + SIG_BLOCK) + NEXT_HOP), BGPSEC), [{ action: 'treat-as-withdraw', attrType: 33, subcode: 4 }], 'treat-as-withdraw');
});

Bgpsec.run();

// ---------------------------------------------------------------------------------------------

const Action = suite('updateAction');

Action('none / attribute-discard / treat-as-withdraw by rank', () => {
  const base: UpdateMessage = { type: 'UPDATE', withdrawn: [], attributes: [], nlri: [] };
  const p = (action: 'attribute-discard' | 'treat-as-withdraw') => ({ action, attrType: 1, subcode: 1, reason: '' });
  assert.is(updateAction(base), 'none');
  assert.is(updateAction({ ...base, problems: [] }), 'none');
  assert.is(updateAction({ ...base, problems: [p('attribute-discard')] }), 'attribute-discard');
  assert.is(updateAction({ ...base, problems: [p('treat-as-withdraw'), p('attribute-discard')] }), 'treat-as-withdraw');
  assert.is(updateAction({ ...base, problems: [p('attribute-discard'), p('treat-as-withdraw')] }), 'treat-as-withdraw');
});

Action.run();

// ---------------------------------------------------------------------------------------------

const utf8Hex = (s: string): string => Buffer.from(s, 'utf8').toString('hex');
const notificationOf = (bodyHex: string): NotificationMessage => {
  const m = decodeMessage(message(3, bodyHex), CTX);
  if (m.type !== 'NOTIFICATION') throw new Error(`expected a NOTIFICATION, got ${m.type}`);
  return m;
};

const Shutdown = suite('shutdownCommunication (RFC 9003)');

Shutdown('Cease / Administrative Shutdown with valid UTF-8 text', () => {
  const text = 'maintenance 🛠 back at 10:00 — ops';
  const body = utf8Hex(text);
  const n = notificationOf('0602' + (body.length / 2).toString(16).padStart(2, '0') + body);
  assert.equal(shutdownCommunication(n), { text });
  const reset = notificationOf('0604' + '02' + utf8Hex('hi'));
  assert.equal(shutdownCommunication(reset), { text: 'hi' });
});

Shutdown('a length octet exceeding the data is an error, not a text', () => {
  const got = shutdownCommunication(notificationOf('0602' + '10' + utf8Hex('abc')));
  assert.ok(got !== undefined && 'error' in got, JSON.stringify(got));
});

Shutdown('invalid UTF-8 is an error, not a text', () => {
  for (const bad of ['c328', 'ff', 'e282', 'eda080']) {
    const got = shutdownCommunication(notificationOf('0602' + (bad.length / 2).toString(16).padStart(2, '0') + bad));
    assert.ok(got !== undefined && 'error' in got, `${bad}: ${JSON.stringify(got)}`);
  }
});

Shutdown('none without data, with length 0, or for other codes', () => {
  assert.is(shutdownCommunication(notificationOf('0602')), undefined);
  assert.is(shutdownCommunication(notificationOf('060200')), undefined);
  assert.is(shutdownCommunication(notificationOf('0603' + '02' + utf8Hex('hi'))), undefined);
  assert.is(shutdownCommunication(notificationOf('0302' + '02' + utf8Hex('hi'))), undefined);
});

Shutdown.run();

const MakeNotification = suite('makeNotification');

MakeNotification('a text of more than 255 octets is cut at a UTF-8 character boundary', () => {
  const cases: [string, number][] = [
    ['a'.repeat(254) + 'é', 254], // é = c3 a9 would straddle octet 255
    ['a'.repeat(253) + '😀', 253], // 4 octets starting at 253
    ['a'.repeat(255) + 'b', 255],
    ['a'.repeat(253) + 'é' + 'z', 255], // é ends exactly at 255
  ];
  for (const [text, octets] of cases) {
    const n = makeNotification(6, 2, text);
    assert.is(n.data[0], octets, text.slice(250));
    assert.is(n.data.length, octets + 1);
    const back = decodeMessage(encodeMessage(n, CTX), CTX) as NotificationMessage;
    assert.equal(shutdownCommunication(back), { text: Buffer.from(text, 'utf8').subarray(0, octets).toString('utf8') });
  }
});

MakeNotification('a short text is carried whole; bytes are carried as given', () => {
  assert.is(hex(makeNotification(6, 2, 'bye').data), '03' + utf8Hex('bye'));
  assert.is(hex(encodeMessage(makeNotification(3, 2, fromHex('406302abcd')), CTX)), hex(message(3, '0302406302abcd')));
  assert.is(hex(makeNotification(6, 4).data), '');
});

MakeNotification.run();

// ---------------------------------------------------------------------------------------------

const EOR_V4 = message(2, '0000' + '0000');
const EOR_V6 = message(2, '0000' + '0006' + '800f03' + '000201');

const EorFamily = suite('endOfRibFamily (RFC 4724 §2)');

EorFamily('the 23-octet empty UPDATE is the IPv4 unicast End-of-RIB', () => {
  assert.is(EOR_V4.length, 23);
  assert.is(endOfRibFamily(decodeUpdate(EOR_V4)), IPV4_UNICAST);
});

EorFamily('an UPDATE with only an empty MP_UNREACH_NLRI is the End-of-RIB of its family', () => {
  assert.is(endOfRibFamily(decodeUpdate(EOR_V6)), IPV6_UNICAST);
  // An undecoded family (L2VPN EVPN) is recognised too.
  assert.is(endOfRibFamily(decodeUpdate(message(2, updateBody('', attr(0x80, 15, '001946'))))), familyKey(25, 70));
});

EorFamily('UPDATEs carrying anything are not End-of-RIB', () => {
  assert.is(endOfRibFamily(decodeUpdate(update('', '', NLRI))), undefined);
  assert.is(endOfRibFamily(decodeUpdate(update(attr(0x80, 15, '000201' + '2020010db8'), ''))), undefined);
  assert.is(endOfRibFamily(decodeUpdate(update(ORIGIN_IGP + AS_PATH + mpReachV6('2020010db8'), ''))), undefined);
  assert.is(endOfRibFamily(decodeUpdate(update(MANDATORY))), undefined);
});

EorFamily.run();

const Eor = suite('endOfRib');

Eor('encodes to the exact End-of-RIB bytes', () => {
  assert.is(hex(encodeMessage(endOfRib(1, 1), CTX)), hex(EOR_V4));
  assert.is(hex(encodeMessage(endOfRib(2, 1), CTX)), hex(EOR_V6));
  assert.is(hex(encodeMessage(endOfRib(2, 1), AS4)), hex(EOR_V6));
});

Eor.run();

// ---------------------------------------------------------------------------------------------

const AsSize = suite('AS_PATH and AGGREGATOR size by ctx.fourOctetAs (RFC 6793)');

const withAttrs = (attributes: PathAttribute[]): UpdateMessage => ({ type: 'UPDATE', withdrawn: [], attributes, nlri: [] });

AsSize('AS_PATH carries 2-octet ASNs without, 4-octet ASNs with the capability', () => {
  const value: PathAttribute = { type: 'AS_PATH', flags: 0x40, segments: [{ segmentType: 2, asns: [65001, 65002] }] };
  const two = message(2, updateBody('', '400206' + '0202fde9fdea'));
  const four = message(2, updateBody('', '40020a' + '0202' + '0000fde9' + '0000fdea'));
  assert.is(hex(encodeMessage(withAttrs([value]), CTX)), hex(two));
  assert.is(hex(encodeMessage(withAttrs([value]), AS4)), hex(four));
  assert.equal(decodeUpdate(two, CTX).attributes, [value]);
  assert.equal(decodeUpdate(four, AS4).attributes, [value]);
  const big: PathAttribute = { type: 'AS_PATH', flags: 0x40, segments: [{ segmentType: 2, asns: [4200000000] }] };
  assert.equal(decodeUpdate(message(2, updateBody('', '400206' + '0201fa56ea00')), AS4).attributes, [big]);
});

AsSize('4-octet AS_PATH bytes read in a 2-octet session are malformed (treat-as-withdraw)', () => {
  const u = decodeUpdate(message(2, updateBody('', ORIGIN_IGP + '40020a' + '0202' + '0000fde9' + '0000fdea' + NEXT_HOP, NLRI)), CTX);
  assertProblems(u, [{ action: TAW, attrType: 2, subcode: 11 }], TAW);
});

AsSize('AGGREGATOR is 6 octets without, 8 with the capability; the other size is discarded (RFC 7606 §7.7)', () => {
  const value: PathAttribute = { type: 'AGGREGATOR', flags: 0xc0, asn: 65001, address: '192.0.2.1' };
  const six = message(2, updateBody('', 'c00706' + 'fde9' + 'c0000201'));
  const eight = message(2, updateBody('', 'c00708' + '0000fde9' + 'c0000201'));
  assert.is(hex(encodeMessage(withAttrs([value]), CTX)), hex(six));
  assert.is(hex(encodeMessage(withAttrs([value]), AS4)), hex(eight));
  assert.equal(decodeUpdate(six, CTX).attributes, [value]);
  assert.equal(decodeUpdate(eight, AS4).attributes, [value]);
  assertProblems(decodeUpdate(eight, CTX), [{ action: DISCARD, attrType: 7, subcode: 5 }], DISCARD);
  assertProblems(decodeUpdate(six, AS4), [{ action: DISCARD, attrType: 7, subcode: 5 }], DISCARD);
});

AsSize.run();

// ---------------------------------------------------------------------------------------------

const SEQ = 2;
const SET = 1;
const CONFED_SEQ = 3;
const seq = (...asns: number[]): AsPathSegment => ({ segmentType: SEQ, asns });
const set = (...asns: number[]): AsPathSegment => ({ segmentType: SET, asns });

/** Adjacent AS_SEQUENCE segments joined: the same path however the merge splits its segments. */
function normalize(segments: readonly AsPathSegment[]): AsPathSegment[] {
  const out: AsPathSegment[] = [];
  for (const s of segments) {
    const last = out[out.length - 1];
    if (last && last.segmentType === SEQ && s.segmentType === SEQ) last.asns = [...last.asns, ...s.asns];
    else out.push({ segmentType: s.segmentType, asns: [...s.asns] });
  }
  return out;
}

const path = (segments: AsPathSegment[]): PathAttribute => ({ type: 'AS_PATH', segments });
const path4 = (segments: AsPathSegment[]): PathAttribute => ({ type: 'AS4_PATH', segments });

const Merge = suite('mergeAs4Path (RFC 6793 §4.2.3)');

Merge('without AS4_PATH the AS_PATH is the path', () => {
  assert.equal(mergeAs4Path([path([seq(65010, 65020)])]), [seq(65010, 65020)]);
  assert.equal(mergeAs4Path([]), []);
});

Merge('AS4_PATH replaces the trailing AS_TRANS entries; leading 2-octet ASNs stay', () => {
  const got = mergeAs4Path([path([seq(65010, AS_TRANS, AS_TRANS)]), path4([seq(4200000001, 4200000002)])]);
  assert.equal(normalize(got), [seq(65010, 4200000001, 4200000002)]);
  assert.is(asPathLength(got), 3);
  const same = mergeAs4Path([path([seq(AS_TRANS, 65020)]), path4([seq(4200000001, 65020)])]);
  assert.equal(normalize(same), [seq(4200000001, 65020)]);
});

Merge('an AS4_PATH longer than AS_PATH is ignored', () => {
  const asPath = [seq(AS_TRANS, 65020)];
  assert.equal(mergeAs4Path([path(asPath), path4([seq(4200000001, 4200000002, 65020)])]), asPath);
});

Merge('AGGREGATOR other than AS_TRANS with AS4_AGGREGATOR: AS4_PATH is ignored', () => {
  const attrs = (aggregatorAs: number): PathAttribute[] => [
    path([seq(65010, AS_TRANS)]),
    path4([seq(4200000002)]),
    { type: 'AGGREGATOR', asn: aggregatorAs, address: '192.0.2.1' },
    { type: 'AS4_AGGREGATOR', asn: 4200000009, address: '192.0.2.1' },
  ];
  assert.equal(mergeAs4Path(attrs(65005)), [seq(65010, AS_TRANS)]);
  assert.equal(normalize(mergeAs4Path(attrs(AS_TRANS))), [seq(65010, 4200000002)]);
});

Merge('an AS_SET counts 1 when counting AS numbers', () => {
  const asSet = set(65001, 65002, 65003);
  assert.is(asPathLength([asSet, seq(AS_TRANS)]), 2);
  // Counted as 1, the set is the one leading unit AS4_PATH does not cover.
  assert.equal(normalize(mergeAs4Path([path([asSet, seq(AS_TRANS)]), path4([seq(4200000001)])])), [asSet, seq(4200000001)]);
  // Counted as 1, AS_PATH (2) is shorter than AS4_PATH (3): ignored.
  const asPath = [seq(AS_TRANS), set(65001, 65002, 65003)];
  assert.equal(mergeAs4Path([path(asPath), path4([seq(4200000001, 4200000002, 4200000003)])]), asPath);
});

Merge('a leading AS_CONFED_SEQUENCE is prepended even when no AS number is taken from AS_PATH', () => {
  // RFC 6793 §4.2.3: "a valid AS_CONFED_SEQUENCE or AS_CONFED_SET path segment SHALL be prepended if it
  // is either the leading path segment or is adjacent to a path segment that is prepended".
  const confed: AsPathSegment = { segmentType: CONFED_SEQ, asns: [64512] };
  const got = mergeAs4Path([path([confed, seq(AS_TRANS, AS_TRANS)]), path4([seq(4200000001, 4200000002)])]);
  assert.equal(normalize(got), [confed, seq(4200000001, 4200000002)]);
});

Merge.run();
