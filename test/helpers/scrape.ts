// Scraping /metrics in tests: an HTTP GET on loopback, parsed by the strict exposition parser, and look-ups by name and labels.
import http from 'node:http';
import { type Family, type Sample, parseExposition } from './exposition.js';

export interface Scrape {
  status: number;
  contentType: string;
  body: string;
  families: Map<string, Family>;
}

export function get(port: number, path: string, headers: http.OutgoingHttpHeaders = {}, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, headers, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** GET /metrics and parse it in the format its Content-Type names; anything out of the grammar fails the test. */
export async function scrape(port: number, accept?: string): Promise<Scrape> {
  const r = await get(port, '/metrics', accept ? { accept } : {});
  const contentType = String(r.headers['content-type'] ?? '');
  const { families } = parseExposition(r.body, contentType.startsWith('application/openmetrics-text'));
  return { status: r.status, contentType, body: r.body, families };
}

/** The one sample named `name` with these labels (others may be present), or undefined. Throws when several match. */
export function sample(s: Scrape, name: string, labels: Record<string, string> = {}): Sample | undefined {
  const found = [...s.families.values()].flatMap((f) => f.samples).filter((m) => m.name === name && Object.entries(labels).every(([k, v]) => m.labels[k] === v));
  if (found.length > 1) throw new Error(`${name}${JSON.stringify(labels)}: ${found.length} samples match`);
  return found[0];
}

/** The value of that sample; a missing sample is an error, not 0. */
export function value(s: Scrape, name: string, labels: Record<string, string> = {}): number {
  const m = sample(s, name, labels);
  if (!m) throw new Error(`no sample ${name}${JSON.stringify(labels)}`);
  return m.value;
}

/** A histogram's observation count for these labels (0 when it has no series for them yet). */
export function histogramCount(s: Scrape, family: string, labels: Record<string, string>): number {
  return sample(s, `${family}_count`, labels)?.value ?? 0;
}
