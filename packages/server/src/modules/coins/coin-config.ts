import type { Db } from '../../store/tx.js';
import { coinConfirmationsDefaultCount } from '../../limits.js';
import { parseAmount } from '../../money/amount.js';
import { findCoinBySymbol, insertCoin, updateCoin, type CoinRecord } from './repository.js';

export interface CoinInput {
  symbol: string;
  name?: string;
  /** Chain family key, e.g. "evm" (several EVM chains: "evm:1", "evm:31337"). */
  chain: string;
  baseSymbol?: string;
  contractAddress?: string;
  decimals: number;
  confirmations?: number;
  /** Decimal strings in the coin's units (fee in the fee coin's units). */
  minWithdraw?: string;
  maxWithdraw?: string;
  withdrawFee?: string;
  withdrawFeeSymbol?: string;
  autoApproveMax?: string;
  dailyLimit?: string;
  minDeposit?: string;
  icon?: string;
  /** Transaction-link template of the block explorer (`{txid}` stands for the hash). */
  explorer?: string;
  /** Address-link template of the block explorer (`{address}` stands for the address). */
  addressExplorer?: string;
  nowMs: number;
}

/** Symbols match case-insensitively: a coin may not differ from another only by case. */
export class SymbolCaseConflictError extends Error {
  constructor(
    readonly symbol: string,
    readonly existing: string,
  ) {
    super(`coin ${existing} exists already: symbols match case-insensitively, so ${symbol} would be the same coin`);
  }
}

/**
 * Adds or replaces a coin's configuration (by symbol, in the same case: a
 * symbol differing from an existing coin's only by case is refused). Amounts are validated with
 * the coin's decimals.
 */
export async function upsertCoin(db: Db, input: CoinInput): Promise<CoinRecord> {
  let feeSymbol = input.withdrawFeeSymbol ?? input.symbol;
  let feeDecimals = input.decimals;
  if (feeSymbol !== input.symbol) {
    const feeCoin = await findCoinBySymbol(db, feeSymbol);
    if (!feeCoin) throw new Error(`fee coin ${feeSymbol} is not configured`);
    feeSymbol = feeCoin.symbol;
    feeDecimals = feeCoin.decimals;
  }
  const units = (v: string | undefined, d: number) => (v === undefined ? 0n : parseAmount(v, d));
  const values = {
    symbol: input.symbol,
    name: input.name ?? input.symbol,
    chain: input.chain,
    base_symbol: input.baseSymbol ?? input.symbol,
    contract_address: input.contractAddress ?? '',
    decimals: input.decimals,
    confirmations: input.confirmations ?? coinConfirmationsDefaultCount,
    min_withdraw: units(input.minWithdraw, input.decimals),
    max_withdraw: units(input.maxWithdraw, input.decimals),
    withdraw_fee: units(input.withdrawFee, feeDecimals),
    withdraw_fee_symbol: feeSymbol,
    auto_approve_max: units(input.autoApproveMax, input.decimals),
    daily_limit: units(input.dailyLimit, input.decimals),
    min_deposit: units(input.minDeposit, input.decimals),
    icon: input.icon ?? '',
    explorer: input.explorer ?? '',
    address_explorer: input.addressExplorer ?? '',
    enabled: 1,
  };
  const existing = await findCoinBySymbol(db, input.symbol);
  if (existing && existing.symbol !== input.symbol) throw new SymbolCaseConflictError(input.symbol, existing.symbol);
  if (existing) {
    await updateCoin(db, existing.id, values);
  } else {
    await insertCoin(db, { ...values, created_at: input.nowMs });
  }
  return (await findCoinBySymbol(db, input.symbol))!;
}

/** Disables (or enables again) a coin for every merchant; returns the coin, or undefined when unknown. */
export async function setCoinEnabled(db: Db, symbol: string, enabled: boolean): Promise<CoinRecord | undefined> {
  const coin = await findCoinBySymbol(db, symbol);
  if (!coin) return undefined;
  await updateCoin(db, coin.id, { enabled: enabled ? 1 : 0 });
  return findCoinBySymbol(db, symbol);
}
