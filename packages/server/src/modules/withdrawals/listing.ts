/** The operator list of withdrawals (GET /withdrawals): filtered, newest first, keyset pages. */
import { CoinLookup } from '../coins/index.js';
import { decodeListCursor, pageOf, withStoredAddressForms, withdrawRecord, type RecordListFilter, type RecordPage, primeEmails } from '../records/index.js';
import { operatorPageSizeMax, recordListPageSizeDefault, recordRowsPerInsertMax } from '../../limits.js';
import type { Db } from '../../store/tx.js';
import { insertWithdrawalRows, pageWithdrawals, type NewWithdrawalRecord } from './repository.js';
import { MerchantAppIds } from './review.js';

/** A withdrawal in the operators' list: the merchant-facing record plus whose it is and why it waits. */
export type WithdrawalListItem = Awaited<ReturnType<typeof withdrawRecord>> & {
  app_id: string;
  merchant_id: number;
  review_reason: string;
  /** The KYT provider's reason (status 8), '' when none. */
  kyt_reason: string;
};

/** The filters of GET /withdrawals: the shared ones and the merchant's request id. */
export type WithdrawalListFilter = RecordListFilter & { requestId?: string };

/**
 * One page of withdrawals, newest first (created_at, then id). `cursor` is the previous page's
 * `next_cursor`; `limit` at most operatorPageSizeMax (default recordListPageSizeDefault).
 * @throws AdminError invalid for a cursor this service did not make.
 */
export async function listWithdrawalPage(db: Db, input: { filter?: WithdrawalListFilter; cursor?: string; limit?: number } = {}): Promise<RecordPage<WithdrawalListItem>> {
  const limit = Math.min(Math.max(1, Math.floor(input.limit ?? recordListPageSizeDefault)), operatorPageSizeMax);
  const before = input.cursor !== undefined ? decodeListCursor(input.cursor) : undefined;
  const rows = await pageWithdrawals(db, { filter: withStoredAddressForms(input.filter ?? {}), ...(before ? { before } : {}), limit: limit + 1 });
  const page = pageOf(rows, limit);
  const coins = new CoinLookup(db);
  await primeEmails(coins, page.rows.map((r) => r.uid));
  const appIds = new MerchantAppIds(db);
  const out: WithdrawalListItem[] = [];
  for (const w of page.rows) {
    out.push({
      ...(await withdrawRecord(w, coins)),
      app_id: (await appIds.of(Number(w.merchant_id))) ?? '',
      merchant_id: Number(w.merchant_id),
      review_reason: w.review_reason,
      kyt_reason: w.kyt_reason,
    });
  }
  return { rows: out, next_cursor: page.next };
}

/** Stores many withdrawal rows as given, in batches (seeding a large data set; no ledger, no notification). */
export function importWithdrawalRows(db: Db, rows: readonly NewWithdrawalRecord[]): Promise<void> {
  return insertWithdrawalRows(db, rows, recordRowsPerInsertMax);
}
