// Every default the config loader fills in, in one place (examples/README.md documents the same values).
import type { GracefulRestartConfig, HttpConfig, ListenConfig } from './types.js';

export const DEFAULT_PORT = 179;
export const DEFAULT_HOLD_TIME = 180;
export const DEFAULT_KEEPALIVE_TIME = 60;
export const DEFAULT_CONNECT_RETRY = 5;
/** RFC 4724 §3 leaves it to the operator; 120 s is FRR's and BIRD's default too. */
export const DEFAULT_RESTART_TIME = 120;
export const DEFAULT_GRACEFUL_RESTART: Readonly<GracefulRestartConfig> = { restartTimeSeconds: DEFAULT_RESTART_TIME, notification: true };

/** RFC 9687 §4: the suggested Send Hold Time is 8 minutes or twice the Hold Time, whichever is greater. */
export function defaultSendHoldTime(holdTime: number): number {
  return Math.max(480, 2 * holdTime);
}
export const DEFAULT_CONTROL_SOCKET = '/run/tsbgp/tsbgpd.sock';
export const DEFAULT_CONTROL_MODE = 0o660;
export const DEFAULT_STATE_FILE = '/var/lib/tsbgp/state.json';
export const DEFAULT_LISTEN: Readonly<ListenConfig> = { address: '0.0.0.0', port: DEFAULT_PORT };
export const DEFAULT_EXABGP_PIPE_MODE = 0o600;
/** 9179: BGP's 179 with a 9 in front, easy to remember. */
export const DEFAULT_HTTP: Readonly<HttpConfig> = { address: '127.0.0.1', port: 9179, metrics: true, web: true };
