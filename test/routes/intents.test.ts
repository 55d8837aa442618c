// Route intents by owner: precedence, what each change reports, replacing one owner, what is stored.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { RouteIntents } from '../../src/routes/intents.js';

const VIP = '100.64.0.1/32';
const ws1 = { prefix: VIP, nextHop: '10.10.0.4' };
const ws2 = { prefix: VIP, nextHop: '10.10.0.5' };

const Precedence = suite('precedence');

Precedence('config < operator < health < peer: the highest owner holding an intent decides', () => {
  const t = new RouteIntents();
  assert.equal(t.set('config', { kind: 'announce', route: ws1 }), [VIP]);
  assert.is(t.ownerOf(VIP), 'config');
  assert.equal(t.set('operator', { kind: 'announce', route: ws2 }), [VIP]);
  assert.is(t.route(VIP)!.nextHop, '10.10.0.5');
  assert.equal(t.set('health', { kind: 'announce', route: ws1 }), [VIP]);
  assert.is(t.ownerOf(VIP), 'health');
  // The operator changing its own intent under health's changes nothing advertised.
  assert.equal(t.set('operator', { kind: 'announce', route: { ...ws2, med: 5 } }), []);
  assert.equal(t.set('peer', { kind: 'announce', route: ws2 }), [VIP]);
  assert.is(t.ownerOf(VIP), 'peer');
  assert.equal(t.clear('peer', VIP), [VIP]);
  assert.is(t.route(VIP)!.nextHop, '10.10.0.4');
  assert.equal(t.clear('health', VIP), [VIP]);
  assert.equal(t.route(VIP), { ...ws2, med: 5 });
});

Precedence('an operator withdrawal hides the config route, and clearing it brings the route back', () => {
  const t = new RouteIntents();
  t.set('config', { kind: 'announce', route: ws1 });
  assert.equal(t.set('operator', { kind: 'withdraw', prefix: VIP }), [VIP]);
  assert.is(t.route(VIP), undefined);
  assert.is(t.size, 0);
  assert.is(t.ownerOf(VIP), 'operator');
  assert.equal(t.clear('operator', VIP), [VIP]);
  assert.equal(t.route(VIP), ws1);
});

Precedence('an identical intent reports nothing; an equal route from a second owner changes nothing advertised', () => {
  const t = new RouteIntents();
  t.set('config', { kind: 'announce', route: ws1 });
  assert.equal(t.set('config', { kind: 'announce', route: { ...ws1 } }), []);
  assert.equal(t.set('operator', { kind: 'announce', route: { ...ws1 } }), []);
  assert.is(t.ownerOf(VIP), 'operator');
});

Precedence.run();

const Replace = suite('replaceOwner');

Replace('replaces one owner only and names the prefixes whose advertised route changed', () => {
  const t = new RouteIntents();
  t.replaceOwner('config', [
    { kind: 'announce', route: ws1 },
    { kind: 'announce', route: { prefix: '100.64.0.2/32', nextHop: '10.10.0.4' } },
  ]);
  t.set('operator', { kind: 'announce', route: ws2 });
  const changed = t.replaceOwner('config', [
    { kind: 'announce', route: { ...ws1, med: 1 } },
    { kind: 'announce', route: { prefix: '100.64.0.3/32', nextHop: '10.10.0.4' } },
  ]);
  // VIP: the operator's intent still decides, so nothing advertised changed there.
  assert.equal(changed.sort(), ['100.64.0.2/32', '100.64.0.3/32']);
  assert.is(t.route(VIP)!.nextHop, '10.10.0.5');
  assert.is(t.route('100.64.0.2/32'), undefined);
});

Replace.run();

const Stored = suite('stored');

Stored("what a restart keeps: every owner but config (the file's) and peer (the partner's live routes), with its owner", () => {
  const t = new RouteIntents();
  t.set('config', { kind: 'announce', route: ws1 });
  t.set('peer', { kind: 'announce', route: { prefix: '100.64.0.2/32', nextHop: '10.10.0.4' } });
  t.set('operator', { kind: 'withdraw', prefix: VIP });
  t.set('health', { kind: 'announce', route: { prefix: '100.64.0.2/32', nextHop: '10.10.0.5' } });
  assert.equal(t.stored(), [
    { owner: 'operator', intent: { kind: 'withdraw', prefix: VIP } },
    { owner: 'health', intent: { kind: 'announce', route: { prefix: '100.64.0.2/32', nextHop: '10.10.0.5' } } },
  ]);
});

Stored.run();
