// The real probes behind the watcher: checks, watch connections and the data-plane confirmation.
import type { Clock } from '../bgp/fsm/clock.js';
import { watchTarget } from '../config/sections/vips.js';
import type { CandidateConfig, VipConfig } from '../config/types.js';
import type { CheckConfig } from '../config/types.js';
import { type CheckOptions, type RunningCheck, runCheck } from './checks.js';
import type { Prober } from './controller.js';
import { Watch } from './watch.js';

/** How long a confirmation probes the VIP, and how often. */
export const CONFIRM_DEADLINE_MS = 10_000;
export const CONFIRM_EVERY_MS = 20;

/**
 * A network check as two staggered attempts: the second starts at half the timeout if the first has
 * not answered, and the first pass wins. A lost SYN or segment costs TCP a retransmission timeout
 * (1 s, 200 ms) far longer than a check's timeout, so on a path that drops a few packets in a
 * hundred a single attempt fails now and then, and `fall` consecutive such failures would move a
 * healthy VIP. A definite answer (refused, a wrong status) before the second attempt fails at once;
 * a dead or silent host fails both by the timeout, so detection is not slower. Commands run once.
 */
export function hedgedCheck(check: CheckConfig, o: CheckOptions): RunningCheck {
  if (check.kind === 'exec') return runCheck(check, o);
  const t0 = o.clock.now();
  const half = o.timeoutMs / 2;
  let second: RunningCheck | undefined;
  let settled = false;
  let resolve!: (v: Awaited<RunningCheck['done']>) => void;
  const done = new Promise<Awaited<RunningCheck['done']>>((r) => (resolve = r));
  const first = runCheck(check, o);
  const settle = (ok: boolean, detail: string): void => {
    if (settled) return;
    settled = true;
    o.clock.clearTimer(hedge);
    first.cancel();
    second?.cancel();
    resolve({ ok, latencyMs: o.clock.now() - t0, detail });
  };
  let firstFailure: string | undefined;
  let secondFailure: string | undefined;
  const hedge = o.clock.setTimer(half, () => {
    if (settled) return;
    second = runCheck(check, { ...o, timeoutMs: o.timeoutMs - half });
    void second.done.then((r) => {
      if (r.ok) settle(true, `${r.detail} (second attempt)`);
      else if (firstFailure !== undefined) settle(false, firstFailure);
      else secondFailure = r.detail;
    });
  });
  void first.done.then((r) => {
    if (r.ok) settle(true, r.detail);
    else if (!second) settle(false, r.detail); // a definite answer before the hedge: the server said no
    else if (secondFailure !== undefined) settle(false, r.detail);
    else firstFailure = r.detail;
  });
  return { done, cancel: () => settle(false, 'cancelled') };
}

export function realProber(clock: Clock): Prober {
  const env = (vip: VipConfig, c: CandidateConfig): Record<string, string> => ({ TSBGP_VIP: vip.name, TSBGP_PREFIX: vip.prefix, TSBGP_CANDIDATE: c.name, TSBGP_NEXT_HOP: c.nextHop });
  return {
    check: (vip, c) => hedgedCheck(c.check, { timeoutMs: vip.timeoutMs, clock, env: env(vip, c) }),
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
