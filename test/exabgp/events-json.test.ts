// ExaBGP's JSON events: UPDATEs encoded as ExaBGP's own decoder (the Debian exabgp package) writes them, state and shutdown events.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_NEGOTIATED, type UpdateMessage, encodeMessage } from '../../src/bgp/messages/index.js';
import { Afi, IPV4_UNICAST, IPV6_UNICAST, Safi } from '../../src/bgp/iana.js';
import { EXABGP_JSON_VERSION, ExaJsonEncoder, type ExaNeighbor } from '../../src/exabgp/events-json.js';

const run = promisify(execFile);
const EXABGP_PYTHON = '/usr/bin/python3';

const N: ExaNeighbor = { localAddress: '127.0.0.1', peerAddress: '127.0.0.2', localAs: 65001, peerAs: 65515 };
const encoder = (): ExaJsonEncoder => new ExaJsonEncoder({ host: 'vm', pid: 1234, ppid: 1, wallMs: () => 1_700_000_000_250 });

const RICH: UpdateMessage = {
  type: 'UPDATE',
  withdrawn: [{ prefix: '10.9.0.0/16' }],
  nlri: [{ prefix: '100.64.0.1/32' }, { prefix: '100.64.0.2/32' }],
  attributes: [
    { type: 'ORIGIN', origin: 0 },
    { type: 'AS_PATH', segments: [{ segmentType: 2, asns: [65515, 65001] }, { segmentType: 1, asns: [7, 8] }] },
    { type: 'NEXT_HOP', nextHop: '10.10.0.5' },
    { type: 'MULTI_EXIT_DISC', med: 100 },
    { type: 'LOCAL_PREF', localPref: 200 },
    { type: 'ATOMIC_AGGREGATE' },
    { type: 'AGGREGATOR', asn: 65001, address: '1.2.3.4' },
    { type: 'COMMUNITIES', communities: [65000 * 65536 + 1, 0xffffff01] },
    { type: 'EXTENDED_COMMUNITIES', communities: ['0002fde800000001', '010300010203000a', '0003fde800000001', '0202000100010001', '0102010203040005', '0005000000000001'] },
    { type: 'LARGE_COMMUNITY', communities: [[65001, 1, 2]] },
    { type: 'ORIGINATOR_ID', originatorId: '9.9.9.9' },
    { type: 'CLUSTER_LIST', clusterIds: ['1.1.1.1', '2.2.2.2'] },
  ],
};
const V6: UpdateMessage = {
  type: 'UPDATE',
  withdrawn: [],
  nlri: [],
  attributes: [
    { type: 'ORIGIN', origin: 2 },
    { type: 'AS_PATH', segments: [{ segmentType: 2, asns: [65515] }] },
    { type: 'MP_REACH_NLRI', afi: Afi.IPV6, safi: Safi.UNICAST, nextHops: ['2001:db8::5'], nlri: [{ prefix: '2001:db8:1::/48' }] },
    { type: 'MP_UNREACH_NLRI', afi: Afi.IPV6, safi: Safi.UNICAST, withdrawn: [{ prefix: '2001:db8:2::/48' }] },
  ],
};
const WITHDRAW: UpdateMessage = { type: 'UPDATE', withdrawn: [{ prefix: '100.64.0.1/32' }], nlri: [], attributes: [] };
const EOR4: UpdateMessage = { type: 'UPDATE', withdrawn: [], nlri: [], attributes: [] };
const EOR6: UpdateMessage = { type: 'UPDATE', withdrawn: [], nlri: [], attributes: [{ type: 'MP_UNREACH_NLRI', afi: Afi.IPV6, safi: Safi.UNICAST, withdrawn: [] }] };

