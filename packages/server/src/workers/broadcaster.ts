import type { ChainHandle } from '../chains/registry.js';
import type { ServiceContext } from '../context.js';
import { payWaitingWithdrawals, withdrawalOutcomeHandler } from '../domain/chain-withdrawals.js';
import { trackStoredTxs, type OutcomeHandler } from '../domain/outgoing-txs.js';
import { holdLease } from './lease.js';

/** How long the broadcaster's lease outlives a tick: a crashed leader is replaced after this. */
export function chainLeaseTtlMs(chain: ChainHandle): number {
  return Math.max(15_000, chain.config.pollIntervalMs * 5);
}

/**
 * One pass of the withdrawal broadcaster of `chain` (single leader per chain): follows the
 * withdrawal transactions already stored (mined, confirmed, stuck, dropped — and re-sends any
 * a crash left signed but unsent), then signs, stores and sends the waiting withdrawals.
 * Returns true when work is left for an immediate next tick.
 */
export async function broadcastTick(ctx: ServiceContext, chain: ChainHandle, signal: AbortSignal): Promise<boolean> {
  if (!(await holdLease(ctx.store, `broadcaster:${chain.id}`, ctx.clock.nowMs(), chainLeaseTtlMs(chain)))) return false;
  let settled = false;
  const base = withdrawalOutcomeHandler(ctx);
  const handler: OutcomeHandler = {
    ...base,
    async onFinal(...args) {
      await base.onFinal(...args);
      settled = true;
    },
  };
  const moreTracked = await trackStoredTxs(ctx, chain, { withdrawal: handler }, signal);
  // Notifications of settled withdrawals were committed with them: deliver now.
  if (settled) ctx.notifier.wake();
  if (signal.aborted) return false;
  const morePaid = await payWaitingWithdrawals(ctx, chain, signal);
  return moreTracked || morePaid;
}
