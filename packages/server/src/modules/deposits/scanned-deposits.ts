/**
 * Deposits as the scanner finds and loses them (docs/chains.md): recorded at status 0 when
 * their block is scanned, moved with their transfer when it is mined again elsewhere, failed
 * when their block is reorganised away before they were settled.
 */
import { DepositStatus } from '@openwaas/sdk';
import type { Logger } from 'pino';
import type { IncomingTransfer } from '../../chains/adapter.js';
import { raiseAlert, resolveAlert } from '../alerts/index.js';
import { CoinLookup, type CoinRecord } from '../coins/index.js';
import type { DepositRecord } from './repository.js';
import type { Db, Tx } from '../../store/tx.js';
import type { AddressOwner } from '../addresses/index.js';
import { notifyDeposit } from './notify.js';
import { reorgAfterCreditKey, reorgFailedReason } from './reasons.js';
import * as repo from './repository.js';

/** A transfer to one of our deposit addresses, with what it is and whose. */
export interface DepositCandidate {
  transfer: IncomingTransfer;
  coin: CoinRecord;
  owner: AddressOwner;
}

const transferKey = (coinId: number, txid: string, index: string) => `${coinId}|${txid}|${index}`;
const depositKey = (d: DepositRecord) => transferKey(Number(d.coin_id), d.txid, d.tx_index);

/** Key of a candidate, as orphanDeposits' `keep` wants it. */
export function candidateKey(c: DepositCandidate): string {
  return transferKey(Number(c.coin.id), c.transfer.txid, c.transfer.index);
}

/** What recordDeposits did, for logs and progress lines. */
export interface RecordOutcome {
  inserted: number;
  revived: number;
  notifications: number;
}

/**
 * Writes the deposits found in a scanned batch, inside the scanner's batch transaction.
 * Idempotent: a transfer already stored in the same block is left alone (a re-scan after a
 * crash, a backfill); stored in another block (mined again after a reorg), it moves to its new
 * block — back to status 0 if the reorg had failed it. `head` gives the confirmations.
 * A transfer to an address whose owner's merchant has not enabled the coin is recorded and
 * credited like any other: the money is on our address, and the merchant sees it in its lists.
 */
export async function recordDeposits(
  tx: Tx,
  input: { candidates: readonly DepositCandidate[]; head: number; nowMs: number; log: Logger },
): Promise<RecordOutcome> {
  const { candidates, head, nowMs } = input;
  const outcome: RecordOutcome = { inserted: 0, revived: 0, notifications: 0 };
  if (candidates.length === 0) return outcome;
  const existing = new Map<string, DepositRecord>();
  const stored = await repo.findDepositsOfTransactions(tx, { txids: candidates.map((c) => c.transfer.txid), coinIds: candidates.map((c) => Number(c.coin.id)) });
  for (const d of stored) existing.set(depositKey(d), d);
  const coins = new CoinLookup(tx);
  const notify = async (d: DepositRecord) => {
    await notifyDeposit(tx, d, { nowMs, coins });
    outcome.notifications++;
  };

  for (const { transfer: t, coin, owner } of candidates) {
    const coinId = Number(coin.id);
    const confirmations = Math.max(0, head - t.blockNumber + 1);
    const found = existing.get(transferKey(coinId, t.txid, t.index));
    if (!found) {
      // Another scanner (lease handover) may have stored it a moment ago: the unique index decides.
      const row = await repo.insertDeposit(tx, {
        merchant_id: owner.merchantId,
        uid: owner.uid,
        coin_id: coinId,
        symbol: coin.symbol,
        amount: t.amount,
        address_from: t.from,
        address_to: t.to,
        txid: t.txid,
        tx_index: t.index,
        confirmations,
        status: DepositStatus.Confirming,
        to_collection: 0,
        withdrawal_id: null,
        block_number: t.blockNumber,
        block_hash: t.blockHash,
        created_at: nowMs,
        updated_at: nowMs,
      });
      if (row) {
        outcome.inserted++;
        await notify(row);
      }
      continue;
    }
    const reorgFailed = found.status === DepositStatus.Failed && found.review_reason === reorgFailedReason;
    if (found.block_hash === t.blockHash && !reorgFailed) continue;

    // The same transfer, mined in another block than the one we stored — or in the very block
    // the reorg had dropped, when the chain switched back to that branch.
    const moved = { block_number: t.blockNumber, block_hash: t.blockHash };
    const id = Number(found.id);
    if (reorgFailed) {
      const revived = await repo.updateDepositIfStatus(tx, {
        id,
        fromStatus: DepositStatus.Failed,
        set: { ...moved, status: DepositStatus.Confirming, confirmations, review_reason: '', updated_at: nowMs },
      });
      if (revived) {
        outcome.revived++;
        await notify(revived);
      }
    } else if (found.status === DepositStatus.Confirming) {
      await repo.updateDeposit(tx, { id, set: { ...moved, confirmations } });
    } else {
      // Credited (or held) before its block was replaced, and mined again: the money is there after all.
      await repo.updateDeposit(tx, { id, set: moved });
      await resolveAlert(tx, reorgAfterCreditKey(id), nowMs);
      input.log.warn({ deposit: id, txid: t.txid, block: t.blockNumber }, 'a settled deposit whose block was reorganised away is mined again');
    }
  }
  return outcome;
}

