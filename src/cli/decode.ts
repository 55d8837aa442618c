// bgpctl decode: offline decoding of a pcap/pcapng capture or a file of hex messages.
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { BgpError, notificationName } from '../bgp/errors.js';
import { familyKey } from '../bgp/iana.js';
import { type Json, describeMessage, messageText, toHex } from '../bgp/messages/describe.js';
import { DEFAULT_NEGOTIATED, type Negotiated, decodeMessage, encodeMessage } from '../bgp/messages/index.js';
import { CaptureError, isCapture, readCapture } from '../pcap/capture.js';
import { type AsWidth, type CapturedMessage, type Endpoint, type StreamWarning, bgpCapture } from '../pcap/bgp-streams.js';

export interface DecodeOptions {
  json?: boolean;
  verify?: boolean;
  /**
   * AS numbers are 2 octets (as2) or 4 (as4). Hex input: default 4, as nearly every session today.
   * Captures: forced on connections whose two OPENs were not captured (default: guessed per UPDATE);
   * connections with both OPENs always use what they negotiated.
   */
  as2?: boolean;
  as4?: boolean;
  /** The older spelling of as2. */
  asn2?: boolean;
  /** Hex input only: families whose NLRI carry ADD-PATH identifiers ("ipv4-unicast", "ipv6-unicast"). */
  addPath?: string[];
  /** Hex input only: messages may be up to 65535 octets. */
  extendedMessage?: boolean;
}

export class DecodeInputError extends Error {}

const FAMILIES: Record<string, number> = {
  'ipv4-unicast': familyKey(1, 1),
  'ipv6-unicast': familyKey(2, 1),
  'ipv4-multicast': familyKey(1, 2),
  'ipv6-multicast': familyKey(2, 2),
};

function hexContext(o: DecodeOptions): Negotiated {
  const addPath = new Set<number>();
  for (const f of o.addPath ?? []) {
    const k = FAMILIES[f];
    if (k === undefined) throw new DecodeInputError(`--add-path ${f}: expected one of ${Object.keys(FAMILIES).join(', ')}`);
    addPath.add(k);
  }
  return { ...DEFAULT_NEGOTIATED, fourOctetAs: forcedAsOctets(o) !== 2, addPath, extendedMessage: !!o.extendedMessage };
}

function forcedAsOctets(o: DecodeOptions): 2 | 4 | undefined {
  const two = o.as2 || o.asn2;
  if (two && o.as4) throw new DecodeInputError('--as2 and --as4 contradict each other');
  return two ? 2 : o.as4 ? 4 : undefined;
}

/** How an UPDATE without its session's OPENs was read, for the text form. */
const asWidthText = (w: AsWidth): string =>
  w.how === 'guessed' ? `(no OPENs: ${w.octets}-octet AS guessed, ${w.basis})` : `(no OPENs: ${w.octets}-octet AS forced)`;

/**
 * Messages of a text file: one hex message per line, optionally after an id and a tab
 * ("42\tffff..."); blank lines and "#" comments ignored.
 */
function hexMessages(text: string, file: string, o: DecodeOptions): CapturedMessage[] {
  const ctx = hexContext(o);
  const none: Endpoint = { address: '', port: 0 };
  const out: CapturedMessage[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const tab = raw.indexOf('\t');
    const id = tab > 0 && !raw.slice(0, tab).includes('#') ? raw.slice(0, tab).trim() : undefined;
    const line = (id === undefined ? raw : raw.slice(tab + 1)).replace(/#.*/, '').replace(/[\s:]/g, '');
    if (line === '') return;
    if (!/^([0-9a-fA-F]{2})+$/.test(line)) {
      throw new DecodeInputError(`${file}:${i + 1}: not a hex message (expected pairs of hex digits)`);
    }
    const bytes = new Uint8Array(Buffer.from(line, 'hex'));
    let result: CapturedMessage['result'];
    try {
      result = { ok: true, message: decodeMessage(bytes, ctx) };
    } catch (e) {
      if (!(e instanceof BgpError)) throw e;
      result = { ok: false, error: e };
    }
    out.push({ frame: i + 1, time: 0, connection: 0, src: none, dst: none, bytes, negotiated: ctx, result, ...(id ? { id } : {}) });
  });
  return out;
}

