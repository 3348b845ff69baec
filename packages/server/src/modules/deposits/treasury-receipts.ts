/**
 * Value an outsider sends to the hot or fee wallet is the operator's own money (a refill):
 * journal chain −a / treasury +a (docs/chains.md), no deposit record, no notification. It is
 * journaled when its block is scanned — not after confirmations — so the on-chain audit
 * (wallet balances = −chain + unconfirmed deposits) holds at every scanned height; a reorg
 * that removes it reverses the journal, which is safe because nobody else was credited.
 * One treasury_receipts row per transfer makes re-scans and backfills harmless.
 */
import type { IncomingTransfer } from '../../chains/adapter.js';
import { chainAccount, treasuryAccount } from '../chain-sends/index.js';
import { lockAccounts, postJournal } from '../ledger/index.js';
import type { CoinRecord } from '../coins/index.js';
import type { TreasuryReceiptRecord } from './repository.js';
import type { Db, Tx } from '../../store/tx.js';
import * as repo from './repository.js';

/** A transfer to the hot or fee wallet from outside, with its coin. */
export interface ReceiptCandidate {
  transfer: IncomingTransfer;
  coin: CoinRecord;
}

const key = (coinId: number, txid: string, index: string) => `${coinId}|${txid}|${index}`;
const receiptKey = (r: TreasuryReceiptRecord) => key(Number(r.coin_id), r.txid, r.tx_index);
export const receiptCandidateKey = (c: ReceiptCandidate) => key(Number(c.coin.id), c.transfer.txid, c.transfer.index);

/** Locks every chain/treasury account the journals of `coinIds` may touch, in one order (PostgreSQL). */
function lockFor(tx: Tx, coinIds: Iterable<number>): Promise<void> {
  const refs = [...new Set(coinIds)].flatMap((id) => [chainAccount(id), treasuryAccount(id)]);
  return lockAccounts(tx, refs);
}

function post(tx: Tx, r: { id: number; coinId: number; amount: bigint; memo: string }, direction: 'in' | 'reversed', nowMs: number) {
  const sign = direction === 'in' ? 1n : -1n;
  return postJournal(tx, {
    refType: 'treasury',
    refId: r.id,
    reason: direction === 'in' ? 'treasury.receipt' : 'treasury.reorg',
    memo: r.memo,
    postings: [
      { account: chainAccount(r.coinId), bucket: 'normal', delta: -sign * r.amount },
      { account: treasuryAccount(r.coinId), bucket: 'normal', delta: sign * r.amount },
    ],
    nowMs,
  });
}

/**
 * Records and journals treasury receipts found in a scanned batch (caller's transaction).
 * Stored already in the same block: nothing. Reversed by a reorg and mined again: journaled
 * again. Stored in another block that is still credited: moved to the new block.
 */
export async function recordTreasuryReceipts(tx: Tx, input: { chain: string; candidates: readonly ReceiptCandidate[]; nowMs: number }): Promise<number> {
  const { chain, candidates, nowMs } = input;
  if (candidates.length === 0) return 0;
  await lockFor(tx, candidates.map((c) => Number(c.coin.id)));
  const stored = new Map<string, TreasuryReceiptRecord>();
  for (const r of await repo.findReceiptsOfTransactions(tx, candidates.map((c) => c.transfer.txid))) stored.set(receiptKey(r), r);

  let journaled = 0;
  for (const c of candidates) {
    const t = c.transfer;
    const coinId = Number(c.coin.id);
    const memo = `${t.txid}:${t.index}`;
    const found = stored.get(receiptCandidateKey(c));
    if (!found) {
      const id = await repo.insertReceipt(tx, {
        chain,
        coin_id: coinId,
        txid: t.txid,
        tx_index: t.index,
        address_from: t.from,
        address_to: t.to,
        amount: t.amount,
        block_number: t.blockNumber,
        block_hash: t.blockHash,
        state: 'credited',
        created_at: nowMs,
        updated_at: nowMs,
      });
      if (id !== undefined) {
        await post(tx, { id, coinId, amount: t.amount, memo }, 'in', nowMs);
        journaled++;
      }
      continue;
    }
    if (found.block_hash === t.blockHash && found.state === 'credited') continue;
    const moved = { block_number: t.blockNumber, block_hash: t.blockHash, updated_at: nowMs };
    if (found.state === 'reorged') {
      if (await repo.updateReceipt(tx, { id: Number(found.id), fromState: 'reorged', set: { ...moved, state: 'credited' } })) {
        await post(tx, { id: Number(found.id), coinId, amount: found.amount, memo }, 'in', nowMs);
        journaled++;
      }
    } else {
      await repo.updateReceipt(tx, { id: Number(found.id), set: moved });
    }
  }
  return journaled;
}

/** Credited receipts of `chain` in blocks above `block`. */
export function receiptsAbove(db: Db, chain: string, block: number): Promise<TreasuryReceiptRecord[]> {
  return repo.listReceiptsAboveBlock(db, { chain, block });
}

/** Credited receipts of `chain` in blocks from..to. */
export function receiptsInBlocks(db: Db, chain: string, from: number, to: number): Promise<TreasuryReceiptRecord[]> {
  return repo.listReceiptsInBlocks(db, { chain, from, to });
}

/**
 * Reverses receipts whose block left the chain (caller's transaction): journal chain +a /
 * treasury −a, state 'reorged'. `keep` names transfers about to be stored again.
 */
export async function reverseTreasuryReceipts(tx: Tx, input: { rows: readonly TreasuryReceiptRecord[]; keep?: ReadonlySet<string>; nowMs: number }): Promise<number> {
  const rows = input.rows.filter((r) => r.state === 'credited' && !input.keep?.has(receiptKey(r)));
  if (rows.length === 0) return 0;
  await lockFor(tx, rows.map((r) => Number(r.coin_id)));
  let reversed = 0;
  for (const r of rows) {
    if (!(await repo.updateReceipt(tx, { id: Number(r.id), fromState: 'credited', set: { state: 'reorged', updated_at: input.nowMs } }))) continue;
    await post(tx, { id: Number(r.id), coinId: Number(r.coin_id), amount: r.amount, memo: `${r.txid}:${r.tx_index}` }, 'reversed', input.nowMs);
    reversed++;
  }
  return reversed;
}