/**
 * Deposits whose block is no longer on the chain (`rows`, found by the caller: above a fork
 * point, or in a block whose hash changed), inside the caller's transaction. Status 0 → 2
 * 'block reorganised away' with a notification: never credited. A deposit that already moved
 * money (credited, held in suspense, or below the minimum) keeps it: undoing a credit the user
 * may have spent is an operator's decision, so an alert is raised and an error logged.
 * `keep` names transfers the caller is about to store again (mined again in the new branch).
 */
export async function orphanDeposits(
  tx: Tx,
  input: { rows: readonly DepositRecord[]; keep?: ReadonlySet<string>; chain: string; nowMs: number; log: Logger },
): Promise<{ failed: number; alerts: number; notifications: number }> {
  const { nowMs, log } = input;
  const result = { failed: 0, alerts: 0, notifications: 0 };
  const coins = new CoinLookup(tx);
  for (const d of input.rows) {
    if (input.keep?.has(depositKey(d))) continue;
    if (d.status === DepositStatus.Confirming) {
      const failed = await repo.updateDepositIfStatus(tx, {
        id: Number(d.id),
        fromStatus: DepositStatus.Confirming,
        set: { status: DepositStatus.Failed, review_reason: reorgFailedReason, updated_at: nowMs },
      });
      if (!failed) continue;
      result.failed++;
      await notifyDeposit(tx, failed, { nowMs, coins });
      result.notifications++;
      continue;
    }
    if (d.status === DepositStatus.Failed && d.review_reason === reorgFailedReason) continue;
    const message =
      `${input.chain}: deposit ${d.id} (${d.symbol} ${d.amount} base units, tx ${d.txid}, status ${d.status}) was settled, ` +
      `but its block ${d.block_number} (${d.block_hash}) was reorganised away. Its money was not taken back: check whether ` +
      'the transaction is mined again; if not, recover the amount from the user by an adjustment.';
    log.error({ deposit: Number(d.id), txid: d.txid, block: d.block_number, status: d.status }, 'reorg after credit: a settled deposit left the chain');
    await raiseAlert(tx, { kind: 'reorg-after-credit', key: reorgAfterCreditKey(Number(d.id)), message, nowMs });
    result.alerts++;
  }
  return result;
}

/** Stored deposits of the chain's coins whose block is above `block`. */
export function depositsAbove(db: Db, coinIds: readonly number[], block: number): Promise<DepositRecord[]> {
  return repo.listDepositsAboveBlock(db, { coinIds, block });
}

/** Stored deposits of the chain's coins in blocks from..to. */
export function depositsInBlocks(db: Db, coinIds: readonly number[], from: number, to: number): Promise<DepositRecord[]> {
  return repo.listDepositsInBlocks(db, { coinIds, from, to });
}

/** Sets the confirmations of the chain's deposits awaiting them from the node's head (one statement, no notification). */
export function updateConfirmations(db: Db, coinIds: readonly number[], head: number): Promise<void> {
  return repo.setConfirmationsFromHead(db, { coinIds, head });
}