const endpoint = (e: Endpoint): string => (e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`);
const TYPE_NAMES = ['', 'OPEN', 'UPDATE', 'NOTIFICATION', 'KEEPALIVE', 'ROUTE_REFRESH'];

interface Difference {
  offset: number;
  expected: string;
  got: string;
}

/** Byte differences between what was received and what we re-encode. */
function verify(m: CapturedMessage): Difference[] | undefined {
  if (!m.result.ok) return undefined;
  let again: Uint8Array;
  try {
    again = encodeMessage(m.result.message, m.negotiated);
  } catch (e) {
    return [{ offset: -1, expected: `${m.bytes.length} octets`, got: `encode failed: ${(e as Error).message}` }];
  }
  const diffs: Difference[] = [];
  const n = Math.max(again.length, m.bytes.length);
  for (let i = 0; i < n; i++) {
    if (m.bytes[i] !== again[i]) {
      diffs.push({
        offset: i,
        expected: m.bytes[i] === undefined ? 'end' : toHex(m.bytes.subarray(i, i + 1)),
        got: again[i] === undefined ? 'end' : toHex(again.subarray(i, i + 1)),
      });
    }
  }
  return diffs;
}

function errorJson(e: BgpError): Json {
  return { code: e.code, subcode: e.subcode, name: notificationName(e.code, e.subcode), data: toHex(e.data), detail: e.message };
}

function record(m: CapturedMessage, capture: boolean, diffs: Difference[] | undefined): Json {
  const base: { [k: string]: Json } = capture
    ? { frame: m.frame, time: new Date(m.time * 1000).toISOString(), connection: m.connection, src: endpoint(m.src), dst: endpoint(m.dst) }
    : { line: m.frame, ...(m.id !== undefined ? { id: m.id } : {}) };
  base.length = m.bytes.length;
  if (m.asWidth) base.asWidth = { ...m.asWidth };
  if (m.result.ok) Object.assign(base, describeMessage(m.result.message));
  else {
    base.type = TYPE_NAMES[m.bytes[18] ?? 0] ?? `TYPE_${m.bytes[18]}`;
    base.error = errorJson(m.result.error);
  }
  if (diffs) base.verify = { identical: diffs.length === 0, differences: diffs.slice(0, 32).map((d) => ({ ...d })) };
  return base;
}

function line(m: CapturedMessage, capture: boolean, diffs: Difference[] | undefined): string {
  const where = capture ? `#${m.frame} ${endpoint(m.src)} > ${endpoint(m.dst)}` : `line ${m.frame}` + (m.id !== undefined ? ` id ${m.id}` : '');
  const what = m.result.ok
    ? messageText(m.result.message)
    : `MALFORMED -> NOTIFICATION ${m.result.error.code}/${m.result.error.subcode} ${m.result.error.message}`;
  let s = `${where} [${m.bytes.length}] ${what}`;
  if (m.asWidth) s += ` ${asWidthText(m.asWidth)}`;
  if (diffs?.length) {
    const shown = diffs.slice(0, 8).map((d) => (d.offset < 0 ? d.got : `@${d.offset} ${d.expected}!=${d.got}`));
    s += `\n  verify: ${diffs.length} differing octets: ${shown.join(', ')}`;
  }
  return s;
}

export interface DecodeSummary {
  messages: number;
  malformed: number;
  differing: number;
  /** Gaps and unsynchronised streams in a capture. */
  warnings: number;
}

/** A stream warning as a line of its own, in the text or JSON output. */
function warningText(w: StreamWarning, json: boolean): string {
  if (json) {
    return JSON.stringify({ warning: w.text, frame: w.frame, connection: w.connection, src: endpoint(w.src), dst: endpoint(w.dst), offset: w.offset });
  }
  return `#${w.frame} ${endpoint(w.src)} > ${endpoint(w.dst)} WARNING connection ${w.connection} stream offset ${w.offset}: ${w.text}`;
}

/** Decode a file and write one line (text or JSON) per BGP message to `out`. */
export async function decodeFile(file: string, o: DecodeOptions, out: (s: string) => void): Promise<DecodeSummary> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'it is a directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new DecodeInputError(`cannot read ${file}: ${why}`);
  }
  if ((bytes[0] === 0x1f && bytes[1] === 0x8b) || file.endsWith('.gz')) {
    try {
      bytes = new Uint8Array(gunzipSync(bytes));
    } catch (e) {
      throw new DecodeInputError(`${file}: cannot gunzip: ${(e as Error).message}`);
    }
  }
  let messages: CapturedMessage[];
  let warnings: StreamWarning[] = [];
  const capture = isCapture(bytes);
  if (capture) {
    try {
      const forced = forcedAsOctets(o);
      ({ messages, warnings } = bgpCapture(readCapture(bytes), forced === undefined ? {} : { forceAsOctets: forced }));
    } catch (e) {
      if (e instanceof CaptureError) throw new DecodeInputError(`${file}: ${e.message}`);
      throw e;
    }
  } else {
    if (bytes.includes(0)) throw new DecodeInputError(`${file}: not a pcap, pcapng or hex text file`);
    messages = hexMessages(new TextDecoder().decode(bytes), file, o);
  }
  const summary: DecodeSummary = { messages: messages.length, malformed: 0, differing: 0, warnings: warnings.length };
  let w = 0;
  const warningsUpTo = (n: number): void => {
    for (; w < warnings.length && warnings[w]!.after <= n; w++) out(warningText(warnings[w]!, !!o.json));
  };
  for (const [i, m] of messages.entries()) {
    warningsUpTo(i);
    if (!m.result.ok) summary.malformed++;
    const diffs = o.verify ? verify(m) : undefined;
    if (diffs?.length) summary.differing++;
    out(o.json ? JSON.stringify(record(m, capture, diffs)) : line(m, capture, diffs));
  }
  warningsUpTo(messages.length);
  return summary;
}
