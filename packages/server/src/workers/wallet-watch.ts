/**
 * The wallet watch of one chain: every walletCheckIntervalMs it compares the hot and fee wallet
 * balances with their low thresholds (modules/deposits wallet-levels.ts), raising or resolving
 * wallet-low alerts, while this process holds the chain's `wallets:` lease (single leader per
 * chain). Started only on chains with a threshold set.
 */
import type { ChainHandle } from '../chains/registry.js';
import { chainLeaseTtlMs } from '../limits.js';
import { checkWalletLevels, type WalletCheckDeps } from '../modules/deposits/index.js';
import { holdChainLease } from './broadcaster.js';

/** The lease name of the wallet watch of `chain`. */
export const walletWatchLeaseName = (chain: string) => `wallets:${chain}`;

/** The loop's tick: one check while this process holds the lease. Never asks for an immediate next tick. */
export async function walletWatchTick(ctx: WalletCheckDeps, chain: ChainHandle): Promise<boolean> {
  if (!(await holdChainLease(ctx, walletWatchLeaseName(chain.id), chainLeaseTtlMs(chain.config.walletCheckIntervalMs)))) return false;
  await checkWalletLevels(ctx, chain);
  return false;
}
