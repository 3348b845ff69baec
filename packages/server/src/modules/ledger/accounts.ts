import type { AccountKind } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import { findAccountId, insertAccountIfMissing, lockAccountBalance, readBalanceByKey, type Balance } from './repository.js';

/** Names an account; it is created on first use. */
export interface AccountRef {
  kind: AccountKind;
  merchantId: number | null;
  uid: number | null;
  coinId: number;
}

export type { Balance };

/**
 * The external account (manual credits) and the chain mirror stand for the world outside the
 * ledger and are negative by design; the treasury is the operator's own money and may be
 * overdrawn by gas (the audit reports it).
 */
export const mayGoNegative = (kind: AccountKind) => kind === 'external' || kind === 'chain' || kind === 'treasury';

export function accountKey(ref: AccountRef): string {
  return `${ref.kind}:${ref.merchantId ?? '-'}:${ref.uid ?? '-'}:${ref.coinId}`;
}

/** A user's balance of one coin. */
export function userAccount(merchantId: number, uid: number, coinId: number): AccountRef {
  return { kind: 'user', merchantId, uid, coinId };
}

/** A merchant's collection account of one coin (auto-collection, transfers). */
export function collectionAccount(merchantId: number, coinId: number): AccountRef {
  return { kind: 'collection', merchantId, uid: null, coinId };
}

/** Where a merchant's withdrawal fees go. */
export function feeAccount(merchantId: number, coinId: number): AccountRef {
  return { kind: 'fee', merchantId, uid: null, coinId };
}

/** Returns the account row id, creating the account at zero when it does not exist yet. */
export async function ensureAccount(db: Db, ref: AccountRef): Promise<number> {
  const key = accountKey(ref);
  const found = await findAccountId(db, key);
  if (found !== undefined) return found;
  await insertAccountIfMissing(db, { ...ref, key });
  const id = await findAccountId(db, key);
  if (id === undefined) throw new Error(`account ${key} is missing right after its insert`);
  return id;
}

/** Balance of an account (zero when it does not exist). */
export function readBalance(db: Db, ref: AccountRef): Promise<Balance> {
  return readBalanceByKey(db, accountKey(ref));
}

/** Ids of the accounts (created when missing) by key, and the ids in lock order. */
export async function accountIds(db: Db, refs: AccountRef[]): Promise<{ ids: Map<string, number>; ordered: number[] }> {
  const ids = new Map<string, number>();
  for (const ref of refs) {
    const key = accountKey(ref);
    if (!ids.has(key)) ids.set(key, await ensureAccount(db, ref));
  }
  // One global order (ascending id) for every lock, so concurrent transactions cannot deadlock.
  return { ids, ordered: [...new Set(ids.values())].sort((a, b) => a - b) };
}

/**
 * Locks accounts (FOR UPDATE, in id order) before a transaction posts more than one journal.
 * postJournal orders its own locks, but a second journal in the same transaction could take a
 * lower id after a higher one and deadlock with a concurrent transaction doing the opposite;
 * taking every lock up front keeps one global order. (On SQLite the store drops the clause:
 * its single writer serialises transactions.)
 */
export async function lockAccounts(db: Db, refs: AccountRef[]): Promise<void> {
  const { ordered } = await accountIds(db, refs);
  for (const id of ordered) await lockAccountBalance(db, id);
}
