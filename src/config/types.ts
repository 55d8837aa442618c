// The daemon's configuration after loading and validation (defaults filled in).
import type { RouteSpec } from '../routes/local-routes.js';

export type FamilyName = 'ipv4-unicast' | 'ipv6-unicast';

export interface NeighborConfig {
  /** The peer's address (IPv4 or IPv6 text). */
  address: string;
  remoteAs: number;
  /** TCP port to connect to (and that the peer connects from is not checked). Default 179. */
  port: number;
  /** Source address for our connection; also the only local address the peer may connect to. */
  localAddress?: string;
  /** Never connect; wait for the peer. Default false. */
  passive: boolean;
  /** Hold time we offer. Default 180 (Azure Route Server). */
  holdTime: number;
  /** Keepalive interval. Default 60 (Azure Route Server), never more than a third of the hold time. */
  keepaliveTime: number;
  /**
   * RFC 9687 Send Hold Timer, in seconds: when our writes to the peer make no progress for this long, send NOTIFICATION
   * 8 (Send Hold Timer Expired) and close the connection. 0: disabled. Always resolved by the loader: the default is
   * max(480, 2 × holdTime) (RFC 9687 §4), from the hold time configured here, not the negotiated one.
   */
  sendHoldTime: number;
  /** Seconds between connection attempts. Default 5. */
  connectRetryTime: number;
  /** Families to negotiate. Default ['ipv4-unicast']. */
  families: FamilyName[];
  description?: string;
  /** `azure-route-server`: the loader enforced Azure Route Server's documented rules (examples/README.md). */
  profile?: NeighborProfile;
  /**
   * The most routes the peer accepts, counted as it counts them: the routes it holds plus those in
   * the UPDATE it receives. Absent: unlimited. Default 1000 under the azure-route-server profile.
   */
  maxRoutesOut?: number;
  /** Prefixes the peer may send us (its Adj-RIB-In): above it, a warning or Cease 6/1 (RFC 4486). Absent: unlimited. */
  maxPrefixesIn?: PrefixLimitConfig;
  /**
   * Graceful restart (RFC 4724, RFC 8538) with this neighbor; false: not advertised (and so not
   * negotiated either way). Default: enabled, restart time 120 s, notification (N bit) on.
   */
  gracefulRestart: GracefulRestartConfig | false;
}

export type NeighborProfile = 'azure-route-server';

export interface PrefixLimitConfig {
  limit: number;
  /** `cease`: NOTIFICATION Cease / Maximum Number of Prefixes Reached, then the usual back-off; `warn`: log and count. */
  action: 'cease' | 'warn';
}

export interface GracefulRestartConfig {
  /** Seconds the peer keeps our routes while we restart (12 bits on the wire: 1..4095). */
  restartTimeSeconds: number;
  /** RFC 8538 N bit: graceful restart also after a NOTIFICATION other than Hard Reset. */
  notification: boolean;
}

export interface ListenConfig {
  address: string;
  port: number;
}

export interface ControlConfig {
  /** Unix socket path. Default /run/tsbgp/tsbgpd.sock. */
  socket: string;
  /** File mode of the socket. Default 0o660. */
  mode: number;
}

/** How one candidate of a VIP is checked. */
export type CheckConfig =
  /** HTTP or HTTPS GET: passes on `expectStatus` (and, when set, a body containing `expectBody`). */
  | { kind: 'http'; url: string; expectStatus: number; expectBody?: string; /** HTTPS without verifying the certificate. */ insecure: boolean }
  /** A TCP connection that is accepted. */
  | { kind: 'tcp'; host: string; port: number }
  /** A command whose exit status 0 passes; run without a shell, the candidate in its environment. */
  | { kind: 'exec'; command: string; args: string[] };

export interface CandidateConfig {
  name: string;
  nextHop: string;
  check: CheckConfig;
}

export type FailbackPolicy = { kind: 'sticky' } | { kind: 'preferred-after'; ms: number };