/** ExaBGP's own JSON for these UPDATEs: `exabgp --decode` logs `update json {...}` for each one. */
async function exabgpJson(updates: UpdateMessage[]): Promise<unknown[]> {
  const dir = await mkdtemp(join(tmpdir(), 'tsbgp-exajson-'));
  try {
    const conf = join(dir, 'exabgp.conf');
    await writeFile(conf, `neighbor ${N.peerAddress} { router-id 10.10.0.7; local-address ${N.localAddress}; local-as ${N.localAs}; peer-as ${N.peerAs}; family { ipv4 unicast; ipv6 unicast; } }\n`);
    const neg = { ...DEFAULT_NEGOTIATED, fourOctetAs: true, families: new Set([IPV4_UNICAST, IPV6_UNICAST]) };
    const out: unknown[] = [];
    for (const u of updates) {
      const hex = Buffer.from(encodeMessage(u, neg)).toString('hex');
      const { stdout, stderr } = await run(EXABGP_PYTHON, ['-m', 'exabgp', '--decode', hex, conf], { timeout: 30_000, env: { ...process.env, exabgp_log_destination: 'stdout' } });
      const line = `${stdout}\n${stderr}`.split('\n').find((l) => l.includes(' json {'));
      assert.ok(line, `no json in exabgp --decode output:\n${stdout}\n${stderr}`);
      out.push(JSON.parse(line!.slice(line!.indexOf('{'))));
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** What two encoders of the same UPDATE share: the header fields that vary by run left out. */
function comparable(event: unknown): unknown {
  const { time: _t, host: _h, pid: _p, ppid: _pp, counter: _c, ...rest } = event as Record<string, unknown>;
  return rest;
}

const Updates = suite('update events');

Updates('the same JSON as ExaBGP 4.2 decoding the same bytes (IPv4 with every attribute, IPv6 MP_REACH/MP_UNREACH, a withdrawal, End-of-RIB)', async () => {
  const updates = [RICH, V6, WITHDRAW, EOR4, EOR6];
  const theirs = await exabgpJson(updates);
  const e = encoder();
  for (const [i, u] of updates.entries()) {
    // `exabgp --decode` says direction "in"; a live ExaBGP says "receive" (protocol.py), as we do.
    const ours = JSON.parse(e.update(N, u, 'receive').replace('"direction": "receive"', '"direction": "in"'));
    assert.equal(comparable(ours), comparable(theirs[i]), `update ${i}`);
  }
});

Updates('header: version, time in seconds, host, pid, ppid, a counter per neighbor', () => {
  const e = encoder();
  const a = JSON.parse(e.update(N, WITHDRAW));
  const b = JSON.parse(e.update(N, WITHDRAW));
  const other = JSON.parse(e.update({ ...N, peerAddress: '127.0.0.3' }, WITHDRAW));
  assert.equal([a.exabgp, a.time, a.host, a.pid, a.ppid, a.type], [EXABGP_JSON_VERSION, 1_700_000_000.25, 'vm', 1234, 1, 'update']);
  assert.equal([a.counter, b.counter, other.counter], [1, 2, 1]);
  assert.is(a.neighbor.direction, 'receive');
});

Updates.run();

const States = suite('state and other events');

States('up, connected, down with its reason (brackets replaced, as json.py does)', () => {
  const e = encoder();
  const up = JSON.parse(e.state(N, 'up'));
  assert.equal(up.neighbor, { address: { local: '127.0.0.1', peer: '127.0.0.2' }, asn: { local: 65001, peer: 65515 }, state: 'up' });
  assert.is(up.type, 'state');
  assert.is(JSON.parse(e.state(N, 'connected')).neighbor.state, 'connected');
  const down = JSON.parse(e.state(N, 'down', 'hold timer expired [90 s] "x"'));
  assert.equal([down.neighbor.state, down.neighbor.reason], ['down', 'hold timer expired (90 s) "x"']);
});

States('notification and shutdown', () => {
  const e = encoder();
  const n = JSON.parse(e.notification(N, 'receive', 6, 2, '0474657374'));
  assert.equal(n.neighbor.notification, { code: 6, subcode: 2, data: '0474657374' });
  assert.is(n.neighbor.direction, 'receive');
  const s = JSON.parse(e.shutdown());
  assert.equal([s.type, s.notification, s.counter], ['notification', 'shutdown', undefined]);
});

States.run();
