// Hand-built valid messages covering every message type, attribute and capability: the fuzz seed
// corpus, also reused by the benchmarks. Each entry names the context it is valid in.
import { IPV4_UNICAST, IPV6_UNICAST } from '../../src/bgp/iana.js';
import { DEFAULT_NEGOTIATED, type Negotiated } from '../../src/bgp/messages/negotiated.js';
import { attr, cap, capParam, capParamExt, openBody, openBodyExt, updateBody } from './build.js';
import { message } from './hex.js';

/** 4-octet AS, ADD-PATH for IPv4 and IPv6 unicast both ways, Extended Message, enhanced route refresh, ORF, BGPsec. */
export const FULL_NEGOTIATED: Negotiated = {
  fourOctetAs: true,
  extendedMessage: true,
  addPath: new Set([IPV4_UNICAST, IPV6_UNICAST]),
  routeRefresh: true,
  enhancedRouteRefresh: true,
  families: new Set([IPV4_UNICAST, IPV6_UNICAST]),
  orf: true,
  bgpsec: true,
};

export const CORPUS_CONTEXTS = { default: DEFAULT_NEGOTIATED, full: FULL_NEGOTIATED } as const;
export type CorpusContext = keyof typeof CORPUS_CONTEXTS;

export interface CorpusEntry {
  name: string;
  bytes: Uint8Array;
  /** The context the message is valid in: it decodes there with no error and no RFC 7606 problem. */
  ctx: CorpusContext;
}

const V6_NH = '20010db8000000000000000000000001';
const V6_LL = 'fe800000000000000000000000000001';

// Capabilities, one of each kind (RFC 4760, 2918, 8950, 8654, 9234, 4724, 6793, 7911, 7313, 9494, FQDN).
const CAP_MP4 = cap(1, '00010001');
const CAP_MP6 = cap(1, '00020001');
const CAP_RR = cap(2);
const CAP_ENH_RR = cap(70);
const CAP_EXT_NH = cap(5, '000100010002');
const CAP_EXT_MSG = cap(6);
const CAP_ROLE = cap(9, '03');
const CAP_GR = cap(64, '8078' + '00010180' + '00020100');
const CAP_AS4 = cap(65, 'fa56ea00');
const CAP_ADD_PATH = cap(69, '00010103' + '00020103');
const CAP_LLGR = cap(71, '00010180000e10');
const CAP_FQDN = cap(73, '03' + '727331' + '0b' + '6578616d706c652e6e6574');
const CAP_UNKNOWN = cap(240, 'c0ffee');
const CAP_ORF = cap(3, '0001000101' + '4003'); // RFC 5291 §4: IPv4 unicast, Address-Prefix ORF, send and receive
const CAP_BGPSEC = cap(7, '080001'); // RFC 8205 §2.1: version 0, send, IPv4
const ALL_CAPS = [CAP_MP4, CAP_MP6, CAP_RR, CAP_ORF, CAP_ENH_RR, CAP_EXT_NH, CAP_EXT_MSG, CAP_BGPSEC, CAP_ROLE, CAP_GR, CAP_AS4, CAP_ADD_PATH, CAP_LLGR, CAP_FQDN, CAP_UNKNOWN];

// Attributes.
const ORIGIN = attr(0x40, 1, '00');
const ORIGIN_INCOMPLETE = attr(0x40, 1, '02');
const AS_PATH2 = attr(0x40, 2, '0203fde9fdeafdeb' + '0102fdf2fdfc'); // SEQ 65001 65002 65003, SET {65010 65020}
const AS_PATH2_TRANS = attr(0x40, 2, '0203fde95ba05ba0'); // SEQ 65001 AS_TRANS AS_TRANS
const AS_PATH4 = attr(0x40, 2, '0202fa56ea000000fde9' + '03010000fc00'); // SEQ 4200000000 65001, CONFED_SEQ 64512
const NEXT_HOP = attr(0x40, 3, 'c0000201');
const MED = attr(0x80, 4, '00000064');
const LOCAL_PREF = attr(0x40, 5, '000000c8');
const ATOMIC_AGGREGATE = attr(0x40, 6, '');
const AGGREGATOR2 = attr(0xc0, 7, '5ba0' + 'c0000201');
const AGGREGATOR4 = attr(0xc0, 7, 'fa56ea00' + 'c0000201');
const COMMUNITIES = attr(0xc0, 8, 'fde90064' + 'ffffff01' + 'ffff0000');
const ORIGINATOR_ID = attr(0x80, 9, '0a000009');
const CLUSTER_LIST = attr(0x80, 10, '0a00000a' + '0a00000b');
const EXT_COMMUNITIES = attr(0xc0, 16, '0002fde900000064' + '010300000a000001');
const AS4_PATH = attr(0xc0, 17, '0202fa56ea00fa56ea01');
const AS4_AGGREGATOR = attr(0xc0, 18, 'fa56ea01' + 'c0000201');
const LARGE_COMMUNITY = attr(0xc0, 32, 'fa56ea00' + '00000001' + '00000002');
const UNKNOWN_ATTR = attr(0xe0, 99, '0102030405');

