// Assertions on codec outcomes: the NOTIFICATION a BgpError would send, and RFC 7606 problems.
import * as assert from 'uvu/assert';
import { BgpError } from '../../src/bgp/errors.js';
import type { UpdateMessage } from '../../src/bgp/messages/update.js';
import { hex } from './hex.js';

/** "code/subcode data=hex": one string, so a failure shows all three in one diff. */
export function notification(code: number, subcode: number, dataHex = ''): string {
  return `${code}/${subcode} data=${dataHex.replace(/\s/g, '').toLowerCase()}`;
}

/** Run `fn`, which must throw a BgpError with exactly this code, subcode and data; returns it. */
export function throwsBgp(fn: () => unknown, code: number, subcode: number, dataHex = ''): BgpError {
  let result: unknown;
  try {
    result = fn();
  } catch (e) {
    if (!(e instanceof BgpError)) {
      assert.unreachable(`expected BgpError ${code}/${subcode}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
      throw e;
    }
    assert.is(notification(e.code, e.subcode, hex(e.data)), notification(code, subcode, dataHex), e.message);
    return e;
  }
  assert.unreachable(`expected BgpError ${code}/${subcode}, decoded ${JSON.stringify(result, (_k, v: unknown) => (v instanceof Uint8Array ? hex(v) : v))}`);
  throw new Error('unreachable');
}

export interface ProblemSummary {
  action: string;
  attrType: number;
  subcode: number;
}

/** The problems of an UPDATE without their free-text reasons ([] when there are none). */
export function problemsOf(u: UpdateMessage): ProblemSummary[] {
  return (u.problems ?? []).map((p) => ({ action: p.action, attrType: p.attrType, subcode: p.subcode }));
}
