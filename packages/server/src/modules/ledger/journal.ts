import type { Db } from '../../store/tx.js';
import { accountIds, accountKey, mayGoNegative, type AccountRef, type Balance } from './accounts.js';
import { InsufficientFundsError } from './errors.js';
import { insertEntries, insertJournal, lockAccountBalance, updateAccountBalance } from './repository.js';

/** One line of a journal: a signed change of one bucket of one account. */
export interface Posting {
  account: AccountRef;
  bucket: 'normal' | 'lock';
  delta: bigint;
  /**
   * Lets this debit take the account below zero: miner fees are billed to a merchant's
   * collection account whatever its balance (a negative balance is what the merchant owes).
   */
  mayOverdraw?: boolean;
}

/** What a journal is about. */
export interface JournalInput {
  refType: 'withdrawal' | 'deposit' | 'transfer' | 'adjustment' | 'miner_fee' | 'treasury';
  refId: number;
  /** Machine-readable reason, e.g. "withdraw.lock". */
  reason: string;
  memo?: string;
  /** The operator who posted it by hand (manual adjustments), named in the journal. */
  operator?: { id: number; name: string };
  postings: Posting[];
  nowMs: number;
}

function assertBalanced(postings: Posting[]): void {
  const perCoin = new Map<number, bigint>();
  for (const p of postings) perCoin.set(p.account.coinId, (perCoin.get(p.account.coinId) ?? 0n) + p.delta);
  for (const [coinId, sum] of perCoin) {
    // A broken invariant is a bug, not an expected failure: crash loudly before writing.
    if (sum !== 0n) throw new Error(`ledger invariant: journal for coin ${coinId} sums to ${sum}, not 0`);
  }
}

/**
 * Posts a balanced journal: locks the touched accounts (in id order, so concurrent journals
 * cannot deadlock), refuses any that would go negative, updates balances and writes entries.
 * `db` is the caller's open transaction.
 */
export async function postJournal(db: Db, input: JournalInput): Promise<number> {
  const postings = input.postings.filter((p) => p.delta !== 0n);
  assertBalanced(postings);
  const { ids, ordered } = await accountIds(db, postings.map((p) => p.account));
  const balances = new Map<number, Balance>();
  for (const id of ordered) balances.set(id, await lockAccountBalance(db, id));
  for (const p of postings) {
    const id = ids.get(accountKey(p.account))!;
    const b = balances.get(id)!;
    b[p.bucket] += p.delta;
    // Only a debit can be refused: a credit to an overdrawn account (a merchant's unpaid miner fees) must land.
    if (p.delta < 0n && b[p.bucket] < 0n && !mayGoNegative(p.account.kind) && !p.mayOverdraw) throw new InsufficientFundsError(p.account, p.bucket);
  }
  const journalId = await insertJournal(db, { refType: input.refType, refId: input.refId, reason: input.reason, memo: input.memo ?? '', operator: input.operator ?? null, createdAtMs: input.nowMs });
  await insertEntries(
    db,
    journalId,
    postings.map((p) => ({ accountId: ids.get(accountKey(p.account))!, coinId: p.account.coinId, bucket: p.bucket, delta: p.delta })),
  );
  for (const [id, b] of balances) await updateAccountBalance(db, id, b);
  return journalId;
}