/** Every capability TLV above, as hex: building blocks for generated OPENs. */
export const SEED_CAPABILITIES: readonly string[] = ALL_CAPS;

/** Every attribute above (2-octet AS forms first, then 4-octet ones), as hex: building blocks for generated UPDATEs. */
export const SEED_ATTRIBUTES: readonly string[] = [
  ORIGIN, ORIGIN_INCOMPLETE, AS_PATH2, AS_PATH2_TRANS, AS_PATH4, NEXT_HOP, MED, LOCAL_PREF, ATOMIC_AGGREGATE, AGGREGATOR2, AGGREGATOR4,
  COMMUNITIES, ORIGINATOR_ID, CLUSTER_LIST, EXT_COMMUNITIES, AS4_PATH, AS4_AGGREGATOR, LARGE_COMMUNITY, UNKNOWN_ATTR,
  attr(0x80, 14, '000201' + '10' + V6_NH + '00' + '2020010db8'),
  attr(0x80, 14, '000102' + '04' + 'c0000201' + '00' + '18e00001'),
  attr(0x80, 15, '000201' + '2020010db9'),
  attr(0x80, 15, '000201'),
];

const NLRI4 = '18c63364' + '10ac10' + '080a' + '20c0000201' + '00'; // 198.51.100.0/24 172.16/16 10/8 192.0.2.1/32 0/0

function bigUpdateWithAddPath(): Uint8Array {
  // About 5000 octets: needs Extended Message. 620 IPv4 /24s, each with a path identifier.
  let nlri = '';
  for (let i = 0; i < 620; i++) nlri += (i + 1).toString(16).padStart(8, '0') + '18' + '0a' + ((i >> 8) & 0xff).toString(16).padStart(2, '0') + (i & 0xff).toString(16).padStart(2, '0');
  return message(2, updateBody('', ORIGIN + AS_PATH4 + NEXT_HOP, nlri));
}

