// The `http` section: the listener for GET /metrics and the status page; absent, there is no listener.
import { DEFAULT_HTTP } from '../defaults.js';
import type { HttpConfig } from '../types.js';
import { boolean, given, integer, readMap, type Checker, type Entry } from '../yaml-checker.js';
import { address } from './common.js';

const HTTP_KEYS = ['address', 'port', 'metrics', 'web'] as const;

export function readHttp(c: Checker, e: Entry): HttpConfig | undefined {
  const m = readMap(c, e.value, e.path, HTTP_KEYS, 'a mapping with address, port, metrics and web');
  if (!m) return undefined;
  const http: HttpConfig = { ...DEFAULT_HTTP };
  const addr = given(m, 'address');
  if (addr) {
    const a = address(c, addr, DEFAULT_HTTP.address);
    if (a) http.address = a.text;
  }
  const port = given(m, 'port');
  if (port) http.port = integer(c, port, 1, 65535) ?? DEFAULT_HTTP.port;
  const metrics = given(m, 'metrics');
  if (metrics) http.metrics = boolean(c, metrics) ?? DEFAULT_HTTP.metrics;
  const web = given(m, 'web');
  if (web) http.web = boolean(c, web) ?? DEFAULT_HTTP.web;
  return http;
}

/** Only loopback keeps the page and the metrics on this host; --check-config warns about anything else. */
export function isLoopbackAddress(text: string): boolean {
  return /^127\./.test(text) || text === '::1' || text === 'localhost';
}
