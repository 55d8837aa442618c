// The `listen` section: where tsbgpd accepts BGP connections, or false to only connect out.
import { isMap } from 'yaml';
import { notUnicastReason } from '../../routes/values.js';
import { DEFAULT_LISTEN, DEFAULT_PORT } from '../defaults.js';
import type { ListenConfig } from '../types.js';
import { describe, given, integer, readMap, scalarValue, type Checker, type Entry } from '../yaml-checker.js';
import { address } from './common.js';

const LISTEN_KEYS = ['address', 'port'] as const;

export function readListen(c: Checker, e: Entry): ListenConfig | null {
  if (scalarValue(e) === false) return null;
  const what = 'a mapping with address and port, or false to never listen';
  if (!isMap(e.value)) {
    c.bad(e, `expected ${what}, got ${describe(e.value)}`);
    return null;
  }
  const m = readMap(c, e.value, e.path, LISTEN_KEYS, what);
  const listen: ListenConfig = { ...DEFAULT_LISTEN };
  const addr = given(m, 'address');
  if (addr) {
    const a = address(c, addr, '0.0.0.0');
    // The unspecified address is what listening on every address means; the rest of notUnicast is not.
    const why = a && a.bytes.some((b) => b !== 0) ? notUnicastReason(a) : null;
    if (why) c.bad(addr, `${a!.text} is ${why}; expected an address of this host, 0.0.0.0 or ::`);
    else if (a) listen.address = a.text;
  }
  const port = given(m, 'port');
  if (port) listen.port = integer(c, port, 1, 65535) ?? DEFAULT_PORT;
  return listen;
}
