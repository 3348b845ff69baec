import { addressCodec } from '../../chains/address-codec.js';
import type { IncomingTransfer } from '../../chains/adapter.js';
import type { Db } from '../../store/tx.js';
import { listCoinsOfChain, type CoinRecord } from '../coins/index.js';

/** The coins of one chain, resolved the way the scanner needs them. */
export interface ChainCoins {
  all: CoinRecord[];
  ids: number[];
  byId: Map<number, CoinRecord>;
  /** Token contract (lower-case) → coin. */
  byToken: Map<string, CoinRecord>;
  /** The chain's native coin (empty contract address). */
  native: CoinRecord | undefined;
}

/**
 * The coins whose `chain` is `chain`. Disabled coins are included: their money arrives all
 * the same. When several coins share a contract (or several have none, i.e. claim the native
 * coin), the enabled one with the lowest id wins — one coin per on-chain asset.
 */
export async function loadChainCoins(db: Db, chain: string): Promise<ChainCoins> {
  const all = await listCoinsOfChain(db, chain);
  const preferred = [...all].sort((a, b) => b.enabled - a.enabled || Number(a.id) - Number(b.id));
  const byToken = new Map<string, CoinRecord>();
  let native: CoinRecord | undefined;
  for (const coin of preferred) {
    const contract = addressCodec(chain).canonical(coin.contract_address);
    if (contract === '') native ??= coin;
    else if (!byToken.has(contract)) byToken.set(contract, coin);
  }
  return { all, ids: all.map((c) => Number(c.id)), byId: new Map(all.map((c) => [Number(c.id), c])), byToken, native };
}

/** The coin a transfer moves, or undefined for a token this service does not carry. */
export function coinOfTransfer(coins: ChainCoins, transfer: IncomingTransfer): CoinRecord | undefined {
  return transfer.token === '' ? coins.native : coins.byToken.get(transfer.token);
}
