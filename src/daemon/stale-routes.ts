// A restarting peer's stale routes (RFC 4724 §4.2): graceful-restart.ts decides, this runs the timers and changes the Adj-RIB-In.
import type { Clock, TimerHandle } from '../bgp/fsm/clock.js';
import { type HelperAction, type HelperEvent, type HelperState, type HelperTimer, STALE_ROUTES_SECONDS, helperStep } from '../bgp/fsm/graceful-restart.js';
import { familyName } from '../bgp/iana.js';
import type { AdjRibIn, RibChange } from '../bgp/rib/adj-rib-in.js';

export interface StaleLogger {
  info(obj: object, msg?: string): void;
}

export interface StaleRoutesDeps {
  ribIn: AdjRibIn;
  clock: Clock;
  log: StaleLogger;
  /**
   * Routes that left the Adj-RIB-In without the peer withdrawing them (flushed when a session ended,
   * swept when stale): told the same way as the withdrawals the peer sends.
   */
  gone: (changes: readonly RibChange[]) => void;
  /** Whether anyone hears `gone`: a full flush nobody hears is a clear(), not a list of withdrawals. */
  listening: () => boolean;
  /** How long stale routes wait for the peer's End-of-RIB once it is back (seconds). */
  staleSeconds?: number;
}

const names = (families: readonly number[]): string[] => families.map((f) => familyName(f >> 8, f & 0xff));

/** One neighbor's stale routes: fed the session's ups and downs and the peer's End-of-RIBs. */
export class StaleRoutes {
  private s: HelperState = { phase: 'none' };
  private readonly timers = new Map<HelperTimer, TimerHandle>();

  constructor(private readonly d: StaleRoutesDeps) {}

  get state(): HelperState {
    return this.s;
  }

  feed(e: HelperEvent): void {
    const r = helperStep(this.s, e, this.d.staleSeconds ?? STALE_ROUTES_SECONDS);
    this.s = r.state;
    for (const a of r.actions) this.run(a);
  }

  /** The neighbor goes away (removed, or the daemon stops): no timer is left behind. */
  stop(): void {
    for (const t of this.timers.values()) this.d.clock.clearTimer(t);
    this.timers.clear();
  }

  private run(a: HelperAction): void {
    const { ribIn, log } = this.d;
    switch (a.type) {
      case 'Flush': {
        const keep = new Set(a.keep);
        if (keep.size === 0 && !this.d.listening()) {
          ribIn.clear();
          return;
        }
        this.tell(ribIn.drop((f) => !keep.has(f), false));
        return;
      }
      case 'MarkStale': {
        const marked = ribIn.markStale(new Set(a.families));
        log.info({ families: names(a.families), routes: marked }, `graceful restart: the peer's routes are kept as stale until it is back (${marked} routes)`);
        return;
      }
      case 'Sweep': {
        const set = new Set(a.families);
        const swept = ribIn.drop((f) => set.has(f), true);
        log.info({ families: names(a.families), routes: swept.length }, `graceful restart: ${swept.length} stale routes swept`);
        this.tell(swept);
        return;
      }
      case 'StartTimer': {
        this.clear(a.timer);
        const timer = a.timer;
        this.timers.set(
          timer,
          this.d.clock.setTimer(a.seconds * 1000, () => {
            this.timers.delete(timer);
            this.feed({ type: `${timer}_Expires` });
          }),
        );
        return;
      }
      case 'StopTimer':
        this.clear(a.timer);
        return;
      default: {
        const never: never = a;
        throw new Error(`unknown helper action ${JSON.stringify(never)}`);
      }
    }
  }

  private clear(timer: HelperTimer): void {
    const t = this.timers.get(timer);
    if (t !== undefined) this.d.clock.clearTimer(t);
    this.timers.delete(timer);
  }

  private tell(changes: readonly RibChange[]): void {
    if (changes.length) this.d.gone(changes);
  }
}
