import type { ChainHandle } from '../chains/registry.js';
import { trackStoredTxs } from '../modules/chain-sends/index.js';
import { advanceSweeps, planSweeps, sweepOutcomeHandler, type SweepPlanDeps } from '../modules/sweeps/index.js';
import { chainLeaseTtlMs, holdChainLease } from './broadcaster.js';

/**
 * One pass of the sweeper of `chain` (single leader per chain): follows the stored top-up and
 * sweep transactions, signs the next step of sweeps waiting for one (a sweep after its
 * top-up confirmed), then starts sweeps of addresses with unswept credited deposits.
 * Returns true when work is left for an immediate next tick.
 */
export async function sweepTick(ctx: SweepPlanDeps, chain: ChainHandle, signal: AbortSignal): Promise<boolean> {
  if (!(await holdChainLease(ctx, `sweeper:${chain.id}`, chainLeaseTtlMs(chain)))) return false;
  const handler = sweepOutcomeHandler(ctx);
  const moreTracked = await trackStoredTxs(ctx, chain, { topup: handler, sweep: handler }, signal);
  if (signal.aborted) return false;
  const moreAdvanced = await advanceSweeps(ctx, chain, signal);
  if (signal.aborted) return false;
  const morePlanned = await planSweeps(ctx, chain, signal);
  return moreTracked || moreAdvanced || morePlanned;
}
