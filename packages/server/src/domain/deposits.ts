/**
 * The on-chain deposit lifecycle (docs/chains.md, API.md §4):
 *   seen in a scanned block → status 0 (awaiting confirmations), notified;
 *   at the coin's confirmations → below the coin's minimum: 2 (money to suspense);
 *     else screened: pass → 1 (credited to the user, or the collection account with
 *     auto-collection), pending → 4, review → 5, breaker → 6 (money to suspense);
 *   its block reorganised away while still 0 → 2 'block reorganised away' (never credited);
 *   the same transfer mined again in the new branch → back to 0.
 * Every status change writes its journal (if any) and one notification in the same
 * transaction. Confirmation-count changes alone do not notify: merchants read the count from
 * the lists, and a notification per block per deposit would flood them.
 */
import { DepositStatus } from '@openwaas/sdk';
import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { IncomingTransfer } from '../chains/adapter.js';
import { addressCodec } from '../chains/address-codec.js';
import type { ServiceContext } from '../context.js';
import type { DialectName } from '../store/dialect.js';
import type { Coin, Deposit } from '../store/schema.js';
import { inTransaction, type Db, type Tx } from '../store/tx.js';
import { raiseAlert, resolveAlert } from './alerts.js';
import { chainAccount, suspenseAccount } from './chain-accounts.js';
import { CoinLookup } from './coins.js';
import { receivingAccount } from './internal-settlement.js';
import { screenDeposit } from './kyt/screening.js';
import type { KytVerdict } from './kyt/provider.js';
import { postJournal, type AccountRef } from './ledger.js';
import { enqueueNotification } from './outbox.js';
import { depositNotificationPayload } from './records.js';

/** review_reason of a deposit whose block left the chain before it was credited. */
export const reorgFailedReason = 'block reorganised away';
/** review_reason of a confirmed deposit smaller than the coin's min_deposit. */
export const belowMinimumReason = 'below minimum deposit';

/** Deposits settled per scanner tick at most; the rest wait for the next (immediate) tick. */
const settleBatchMax = 200;
/** Deposits looked up per query when matching a batch's transfers with stored rows. */
const lookupChunk = 500;

/** The coins of one chain, resolved the way the scanner needs them. */
export interface ChainCoins {
  all: Coin[];
  ids: number[];
  byId: Map<number, Coin>;
  /** Token contract (lower-case) → coin. */
  byToken: Map<string, Coin>;
  /** The chain's native coin (empty contract address). */
  native: Coin | undefined;
}

/**
 * The coins whose `chain` is `chain`. Disabled coins are included: their money arrives all
 * the same. When several coins share a contract (or several have none, i.e. claim the native
 * coin), the enabled one with the lowest id wins — one coin per on-chain asset.
 */
export async function loadChainCoins(db: Db, chain: string): Promise<ChainCoins> {
  const all = await db.selectFrom('coins').selectAll().where('chain', '=', chain).orderBy('id').execute();
  const preferred = [...all].sort((a, b) => b.enabled - a.enabled || Number(a.id) - Number(b.id));
  const byToken = new Map<string, Coin>();
  let native: Coin | undefined;
  for (const coin of preferred) {
    const contract = addressCodec(chain).canonical(coin.contract_address);
    if (contract === '') native ??= coin;
    else if (!byToken.has(contract)) byToken.set(contract, coin);
  }
  return { all, ids: all.map((c) => Number(c.id)), byId: new Map(all.map((c) => [Number(c.id), c])), byToken, native };
}

/** The coin a transfer moves, or undefined for a token this service does not carry. */
export function coinOfTransfer(coins: ChainCoins, transfer: IncomingTransfer): Coin | undefined {
  return transfer.token === '' ? coins.native : coins.byToken.get(transfer.token);
}

/** The owner of a deposit address. */
export interface AddressOwner {
  merchantId: number;
  uid: number;
}

/** Owners of `addresses` (lower-case) on `chain`. */
export async function addressOwners(db: Db, chain: string, addresses: readonly string[]): Promise<Map<string, AddressOwner>> {
  const out = new Map<string, AddressOwner>();
  const unique = [...new Set(addresses)];
  for (let i = 0; i < unique.length; i += lookupChunk) {
    const rows = await db
      .selectFrom('chain_addresses')
      .select(['address', 'merchant_id', 'uid'])
      .where('chain', '=', chain)
      .where('address', 'in', unique.slice(i, i + lookupChunk))
      .execute();
    for (const r of rows) out.set(addressCodec(chain).canonical(r.address), { merchantId: Number(r.merchant_id), uid: Number(r.uid) });
  }
  return out;
}

/** A transfer to one of our deposit addresses, with what it is and whose. */
export interface DepositCandidate {
  transfer: IncomingTransfer;
  coin: Coin;
  owner: AddressOwner;
}

