/**
 * Back-off for failed operator authentications, per client address. A few wrong tokens are
 * free (typos); after that each failure doubles the wait before the address may try again, up
 * to a cap. While an address waits, every request from it answers 429 before its token is
 * looked at, so a correct token waits out the back-off too: a guesser learns nothing from
 * which token it sent during the wait. A success forgets the address.
 *
 * Memory is bounded: at most `trackedAddressesMax` addresses are remembered; when full, the
 * least recently failed one is forgotten (its failures are the oldest, most often long over).
 */
import type { Clock } from '../clock.js';
import { operatorAuthBackoffBaseMs, operatorAuthBackoffMaxMs, operatorAuthForgetAfterMs, operatorAuthFreeFailuresMax, operatorAuthTrackedAddressesMax } from '../limits.js';

export interface AuthThrottleOptions {
  clock: Clock;
  freeFailuresMax?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  forgetAfterMs?: number;
  trackedAddressesMax?: number;
}

interface Entry {
  failures: number;
  lastFailureMs: number;
  blockedUntilMs: number;
}

export class AuthThrottle {
  readonly #clock: Clock;
  readonly #freeFailuresMax: number;
  readonly #backoffBaseMs: number;
  readonly #backoffMaxMs: number;
  readonly #forgetAfterMs: number;
  readonly #trackedAddressesMax: number;
  /** Insertion order = least recently failed first (an entry is re-inserted on each failure). */
  readonly #entries = new Map<string, Entry>();

  constructor(options: AuthThrottleOptions) {
    this.#clock = options.clock;
    this.#freeFailuresMax = options.freeFailuresMax ?? operatorAuthFreeFailuresMax;
    this.#backoffBaseMs = options.backoffBaseMs ?? operatorAuthBackoffBaseMs;
    this.#backoffMaxMs = options.backoffMaxMs ?? operatorAuthBackoffMaxMs;
    this.#forgetAfterMs = options.forgetAfterMs ?? operatorAuthForgetAfterMs;
    this.#trackedAddressesMax = options.trackedAddressesMax ?? operatorAuthTrackedAddressesMax;
  }

  /** Milliseconds `address` must still wait before its next attempt is looked at; 0 = go ahead. */
  waitMs(address: string): number {
    const entry = this.#entries.get(address);
    if (!entry) return 0;
    return Math.max(0, entry.blockedUntilMs - this.#clock.nowMs());
  }

  /** Records a failed authentication; returns the back-off it starts (0 while failures are free). */
  failed(address: string): number {
    const now = this.#clock.nowMs();
    const previous = this.#entries.get(address);
    const failures = previous && now - previous.lastFailureMs < this.#forgetAfterMs ? previous.failures + 1 : 1;
    const over = failures - this.#freeFailuresMax;
    const backoffMs = over <= 0 ? 0 : Math.min(this.#backoffMaxMs, this.#backoffBaseMs * 2 ** Math.min(over - 1, 40));
    this.#entries.delete(address);
    this.#prune();
    this.#entries.set(address, { failures, lastFailureMs: now, blockedUntilMs: now + backoffMs });
    return backoffMs;
  }

  /** A correct token: the address starts afresh. */
  succeeded(address: string): void {
    this.#entries.delete(address);
  }

  /** Addresses remembered now (for tests and metrics). */
  get trackedAddresses(): number {
    return this.#entries.size;
  }

  /** Makes room for one more entry: the least recently failed addresses (the map's front) go first. */
  #prune(): void {
    for (const address of this.#entries.keys()) {
      if (this.#entries.size < this.#trackedAddressesMax) break;
      this.#entries.delete(address);
    }
  }
}
