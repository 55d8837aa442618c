// The top level's single-value keys: router-id, state-file and log-level (local-as is an AS number, see common.ts).
import { Afi } from '../../bgp/iana.js';
import { parseAddress } from '../../routes/values.js';
import type { Config } from '../types.js';
import { closest, describe, scalarValue, string, type Checker, type Entry } from '../yaml-checker.js';

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** The BGP identifier: a dotted quad, not 0.0.0.0. */
export function readRouterId(c: Checker, e: Entry): string | undefined {
  const text = string(c, e, '10.10.0.7');
  const a = text === undefined ? null : parseAddress(text);
  if (text !== undefined && a?.afi !== Afi.IPV4) c.bad(e, `"${text}" is not a dotted quad (a BGP identifier is 4 octets, e.g. 10.10.0.7)`);
  else if (a && a.text === '0.0.0.0') c.bad(e, '0.0.0.0 is not a valid BGP identifier (RFC 6286); use an address of this host');
  else if (a) return a.text;
  return undefined;
}

/** A file path, or null for `state-file: false`; undefined when the value is wrong. */
export function readStateFile(c: Checker, e: Entry): string | null | undefined {
  const v = scalarValue(e);
  if (v === false) return null;
  if (typeof v === 'string' && v !== '') return v;
  c.bad(e, `expected a file path, or false to keep no state, got ${describe(e.value)}`);
  return undefined;
}

export function readLogLevel(c: Checker, e: Entry): Config['logLevel'] | undefined {
  const v = scalarValue(e);
  const level = LOG_LEVELS.find((l) => l === v);
  if (level) return level;
  const guess = typeof v === 'string' ? closest(v, LOG_LEVELS) : undefined;
  c.bad(e, `${describe(e.value)} is not a log level; ${guess ? `did you mean ${guess}? ` : ''}expected one of ${LOG_LEVELS.join(', ')}`);
  return undefined;
}
