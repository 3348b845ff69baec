import { AdminError } from '../../errors/admin-errors.js';
import { ApiError } from '../../errors/api-error.js';
import { adjustmentReasonLengthMax, adjustmentsPageDefaultMax, adjustmentsPageMax } from '../../limits.js';
import { formatAmount, parseAmount } from '../../money/amount.js';
import { inTransaction, type Db, type Tx } from '../../store/tx.js';
import type { Actor } from '../operators/index.js';
import { CoinLookup, findCoinBySymbol } from '../coins/index.js';
import { findMerchantByAppId, findMerchantById, findUserById } from '../merchants/index.js';
import { ensureAccount, readBalance, type AccountRef } from './accounts.js';
import type { AdjustmentDeps, LedgerReadDeps } from './deps.js';
import { InsufficientFundsError } from './errors.js';
import { postJournal } from './journal.js';
import { listAdjustmentEntries } from './repository.js';

export { adjustmentReasonLengthMax };

/** Whose balance: a user's, or a merchant's collection account. */
export type AdjustmentTarget = { uid: number } | { collectionAppId: string };

export interface AdjustmentInput {
  target: AdjustmentTarget;
  symbol: string;
  /** Decimal string in the coin's units, more than zero. */
  amount: string;
  direction: 'credit' | 'debit';
  /** Why: shown in the journal and to auditors. */
  reason: string;
  /** The operator who did it: the journal names them (id and name). */
  actor: Pick<Actor, 'operatorId' | 'name'>;
  /**
   * Runs inside the adjustment's transaction once the journal is posted, before it commits:
   * what must commit with the money move or not at all (the operator audit entry).
   */
  beforeCommit?: (tx: Tx, result: AdjustmentResult) => Promise<void>;
}

export interface AdjustmentResult {
  journal_id: number;
  direction: 'credit' | 'debit';
  account: 'user' | 'collection';
  app_id: string;
  uid: number | null;
  symbol: string;
  amount: string;
  /** The account's balance after the adjustment. */
  balance: { normal: string; lock: string };
}

/**
 * Credits or debits a user's or collection account's available balance by hand, journaled as
 * refType 'adjustment' (refId = the adjusted account's id) against the external account, with
 * the reason in the memo. A debit never takes the balance below zero: insufficient_balance.
 */
export async function adjustBalance(ctx: AdjustmentDeps, input: AdjustmentInput): Promise<AdjustmentResult> {
  const reason = input.reason.trim();
  if (reason.length === 0) throw AdminError.invalid('a reason is required');
  if (reason.length > adjustmentReasonLengthMax) throw AdminError.invalid(`reason is longer than ${adjustmentReasonLengthMax} characters`);
  return inTransaction(ctx.store, async (tx) => {
    const coin = await findCoinBySymbol(tx, input.symbol);
    if (!coin) throw AdminError.notFound(`coin ${input.symbol}`);
    let amount: bigint;
    try {
      amount = parseAmount(input.amount, coin.decimals);
    } catch (error) {
      if (error instanceof ApiError) throw AdminError.invalid(`amount: ${error.message}`);
      throw error;
    }
    if (amount <= 0n) throw AdminError.invalid('amount must be more than zero');

    let account: AccountRef;
    let appId: string;
    if ('uid' in input.target) {
      const user = await findUserById(tx, input.target.uid);
      if (!user) throw AdminError.notFound(`user ${input.target.uid}`);
      const merchant = await findMerchantById(tx, Number(user.merchant_id));
      if (!merchant) throw new Error(`user ${user.id}: merchant ${user.merchant_id} does not exist`);
      appId = merchant.app_id;
      account = { kind: 'user', merchantId: Number(user.merchant_id), uid: Number(user.id), coinId: Number(coin.id) };
    } else {
      const merchant = await findMerchantByAppId(tx, input.target.collectionAppId);
      if (!merchant) throw AdminError.notFound(`merchant ${input.target.collectionAppId}`);
      appId = merchant.app_id;
      account = { kind: 'collection', merchantId: Number(merchant.id), uid: null, coinId: Number(coin.id) };
    }
    const external: AccountRef = { kind: 'external', merchantId: null, uid: null, coinId: Number(coin.id) };
    const delta = input.direction === 'credit' ? amount : -amount;
    const accountId = await ensureAccount(tx, account);
    let journalId: number;
    try {
      journalId = await postJournal(tx, {
        refType: 'adjustment',
        refId: accountId,
        reason: `adjustment.${input.direction}`,
        memo: reason,
        operator: { id: input.actor.operatorId, name: input.actor.name },
        postings: [
          { account, bucket: 'normal', delta },
          { account: external, bucket: 'normal', delta: -delta },
        ],
        nowMs: ctx.clock.nowMs(),
      });
    } catch (error) {
      if (error instanceof InsufficientFundsError) {
        const have = await readBalance(tx, account);
        throw new AdminError(
          'insufficient_balance',
          `cannot debit ${formatAmount(amount, coin.decimals)} ${coin.symbol}: available balance is ${formatAmount(have.normal, coin.decimals)}`,
        );
      }
      throw error;
    }
    const after = await readBalance(tx, account);
    const result: AdjustmentResult = {
      journal_id: journalId,
      direction: input.direction,
      account: account.kind === 'user' ? 'user' : 'collection',
      app_id: appId,
      uid: account.uid,
      symbol: coin.symbol,
      amount: formatAmount(amount, coin.decimals),
      balance: { normal: formatAmount(after.normal, coin.decimals), lock: formatAmount(after.lock, coin.decimals) },
    };
    await input.beforeCommit?.(tx, result);
    return result;
  });
}

/** One past adjustment, for operator listings. */
export interface AdjustmentEntry {
  journal_id: number;
  account_key: string;
  symbol: string;
  amount: string;
  reason: string;
  memo: string;
  /** The operator who made it (null for adjustments made before operators were named). */
  operator_id: number | null;
  operator_name: string | null;
  created_at: number;
}

/** Recent adjustments, newest first (at most `limit`). */
export async function listAdjustments(ctx: LedgerReadDeps, limit = adjustmentsPageDefaultMax): Promise<AdjustmentEntry[]> {
  const db: Db = ctx.store.db;
  const rows = await listAdjustmentEntries(db, Math.min(Math.max(limit, 1), adjustmentsPageMax));
  const coins = new CoinLookup(db);
  const out: AdjustmentEntry[] = [];
  for (const r of rows) {
    const coin = await coins.byIdOrThrow(r.coinId);
    out.push({
      journal_id: r.journalId,
      account_key: r.accountKey,
      symbol: coin.symbol,
      amount: formatAmount(r.delta, coin.decimals),
      reason: r.reason,
      memo: r.memo,
      operator_id: r.operator?.id ?? null,
      operator_name: r.operator?.name ?? null,
      created_at: r.createdAtMs,
    });
  }
  return out;
}
