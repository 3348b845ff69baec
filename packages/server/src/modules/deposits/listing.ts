/** The operator list of deposits (GET /deposits) and the detail of one (GET /deposits/:id). */
import { CoinLookup } from '../coins/index.js';
import { merchantAppId } from '../merchants/index.js';
import { decodeListCursor, depositRecord, pageOf, withStoredAddressForms, type RecordListFilter, type RecordPage, primeEmails } from '../records/index.js';
import { operatorPageSizeMax, recordListPageSizeDefault, recordRowsPerInsertMax } from '../../limits.js';
import type { Db } from '../../store/tx.js';
import { findDeposit, insertDepositRows, pageDeposits, type DepositRecord, type NewDepositRecord } from './repository.js';

/** A deposit in the operators' list: the merchant-facing record plus whose it is and the KYT reason. */
export type DepositListItem = Awaited<ReturnType<typeof depositRecord>> & {
  app_id: string;
  merchant_id: number;
  /** Why it is held (statuses 4/5/6) or failed: the KYT or circuit-breaker reason; '' when none. */
  kyt_reason: string;
};

/** One deposit as operators see it: the list item plus where it sits on chain and in the books. */
export type DepositDetail = DepositListItem & {
  /** Several deposits of one transaction differ by it (the log index; internal ones: the withdrawal id). */
  tx_index: string;
  block_number: number | null;
  block_hash: string;
  /** Credited to the merchant's collection account instead of the user's. */
  to_collection: boolean;
  /** The internal withdrawal it came from (an alliance address), if any. */
  withdrawal_id: number | null;
  /** The sweep that moved it to the hot wallet, if any. */
  sweep_id: number | null;
};

/** The app_id of each merchant, read once per page. */
function appIdsOf(db: Db) {
  const known = new Map<number, Promise<string>>();
  return (merchantId: number) => {
    let appId = known.get(merchantId);
    if (!appId) known.set(merchantId, (appId = merchantAppId(db, merchantId)));
    return appId;
  };
}

async function listItem(d: DepositRecord, coins: CoinLookup, appIdOf: (merchantId: number) => Promise<string>): Promise<DepositListItem> {
  return { ...(await depositRecord(d, coins)), app_id: await appIdOf(Number(d.merchant_id)), merchant_id: Number(d.merchant_id), kyt_reason: d.review_reason };
}

/**
 * One page of deposits, newest first (created_at, then id). `cursor` is the previous page's
 * `next_cursor`; `limit` at most operatorPageSizeMax (default recordListPageSizeDefault).
 * @throws AdminError invalid for a cursor this service did not make.
 */
export async function listDepositPage(db: Db, input: { filter?: RecordListFilter; cursor?: string; limit?: number } = {}): Promise<RecordPage<DepositListItem>> {
  const limit = Math.min(Math.max(1, Math.floor(input.limit ?? recordListPageSizeDefault)), operatorPageSizeMax);
  const before = input.cursor !== undefined ? decodeListCursor(input.cursor) : undefined;
  const rows = await pageDeposits(db, { filter: withStoredAddressForms(input.filter ?? {}), ...(before ? { before } : {}), limit: limit + 1 });
  const page = pageOf(rows, limit);
  const coins = new CoinLookup(db);
  await primeEmails(coins, page.rows.map((r) => r.uid));
  const appIdOf = appIdsOf(db);
  const out: DepositListItem[] = [];
  for (const d of page.rows) out.push(await listItem(d, coins, appIdOf));
  return { rows: out, next_cursor: page.next };
}

/** The deposit with `id` as operators see it, or undefined. */
export async function depositDetail(db: Db, id: number): Promise<DepositDetail | undefined> {
  const d = await findDeposit(db, id);
  if (!d) return undefined;
  return {
    ...(await listItem(d, new CoinLookup(db), appIdsOf(db))),
    tx_index: d.tx_index,
    block_number: d.block_number === null ? null : Number(d.block_number),
    block_hash: d.block_hash,
    to_collection: d.to_collection === 1,
    withdrawal_id: d.withdrawal_id === null ? null : Number(d.withdrawal_id),
    sweep_id: d.sweep_id === null ? null : Number(d.sweep_id),
  };
}

/** Stores many deposit rows as given, in batches (seeding a large data set; nothing is credited). */
export function importDepositRows(db: Db, rows: readonly NewDepositRecord[]): Promise<void> {
  return insertDepositRows(db, rows, recordRowsPerInsertMax);
}
