import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Afi, ErrorCode, UpdateSubcode } from '../../src/bgp/iana.js';
import { BgpError } from '../../src/bgp/errors.js';
import { decodePrefixes, formatIpv6, nlriLength, parseIpv4, parseIpv6, parsePrefix, writeNlri, writePrefix } from '../../src/bgp/messages/nlri.js';
import { Reader } from '../../src/bgp/messages/reader.js';
import { Writer } from '../../src/bgp/messages/writer.js';
import { fromHex, hex } from '../helpers/hex.js';

const decode = (h: string, afi: number, addPath = false) => {
  const b = fromHex(h);
  return decodePrefixes(new Reader(b, 0, b.length, 3, 1), b.length, afi, addPath, ErrorCode.UPDATE_MESSAGE, UpdateSubcode.INVALID_NETWORK_FIELD);
};

const Prefixes = suite('decodePrefixes');

Prefixes('IPv4 prefixes of every byte width, both ways', () => {
  const wire = '00' + '080a' + '10ac10' + '18c0a801' + '2064640000' + '01';
  const got = decode(wire + '80', Afi.IPV4);
  assert.equal(got.map((n) => n.prefix), ['0.0.0.0/0', '10.0.0.0/8', '172.16.0.0/16', '192.168.1.0/24', '100.100.0.0/32', '128.0.0.0/1']);
  const w = new Writer(64);
  for (const n of got) writePrefix(w, n, false);
  assert.is(hex(w.result()), wire + '80');
});

Prefixes('nlriLength / writeNlri: a list both ways, with and without ADD-PATH ids', () => {
  const list = [{ prefix: '10.0.0.0/8', pathId: 1 }, { prefix: '192.0.2.0/24', pathId: 2 }, { prefix: '0.0.0.0/0', pathId: 3 }];
  for (const [addPath, wire] of [
    [false, '080a' + '18c00002' + '00'],
    [true, '00000001080a' + '0000000218c00002' + '0000000300'],
  ] as const) {
    assert.is(nlriLength(list, addPath), wire.length / 2);
    const w = new Writer(3 + wire.length / 2);
    w.u8(0xee);
    w.u16(0xeeee);
    writeNlri(w, list, addPath);
    assert.is(hex(w.result().subarray(3)), wire);
    const back = decode(wire, Afi.IPV4, addPath);
    assert.equal(back, addPath ? list : list.map((n) => ({ prefix: n.prefix })));
  }
});

Prefixes('host bits past the length are cleared', () => {
  assert.equal(decode('140a011f', Afi.IPV4), [{ prefix: '10.1.16.0/20' }]);
});

Prefixes('ADD-PATH identifiers', () => {
  assert.equal(decode('00000001 18c00002 00000002 18c00002'.replace(/ /g, ''), Afi.IPV4, true), [
    { prefix: '192.0.2.0/24', pathId: 1 },
    { prefix: '192.0.2.0/24', pathId: 2 },
  ]);
});

Prefixes('IPv6 prefixes', () => {
  assert.equal(decode('2020010db8' + '80' + '20010db8000000000000000000000001', Afi.IPV6), [
    { prefix: '2001:db8::/32' },
    { prefix: '2001:db8::1/128' },
  ]);
});

Prefixes('prefix length over the family maximum is Invalid Network Field', () => {
  for (const [h, afi] of [['21ffffffffff', Afi.IPV4], ['81' + 'ff'.repeat(17), Afi.IPV6]] as const) {
    try {
      decode(h, afi);
      assert.unreachable('should throw');
    } catch (e) {
      assert.instance(e, BgpError);
      assert.is((e as BgpError).code, 3);
      assert.is((e as BgpError).subcode, 10);
    }
  }
});

Prefixes('a prefix running past the end throws', () => {
  assert.throws(() => decode('18c000', Afi.IPV4), (e: unknown) => e instanceof BgpError && e.subcode === 10);
});

Prefixes.run();

const Text = suite('address text');

Text('RFC 5952 formatting', () => {
  const cases: [string, string][] = [
    ['20010db8000000000000000000000001', '2001:db8::1'],
    ['00000000000000000000000000000000', '::'],
    ['00000000000000000000000000000001', '::1'],
    ['20010db8000000010000000000000001', '2001:db8:0:1::1'],
    ['20010db8000100010001000100010001', '2001:db8:1:1:1:1:1:1'],
    ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'],
    ['fe800000000000000000000000000000', 'fe80::'],
  ];
  for (const [h, text] of cases) {
    assert.is(formatIpv6(fromHex(h), 0), text);
    assert.is(hex(parseIpv6(text)!), h);
  }
});

Text('parseIpv4 rejects what is not a dotted quad', () => {
  assert.is(parseIpv4('10.10.0.5'), 0x0a0a0005);
  for (const bad of ['10.10.0', '10.10.0.256', '1.2.3.4.5', '01.2.3.4', 'a.b.c.d', '', '1..2.3']) assert.is(parseIpv4(bad), -1, bad);
});

Text('parsePrefix clears host bits and rejects bad lengths', () => {
  assert.equal(parsePrefix('100.64.0.1/24')?.length, 24);
  assert.is(hex(parsePrefix('100.64.0.1/24')!.bytes), '64400000');
  assert.is(parsePrefix('100.64.0.1/33'), null);
  assert.is(parsePrefix('100.64.0.1'), null);
  assert.is(parsePrefix('2001:db8::/129'), null);
  assert.is(hex(parsePrefix('2001:db8::1/32')!.bytes), '20010db8' + '0'.repeat(24));
});

Text.run();
