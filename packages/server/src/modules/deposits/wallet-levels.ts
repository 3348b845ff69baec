/**
 * The hot and fee wallets against their low-balance thresholds (chain settings hotWalletLow per
 * coin, feeWalletLow in the chain's base coin): what the chain status shows per balance, and the
 * check the chain worker runs every walletCheckIntervalMs, raising a wallet-low alert per wallet
 * and coin below its threshold and resolving it once the balance is back at or above it (or the
 * threshold is gone).
 */
import type { ChainHandle } from '../../chains/registry.js';
import { NodeError } from '../../chains/adapter.js';
import { alertRepeatMs } from '../../limits.js';
import { formatAmount } from '../../money/amount.js';
import type { CoinRecord as Coin } from '../coins/index.js';
import { listOpenAlertKeys, raiseAlert, resolveAlert } from '../alerts/index.js';
import { listCoinsOfChain } from '../coins/index.js';
import type { WalletCheckDeps } from './deps.js';

/** One balance of a wallet with its threshold (null: none set) and whether it is below it. */
export interface WalletLevel {
  balance: string;
  threshold: string | null;
  low: boolean;
}

/** A wallet as the chain status shows it: its balances, and each with its threshold. */
export interface WalletStatus {
  address: string;
  /** Balance per coin symbol (decimal strings). */
  balances: Record<string, string>;
  /** The same balances with their thresholds and `low`. */
  levels: Record<string, WalletLevel>;
  /** Some balance of this wallet is below its threshold. */
  low: boolean;
  /**
   * Coins whose balance could not be read while the node answered (a token configured before,
   * or without, its contract on this chain), with the reason; absent when every read worked.
   */
  unreadable?: Record<string, string>;
}

export type WalletRole = 'hot' | 'fee';

/** The alert kind of a wallet below its threshold. */
export const walletLowKind = 'wallet-low';
/** Alert key of "the `role` wallet of `chain` holds less `symbol` than its threshold". */
export const walletLowKey = (chain: string, role: WalletRole, symbol: string) => `${walletLowKind}:${chain}:${role}:${symbol}`;

/** `units` (at `decimals`) is below the decimal `threshold`, compared exactly at the finer of both precisions. */
export function belowThreshold(units: bigint, decimals: number, threshold: string): boolean {
  const [whole = '0', fraction = ''] = threshold.split('.');
  const precision = Math.max(decimals, fraction.length);
  const limit = BigInt(whole) * 10n ** BigInt(precision) + BigInt(fraction.padEnd(precision, '0') || '0');
  return units * 10n ** BigInt(precision - decimals) < limit;
}

/** The threshold of `coin` in the `role` wallet of `chain`, if one is set (fee wallet: its base coin only). */
export function thresholdOf(chain: ChainHandle, role: WalletRole, coin: Pick<Coin, 'symbol' | 'contract_address'>): string | null {
  // A configuration built by hand (not through loadConfig) may lack the defaults.
  if (role === 'hot') return (chain.config.hotWalletLow ?? {})[coin.symbol] ?? null;
  return coin.contract_address === '' ? (chain.config.feeWalletLow ?? null) : null;
}

/** Whether any threshold is set on `chain` (only then does the chain worker check its wallets). */
export function hasWalletThresholds(chain: ChainHandle): boolean {
  return Object.keys(chain.config.hotWalletLow ?? {}).length > 0 || chain.config.feeWalletLow !== undefined;
}

/** Reads the balances of both wallets of `chain` in `coins` from its node, with their thresholds. Node errors throw; a token that cannot be read is listed as unreadable. */
export async function readWalletStatuses(chain: ChainHandle, coins: readonly Coin[]): Promise<Record<WalletRole, WalletStatus>> {
  const out: Record<WalletRole, WalletStatus> = {
    hot: { address: chain.hotAddress, balances: {}, levels: {}, low: false },
    fee: { address: chain.feeAddress, balances: {}, levels: {}, low: false },
  };
  for (const coin of coins) {
    for (const role of ['hot', 'fee'] as const) {
      const wallet = out[role];
      let units: bigint;
      try {
        units = await chain.reader.balance(wallet.address, coin.contract_address);
      } catch (error) {
        // The node down is the chain's error; one token that does not answer is that token's.
        if (error instanceof NodeError) throw error;
        wallet.unreadable = { ...wallet.unreadable, [coin.symbol]: (error as Error).message.split('\n')[0] ?? 'balance read failed' };
        continue;
      }
      const balance = formatAmount(units, coin.decimals);
      const threshold = thresholdOf(chain, role, coin);
      const low = threshold !== null && belowThreshold(units, coin.decimals, threshold);
      wallet.balances[coin.symbol] = balance;
      wallet.levels[coin.symbol] = { balance, threshold, low };
      if (low) wallet.low = true;
    }
  }
  return out;
}

/** When this process last raised each wallet-low alert, per database: an unchanged condition is raised again (count + 1) at most every alertRepeatMs. */
const lastRaised = new WeakMap<object, Map<string, number>>();

/**
 * Compares both wallets of `chain` with their thresholds: raises a wallet-low alert for each
 * balance below its threshold, and resolves the open ones of this chain that are not (back at
 * or above it, or no threshold any more). Node errors throw (the loop logs them; nothing changes).
 * Returns the keys of the alerts open for this chain after the check.
 */
export async function checkWalletLevels(ctx: WalletCheckDeps, chain: ChainHandle): Promise<string[]> {
  const db = ctx.store.db;
  let lastRaisedMs = lastRaised.get(ctx.store);
  if (!lastRaisedMs) lastRaised.set(ctx.store, (lastRaisedMs = new Map()));
  const coins = await listCoinsOfChain(db, chain.id);
  const wallets = await readWalletStatuses(chain, coins);
  const nowMs = ctx.clock.nowMs();
  const lowKeys = new Set<string>();
  for (const role of ['hot', 'fee'] as const) {
    const wallet = wallets[role];
    for (const [symbol, level] of Object.entries(wallet.levels)) {
      if (!level.low) continue;
      const key = walletLowKey(chain.id, role, symbol);
      lowKeys.add(key);
      const last = lastRaisedMs.get(key);
      if (last !== undefined && nowMs - last < alertRepeatMs) continue;
      lastRaisedMs.set(key, nowMs);
      const message = `${role} wallet ${wallet.address} on ${chain.id} holds ${level.balance} ${symbol}, below its low threshold of ${level.threshold} ${symbol}: ${role === 'hot' ? 'withdrawals may wait for funds' : 'sweeps may not pay their gas'}`;
      ctx.log.warn({ alert: walletLowKind, key }, message);
      await raiseAlert(db, { kind: walletLowKind, key, message, nowMs });
    }
  }
  for (const key of await listOpenAlertKeys(db, { kind: walletLowKind, keyPrefix: `${walletLowKind}:${chain.id}:` })) {
    if (lowKeys.has(key)) continue;
    lastRaisedMs.delete(key);
    await resolveAlert(db, key, nowMs);
  }
  return [...lowKeys];
}
