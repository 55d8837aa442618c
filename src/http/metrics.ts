// Prometheus/OpenMetrics metrics: a prom-client registry of gauges read from the speaker on scrape, counters and histograms fed by its events.
import type http from 'node:http';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { VERSION } from '../version.js';
import type { State } from '../bgp/fsm/types.js';
import type { CandidateHealth, MessageCounts, SpeakerControl, SpeakerEvent, VipMove } from '../control/types.js';
import type { HttpServer } from './server.js';

/** What the metrics read: the control API's read model and its event stream. */
export type MetricsSource = Pick<SpeakerControl, 'neighbors' | 'summary' | 'vips' | 'vipHistory' | 'subscribe'> & { stateFileSaveFailures(): number | undefined };

const STATES: readonly State[] = ['Idle', 'Connect', 'Active', 'OpenSent', 'OpenConfirm', 'Established'];
const HEALTHS: readonly CandidateHealth[] = ['unknown', 'up', 'down'];
/** Message types as label values (snake case, as Prometheus label values usually are). */
const MESSAGE_TYPES: readonly [keyof MessageCounts, string][] = [
  ['open', 'open'],
  ['update', 'update'],
  ['notification', 'notification'],
  ['keepalive', 'keepalive'],
  ['routeRefresh', 'route_refresh'],
];
/**
 * Seconds. A failover is measured in tens of milliseconds to a few seconds (fall × interval), the
 * wire in microseconds to milliseconds, a confirmation in up to tens of seconds.
 */
const PHASE_BUCKETS_SECONDS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export interface MetricsOptions {
  speaker: MetricsSource;
  /** Wall clock in ms (Date.now), for uptimes and ages; injected for tests. */
  wallMs?: () => number;
}

/** The phases of one move already observed, so that each is observed once. */
interface Seen {
  detection: boolean;
  wire: boolean;
  confirm: boolean;
}

export class Metrics {
  /** Not prom-client's global registry: nothing else in the process can add to or clash with ours. */
  readonly registry = new Registry();
  private readonly unsubscribe: () => void;
  private readonly wallMs: () => number;
  /** Only moves decided from now on go into the histograms: a restored history happened in an earlier run. */
  private readonly sinceMs: number;
  private readonly seen = new Map<string, Seen>();
  private readonly counters: Counter[] = [];
  /** One scrape at a time: the exposition format is a registry-wide setting in prom-client. */
  private scraping: Promise<unknown> = Promise.resolve();

  private readonly notifications: Counter;
  private readonly moves: Counter;
  private readonly detection: Histogram;
  private readonly wire: Histogram;
  private readonly confirm: Histogram;

