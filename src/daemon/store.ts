// The state store: coalesced, retried saves of the intents, off the wire's tick, with an honest status.
import type { Clock, TimerHandle } from '../bgp/fsm/clock.js';
import type { SaveOutcome, StateFileStatus } from '../control/types.js';
import type { Intent, OwnedIntent, Owner } from '../routes/intents.js';
import type { Change, SavedState } from './file-store.js';
import { JournaledFile } from './journal.js';

/** Where the intents are kept (the state file; a test's memory). */
export interface StateBackend {
  readonly path: string;
  read(): Promise<SavedState | null>;
  /** Save every intent (a full snapshot). */
  write(intents: readonly OwnedIntent[]): Promise<void>;
  /** Save only what changed, cheaply; true when a full write is due. Absent: every save is a write(). */
  append?(changes: readonly Change[]): Promise<boolean>;
  /** Release open files (at stop). */
  close?(): Promise<void>;
}

/** The state file with its journal, as the store's backend. */
export function fileBackend(path: string, wall: () => number = Date.now): StateBackend {
  const f = new JournaledFile(path, wall);
  return { path, read: () => f.read(), write: (intents) => f.compact(intents), append: (changes) => f.append(changes), close: () => f.close() };
}

/** Where the store reads the intents it saves. */
export interface IntentSource {
  stored(): OwnedIntent[];
  get(owner: Owner, prefix: string): Intent | undefined;
}

/** One owner's intent for one prefix: what a change names. */
export interface IntentKey {
  owner: Exclude<Owner, 'config'>;
  prefix: string;
}

export interface StoreLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface StoreOptions {
  /** First wait before a failed save is tried again; it doubles up to `retryMaxMs`. */
  retryMinMs?: number;
  retryMaxMs?: number;
}

type Outcome = { ok: true; at: number } | { ok: false; error: string };

/**
 * Saves are coalesced: at most one write is in flight, and every change that comes while it runs is
 * covered by one more write after it, so a burst of 100 changes costs at most two write+fsync
 * cycles. A save starts on a later turn of the event loop than the change that asked for it, so the
 * fsync never shares a tick with the UPDATE's write. A failed save is retried with back-off; a new
 * change tries again at once (the disk may have been fixed) and learns the outcome of that attempt.
 */
export class StateStore {
  private writing = false;
  private dirty = false;
  private scheduled = false;
  private retry: TimerHandle | undefined;
  private backoff: number;
  private waiters: ((o: Outcome) => void)[] = [];
  /** What changed since the last save; `all`: not known, save everything. */
  private changed = new Map<string, IntentKey>();
  private all = true;
  private compactDue = false;
  private savedAt: number | undefined;
  private unsavedSince: number | undefined;
  private lastError: string | undefined;
  /** Failed save attempts since the daemon started (a retry that fails again counts again). */
  private saveFailures = 0;
  private settled: Promise<void> = Promise.resolve();
  private settle: (() => void) | undefined;

  constructor(
    private readonly backend: StateBackend,
    private readonly intents: IntentSource,
    private readonly clock: Clock,
    private readonly log: StoreLogger,
    private readonly opts: StoreOptions = {},
  ) {
    this.backoff = opts.retryMinMs ?? 1000;
  }

  get path(): string {
    return this.backend.path;
  }

  read(): Promise<SavedState | null> {
    return this.backend.read();
  }

  /**
   * Something changed: save it. Resolves (never rejects) with the outcome of the save that covers
   * the change, timed from `t0` (clock ms), or at once with the current failure while retrying.
   */
  save(t0: number, keys?: readonly IntentKey[]): Promise<SaveOutcome> {
    this.dirty = true;
    if (keys) for (const k of keys) this.changed.set(`${k.owner} ${k.prefix}`, k);
    else this.all = true;
    // A new change is a reason to try again now rather than at the end of the back-off: the disk
    // may have been fixed. While it is still failing, each attempt fails fast and costs one write.
    if (this.retry !== undefined) {
      this.clock.clearTimer(this.retry);
      this.retry = undefined;
    }
    const done = new Promise<Outcome>((resolve) => this.waiters.push(resolve));
    this.kick();
    return done.then((o) => (o.ok ? { ok: true, micros: Math.round((o.at - t0) * 1000) } : { ok: false, error: o.error, ...(this.savedAt === undefined ? {} : { since: new Date(this.savedAt).toISOString() }) }));
  }

