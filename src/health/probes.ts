// The real probes behind the watcher: checks, watch connections and the data-plane confirmation.
import type { Clock } from '../bgp/fsm/clock.js';
import { watchTarget } from '../config/sections/vips.js';
import type { CandidateConfig, VipConfig } from '../config/types.js';
import { runCheck } from './checks.js';
import type { Prober } from './controller.js';
import { Watch } from './watch.js';

/** How long a confirmation probes the VIP, and how often. */
export const CONFIRM_DEADLINE_MS = 10_000;
export const CONFIRM_EVERY_MS = 20;

export function realProber(clock: Clock): Prober {
  const env = (vip: VipConfig, c: CandidateConfig): Record<string, string> => ({ TSBGP_VIP: vip.name, TSBGP_PREFIX: vip.prefix, TSBGP_CANDIDATE: c.name, TSBGP_NEXT_HOP: c.nextHop });
  return {
    check: (vip, c) => runCheck(c.check, { timeoutMs: vip.timeoutMs, clock, env: env(vip, c) }),
    watch: (vip, c, on) => {
      const target = watchTarget(c.check);
      if (!target) return undefined;
      const w = new Watch(target, { clock, retryMs: vip.intervalMs, onLost: on.lost, onConnected: on.connected });
      return {
        start: () => w.start(),
        stop: () => w.stop(),
        get state() {
          const s = w.state;
          return s === 'connected' ? 'connected' : s === 'lost' ? 'lost' : 'connecting';
        },
      };
    },
    confirm: (vip, candidate) => {
      const cfg = vip.confirm;
      if (!cfg) return Promise.resolve(undefined);
      const t0 = clock.now();
      // The answer names the candidate that served it: the data plane has moved when it names the new one.
      const check = { kind: 'http' as const, url: cfg.url, expectStatus: 200, expectBody: candidate, insecure: cfg.insecure };
      return new Promise((resolve) => {
        const attempt = (): void => {
          const started = clock.now();
          void runCheck(check, { timeoutMs: Math.min(vip.timeoutMs, 1000), clock }).done.then((o) => {
            if (o.ok) return resolve(Math.round(clock.now() - t0));
            if (clock.now() - t0 > CONFIRM_DEADLINE_MS) return resolve(undefined);
            clock.setTimer(Math.max(0, CONFIRM_EVERY_MS - (clock.now() - started)), attempt);
          });
        };
        attempt();
      });
    },
  };
}