  constructor(opts: MetricsOptions) {
    const s = opts.speaker;
    this.wallMs = opts.wallMs ?? Date.now;
    this.sinceMs = this.wallMs();
    const registers = [this.registry];
    const wall = this.wallMs;

    new Gauge({ name: 'tsbgp_build_info', help: 'The tsbgp version and the Node.js version running it (always 1).', labelNames: ['version', 'node'], registers }).set({ version: VERSION, node: process.versions.node }, 1);

    new Gauge({
      name: 'tsbgp_neighbor_state',
      help: 'BGP FSM state of each neighbor: 1 for the state it is in, 0 for the others (RFC 4271 §8.2.2).',
      labelNames: ['neighbor', 'state'],
      registers,
      collect() {
        this.reset();
        for (const n of s.neighbors()) for (const st of STATES) this.set({ neighbor: n.address, state: st }, n.state === st ? 1 : 0);
      },
    });
    new Gauge({
      name: 'tsbgp_neighbor_uptime_seconds',
      help: 'Seconds the session has been Established; 0 when it is not.',
      labelNames: ['neighbor'],
      registers,
      collect() {
        this.reset();
        for (const n of s.neighbors()) this.set({ neighbor: n.address }, n.state === 'Established' ? (n.uptime ?? 0) : 0);
      },
    });
    // Read from the sessions' own counts on each scrape; a count that restarts with a session is a counter reset to Prometheus.
    this.readCounter('tsbgp_neighbor_messages_received_total', 'BGP messages received from the neighbor, by type.', ['neighbor', 'type'], (set) => {
      for (const n of s.neighbors()) for (const [k, type] of MESSAGE_TYPES) set({ neighbor: n.address, type }, n.messages.received[k]);
    });
    this.readCounter('tsbgp_neighbor_messages_sent_total', 'BGP messages sent to the neighbor, by type.', ['neighbor', 'type'], (set) => {
      for (const n of s.neighbors()) for (const [k, type] of MESSAGE_TYPES) set({ neighbor: n.address, type }, n.messages.sent[k]);
    });
    this.readCounter('tsbgp_neighbor_updates_received_total', 'UPDATE messages received from the neighbor.', ['neighbor'], (set) => {
      for (const n of s.neighbors()) set({ neighbor: n.address }, n.messages.received.update);
    });
    this.readCounter('tsbgp_neighbor_updates_sent_total', 'UPDATE messages sent to the neighbor.', ['neighbor'], (set) => {
      for (const n of s.neighbors()) set({ neighbor: n.address }, n.messages.sent.update);
    });
    new Gauge({
      name: 'tsbgp_neighbor_prefixes_received',
      help: 'Prefixes in the neighbor\'s Adj-RIB-In.',
      labelNames: ['neighbor'],
      registers,
      collect() {
        this.reset();
        for (const n of s.neighbors()) this.set({ neighbor: n.address }, n.prefixes.received);
      },
    });
    new Gauge({
      name: 'tsbgp_neighbor_prefixes_advertised',
      help: 'Prefixes advertised to the neighbor (its Adj-RIB-Out).',
      labelNames: ['neighbor'],
      registers,
      collect() {
        this.reset();
        for (const n of s.neighbors()) this.set({ neighbor: n.address }, n.prefixes.advertised);
      },
    });
    new Gauge({
      name: 'tsbgp_neighbor_last_error_info',
      help: 'The last error of the session (NOTIFICATION sent or received, or a local one), as labels; absent when there was none.',
      labelNames: ['neighbor', 'direction', 'code', 'subcode'],
      registers,
      collect() {
        this.reset();
        for (const n of s.neighbors()) if (n.lastError) this.set({ neighbor: n.address, direction: n.lastError.direction, code: String(n.lastError.code), subcode: String(n.lastError.subcode) }, 1);
      },
    });
    new Gauge({
      name: 'tsbgp_neighbor_last_error_timestamp_seconds',
      help: 'When the last error of the session was recorded (Unix time).',
      labelNames: ['neighbor'],
      registers,
      collect() {
        this.reset();
        for (const n of s.neighbors()) if (n.lastError) this.set({ neighbor: n.address }, Date.parse(n.lastError.at) / 1000);
      },
    });
    this.notifications = this.counter('tsbgp_neighbor_notifications_total', 'NOTIFICATION messages, by direction, code and subcode (RFC 4271 §4.5).', ['neighbor', 'direction', 'code', 'subcode']);

    new Gauge({
      name: 'tsbgp_vip_candidate_current',
      help: 'Each VIP\'s candidates: 1 for the one announced now, 0 for the others.',
      labelNames: ['vip', 'candidate'],
      registers,
      collect() {
        this.reset();
        for (const v of s.vips()) for (const c of v.candidates) this.set({ vip: v.name, candidate: c.name }, v.current?.candidate === c.name ? 1 : 0);
      },
    });
    new Gauge({
      name: 'tsbgp_vip_announced',
      help: '1 when the VIP is announced (via one of its candidates), 0 when it is withdrawn.',
      labelNames: ['vip'],
      registers,
      collect() {
        this.reset();
        for (const v of s.vips()) this.set({ vip: v.name }, v.current ? 1 : 0);
      },
    });
    new Gauge({
      name: 'tsbgp_vip_frozen',
      help: '1 while the VIP is frozen (no automatic moves: maintenance).',
      labelNames: ['vip'],
      registers,
      collect() {
        this.reset();
        for (const v of s.vips()) this.set({ vip: v.name }, v.mode === 'frozen' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'tsbgp_vip_candidate_health',
      help: 'Health of each candidate: 1 for its health now (unknown, up, down), 0 for the others.',
      labelNames: ['vip', 'candidate', 'health'],
      registers,
      collect() {
        this.reset();
        for (const v of s.vips()) for (const c of v.candidates) for (const h of HEALTHS) this.set({ vip: v.name, candidate: c.name, health: h }, c.health === h ? 1 : 0);
      },
    });
    this.moves = this.counter('tsbgp_vip_moves_total', 'Moves of each VIP (a new candidate, or withdrawn), by cause.', ['vip', 'cause']);
    const observe = (): void => this.observeMoves(s);
    this.detection = new Histogram({
      name: 'tsbgp_vip_move_detection_seconds',
      help: 'From the failure seen (first failed check, or the watch connection lost) to the decision to move.',
      labelNames: ['vip'],
      buckets: PHASE_BUCKETS_SECONDS,
      registers,
      collect: observe,
    });
    this.wire = new Histogram({
      name: 'tsbgp_vip_move_wire_seconds',
      help: 'From the decision to move to the UPDATE handed to the kernel, per neighbor.',
      labelNames: ['vip', 'neighbor'],
      buckets: PHASE_BUCKETS_SECONDS,
      registers,
      collect: observe,
    });
    this.confirm = new Histogram({
      name: 'tsbgp_vip_move_confirm_seconds',
      help: 'From the decision to move to the VIP answering from the new candidate (vips[].confirm).',
      labelNames: ['vip'],
      buckets: PHASE_BUCKETS_SECONDS,
      registers,
      collect: observe,
    });

    // Labelled by path: a series exists only where there is a state file (an unlabelled gauge always shows a value).
    new Gauge({
      name: 'tsbgp_state_file_age_seconds',
      help: 'Seconds since the state file was last saved by this run; absent until the first save.',
      labelNames: ['path'],
      registers,
      collect() {
        this.reset();
        const f = s.summary().stateFile;
        if (f?.savedAt) this.set({ path: f.path }, (wall() - Date.parse(f.savedAt)) / 1000);
      },
    });
    new Gauge({
      name: 'tsbgp_state_file_unsaved_seconds',
      help: 'Seconds since which a change is not on disk (a save failed); 0 when everything is saved.',
      labelNames: ['path'],
      registers,
      collect() {
        this.reset();
        const f = s.summary().stateFile;
        if (f) this.set({ path: f.path }, f.unsavedSince ? (wall() - Date.parse(f.unsavedSince)) / 1000 : 0);
      },
    });
    this.readCounter('tsbgp_state_file_save_failures_total', 'Failed attempts to save the state file since the daemon started.', ['path'], (set) => {
      const f = s.summary().stateFile;
      if (f) set({ path: f.path }, s.stateFileSaveFailures() ?? 0);
    });

    this.unsubscribe = s.subscribe((e) => this.onEvent(e));
  }

  /** Serve GET /metrics: OpenMetrics when the scraper asks for it (Accept), the Prometheus text format otherwise. */
  attach(server: Pick<HttpServer, 'route'>): void {
    server.route('GET', '/metrics', (req, res) => this.serve(req, res));
  }

  /** The exposition, in the format `accept` asks for. */
  scrape(accept = ''): Promise<{ contentType: string; body: string }> {
    const openMetrics = /application\/openmetrics-text/i.test(accept);
    const run = this.scraping.then(async () => {
      const contentType = openMetrics ? Registry.OPENMETRICS_CONTENT_TYPE : Registry.PROMETHEUS_CONTENT_TYPE;
      this.registry.setContentType(contentType as typeof Registry.PROMETHEUS_CONTENT_TYPE);
      try {
        return { contentType, body: await this.registry.metrics() };
      } finally {
        this.registry.setContentType(Registry.PROMETHEUS_CONTENT_TYPE);
        // prom-client strips `_total` from a counter's name for OpenMetrics and keeps it stripped; put it back.
        for (const c of this.counters) (c as unknown as { name: string }).name = (c as unknown as { fullName: string }).fullName;
      }
    });
    this.scraping = run.catch(() => {});
    return run;
  }

  close(): void {
    this.unsubscribe();
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const { contentType, body } = await this.scrape(req.headers.accept ?? '');
    res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' }).end(body);
  }

  private onEvent(e: SpeakerEvent): void {
    switch (e.type) {
      case 'notification':
        this.notifications.inc({ neighbor: e.neighbor, direction: e.direction, code: String(e.code), subcode: String(e.subcode) });
        return;
      case 'vip':
        this.moves.inc({ vip: e.vip, cause: e.cause });
        return;
      case 'state':
      case 'route':
      case 'local':
      case 'health':
        return;
    }
  }

  private counter(name: string, help: string, labelNames: string[]): Counter {
    const c = new Counter({ name, help, labelNames, registers: [this.registry] });
    this.remember(c, name);
    return c;
  }

  /** A counter whose value is read from the speaker on each scrape (it keeps its own count). */
  private readCounter(name: string, help: string, labelNames: string[], read: (set: (labels: Record<string, string>, value: number) => void) => void): void {
    const c = new Counter({
      name,
      help,
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        read((labels, value) => this.inc(labels, value));
      },
    });
    this.remember(c, name);
  }

  private remember(c: Counter, name: string): void {
    (c as unknown as { fullName: string }).fullName = name;
    this.counters.push(c);
  }

  /** Each phase of each move is observed once, when its timing is known (the wire and the confirmation come after the decision). */
  private observeMoves(s: MetricsSource): void {
    const live = new Set<string>();
    for (const v of s.vips()) {
      for (const m of s.vipHistory(v.name)) {
        const decidedMs = Date.parse(m.at);
        if (decidedMs < this.sinceMs) continue;
        const key = moveKey(v.name, m);
        live.add(key);
        let seen = this.seen.get(key);
        if (!seen) this.seen.set(key, (seen = { detection: false, wire: false, confirm: false }));
        if (!seen.detection && m.failureSeenAt !== undefined) {
          this.detection.observe({ vip: v.name }, Math.max(0, decidedMs - Date.parse(m.failureSeenAt)) / 1000);
          seen.detection = true;
        }
        if (!seen.wire && m.wire.length > 0) {
          for (const w of m.wire) if (w.micros !== undefined) this.wire.observe({ vip: v.name, neighbor: w.neighbor }, w.micros / 1e6);
          seen.wire = true;
        }
        if (!seen.confirm && m.confirmedMs !== undefined) {
          this.confirm.observe({ vip: v.name }, m.confirmedMs / 1000);
          seen.confirm = true;
        }
      }
    }
    // Moves that fell out of the kept history: forget them, so the map stays as small as the history.
    for (const k of this.seen.keys()) if (!live.has(k)) this.seen.delete(k);
  }
}

function moveKey(vip: string, m: VipMove): string {
  return `${vip}\u0000${m.at}\u0000${m.from ?? ''}\u0000${m.to ?? ''}\u0000${m.cause}`;
}

