import type { SweepRetryDeps } from './deps.js';
import { chainListPageSizeDefault, chainListPageSizeMax } from '../../limits.js';
import type { SweepState } from '../../store/schema.js';
import { inTransaction, type Db } from '../../store/tx.js';
import { alerts, sweepFailingKey } from './collection.js';
import { SweepStateError } from './errors.js';
import { findSweepById, listSweepPage, updateSweepIf, type SweepRecord } from './repository.js';

/** Sweeps, newest first, for operators. */
export function listSweeps(db: Db, filter: { chain?: string; state?: SweepState; beforeId?: number; limit?: number } = {}): Promise<SweepRecord[]> {
  return listSweepPage(db, { ...filter, limit: Math.min(Math.max(1, filter.limit ?? chainListPageSizeDefault), chainListPageSizeMax) });
}

/** An operator retries a failed sweep: it starts again from its sweep transaction (a top-up first if gas is short). */
export async function retrySweep(ctx: SweepRetryDeps, sweepId: number): Promise<SweepRecord> {
  const sweep = await inTransaction(ctx.store, async (tx) => {
    if (!(await findSweepById(tx, sweepId))) throw new SweepStateError('not-found', sweepId);
    const row = await updateSweepIf(tx, { id: sweepId, state: 'failed' }, { state: 'sweep_pending', sweep_tx_id: null, attempts: 0, last_error: '', updated_at: ctx.clock.nowMs() });
    if (!row) throw new SweepStateError('not-failed', sweepId);
    return row;
  });
  await alerts.resolve(ctx, sweepFailingKey(sweepId));
  ctx.chainWorkers.wake(sweep.chain);
  return sweep;
}

/** A sweep as operators see it. */
export function sweepView(s: SweepRecord) {
  return {
    id: s.id,
    chain: s.chain,
    merchant_id: s.merchant_id,
    coin_id: s.coin_id,
    address: s.address,
    amount: s.amount.toString(),
    state: s.state,
    topup_tx_id: s.topup_tx_id,
    sweep_tx_id: s.sweep_tx_id,
    attempts: s.attempts,
    last_error: s.last_error,
    created_at: Number(s.created_at),
    updated_at: Number(s.updated_at),
  };
}
