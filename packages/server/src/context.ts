import type { Logger } from 'pino';
import type { ServiceConfig } from './config/config.js';
import type { Clock } from './domain/clock.js';
import type { AddressAllocator } from './keys/address-allocator.js';
import type { DataKeySource } from './keys/data-key.js';
import type { Store } from './store/db.js';
import type { ChainSet } from './chains/registry.js';
import type { KytProvider } from './domain/kyt/provider.js';

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

/** Everything a domain operation or route needs, built once at start-up. */
export interface ServiceContext {
  config: ServiceConfig;
  store: Store;
  log: Logger;
  clock: Clock;
  sealer: EnvelopeSealer;
  /** The data key of secrets kept in the database (merchants' wallet keys); only domain/merchants.ts uses it. */
  secrets: DataKeySource;
  addresses: AddressAllocator;
  notifier: NotifierHandle;
  /** Chains followed and paid on (empty: ledger-only service, or a CLI command without keys). */
  chains: ChainSet;
  /** Screening of deposits and withdrawals; null = no KYT step. */
  kyt: KytProvider | null;
  /** Wakes the chain workers (a withdrawal was approved, a deposit released). */
  chainWorkers: { wake(chain?: string): void };
}
