// parseServerLine: what a client reads from the daemon, and what it refuses.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TsbgpError } from '../../src/errors.js';
import { parseServerLine } from '../../src/control/protocol.js';

const ServerLine = suite('parseServerLine');

ServerLine('replies and events', () => {
  assert.equal(parseServerLine('{"v":1,"id":3,"ok":true,"result":{"pong":true,"version":"0.1.0"}}'), {
    kind: 'reply',
    reply: { v: 1, id: 3, ok: true, result: { pong: true, version: '0.1.0' } },
  });
  assert.equal(parseServerLine('{"v":1,"id":null,"ok":false,"error":{"code":"TSBGP_ERR_BAD_REQUEST","message":"m"}}'), {
    kind: 'reply',
    reply: { v: 1, id: null, ok: false, error: { code: 'TSBGP_ERR_BAD_REQUEST', message: 'm' } },
  });
  const ev = { type: 'local', at: '2025-03-01T12:00:00.000Z', action: 'withdraw', prefix: '100.64.0.1/32' };
  assert.equal(parseServerLine(JSON.stringify({ v: 1, event: ev })), { kind: 'event', event: ev });
});

ServerLine('what a client cannot read throws TsbgpError(INTERNAL)', () => {
  for (const line of ['nope', '{"v":2,"id":1,"ok":true}', '{"v":1,"id":1,"ok":false,"error":"x"}', '{"v":1,"id":{},"ok":true}', '{"v":1,"id":1}']) {
    assert.throws(
      () => parseServerLine(line),
      (e: unknown) => e instanceof TsbgpError && e.code === 'TSBGP_ERR_INTERNAL',
      line,
    );
  }
});

ServerLine.run();
