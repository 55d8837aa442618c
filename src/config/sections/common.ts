// Value readers more than one section uses: AS numbers and addresses.
import { isScalar } from 'yaml';
import { AS_TRANS } from '../../bgp/iana.js';
import { notUnicastReason, parseAddress, type ParsedAddress } from '../../routes/values.js';
import { integer, string, type Checker, type Entry } from '../yaml-checker.js';

/** An AS number, 1..4294967295, as a plain integer. */
export function asNumber(c: Checker, e: Entry): number | undefined {
  const source = isScalar(e.value) ? e.value.source : undefined;
  // "1.10" is asdot (RFC 5396) for 65546; YAML reads it as the float 1.1, so say what to write instead.
  const asdot = source !== undefined ? /^(\d{1,5})\.(\d{1,5})$/.exec(source) : null;
  if (asdot && Number(asdot[1]) <= 0xffff && Number(asdot[2]) <= 0xffff) {
    c.bad(e, `${source} is asdot notation; write the AS number as a plain integer: ${Number(asdot[1]) * 65536 + Number(asdot[2])}`);
    return undefined;
  }
  const v = integer(c, e, 1, 0xffffffff);
  if (v === AS_TRANS) {
    c.bad(e, `${AS_TRANS} is AS_TRANS (RFC 6793), a placeholder that is never a real AS number`);
    return undefined;
  }
  return v;
}

/** An address of any kind (listen may be 0.0.0.0 or ::); canonical text. */
export function address(c: Checker, e: Entry, example: string): ParsedAddress | null {
  const text = string(c, e, example);
  if (text === undefined) return null;
  const a = parseAddress(text);
  if (!a) c.bad(e, `"${text}" is not an IPv4 or IPv6 address`);
  return a;
}

/** An address a BGP session can use at either end. */
export function unicast(c: Checker, e: Entry, example: string): ParsedAddress | null {
  const a = address(c, e, example);
  const why = a && notUnicastReason(a);
  if (why) {
    c.bad(e, `${a.text} is ${why}; expected a unicast address`);
    return null;
  }
  return a;
}
