/**
 * Where a notification handler remembers the `notify_id`s it already processed. Plug in a
 * database table to survive restarts and share across instances; both methods may be async.
 */
export interface NotificationStore {
  /** True when `id` was already processed successfully. */
  has(id: string): boolean | Promise<boolean>;
  /** Records `id` as processed; called only after the merchant's callback succeeded. */
  add(id: string): void | Promise<void>;
}

/** Capacity of the default in-memory store: comfortably more than a retry window's worth of ids. */
export const defaultDedupeCapacity = 10_000;

/**
 * In-memory, bounded, least-recently-used store of processed ids. Bounded so a long-running
 * process cannot grow without limit; retries arrive within hours, so old ids can be forgotten.
 */
export class MemoryNotificationStore implements NotificationStore {
  readonly capacity: number;
  // A Map iterates in insertion order: re-inserting on use keeps the oldest first.
  readonly #ids = new Map<string, true>();

  constructor(capacity = defaultDedupeCapacity) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
  }

  /** Number of ids held. */
  get size(): number {
    return this.#ids.size;
  }

  has(id: string): boolean {
    if (!this.#ids.has(id)) return false;
    this.#ids.delete(id);
    this.#ids.set(id, true);
    return true;
  }

  add(id: string): void {
    this.#ids.delete(id);
    this.#ids.set(id, true);
    while (this.#ids.size > this.capacity) {
      const oldest = this.#ids.keys().next().value;
      if (oldest === undefined) break;
      this.#ids.delete(oldest);
    }
  }
}