  /** What `show summary` reports. */
  status(): StateFileStatus {
    return {
      path: this.backend.path,
      ...(this.savedAt === undefined ? {} : { savedAt: new Date(this.savedAt).toISOString() }),
      ...(this.unsavedSince === undefined ? {} : { unsavedSince: new Date(this.unsavedSince).toISOString() }),
      ...(this.lastError === undefined ? {} : { error: this.lastError }),
    };
  }

  /** Failed save attempts since the daemon started (the metrics' counter; `show summary` does not show it). */
  get failures(): number {
    return this.saveFailures;
  }

  /** True while a change is known not to be on disk (a save failed and has not succeeded since). */
  get failing(): boolean {
    return this.lastError !== undefined;
  }

  /** At shutdown: wait for the write in flight, try once more if anything is unsaved; true when all is saved. */
  async flush(): Promise<boolean> {
    if (this.retry !== undefined) {
      this.clock.clearTimer(this.retry);
      this.retry = undefined;
    }
    await this.settled;
    if (this.dirty) await this.write();
    const saved = !this.dirty && this.lastError === undefined;
    await this.backend.close?.();
    return saved;
  }

  private kick(): void {
    if (this.writing || this.scheduled || this.retry !== undefined) return;
    this.scheduled = true;
    // A later turn: the UPDATE that caused this save is already in the kernel by then.
    setImmediate(() => {
      this.scheduled = false;
      void this.write();
    });
  }

  private async write(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    this.settled = new Promise((r) => (this.settle = r));
    while (this.dirty) {
      this.dirty = false;
      const waiters = this.waiters;
      this.waiters = [];
      const changed = this.changed;
      const full = this.all || this.compactDue || !this.backend.append;
      this.changed = new Map();
      this.all = false;
      let outcome: Outcome;
      try {
        if (full) {
          await this.backend.write(this.intents.stored());
          this.compactDue = false;
        } else {
          this.compactDue = await this.backend.append!(this.delta(changed.values()));
        }
        outcome = { ok: true, at: this.clock.now() };
        if (this.lastError !== undefined) this.log.info({ path: this.backend.path }, 'state file saved again');
        this.savedAt = this.clock.wall();
        this.unsavedSince = undefined;
        this.lastError = undefined;
        this.backoff = this.opts.retryMinMs ?? 1000;
      } catch (e) {
        const error = e instanceof Error ? e.message : String(e);
        outcome = { ok: false, error };
        // Not saved: the same changes are owed by the next attempt.
        for (const [k, v] of changed) if (!this.changed.has(k)) this.changed.set(k, v);
        if (full) this.all = true;
        this.unsavedSince ??= this.clock.wall();
        this.lastError = error;
        this.saveFailures++;
        this.dirty = true;
        this.log.error({ path: this.backend.path, err: error, retryInMs: this.backoff }, 'cannot save the state file: a restart now would announce the older saved intents');
        // Those who asked while this write ran get the failure now, not after the back-off.
        for (const w of [...waiters, ...this.waiters]) w(outcome);
        this.waiters = [];
        this.scheduleRetry();
        break;
      }
      for (const w of waiters) w(outcome);
    }
    this.writing = false;
    this.settle?.();
  }

  /** The journal lines for what changed: each key's intent as it is now, or its removal. */
  private delta(keys: Iterable<IntentKey>): Change[] {
    const out: Change[] = [];
    for (const k of keys) {
      const intent = this.intents.get(k.owner, k.prefix);
      out.push(intent ? { owner: k.owner, intent } : { owner: k.owner, prefix: k.prefix, cleared: true });
    }
    return out;
  }

  private scheduleRetry(): void {
    if (this.retry !== undefined) return;
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.retryMaxMs ?? 60_000);
    this.retry = this.clock.setTimer(wait, () => {
      this.retry = undefined;
      void this.write();
    });
  }
}
