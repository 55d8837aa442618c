// Speakers on loopback for tests: a config builder, a quiet logger, and waiting for a state.
import net from 'node:net';
import type { Config, NeighborConfig } from '../../src/config/types.js';
import { Speaker, type SpeakerLogger } from '../../src/daemon/speaker.js';
import type { State } from '../../src/bgp/fsm/types.js';

/** A logger that keeps what it was told (for assertions) and prints nothing. */
export function memoryLogger(lines: { level: string; obj: object; msg?: string }[] = [], bindings: object = {}): SpeakerLogger {
  const at = (level: string) => (obj: object, msg?: string) => lines.push({ level, obj: { ...bindings, ...obj }, ...(msg === undefined ? {} : { msg }) });
  return {
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
    child: (b: object) => memoryLogger(lines, { ...bindings, ...b }),
  };
}

export function neighbor(address: string, remoteAs: number, over: Partial<NeighborConfig> = {}): NeighborConfig {
  return {
    address,
    remoteAs,
    port: 179,
    passive: false,
    holdTime: 180,
    keepaliveTime: 60,
    sendHoldTime: 480,
    connectRetryTime: 1,
    families: ['ipv4-unicast'],
    gracefulRestart: { restartTimeSeconds: 120, notification: true },
    ...over,
  };
}

export function config(over: Partial<Config> & Pick<Config, 'routerId' | 'localAs' | 'neighbors'>): Config {
  return {
    listen: null,
    routes: [],
    vips: [],
    control: { socket: '/nonexistent/tsbgp.sock', mode: 0o660 },
    stateFile: null,
    logLevel: 'info',
    processes: [],
    ...over,
  };
}

/** Poll until `check` holds (bounded: fails after `ms`). */
export async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export function waitState(s: Speaker, address: string, state: State, ms = 5000): Promise<void> {
  return until(`${address} to be ${state}`, () => s.stateOf(address) === state, ms);
}

/** A port free on `host` right now (bound, read, released). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen({ host, port: 0 }, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
