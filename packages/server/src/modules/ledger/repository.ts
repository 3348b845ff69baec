/**
 * The ledger's tables (accounts, journals, entries): the only SQL that touches them. Ids come
 * back as numbers and balances as BigInt.
 */
import type { AccountKind } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';

export interface AccountRow {
  kind: AccountKind;
  merchantId: number | null;
  uid: number | null;
  coinId: number;
  key: string;
}

export interface Balance {
  normal: bigint;
  lock: bigint;
}

/** The id of the account with `key`, or undefined. */
export async function findAccountId(db: Db, key: string): Promise<number | undefined> {
  const row = await db.selectFrom('accounts').select('id').where('key', '=', key).executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

/** Inserts an account at zero; a concurrent insert of the same key wins quietly. */
export async function insertAccountIfMissing(db: Db, account: AccountRow): Promise<void> {
  await db
    .insertInto('accounts')
    .values({ kind: account.kind, merchant_id: account.merchantId, uid: account.uid, coin_id: account.coinId, normal: '0', lock: '0', key: account.key })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

/** Balance of the account with `key` (zero when it does not exist). */
export async function readBalanceByKey(db: Db, key: string): Promise<Balance> {
  const row = await db.selectFrom('accounts').select(['normal', 'lock']).where('key', '=', key).executeTakeFirst();
  return { normal: BigInt(row?.normal ?? '0'), lock: BigInt(row?.lock ?? '0') };
}

/** Locks account `id` (FOR UPDATE) and returns its balance. */
export async function lockAccountBalance(db: Db, id: number): Promise<Balance> {
  const row = await db.selectFrom('accounts').select(['normal', 'lock']).where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
  return { normal: BigInt(row.normal), lock: BigInt(row.lock) };
}

export async function updateAccountBalance(db: Db, id: number, balance: Balance): Promise<void> {
  await db.updateTable('accounts').set({ normal: balance.normal.toString(), lock: balance.lock.toString() }).where('id', '=', id).execute();
}

export interface JournalRow {
  refType: 'withdrawal' | 'deposit' | 'transfer' | 'adjustment' | 'miner_fee' | 'treasury';
  refId: number;
  reason: string;
  memo: string;
  /** The operator who posted it by hand, or null. */
  operator: { id: number; name: string } | null;
  createdAtMs: number;
}

/** Inserts a journal; returns its id. */
export async function insertJournal(db: Db, journal: JournalRow): Promise<number> {
  const row = await db
    .insertInto('journals')
    .values({
      ref_type: journal.refType,
      ref_id: journal.refId,
      reason: journal.reason,
      memo: journal.memo,
      operator_id: journal.operator?.id ?? null,
      operator_name: journal.operator?.name ?? null,
      created_at: journal.createdAtMs,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

export interface EntryRow {
  accountId: number;
  coinId: number;
  bucket: 'normal' | 'lock';
  delta: bigint;
}

export async function insertEntries(db: Db, journalId: number, entries: EntryRow[]): Promise<void> {
  if (entries.length === 0) return;
  await db
    .insertInto('entries')
    .values(entries.map((e) => ({ journal_id: journalId, account_id: e.accountId, coin_id: e.coinId, bucket: e.bucket, delta: e.delta.toString() })))
    .execute();
}

export interface StoredEntry {
  id: number;
  journalId: number;
  accountId: number;
  coinId: number;
  bucket: 'normal' | 'lock';
  delta: bigint;
}

/** Up to `limit` entries with an id above `afterId`, ascending. */
export async function entriesAfter(db: Db, page: { afterId: number; limit: number }): Promise<StoredEntry[]> {
  const rows = await db
    .selectFrom('entries')
    .select(['id', 'journal_id', 'account_id', 'coin_id', 'bucket', 'delta'])
    .where('id', '>', page.afterId)
    .orderBy('id')
    .limit(page.limit)
    .execute();
  return rows.map((e) => ({ id: Number(e.id), journalId: Number(e.journal_id), accountId: Number(e.account_id), coinId: Number(e.coin_id), bucket: e.bucket, delta: BigInt(e.delta) }));
}

export interface StoredAccount extends Balance {
  id: number;
  kind: AccountKind;
  key: string;
  coinId: number;
}

/** Every account with its stored balance. */
export async function listAllAccounts(db: Db): Promise<StoredAccount[]> {
  const rows = await db.selectFrom('accounts').select(['id', 'kind', 'key', 'coin_id', 'normal', 'lock']).execute();
  return rows.map((a) => ({ id: Number(a.id), kind: a.kind, key: a.key, coinId: Number(a.coin_id), normal: BigInt(a.normal), lock: BigInt(a.lock) }));
}

/** A user's accounts (one per coin), in coin id order. */
export async function listUserAccounts(db: Db, uid: number): Promise<StoredAccount[]> {
  const rows = await db
    .selectFrom('accounts')
    .select(['id', 'kind', 'key', 'coin_id', 'normal', 'lock'])
    .where('kind', '=', 'user')
    .where('uid', '=', uid)
    .orderBy('coin_id')
    .execute();
  return rows.map((a) => ({ id: Number(a.id), kind: a.kind, key: a.key, coinId: Number(a.coin_id), normal: BigInt(a.normal), lock: BigInt(a.lock) }));
}

export interface AdjustmentEntryRow {
  journalId: number;
  reason: string;
  memo: string;
  operator: { id: number; name: string } | null;
  createdAtMs: number;
  accountKey: string;
  coinId: number;
  delta: bigint;
}

/** The non-external entries of the latest `limit` adjustment journals' entries, newest journal first. */
export async function listAdjustmentEntries(db: Db, limit: number): Promise<AdjustmentEntryRow[]> {
  const rows = await db
    .selectFrom('journals')
    .innerJoin('entries', 'entries.journal_id', 'journals.id')
    .innerJoin('accounts', 'accounts.id', 'entries.account_id')
    .select(['journals.id', 'journals.reason', 'journals.memo', 'journals.operator_id', 'journals.operator_name', 'journals.created_at', 'accounts.key', 'entries.coin_id', 'entries.delta'])
    .where('journals.ref_type', '=', 'adjustment')
    .where('accounts.kind', '!=', 'external')
    .orderBy('journals.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    journalId: Number(r.id),
    reason: r.reason,
    memo: r.memo,
    operator: r.operator_id === null ? null : { id: Number(r.operator_id), name: r.operator_name ?? '' },
    createdAtMs: Number(r.created_at),
    accountKey: r.key,
    coinId: Number(r.coin_id),
    delta: BigInt(r.delta),
  }));
}
