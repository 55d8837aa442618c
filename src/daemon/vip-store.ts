// The VIPs' own state across restarts (current candidate, frozen, the history of moves): a file beside the state file.
import { readFile } from 'node:fs/promises';
import { TsbgpError, TsbgpErrorCode } from '../errors.js';
import type { SavedVip } from '../health/controller.js';
import { writeFileAtomic } from './file-store.js';

export interface VipStoreLogger {
  error(obj: object, msg?: string): void;
}

/**
 * Moves are rare and their record is not on the failover path (the next hop itself is saved as the
 * health owner's intent, with the intents): saves are coalesced on a later turn, one write at a time.
 */
export class VipStore {
  private writing = false;
  private again = false;
  private done: Promise<void> = Promise.resolve();
  private finish: () => void = () => {};

  constructor(
    readonly path: string,
    private readonly snapshot: () => Map<string, SavedVip>,
    private readonly log: VipStoreLogger,
  ) {}

  async read(): Promise<Map<string, SavedVip>> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
      throw new TsbgpError(TsbgpErrorCode.FILE, `cannot read the VIP state ${this.path}: ${(e as Error).message}`);
    }
    try {
      const data = JSON.parse(text) as { version?: unknown; vips?: Record<string, SavedVip> };
      if (data.version !== 1 || typeof data.vips !== 'object' || data.vips === null) throw new Error('expected {"version": 1, "vips": {...}}');
      return new Map(Object.entries(data.vips).map(([k, v]) => [k, { ...(typeof v.current === 'string' ? { current: v.current } : {}), ...(v.frozen === true ? { frozen: true } : {}), history: Array.isArray(v.history) ? v.history : [] }]));
    } catch (e) {
      throw new TsbgpError(TsbgpErrorCode.FILE, `VIP state ${this.path} is not valid: ${(e as Error).message}; fix it or move it away`);
    }
  }

  save(): void {
    if (this.writing) {
      this.again = true;
      return;
    }
    this.writing = true;
    this.done = new Promise((r) => (this.finish = r));
    setImmediate(() => void this.write());
  }

  /** Resolves when nothing is left to write (at stop). */
  flush(): Promise<void> {
    return this.done;
  }

  private async write(): Promise<void> {
    do {
      this.again = false;
      const vips = Object.fromEntries(this.snapshot());
      try {
        await writeFileAtomic(this.path, JSON.stringify({ version: 1, vips }) + '\n');
      } catch (e) {
        this.log.error({ path: this.path, err: (e as Error).message }, 'cannot save the VIP state (moves and freeze); the next hop itself is in the state file');
      }
    } while (this.again);
    this.writing = false;
    this.finish();
  }
}
