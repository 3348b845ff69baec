import type { AccountKind } from '../store/schema.js';
import type { DialectName } from '../store/dialect.js';
import type { Tx } from '../store/tx.js';

/** Names an account; it is created on first use. */
export interface AccountRef {
  kind: AccountKind;
  merchantId: number | null;
  uid: number | null;
  coinId: number;
}

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
  postings: Posting[];
  nowMs: number;
}

/** A posting would take an account below zero: callers map it to 120402/120403. */
export class InsufficientFundsError extends Error {
  override name = 'InsufficientFundsError';
  constructor(
    readonly account: AccountRef,
    readonly bucket: 'normal' | 'lock',
  ) {
    super(`insufficient ${bucket} balance in ${account.kind} account`);
  }
}

/**
 * The external account (manual credits) and the chain mirror stand for the world outside the
 * ledger and are negative by design; the treasury is the operator's own money and may be
 * overdrawn by gas (the audit reports it).
 */
export const mayGoNegative = (kind: AccountKind) => kind === 'external' || kind === 'chain' || kind === 'treasury';

export function accountKey(ref: AccountRef): string {
  return `${ref.kind}:${ref.merchantId ?? '-'}:${ref.uid ?? '-'}:${ref.coinId}`;
}

/** Returns the account row id, creating the account at zero when it does not exist yet. */
export async function ensureAccount(tx: Tx, ref: AccountRef): Promise<number> {
  const key = accountKey(ref);
  const found = await tx.selectFrom('accounts').select('id').where('key', '=', key).executeTakeFirst();
  if (found) return Number(found.id);
  await tx
    .insertInto('accounts')
    .values({ kind: ref.kind, merchant_id: ref.merchantId, uid: ref.uid, coin_id: ref.coinId, normal: '0', lock: '0', key })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await tx.selectFrom('accounts').select('id').where('key', '=', key).executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Balance of an account (zero when it does not exist). */
export async function readBalance(tx: Tx | import('kysely').Kysely<import('../store/schema.js').Database>, ref: AccountRef): Promise<{ normal: bigint; lock: bigint }> {
  const row = await tx.selectFrom('accounts').select(['normal', 'lock']).where('key', '=', accountKey(ref)).executeTakeFirst();
  return { normal: BigInt(row?.normal ?? '0'), lock: BigInt(row?.lock ?? '0') };
}

function assertBalanced(postings: Posting[]): void {
  const perCoin = new Map<number, bigint>();
  for (const p of postings) perCoin.set(p.account.coinId, (perCoin.get(p.account.coinId) ?? 0n) + p.delta);
  for (const [coinId, sum] of perCoin) {
    // A broken invariant is a bug, not an expected failure: crash loudly before writing.
    if (sum !== 0n) throw new Error(`ledger invariant: journal for coin ${coinId} sums to ${sum}, not 0`);
  }
}

/** Ids of the accounts (created when missing) by key, and the ids in lock order. */
async function accountIds(tx: Tx, refs: AccountRef[]): Promise<{ ids: Map<string, number>; ordered: number[] }> {
  const ids = new Map<string, number>();
  for (const ref of refs) {
    const key = accountKey(ref);
    if (!ids.has(key)) ids.set(key, await ensureAccount(tx, ref));
  }
  // One global order (ascending id) for every lock, so concurrent transactions cannot deadlock.
  return { ids, ordered: [...new Set(ids.values())].sort((a, b) => a - b) };
}

/**
 * Locks accounts (PostgreSQL: FOR UPDATE, in id order) before a transaction posts more than one
 * journal. postJournal orders its own locks, but a second journal in the same transaction could
 * take a lower id after a higher one and deadlock with a concurrent transaction doing the
 * opposite; taking every lock up front keeps one global order. SQLite serialises writers.
 */
export async function lockAccounts(tx: Tx, dialect: DialectName, refs: AccountRef[]): Promise<void> {
  if (dialect !== 'postgres') return;
  const { ordered } = await accountIds(tx, refs);
  for (const id of ordered) {
    await tx.selectFrom('accounts').select('id').where('id', '=', id).forUpdate().executeTakeFirstOrThrow();
  }
}

/**
 * Posts a balanced journal: locks the touched accounts (in id order, so concurrent journals
 * cannot deadlock), refuses any that would go negative, updates balances and writes entries.
 */
export async function postJournal(tx: Tx, dialect: DialectName, input: JournalInput): Promise<number> {
  const postings = input.postings.filter((p) => p.delta !== 0n);
  assertBalanced(postings);
  const { ids, ordered } = await accountIds(tx, postings.map((p) => p.account));
  const balances = new Map<number, { normal: bigint; lock: bigint }>();
  for (const id of ordered) {
    let q = tx.selectFrom('accounts').select(['id', 'normal', 'lock']).where('id', '=', id);
    if (dialect === 'postgres') q = q.forUpdate();
    const row = await q.executeTakeFirstOrThrow();
    balances.set(id, { normal: BigInt(row.normal), lock: BigInt(row.lock) });
  }
  for (const p of postings) {
    const id = ids.get(accountKey(p.account))!;
    const b = balances.get(id)!;
    b[p.bucket] += p.delta;
    // Only a debit can be refused: a credit to an overdrawn account (a merchant's unpaid miner fees) must land.
    if (p.delta < 0n && b[p.bucket] < 0n && !mayGoNegative(p.account.kind) && !p.mayOverdraw) throw new InsufficientFundsError(p.account, p.bucket);
  }
  const journal = await tx
    .insertInto('journals')
    .values({ ref_type: input.refType, ref_id: input.refId, reason: input.reason, memo: input.memo ?? '', created_at: input.nowMs })
    .returning('id')
    .executeTakeFirstOrThrow();
  const journalId = Number(journal.id);
  await tx
    .insertInto('entries')
    .values(
      postings.map((p) => ({
        journal_id: journalId,
        account_id: ids.get(accountKey(p.account))!,
        coin_id: p.account.coinId,
        bucket: p.bucket,
        delta: p.delta.toString(),
      })),
    )
    .execute();
  for (const [id, b] of balances) {
    await tx.updateTable('accounts').set({ normal: b.normal.toString(), lock: b.lock.toString() }).where('id', '=', id).execute();
  }
  return journalId;
}
