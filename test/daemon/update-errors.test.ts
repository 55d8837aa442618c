// The daemon's NOTIFICATION for a malformed UPDATE is the codec's error (RFC 4271 §6.3 check order), over a real socket.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Speaker } from '../../src/daemon/speaker.js';
import { message } from '../helpers/hex.js';
import { RawPeer } from '../helpers/raw-peer.js';
import { config, memoryLogger, neighbor, until, waitState } from '../helpers/speakers.js';

const UpdateErrors = suite('daemon: NOTIFICATION for a malformed UPDATE');

async function notificationFor(body: string): Promise<[number, number]> {
  const rs = new RawPeer({ asn: 65515, bgpId: '10.10.1.4' });
  const port = await rs.listen('127.0.0.2');
  const w = new Speaker({ config: config({ routerId: '10.10.0.7', localAs: 65001, neighbors: [neighbor('127.0.0.2', 65515, { port })] }), log: memoryLogger() });
  await w.start();
  try {
    await waitState(w, '127.0.0.2', 'Established');
    rs.socket!.write(message(2, body));
    await until('the NOTIFICATION', () => rs.ofType('NOTIFICATION').length === 1);
    const n = rs.ofType('NOTIFICATION')[0]!;
    return [n.code, n.subcode];
  } finally {
    await w.stop();
    await rs.close();
  }
}

UpdateErrors('an overrunning Total Path Attribute Length after a bad withdrawn prefix is Malformed Attribute List (3/1)', async () => {
  assert.equal(await notificationFor('0002' + '21c6' + '0010' + '40010100'), [3, 1]);
});

UpdateErrors('the same bad withdrawn prefix with lengths that fit is Invalid Network Field (3/10)', async () => {
  assert.equal(await notificationFor('0002' + '21c6' + '0000'), [3, 10]);
});

UpdateErrors.run();