export const CORPUS: readonly CorpusEntry[] = [
  { name: 'KEEPALIVE', ctx: 'default', bytes: message(4, '') },
  { name: 'OPEN, no optional parameters', ctx: 'default', bytes: message(1, openBody('')) },
  { name: 'OPEN, every capability in one parameter', ctx: 'default', bytes: message(1, openBody(capParam(...ALL_CAPS), { myAs: 23456 })) },
  { name: 'OPEN, one capability per parameter', ctx: 'default', bytes: message(1, openBody(ALL_CAPS.map((c) => capParam(c)).join(''), { holdTime: 0 })) },
  {
    name: 'OPEN, RFC 9072 extended optional parameters',
    ctx: 'default',
    bytes: message(1, openBodyExt(capParamExt(CAP_MP4, CAP_AS4, CAP_RR) + capParamExt(CAP_FQDN), { holdTime: 3 })),
  },
  {
    name: 'UPDATE, IPv4 with every attribute (2-octet AS)',
    ctx: 'default',
    bytes: message(
      2,
      updateBody(
        '18c63365' + '00',
        ORIGIN + AS_PATH2_TRANS + NEXT_HOP + MED + LOCAL_PREF + ATOMIC_AGGREGATE + AGGREGATOR2 + COMMUNITIES + ORIGINATOR_ID + CLUSTER_LIST +
          EXT_COMMUNITIES + AS4_PATH + AS4_AGGREGATOR + LARGE_COMMUNITY + UNKNOWN_ATTR,
        NLRI4,
      ),
    ),
  },
  {
    name: 'UPDATE, IPv4 with 4-octet AS and ADD-PATH',
    ctx: 'full',
    bytes: message(
      2,
      updateBody('00000003' + '18c63365', ORIGIN_INCOMPLETE + AS_PATH4 + NEXT_HOP + AGGREGATOR4 + COMMUNITIES + LARGE_COMMUNITY, '00000001' + '18c63364' + '00000002' + '18c63364'),
    ),
  },
  {
    name: 'UPDATE, IPv6 MP_REACH_NLRI (global + link-local) and MP_UNREACH_NLRI',
    ctx: 'default',
    bytes: message(
      2,
      updateBody(
        '',
        ORIGIN +
          AS_PATH2 +
          MED +
          attr(0x80, 14, '000201' + '20' + V6_NH + V6_LL + '00' + '3020010db80001' + '80' + V6_NH + '00') +
          attr(0x80, 15, '000201' + '2020010db9' + '40' + '20010db8ffff0000'),
      ),
    ),
  },
  {
    name: 'UPDATE, IPv6 with ADD-PATH',
    ctx: 'full',
    bytes: message(
      2,
      updateBody(
        '',
        ORIGIN + AS_PATH4 + attr(0x80, 14, '000201' + '10' + V6_NH + '00' + '00000007' + '2020010db8') + attr(0x80, 15, '000201' + '00000008' + '2020010db9'),
      ),
    ),
  },
  {
    name: 'UPDATE, IPv4 multicast in MP_REACH_NLRI',
    ctx: 'default',
    bytes: message(2, updateBody('', ORIGIN + AS_PATH2 + attr(0x80, 14, '000102' + '04' + 'c0000201' + '00' + '18e00001' + '04f0'))),
  },
  {
    name: 'UPDATE, undecoded family kept opaque (L2VPN EVPN)',
    ctx: 'default',
    bytes: message(2, updateBody('', ORIGIN + AS_PATH2 + attr(0x80, 14, '001946' + '04c0000201' + '00' + '0211' + '00'.repeat(17)) + attr(0x80, 15, '001946' + '0211' + '11'.repeat(17)))),
  },
  {
    name: 'UPDATE, extended-length and partial flags as received',
    ctx: 'default',
    bytes: message(2, updateBody('', attr(0x50, 1, '01') + attr(0x50, 2, '0201fde9') + attr(0x40, 3, 'c0000201') + attr(0xf0, 8, 'fde90064') + attr(0xd0, 200, 'aa'.repeat(300)), '18c63364')),
  },
  { name: 'UPDATE, IPv4 End-of-RIB', ctx: 'default', bytes: message(2, updateBody('', '')) },
  { name: 'UPDATE, IPv6 End-of-RIB', ctx: 'default', bytes: message(2, updateBody('', attr(0x80, 15, '000201'))) },
  { name: 'UPDATE, withdrawals only', ctx: 'default', bytes: message(2, updateBody('18c63364' + '10ac10' + '20c0000201', '')) },
  { name: 'UPDATE, 5000 octets with ADD-PATH (Extended Message)', ctx: 'full', bytes: bigUpdateWithAddPath() },
  { name: 'NOTIFICATION, Cease with a shutdown communication', ctx: 'default', bytes: message(3, '0602' + '0b' + '6d61696e74656e616e6365') },
  { name: 'NOTIFICATION, UPDATE error with data', ctx: 'default', bytes: message(3, '0302' + '406302abcd') },
  { name: 'NOTIFICATION, hold timer expired', ctx: 'default', bytes: message(3, '0400') },
  { name: 'ROUTE-REFRESH, normal', ctx: 'default', bytes: message(5, '00010001') },
  { name: 'ROUTE-REFRESH, BoRR', ctx: 'full', bytes: message(5, '00020101') },
  { name: 'ROUTE-REFRESH, EoRR', ctx: 'full', bytes: message(5, '00020201') },
  // RFC 8205 §3: BGPsec_PATH (two segments, one Signature_Block) in place of AS_PATH.
  {
    name: 'UPDATE with BGPsec_PATH',
    ctx: 'full',
    bytes: message(2, updateBody('', attr(0x40, 1, '00') + attr(0x90, 33, '000e' + '01000000fde9' + '01000000fdea' + '0037' + '01' + 'aa'.repeat(20) + '0004' + 'deadbeef' + 'bb'.repeat(20) + '0004' + 'cafef00d') + attr(0x40, 3, 'c0000201'), '0000000118c63364')),
  },
  // RFC 5291 §5 / RFC 5292: IMMEDIATE, one Address-Prefix ORF entry (ADD, seq 10, 198.51.100.0/24 le 24), then a REMOVE-ALL.
  { name: 'ROUTE-REFRESH with ORF entries', ctx: 'full', bytes: message(5, '00010001' + '01' + '40000b' + '000000000a181818c63364' + '400001' + '80') },
];
