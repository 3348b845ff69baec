import type { ChainHandle } from '../chains/registry.js';
import type { ServiceContext } from '../context.js';
import type { Store } from '../store/db.js';
import { chainLeaseTtlMs as leaseTtlMs } from '../limits.js';
import { trackStoredTxs, type OutcomeHandler } from '../modules/chain-sends/index.js';
import { payWaitingWithdrawals, withdrawalOutcomeHandler, type WithdrawalPaymentDeps } from '../modules/withdrawals/index.js';
import { holdLease } from './lease.js';

/** Until when this process holds each lease, per database: renewed in the database only past half its time. */
const heldLeases = new WeakMap<Store, Map<string, number>>();

/** What holding a chain lease reads: the database and the clock. */
export type ChainLeaseDeps = Pick<ServiceContext, 'store' | 'clock'>;
/** What a broadcaster tick reads: paying withdrawals, and the notifier woken after settling some. */
export type BroadcastTickDeps = WithdrawalPaymentDeps & Pick<ServiceContext, 'notifier'>;

/**
 * holdLease, written to the database only once half the lease has run out: one lease write
 * per loop and second instead of one per tick keeps SQLite's single writer free for payments.
 * Nobody else can take the lease before it expires, so skipping a renewal is safe.
 */
export async function holdChainLease(ctx: ChainLeaseDeps, name: string, ttlMs: number): Promise<boolean> {
  const nowMs = ctx.clock.nowMs();
  let held = heldLeases.get(ctx.store);
  if (!held) heldLeases.set(ctx.store, (held = new Map()));
  const until = held.get(name);
  if (until !== undefined && nowMs < until - ttlMs / 2) return true;
  const ok = await holdLease(ctx.store, name, nowMs, ttlMs);
  if (ok) held.set(name, nowMs + ttlMs);
  else held.delete(name);
  return ok;
}

/**
 * A few poll intervals: a crashed leader is replaced quickly. A slow tick that outlives it lets
 * a second leader in, which money never notices: the claim (`status = 1 and txid = ''`), the
 * locked nonce row and the state-guarded updates of stored transactions let one of them win.
 */
export function chainLeaseTtlMs(chain: ChainHandle): number {
  return leaseTtlMs(chain.config.pollIntervalMs);
}

/**
 * One pass of the withdrawal broadcaster of `chain` (single leader per chain): follows the
 * withdrawal transactions already stored (mined, confirmed, stuck, dropped — and re-sends any
 * a crash left signed but unsent), then signs, stores and sends the waiting withdrawals.
 * Returns true when work is left for an immediate next tick.
 */
export async function broadcastTick(ctx: BroadcastTickDeps, chain: ChainHandle, signal: AbortSignal): Promise<boolean> {
  if (!(await holdChainLease(ctx, `broadcaster:${chain.id}`, chainLeaseTtlMs(chain)))) return false;
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