const transferKey = (coinId: number, txid: string, index: string) => `${coinId}|${txid}|${index}`;
const depositKey = (d: Deposit) => transferKey(Number(d.coin_id), d.txid, d.tx_index);

/** What recordDeposits did, for logs and progress lines. */
export interface RecordOutcome {
  inserted: number;
  revived: number;
  notifications: number;
}

/**
 * Writes the deposits found in a scanned batch, inside the scanner's batch transaction.
 * Idempotent: a transfer already stored in the same block is left alone (a re-scan after a
 * crash, a backfill); stored in another block (mined again after a reorg), it moves to its new
 * block — back to status 0 if the reorg had failed it. `head` gives the confirmations.
 * A transfer to an address whose owner's merchant has not enabled the coin is recorded and
 * credited like any other: the money is on our address, and the merchant sees it in its lists.
 */
export async function recordDeposits(
  tx: Tx,
  input: { candidates: readonly DepositCandidate[]; head: number; nowMs: number; log: Logger },
): Promise<RecordOutcome> {
  const { candidates, head, nowMs } = input;
  const outcome: RecordOutcome = { inserted: 0, revived: 0, notifications: 0 };
  if (candidates.length === 0) return outcome;
  const existing = await storedDeposits(tx, candidates);
  const coins = new CoinLookup(tx);
  const notify = async (d: Deposit) => {
    await enqueueNotification(tx, { merchantId: Number(d.merchant_id), side: 'deposit', recordId: Number(d.id), payload: await depositNotificationPayload(d, coins), nowMs });
    outcome.notifications++;
  };

  for (const { transfer: t, coin, owner } of candidates) {
    const coinId = Number(coin.id);
    const confirmations = Math.max(0, head - t.blockNumber + 1);
    const found = existing.get(transferKey(coinId, t.txid, t.index));
    if (!found) {
      const row = await tx
        .insertInto('deposits')
        .values({
          merchant_id: owner.merchantId,
          uid: owner.uid,
          coin_id: coinId,
          symbol: coin.symbol,
          amount: t.amount.toString(),
          address_from: t.from,
          address_to: t.to,
          txid: t.txid,
          tx_index: t.index,
          confirmations,
          status: DepositStatus.Confirming,
          to_collection: 0,
          withdrawal_id: null,
          block_number: t.blockNumber,
          block_hash: t.blockHash,
          created_at: nowMs,
          updated_at: nowMs,
        })
        // Another scanner (lease handover) may have stored it a moment ago: the unique index decides.
        .onConflict((oc) => oc.columns(['coin_id', 'txid', 'tx_index']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row) {
        outcome.inserted++;
        await notify(row);
      }
      continue;
    }
    const reorgFailed = found.status === DepositStatus.Failed && found.review_reason === reorgFailedReason;
    if (found.block_hash === t.blockHash && !reorgFailed) continue;

    // The same transfer, mined in another block than the one we stored — or in the very block
    // the reorg had dropped, when the chain switched back to that branch.
    const moved = { block_number: t.blockNumber, block_hash: t.blockHash };
    if (reorgFailed) {
      const revived = await tx
        .updateTable('deposits')
        .set({ ...moved, status: DepositStatus.Confirming, confirmations, review_reason: '', updated_at: nowMs })
        .where('id', '=', found.id)
        .where('status', '=', DepositStatus.Failed)
        .returningAll()
        .executeTakeFirst();
      if (revived) {
        outcome.revived++;
        await notify(revived);
      }
    } else if (found.status === DepositStatus.Confirming) {
      await tx.updateTable('deposits').set({ ...moved, confirmations }).where('id', '=', found.id).execute();
    } else {
      // Credited (or held) before its block was replaced, and mined again: the money is there after all.
      await tx.updateTable('deposits').set(moved).where('id', '=', found.id).execute();
      await resolveAlert(tx, reorgAfterCreditKey(Number(found.id)), nowMs);
      input.log.warn({ deposit: Number(found.id), txid: t.txid, block: t.blockNumber }, 'a settled deposit whose block was reorganised away is mined again');
    }
  }
  return outcome;
}

/** Stored deposits for the candidates' transfers, by coin|txid|index. */
async function storedDeposits(db: Db, candidates: readonly DepositCandidate[]): Promise<Map<string, Deposit>> {
  const out = new Map<string, Deposit>();
  const txids = [...new Set(candidates.map((c) => c.transfer.txid))];
  const coinIds = [...new Set(candidates.map((c) => Number(c.coin.id)))];
  for (let i = 0; i < txids.length; i += lookupChunk) {
    const rows = await db.selectFrom('deposits').selectAll().where('txid', 'in', txids.slice(i, i + lookupChunk)).where('coin_id', 'in', coinIds).execute();
    for (const r of rows) out.set(depositKey(r), r);
  }
  return out;
}

export const reorgAfterCreditKey = (depositId: number) => `reorg-after-credit:${depositId}`;

/**
 * Deposits whose block is no longer on the chain (`rows`, found by the caller: above a fork
 * point, or in a block whose hash changed), inside the caller's transaction. Status 0 → 2
 * 'block reorganised away' with a notification: never credited. A deposit that already moved
 * money (credited, held in suspense, or below the minimum) keeps it: undoing a credit the user
 * may have spent is an operator's decision, so an alert is raised and an error logged.
 * `keep` names transfers the caller is about to store again (mined again in the new branch).
 */
export async function orphanDeposits(
  tx: Tx,
  input: { rows: readonly Deposit[]; keep?: ReadonlySet<string>; chain: string; nowMs: number; log: Logger },
): Promise<{ failed: number; alerts: number; notifications: number }> {
  const { nowMs, log } = input;
  const result = { failed: 0, alerts: 0, notifications: 0 };
  const coins = new CoinLookup(tx);
  for (const d of input.rows) {
    if (input.keep?.has(depositKey(d))) continue;
    if (d.status === DepositStatus.Confirming) {
      const failed = await tx
        .updateTable('deposits')
        .set({ status: DepositStatus.Failed, review_reason: reorgFailedReason, updated_at: nowMs })
        .where('id', '=', d.id)
        .where('status', '=', DepositStatus.Confirming)
        .returningAll()
        .executeTakeFirst();
      if (!failed) continue;
      result.failed++;
      await enqueueNotification(tx, { merchantId: Number(d.merchant_id), side: 'deposit', recordId: Number(d.id), payload: await depositNotificationPayload(failed, coins), nowMs });
      result.notifications++;
      continue;
    }
    if (d.status === DepositStatus.Failed && d.review_reason === reorgFailedReason) continue;
    const message =
      `${input.chain}: deposit ${d.id} (${d.symbol} ${d.amount} base units, tx ${d.txid}, status ${d.status}) was settled, ` +
      `but its block ${d.block_number} (${d.block_hash}) was reorganised away. Its money was not taken back: check whether ` +
      'the transaction is mined again; if not, recover the amount from the user by an adjustment.';
    log.error({ deposit: Number(d.id), txid: d.txid, block: d.block_number, status: d.status }, 'reorg after credit: a settled deposit left the chain');
    await raiseAlert(tx, { kind: 'reorg-after-credit', key: reorgAfterCreditKey(Number(d.id)), message, nowMs });
    result.alerts++;
  }
  return result;
}

/** Stored deposits of the chain's coins whose block is above `block`. */
export function depositsAbove(db: Db, coinIds: readonly number[], block: number): Promise<Deposit[]> {
  if (coinIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('deposits').selectAll().where('coin_id', 'in', [...coinIds]).where('block_number', '>', block).orderBy('id').execute();
}

/** Stored deposits of the chain's coins in blocks from..to. */
export function depositsInBlocks(db: Db, coinIds: readonly number[], from: number, to: number): Promise<Deposit[]> {
  if (coinIds.length === 0) return Promise.resolve([]);
  return db.selectFrom('deposits').selectAll().where('coin_id', 'in', [...coinIds]).where('block_number', '>=', from).where('block_number', '<=', to).orderBy('id').execute();
}

/** Key of a candidate, as orphanDeposits' `keep` wants it. */
export function candidateKey(c: DepositCandidate): string {
  return transferKey(Number(c.coin.id), c.transfer.txid, c.transfer.index);
}

/** Sets the confirmations of the chain's deposits awaiting them from the node's head (one statement, no notification). */
export async function updateConfirmations(db: Db, coinIds: readonly number[], head: number): Promise<void> {
  if (coinIds.length === 0) return;
  const count = sql<number>`${head} - block_number + 1`;
  await db
    .updateTable('deposits')
    .set({ confirmations: count })
    .where('status', '=', DepositStatus.Confirming)
    .where('coin_id', 'in', [...coinIds])
    .where('block_number', '<=', head)
    .where('confirmations', '!=', count)
    .execute();
}

/** Where a settled deposit's money goes. */
interface Settlement {
  status: DepositStatus;
  reviewReason: string;
  /** The journal's reason. */
  reason: 'deposit.credit' | 'deposit.hold' | 'deposit.below-minimum';
}

function settlementOf(verdict: KytVerdict): Settlement {
  switch (verdict.outcome) {
    case 'pass':
      return { status: DepositStatus.Succeeded, reviewReason: '', reason: 'deposit.credit' };
    case 'review':
      return { status: DepositStatus.KytManualReview, reviewReason: verdict.reason, reason: 'deposit.hold' };
    case 'breaker':
      return { status: DepositStatus.CircuitBreakerReview, reviewReason: verdict.reason, reason: 'deposit.hold' };
    case 'pending':
      return { status: DepositStatus.AwaitingKyt, reviewReason: verdict.reason, reason: 'deposit.hold' };
  }
}

/**
 * Settles the chain's deposits that reached their coin's confirmations in blocks the scanner
 * has verified (at or below `scannedHeight`). Returns how many were settled and whether more
 * are due (the tick runs again at once).
 */
export async function settleDueDeposits(
  ctx: ServiceContext,
  input: { coins: ChainCoins; scannedHeight: number; signal?: AbortSignal },
): Promise<{ settled: number; more: boolean }> {
  const { coins, scannedHeight, signal } = input;
  if (coins.ids.length === 0) return { settled: 0, more: false };
  const due = await ctx.store.db
    .selectFrom('deposits')
    .innerJoin('coins', 'coins.id', 'deposits.coin_id')
    .selectAll('deposits')
    .where('deposits.status', '=', DepositStatus.Confirming)
    .where('deposits.coin_id', 'in', coins.ids)
    .where('deposits.block_number', '<=', scannedHeight)
    .whereRef('deposits.confirmations', '>=', 'coins.confirmations')
    .orderBy('deposits.id')
    .limit(settleBatchMax)
    .execute();
  let settled = 0;
  for (const deposit of due) {
    if (signal?.aborted) break;
    const coin = coins.byId.get(Number(deposit.coin_id));
    if (coin && (await settleDeposit(ctx, deposit, coin, signal))) settled++;
  }
  return { settled, more: due.length === settleBatchMax };
}

/**
 * Settles one confirmed deposit: below the minimum → 2, else screened (outside any
 * transaction: providers may be slow) and the verdict applied in a transaction that re-checks
 * the status, so two processes settling the same row move its money once. False when someone
 * else settled (or a reorg failed) it first.
 */
export async function settleDeposit(ctx: ServiceContext, deposit: Deposit, coin: Coin, signal?: AbortSignal): Promise<boolean> {
  const amount = BigInt(deposit.amount);
  const settlement: Settlement =
    amount < BigInt(coin.min_deposit)
      ? { status: DepositStatus.Failed, reviewReason: belowMinimumReason, reason: 'deposit.below-minimum' }
      : settlementOf(await screenDeposit(ctx, deposit, coin, signal ? { signal } : {}));
  const nowMs = ctx.clock.nowMs();
  const done = await inTransaction(ctx.store, (tx) => applySettlement(tx, ctx.store.dialect, { deposit, coin, settlement, nowMs }));
  if (done) ctx.notifier.wake();
  return done;
}

async function applySettlement(tx: Tx, dialect: DialectName, input: { deposit: Deposit; coin: Coin; settlement: Settlement; nowMs: number }): Promise<boolean> {
  const { deposit, coin, settlement, nowMs } = input;
  const coinId = Number(coin.id);
  const amount = BigInt(deposit.amount);
  // The status guard is the exactly-once: a second settler (or the reorg handler) finds no row at 0.
  // It is also the transaction's first statement: on SQLite shared by processes, a write after a
  // read could meet a snapshot another process has moved past.
  let updated = await tx
    .updateTable('deposits')
    .set({ status: settlement.status, review_reason: settlement.reviewReason, updated_at: nowMs })
    .where('id', '=', deposit.id)
    .where('status', '=', DepositStatus.Confirming)
    .returningAll()
    .executeTakeFirst();
  if (!updated) return false;
  let target: AccountRef = suspenseAccount(coinId);
  if (settlement.status === DepositStatus.Succeeded) {
    const receiving = await receivingAccount(tx, { merchantId: Number(deposit.merchant_id), uid: Number(deposit.uid), address: deposit.address_to }, coinId);
    target = receiving.account;
    if (receiving.toCollection) updated = await tx.updateTable('deposits').set({ to_collection: 1 }).where('id', '=', deposit.id).returningAll().executeTakeFirstOrThrow();
  }
  await postJournal(tx, dialect, {
    refType: 'deposit',
    refId: Number(deposit.id),
    reason: settlement.reason,
    memo: `${deposit.txid}:${deposit.tx_index}`,
    postings: [
      { account: chainAccount(coinId), bucket: 'normal', delta: -amount },
      { account: target, bucket: 'normal', delta: amount },
    ],
    nowMs,
  });
  await enqueueNotification(tx, {
    merchantId: Number(deposit.merchant_id),
    side: 'deposit',
    recordId: Number(deposit.id),
    payload: await depositNotificationPayload(updated, new CoinLookup(tx)),
    nowMs,
  });
  return true;
}
