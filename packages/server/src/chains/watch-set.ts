import { watchSetRefreshPageMax as refreshPageSize } from '../limits.js';
import { chainAddressesAfter } from '../modules/addresses/index.js';
import type { CoinRecord } from '../modules/coins/index.js';
import type { Db } from '../store/tx.js';
import type { WatchSet } from './adapter.js';
import { addressCodec, type AddressCodec } from './address-codec.js';

/**
 * What the scanner of one chain looks for: every deposit address issued on the chain, plus the
 * hot and fee wallets, and the token contracts of the chain's coins. Addresses live in memory
 * (a Set of the family's canonical forms: lower-case on EVM) and are refreshed incrementally — only rows with an id above
 * the last one seen are read — so 100,000 addresses cost one indexed query per tick.
 * Addresses are never removed (chain_addresses rows are permanent).
 */
export class ChainWatchSet implements WatchSet {
  readonly #chain: string;
  readonly #codec: AddressCodec;
  readonly #depositAddresses = new Set<string>();
  readonly #wallets: ReadonlySet<string>;
  #lastId = 0;
  tokens: readonly string[] = [];

  constructor(chain: string, wallets: { hotAddress: string; feeAddress: string }) {
    this.#chain = chain;
    this.#codec = addressCodec(chain);
    this.#wallets = new Set([this.#codec.canonical(wallets.hotAddress), this.#codec.canonical(wallets.feeAddress)]);
  }

  /** Reads addresses issued since the last refresh and sets the tokens from `coins` (this chain's coins). */
  async refresh(db: Db, coins: readonly CoinRecord[]): Promise<void> {
    for (;;) {
      const rows = await chainAddressesAfter(db, this.#chain, this.#lastId, refreshPageSize);
      for (const r of rows) this.#depositAddresses.add(this.#codec.canonical(r.address));
      if (rows.length > 0) this.#lastId = rows[rows.length - 1]!.id;
      if (rows.length < refreshPageSize) break;
    }
    this.tokens = [...new Set(coins.filter((c) => c.chain === this.#chain && c.contract_address !== '').map((c) => this.#codec.canonical(c.contract_address)))];
  }

  has(address: string): boolean {
    return this.#depositAddresses.has(address) || this.#wallets.has(address);
  }

  /** A deposit address of ours (canonical form). */
  isDepositAddress(address: string): boolean {
    return this.#depositAddresses.has(address);
  }

  /** The hot or the fee wallet (canonical form). */
  isWallet(address: string): boolean {
    return this.#wallets.has(address);
  }

  /** Any address of ours: transfers sent from one are our own top-ups and sweeps, not deposits. */
  isOwn(address: string): boolean {
    return this.has(address);
  }
}
