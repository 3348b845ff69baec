import { DepositStatus } from '@openwaas/sdk';
import { addressLookupForms } from '../addresses/index.js';
import { enqueueNotification } from '../notifications/index.js';
import { depositNotificationPayload } from '../records/index.js';
import type { Db, Tx } from '../../store/tx.js';
import { findChainAddressOwner } from '../addresses/index.js';
import { CoinLookup, type CoinRecord } from '../coins/index.js';
import { insertDeposit } from '../deposits/index.js';
import { collectionAccount, feeAccount, postJournal, userAccount, type AccountRef, type Posting } from '../ledger/index.js';
import { merchantAutoCollects } from '../merchants/index.js';
import { markWithdrawalSettledInternally, type WithdrawalRecord } from '../withdrawals/index.js';

/** The deposit address (any merchant's) a withdrawal pays to, when it is one of ours. */
export interface AllianceTarget {
  merchantId: number;
  uid: number;
  address: string;
}

/**
 * Finds the owner of `address` on `chain` among the addresses this service issued (to any
 * merchant). EVM addresses are stored lower-case; a memo-chain "addr_memo" is matched whole.
 */
export function findAllianceTarget(db: Db, chain: string, address: string): Promise<AllianceTarget | undefined> {
  return findChainAddressOwner(db, { chain, addresses: addressLookupForms(address) });
}

/** The account an internal payment to `target` credits: the user's, or its merchant's collection account with auto-collection. */
export async function receivingAccount(db: Db, target: AllianceTarget, coinId: number): Promise<{ account: AccountRef; toCollection: boolean }> {
  const toCollection = await merchantAutoCollects(db, target.merchantId);
  return { account: toCollection ? collectionAccount(target.merchantId, coinId) : userAccount(target.merchantId, target.uid, coinId), toCollection };
}

/** A reference in place of a txid for ledger-only settlements. */
export function internalTxid(withdrawalId: number): string {
  return `internal:${withdrawalId}`;
}

export interface InternalSettlementInput {
  withdrawal: WithdrawalRecord;
  coin: CoinRecord;
  feeCoinId: number;
  nowMs: number;
}

/**
 * Settles an approved withdrawal to an alliance address inside the caller's transaction:
 * the sender's locked amount (and fee in another coin) is released, amount − fee (same-coin
 * fee) goes to the receiving user — or to the receiving merchant's collection account with
 * auto-collection — and the fee to the sending merchant's fee account. Writes the receiving
 * side's deposit (status 1) and both notifications; returns the withdrawal at status 5.
 * The caller has checked that `w` is approved (both audits) and still unsettled.
 */
export async function settleInternalWithdrawal(tx: Tx, input: InternalSettlementInput): Promise<{ withdrawal: WithdrawalRecord; depositId: number }> {
  const { withdrawal: w, coin, feeCoinId, nowMs } = input;
  const target = await findAllianceTarget(tx, coin.chain, w.address_to);
  // The address was ours when the withdrawal was accepted and addresses are never removed.
  if (!target) throw new Error(`internal withdrawal ${w.id}: ${w.address_to} is no longer an issued address`);

  const merchantId = Number(w.merchant_id);
  const uid = Number(w.uid);
  const coinId = Number(coin.id);
  const amount = w.amount;
  const fee = w.withdraw_fee;
  const sameCoinFee = feeCoinId === coinId;
  const credit = sameCoinFee ? amount - fee : amount;
  if (credit <= 0n) throw new Error(`internal withdrawal ${w.id}: credit ${credit} is not positive`);

  const { account: receiving, toCollection } = await receivingAccount(tx, target, coinId);
  const postings: Posting[] = [
    { account: userAccount(merchantId, uid, coinId), bucket: 'lock', delta: -amount },
    { account: receiving, bucket: 'normal', delta: credit },
  ];
  if (sameCoinFee) {
    postings.push({ account: feeAccount(merchantId, coinId), bucket: 'normal', delta: fee });
  } else {
    postings.push(
      { account: userAccount(merchantId, uid, feeCoinId), bucket: 'lock', delta: -fee },
      { account: feeAccount(merchantId, feeCoinId), bucket: 'normal', delta: fee },
    );
  }

  const txid = internalTxid(Number(w.id));
  const deposit = await insertDeposit(tx, {
    merchant_id: target.merchantId,
    uid: target.uid,
    coin_id: coinId,
    symbol: coin.symbol,
    amount: credit,
    address_from: '',
    address_to: w.address_to,
    txid,
    tx_index: String(w.id),
    confirmations: 0,
    status: DepositStatus.Succeeded,
    to_collection: toCollection ? 1 : 0,
    withdrawal_id: Number(w.id),
    created_at: nowMs,
    updated_at: nowMs,
  });
  // The txid is this withdrawal's own: a deposit already recorded under it is a bug.
  if (!deposit) throw new Error(`internal withdrawal ${w.id}: its deposit ${txid} is recorded already`);

  await postJournal(tx, {
    refType: 'withdrawal',
    refId: Number(w.id),
    reason: 'withdraw.internal',
    memo: `deposit ${deposit.id}`,
    postings,
    nowMs,
  });

  const settled = await markWithdrawalSettledInternally(tx, { id: Number(w.id), fromStatus: w.status, txid, nowMs });
  // The caller holds the row (FOR UPDATE / the SQLite write lock): a miss is a bug.
  if (!settled) throw new Error(`internal withdrawal ${w.id}: status changed during settlement`);

  const coins = new CoinLookup(tx);
  await enqueueNotification(tx, {
    merchantId: target.merchantId,
    side: 'deposit',
    recordId: Number(deposit.id),
    payload: await depositNotificationPayload(deposit, coins),
    nowMs,
  });
  return { withdrawal: settled, depositId: Number(deposit.id) };
}
