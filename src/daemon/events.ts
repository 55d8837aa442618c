// The event bus: what happens in the daemon, fanned out to a bounded set of subscribers that can never throw back.
import type { SpeakerEvent } from '../control/types.js';

export interface EventsLogger {
  warn(obj: object, msg?: string): void;
}

/** More subscribers than this is a leak (a monitor that never unsubscribes), not a use. */
export const MAX_SUBSCRIBERS = 256;

export class EventBus {
  private readonly listeners = new Set<(e: SpeakerEvent) => void>();

  constructor(
    private readonly log: EventsLogger,
    private readonly max = MAX_SUBSCRIBERS,
  ) {}

  /** Whether anyone listens: producers skip building events nobody reads. */
  get active(): boolean {
    return this.listeners.size > 0;
  }

  get size(): number {
    return this.listeners.size;
  }

  emit(e: SpeakerEvent): void {
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.log.warn({ err: (err as Error).message, event: e.type }, 'event subscriber failed');
      }
    }
  }

  /** Returns the unsubscribe function. Throws when the bus is full. */
  subscribe(listener: (e: SpeakerEvent) => void): () => void {
    if (this.listeners.size >= this.max) throw new Error(`too many event subscribers (limit ${this.max})`);
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
