import type { Logger } from 'pino';
import type { ServiceConfig } from './config/config.js';
import type { Clock } from './clock.js';
import type { AddressAllocator } from './keys/address-allocator.js';
import type { DataKeySource } from './keys/data-key.js';
import type { Store } from './store/db.js';
import type { ChainSet } from './chains/registry.js';
import type { KytProvider } from './modules/kyt/index.js';

/** Seals payloads with a merchant's wallet private key off the event loop. */
export interface EnvelopeSealer {
  /** Encrypts `value` (JSON) with the wallet private key of merchant `merchantId`. */
  seal(merchantId: number, walletPrivateKeyPem: string, value: unknown): Promise<string>;
  close(): Promise<void>;
}

/** Wakes the notification worker after a commit that enqueued notifications. */
export interface NotifierHandle {
  wake(): void;
}

/**
 * Wakes workers that start after the context holding this handle is built (they need the
 * context themselves): each connects once, at start-up, so the context never changes.
 */
export class WakeRelay<A extends unknown[] = []> {
  // createService puts these in the context; observers (tests, benchmarks) may connect too.
  readonly #targets: Array<(...args: A) => void> = [];
  wake(...args: A): void {
    for (const target of this.#targets) target(...args);
  }
  /** Connects a started worker (or an observer) to the wakes. */
  connect(target: (...args: A) => void): void {
    this.#targets.push(target);
  }
}

/**
 * Everything the edges hand to domain operations, built once at start-up (service.ts) and never
 * changed afterwards. Each module's operations take only the part they read (the module's deps.ts).
 */
export interface ServiceContext {
  readonly config: ServiceConfig;
  readonly store: Store;
  readonly log: Logger;
  readonly clock: Clock;
  readonly sealer: EnvelopeSealer;
  /** The data key of secrets kept in the database (merchants' wallet keys); only domain/merchants.ts uses it. */
  readonly secrets: DataKeySource;
  readonly addresses: AddressAllocator;
  readonly notifier: NotifierHandle;
  /** Chains followed and paid on (empty: ledger-only service, or a CLI command without keys). */
  readonly chains: ChainSet;
  /** Screening of deposits and withdrawals; null = no KYT step. */
  readonly kyt: KytProvider | null;
  /** Wakes the chain workers (a withdrawal was approved, a deposit released). */
  readonly chainWorkers: { wake(chain?: string): void };
}
