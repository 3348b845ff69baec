import { DepositStatus } from '@openwaas/sdk';
import { collectionAccount } from '../ledger/index.js';
import type { JournalInput } from '../ledger/index.js';
import type { Db, Tx } from '../../store/tx.js';
import { chainAccount, type ChainTxRecord, type TxOutcome } from '../chain-sends/index.js';
import { findNativeCoin, type CoinRecord } from '../coins/index.js';
import { findMinerFeeOfSlot, insertMinerFee, updateMinerFee, updateMinerFeesOfSlot } from './repository.js';

/**
 * Miner-fee records (API #13/#14): one per collection transaction — a sweep, or the gas top-up
 * a token sweep needs. Written 'awaiting confirmations' (status 0) when the transaction is
 * signed, and settled when it is final: the gas it burned is billed to the merchant's
 * collection account in the chain's native coin (which may go below zero: the merchant owes it),
 * against the chain mirror (docs/chains.md).
 */

/** The chain's native coin (no contract): gas is paid and billed in it. */
export async function nativeCoinOf(db: Db, chain: string): Promise<CoinRecord> {
  const coin = await findNativeCoin(db, chain);
  if (!coin) throw new Error(`chain ${chain} has no native coin configured (a coin with no contract address): gas cannot be accounted`);
  return coin;
}

/** Writes the record of a collection transaction just signed (status 0, no fee yet). */
export function recordMinerFee(
  tx: Tx,
  input: { merchantId: number; coin: CoinRecord; baseSymbol: string; amount: bigint; chainTx: ChainTxRecord; sweepId: number; nowMs: number },
): Promise<number> {
  return insertMinerFee(tx, {
    merchant_id: input.merchantId,
    coin_id: Number(input.coin.id),
    symbol: input.coin.symbol,
    amount: input.amount,
    fee: 0n,
    address_from: input.chainTx.from_address,
    address_to: input.chainTx.to_address,
    txid: input.chainTx.hash,
    txid_type: '0',
    confirmations: 0,
    status: DepositStatus.Confirming,
    base_symbol: input.baseSymbol,
    contract_address: input.coin.contract_address,
    email: '',
    sweep_id: input.sweepId,
    chain_tx_id: input.chainTx.id,
    created_at: input.nowMs,
    updated_at: input.nowMs,
  });
}

/** While mined but not final: the record follows the mined attempt and counts confirmations. */
export async function minerFeeMined(tx: Tx, input: { row: ChainTxRecord; confirmations: number; slotIds: number[]; nowMs: number }): Promise<void> {
  await updateMinerFeesOfSlot(tx, input.slotIds, { txid: input.row.hash, chain_tx_id: input.row.id, confirmations: input.confirmations, updated_at: input.nowMs });
}

/**
 * Settles the record of a final collection transaction: status 1 (confirmed) or 2 (reverted,
 * dropped) and the real fee. Returns the gas burned (wei) and, when there is any, the journal
 * billing it to the merchant, for the caller to post in the same transaction.
 */
export async function settleMinerFee(
  tx: Tx,
  input: { row: ChainTxRecord; outcome: TxOutcome; confirmations: number; slotIds: number[]; nativeCoinId: number; nowMs: number },
): Promise<{ gas: bigint; journal: JournalInput | undefined }> {
  const record = await findMinerFeeOfSlot(tx, input.slotIds);
  if (!record) throw new Error(`collection transaction ${input.row.id} has no miner-fee record`);
  const gas = input.outcome === 'dropped' ? 0n : input.row.fee;
  await updateMinerFee(tx, record.id, {
    status: input.outcome === 'confirmed' ? DepositStatus.Succeeded : DepositStatus.Failed,
    fee: gas,
    txid: input.row.hash,
    chain_tx_id: input.row.id,
    confirmations: input.confirmations,
    updated_at: input.nowMs,
  });
  if (gas <= 0n) return { gas, journal: undefined };
  return {
    gas,
    journal: {
      refType: 'miner_fee',
      refId: record.id,
      reason: input.outcome === 'confirmed' ? 'sweep.gas' : 'sweep.gas.reverted',
      memo: input.row.hash,
      postings: [
        // Billed whatever the balance: a negative collection balance is what the merchant owes.
        { account: collectionAccount(record.merchant_id, input.nativeCoinId), bucket: 'normal', delta: -gas, mayOverdraw: true },
        { account: chainAccount(input.nativeCoinId), bucket: 'normal', delta: gas },
      ],
      nowMs: input.nowMs,
    },
  };
}
