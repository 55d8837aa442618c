// The daemon's route owners end to end on loopback: what announce, withdraw, reload and a restart do to each owner.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Config } from '../../src/config/types.js';
import { fileBackend } from '../../src/daemon/store.js';
import { Speaker } from '../../src/daemon/speaker.js';
import type { StateBackend } from '../../src/daemon/store.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { config, memoryLogger, neighbor, until, waitState } from '../helpers/speakers.js';

const VIP = '100.64.0.1/32';

async function setup(o: { state?: StateBackend; routes?: Config['routes'] } = {}) {
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
  const port = await rs.listen('127.0.0.2');
  let cfg = config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port })], routes: o.routes ?? [{ prefix: VIP, nextHop: '10.10.0.4' }] });
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const w = new Speaker({ config: cfg, log: memoryLogger(lines), reloadConfig: async () => cfg, storeRetryMs: { min: 60_000, max: 60_000 }, ...(o.state ? { state: o.state } : {}) });
  await w.start();
  await waitState(w, '127.0.0.2', 'Established');
  await until('End-of-RIB', () => rs.ofType('UPDATE').some((u) => u.nlri.length === 0 && u.attributes.length === 0 && u.withdrawn.length === 0));
  return { rs, w, lines, edit: (next: Partial<Config>) => (cfg = { ...cfg, ...next }), port };
}

const Owners = suite('owners');

Owners('an operator withdraw of a config route holds across a reload of the same file, and is saved', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tsbgp-owners-'));
  const file = join(dir, 'state.json');
  const { rs, w } = await setup({ state: fileBackend(file) });
  try {
    const r = await w.withdraw(VIP);
    assert.ok(r.changed);
    assert.equal(r.saved && r.saved.ok, true);
    await until('the withdrawal', () => rs.ofType('UPDATE').some((u) => u.withdrawn.length === 1));
    assert.equal((await fileBackend(file).read())?.intents, [{ owner: 'operator', intent: { kind: 'withdraw', prefix: VIP } }]);
    const reloaded = await w.reload();
    assert.equal(reloaded.routesChanged, []);
    assert.equal([...w.routes('local')], []);
  } finally {
    await w.stop();
    await rs.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

Owners('a route the file changes wins over the operator on reload; an unchanged one keeps the runtime failover', async () => {
  const { rs, w, edit } = await setup({ routes: [{ prefix: VIP, nextHop: '10.10.0.4' }, { prefix: '100.64.0.2/32', nextHop: '10.10.0.4' }] });
  try {
    await w.announce({ prefix: VIP, nextHop: '10.10.0.5' });
    await w.announce({ prefix: '100.64.0.2/32', nextHop: '10.10.0.5' });
    edit({ routes: [{ prefix: VIP, nextHop: '10.10.0.4' }, { prefix: '100.64.0.2/32', nextHop: '10.10.0.6' }] });
    const r = await w.reload();
    assert.equal(r.routesChanged, ['100.64.0.2/32']);
    const local = Object.fromEntries([...w.routes('local')].map((e) => [e.prefix, [e.nextHop, e.owner]]));
    assert.equal(local, { [VIP]: ['10.10.0.5', 'operator'], '100.64.0.2/32': ['10.10.0.6', 'config'] });
    await until('the file change on the wire', () => rs.ofType('UPDATE').some((u) => u.attributes.some((a) => a.type === 'NEXT_HOP' && a.nextHop === '10.10.0.6')));
  } finally {
    await w.stop();
    await rs.close();
  }
});

Owners('an IPv6 route when no neighbor carries IPv6 is refused with TSBGP_ERR_NO_FAMILY', async () => {
  const { rs, w } = await setup();
  try {
    await w.announce({ prefix: '2001:db8::/48', nextHop: '2001:db8:1::1' });
    assert.unreachable('must be refused');
  } catch (e) {
    assert.is((e as { code?: string }).code, 'TSBGP_ERR_NO_FAMILY');
    assert.match((e as Error).message, /no neighbor carries ipv6-unicast/);
  } finally {
    await w.stop();
    await rs.close();
  }
});

Owners('advertised: what the peer was sent, with the owner of each local route', async () => {
  const { rs, w } = await setup();
  try {
    await w.announce({ prefix: VIP, nextHop: '10.10.0.5', med: 7 });
    const sent = [...w.routes('advertised')];
    assert.equal(sent.map((e) => [e.prefix, e.neighbor, e.nextHop, e.asPath, e.med, e.pending]), [[VIP, '127.0.0.2', '10.10.0.5', '65001', 7, undefined]]);
  } finally {
    await w.stop();
    await rs.close();
  }
});

Owners.run();

const Save = suite('a failing state file');

Save('the failover reaches the wire, the reply says NOT saved, summary says since when, stop says false', async () => {
  let fail = true;
  const writes: unknown[] = [];
  const state: StateBackend = {
    path: '/ro/state.json',
    read: async () => null,
    write: async (intents) => {
      writes.push(intents);
      if (fail) throw new Error('cannot save the state file /ro/state.json: read-only file system');
    },
  };
  const { rs, w, lines } = await setup({ state });
  try {
    const r = await w.announce({ prefix: VIP, nextHop: '10.10.0.5' });
    assert.equal(r.peers.map((p) => p.sent), [true]);
    assert.equal(r.saved, { ok: false, error: 'cannot save the state file /ro/state.json: read-only file system' });
    await until('the UPDATE', () => rs.ofType('UPDATE').some((u) => u.attributes.some((a) => a.type === 'NEXT_HOP' && a.nextHop === '10.10.0.5')));
    const s = w.summary().stateFile!;
    assert.is(s.path, '/ro/state.json');
    assert.ok(s.unsavedSince && s.error, JSON.stringify(s));
    assert.ok(lines.some((l) => l.level === 'error' && /cannot save the state file/.test(l.msg ?? '')));
  } finally {
    assert.is(await w.stop(), false, 'stop must report the unsaved change');
    await rs.close();
  }
  fail = false;
});

Save.run();