/** A health-checked VIP: announced via the most preferred healthy candidate. */
export interface VipConfig {
  name: string;
  /** Canonical prefix text, e.g. 100.64.0.1/32. */
  prefix: string;
  /** In order of preference. */
  candidates: CandidateConfig[];
  /** Between two checks of one candidate (jittered). Default 200 ms. */
  intervalMs: number;
  /** A check not done by then failed. Default: the interval, at most. */
  timeoutMs: number;
  /** Consecutive passes to become healthy, failures to become unhealthy. Defaults 3 and 2. */
  rise: number;
  fall: number;
  /** Also hold a TCP connection to each candidate: a reset or FIN on it is an immediate failure. */
  watch: boolean;
  failback: FailbackPolicy;
  /** Azure applies one change per prefix per window: a change inside it is sent, and reported late. */
  changeWindowMs: number;
  /** With no healthy candidate: keep the last next hop, or withdraw the VIP. */
  allDown: 'keep' | 'withdraw';
  /** After a move, probe the VIP until the answer names the new candidate. */
  confirm?: { url: string; expectBodyFrom: 'candidate-name'; insecure: boolean };
  /** At start, how long the saved candidate's checks may take before the VIP is announced anyway. */
  startWaitMs: number;
}

/** One of a pair of watchers (`pair:`): the route servers prefer the primary's shorter AS path; the standby follows it. */
export interface PairConfig {
  role: 'primary' | 'standby';
  /** The other watcher: one of `neighbors`, iBGP (its remote-as is our local-as). */
  partner: string;
  /** Extra copies of our AS the standby puts in the AS_PATH toward every neighbor but the partner; 0 on the primary. */
  prepend: number;
}

/** The `exabgp` section: the named pipe ExaBGP scripts write their commands to. */
export interface ExabgpConfig {
  /** The FIFO tsbgpd creates at start and reads (ExaBGP's exabgp.cmd / exabgp.in). */
  pipe: string;
  /** Its file mode when tsbgpd creates it. Default 0o600. */
  pipeMode: number;
}

/** The `http` section: one listener for the metrics and the status page. */
export interface HttpConfig {
  /** Default 127.0.0.1: the endpoint has no authentication, so it stays on this host unless told otherwise. */
  address: string;
  /** Default 9179. */
  port: number;
  /** GET /metrics (Prometheus / OpenMetrics text). Default true. */
  metrics: boolean;
  /** GET / (the status page) and the WebSocket /events. Default true. */
  web: boolean;
}

export interface Config {
  routerId: string;
  localAs: number;
  /** Where to accept BGP connections; null: never listen (active-only). Default 0.0.0.0:179. */
  listen: ListenConfig | null;
  neighbors: NeighborConfig[];
  /** Routes originated at start (the state file, if any, overrides them). */
  routes: RouteSpec[];
  /** Health-checked VIPs (the `health` owner). */
  vips: VipConfig[];
  /** One of two watchers (absent: a single watcher). */
  pair?: PairConfig;
  control: ControlConfig;
  /** ExaBGP compatibility (absent: no named pipe). */
  exabgp?: ExabgpConfig;
  /** The metrics and status page listener (absent: none). */
  http?: HttpConfig;
  /** Where runtime announcements are kept across restarts; null: not kept. */
  stateFile: string | null;
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** ExaBGP-style programs (`processes:`): their stdout lines are API commands; none by default. */
  processes: ProcessConfig[];
}

/** One program of `processes:` (ExaBGP's `process` block). */
export interface ProcessConfig {
  name: string;
  /** argv: the program and its arguments, run without a shell. */
  run: string[];
  /** `json`: the daemon's events are written to its stdin in ExaBGP's JSON format; `text`: only the answers. */
  encoder: 'text' | 'json';
}

/** One problem in a config file: where it is and what is wrong. */
export interface ConfigProblem {
  /** Key path, e.g. "neighbors[1].remote-as". */
  path: string;
  /** 1-based line, when the parser knows it. */
  line?: number;
  message: string;
}
