import type { SweepDeps } from './deps.js';
import { CoinLookup } from '../coins/index.js';
import { postJournal } from '../ledger/index.js';
import type { Tx } from '../../store/tx.js';
import { findChainAddressById } from '../addresses/index.js';
import type { ChainTxRecord, OutcomeHandler, TxOutcome } from '../chain-sends/index.js';
import { alerts, sweepBroadcastKey, sweepFailingKey, sweepStepFailed } from './collection.js';
import { minerFeeMined, nativeCoinOf, settleMinerFee } from './miner-fees.js';
import { findSweepById, lockSweep, updateSweep } from './repository.js';

/** A top-up or sweep transaction is final: settle its miner fee, move the sweep on. */
async function settleSweepStep(ctx: SweepDeps, tx: Tx, row: ChainTxRecord, outcome: TxOutcome, confirmations: number, slotIds: number[], nowMs: number): Promise<void> {
  const native = await nativeCoinOf(tx, row.chain);
  const { journal } = await settleMinerFee(tx, { row, outcome, confirmations, slotIds, nativeCoinId: Number(native.id), nowMs });
  if (journal) await postJournal(tx, journal);
  const sweep = await lockSweep(tx, row.ref_id);
  const sweepId = sweep.id;
  if (row.purpose === 'topup') {
    if (outcome === 'confirmed') {
      // Only now may the token transfer be signed: its gas is final on chain.
      await updateSweep(tx, sweepId, { state: 'sweep_pending', topup_tx_id: row.id, sweep_tx_id: null, updated_at: nowMs });
    } else {
      await sweepStepFailed(tx, ctx, sweep, `top-up ${row.hash} ${outcome}`, 'topup', nowMs);
    }
    return;
  }
  if (outcome === 'confirmed') {
    await updateSweep(tx, sweepId, { state: 'done', sweep_tx_id: row.id, amount: row.token === '' ? row.value : sweep.amount, last_error: '', updated_at: nowMs });
    await alerts.resolve(ctx, sweepFailingKey(sweepId), tx);
    await alerts.resolve(ctx, sweepBroadcastKey(sweepId), tx);
    return;
  }
  await sweepStepFailed(tx, ctx, sweep, `sweep transaction ${row.hash} ${outcome}`, 'sweep_pending', nowMs);
}

/** The sweep a top-up or sweep transaction belongs to. */
async function sweepOf(db: Parameters<OutcomeHandler['role']>[0], row: ChainTxRecord) {
  const sweep = await findSweepById(db, row.ref_id);
  if (!sweep) throw new Error(`transaction ${row.id}: sweep ${row.ref_id} not found`);
  return sweep;
}

/** What the engine does with top-up and sweep transactions. */
export function sweepOutcomeHandler(ctx: SweepDeps): OutcomeHandler {
  return {
    async confirmationsRequired(db, row) {
      const sweep = await sweepOf(db, row);
      return (await new CoinLookup(db).byIdOrThrow(sweep.coin_id)).confirmations;
    },
    async role(db, row) {
      if (row.purpose === 'topup') return 'fee';
      const sweep = await sweepOf(db, row);
      return { deposit: (await findChainAddressById(db, sweep.chain_address_id)).hdIndex };
    },
    onMined: (tx, row, confirmations, slotIds, nowMs) => minerFeeMined(tx, { row, confirmations, slotIds, nowMs }),
    onFinal: (tx, row, outcome, confirmations, slotIds, nowMs) => settleSweepStep(ctx, tx, row, outcome, confirmations, slotIds, nowMs),
    async onBroadcastError(c, row, error) {
      const sweep = await findSweepById(c.store.db, row.ref_id);
      if (!sweep) return;
      await updateSweep(c.store.db, sweep.id, { last_error: error, updated_at: c.clock.nowMs() });
      // A single refusal is retried quietly; the operator hears of one that repeats.
      if (row.last_error === '') return;
      await alerts.raise(c, {
        kind: 'sweep-failing',
        key: sweepBroadcastKey(sweep.id),
        message: `sweep ${sweep.id} of ${sweep.address} on ${sweep.chain}: broadcasting ${row.purpose} ${row.hash} fails: ${error}`,
      });
    },
    replacementValue(row, quote) {
      // A native sweep spends the address's whole balance: a dearer replacement moves less value.
      if (row.purpose !== 'sweep' || row.token !== '') return undefined;
      return row.value - (quote.feeMax - row.fee_max);
    },
  };
}
