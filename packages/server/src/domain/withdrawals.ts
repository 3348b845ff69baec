import { AuditStatus, ErrorCode, WithdrawStatus, WithdrawType } from '@openwaas/sdk';
import type { ServiceContext } from '../context.js';
import { isUniqueViolation } from '../store/db.js';
import type { DialectName } from '../store/dialect.js';
import type { Coin, Merchant, Withdrawal } from '../store/schema.js';
import { inTransaction, type Db, type Tx } from '../store/tx.js';
import { addressCodec } from '../chains/address-codec.js';
import { parseAmount } from './amount.js';
import { ApiError } from './api-error.js';
import { CoinLookup, findCoinBySymbol, findMerchantCoin } from './coins.js';
import { confirmWithMerchant } from './confirmation.js';
import { feeAccount, findAllianceTarget, receivingAccount, settleInternalWithdrawal, userAccount } from './internal-settlement.js';
import { InsufficientFundsError, lockAccounts, postJournal, readBalance, type Posting } from './ledger.js';
import { enqueueNotification } from './outbox.js';
import { withdrawNotificationPayload, withdrawRecord } from './records.js';
import { decideWithdrawalRisk } from './risk.js';
import { requireUser } from './users.js';

/** A withdrawal request (#8) after its fields were checked for presence and shape. */
export interface WithdrawalRequestInput {
  /** 1–64 characters, unique per merchant. */
  requestId: string;
  /** The paying user. */
  fromUid: number;
  /** Destination; memo chains carry the memo after "_" ("addr_memo"). */
  toAddress: string;
  /** Decimal string in the coin's units, fee included, as the merchant sent it. */
  amount: string;
  symbol: string;
}

/** Who audits a withdrawal under review: the platform ("saas") or the merchant ("company"). */
export type Auditor = 'saas' | 'company';

/** Why an audit or cancel request could not be applied (the operator API maps it to 404 / 409). */
export class WithdrawalStateError extends Error {
  override name = 'WithdrawalStateError';
  constructor(
    readonly reason: 'not-found' | 'invalid-transition',
    readonly withdrawalId: number,
    /** The withdrawal's status when the request was refused (undefined when not found). */
    readonly status?: number,
    message?: string,
  ) {
    super(message ?? (reason === 'not-found' ? `withdrawal ${withdrawalId} not found` : `withdrawal ${withdrawalId} cannot change from status ${status}`));
  }
}

/** Bound on one page of the operators' review list. */
const reviewPageSizeMax = 500;

/** Splits "addr_memo" on memo chains; the address part alone elsewhere. */
function splitAddress(chain: string, address: string): { address: string; memo: string | undefined } {
  return addressCodec(chain).split(address);
}

/** True when `address` is well-formed for the coin's chain (110055 otherwise). */
export function isValidWithdrawAddress(chain: string, address: string): boolean {
  return addressCodec(chain).isValid(address);
}

async function isBlacklisted(db: Db, chain: string, address: string): Promise<boolean> {
  const candidates = [...new Set([address.toLowerCase(), splitAddress(chain, address).address.toLowerCase()])];
  const hit = await db.selectFrom('blacklist').select('id').where('address', 'in', candidates).executeTakeFirst();
  return hit !== undefined;
}

/** The coin a withdrawal of `coin` pays its fee in. */
async function feeCoinOf(db: Db, coin: Coin): Promise<Coin> {
  if (coin.withdraw_fee_symbol === coin.symbol) return coin;
  const feeCoin = await findCoinBySymbol(db, coin.withdraw_fee_symbol);
  // upsertCoin refuses a fee coin that does not exist: a miss is a configuration bug.
  if (!feeCoin) throw new Error(`coin ${coin.symbol}: fee coin ${coin.withdraw_fee_symbol} is not configured`);
  return feeCoin;
}

/** Journal lines moving a withdrawal's funds between the user's normal and lock buckets. */
function lockPostings(w: Withdrawal, feeCoinId: number, direction: 'lock' | 'unlock'): Posting[] {
  const merchantId = Number(w.merchant_id);
  const uid = Number(w.uid);
  const sign = direction === 'lock' ? 1n : -1n;
  const move = (coinId: number, units: bigint): Posting[] => [
    { account: userAccount(merchantId, uid, coinId), bucket: 'normal', delta: -sign * units },
    { account: userAccount(merchantId, uid, coinId), bucket: 'lock', delta: sign * units },
  ];
  const amount = BigInt(w.amount);
  const fee = BigInt(w.withdraw_fee);
  // Same-coin fee: the amount already includes it. Another coin: the fee is locked beside it.
  if (feeCoinId === Number(w.coin_id)) return move(feeCoinId, amount);
  return [...move(Number(w.coin_id), amount), ...move(feeCoinId, fee)];
}

/** Journal lines returning a withdrawal's locked funds (amount, and a fee in another coin) to the user's normal balance. */
export async function unlockPostings(tx: Tx, w: Withdrawal): Promise<Posting[]> {
  return lockPostings(w, await feeCoinIdOf(tx, w), 'unlock');
}

function duplicateError(w: Pick<Withdrawal, 'id' | 'status'>): ApiError {
  return new ApiError(ErrorCode.DuplicateRequest, undefined, { id: Number(w.id), status: w.status });
}

function findByRequestId(db: Db, merchantId: number, requestId: string): Promise<Withdrawal | undefined> {
  return db.selectFrom('withdrawals').selectAll().where('merchant_id', '=', merchantId).where('request_id', '=', requestId).executeTakeFirst();
}

async function notifyWithdrawal(tx: Tx, w: Withdrawal, nowMs: number): Promise<void> {
  await enqueueNotification(tx, {
    merchantId: Number(w.merchant_id),
    side: 'withdraw',
    recordId: Number(w.id),
    payload: await withdrawNotificationPayload(w, new CoinLookup(tx)),
    nowMs,
  });
}

/**
 * Moves an approved withdrawal on: an internal one settles in the ledger (status 5; never
 * screened: it does not leave the ledger), an on-chain one is left at status 1 for the chain
 * worker — or, with KYT screening on (`screening`), at status 7 for the KYT loop, which moves
 * it to 1 or 8. Returns the row as written.
 */
async function afterApproval(tx: Tx, dialect: DialectName, w: Withdrawal, nowMs: number, screening: boolean): Promise<Withdrawal> {
  if (w.withdraw_type !== WithdrawType.Internal) {
    if (!screening) return w;
    return tx
      .updateTable('withdrawals')
      .set({ status: WithdrawStatus.AwaitingKyt, updated_at: nowMs })
      .where('id', '=', Number(w.id))
      .where('status', '=', WithdrawStatus.Paying)
      .returningAll()
      .executeTakeFirstOrThrow();
  }
  const coin = await tx.selectFrom('coins').selectAll().where('id', '=', Number(w.coin_id)).executeTakeFirstOrThrow();
  const feeCoin = await feeCoinOf(tx, coin);
  const { withdrawal } = await settleInternalWithdrawal(tx, dialect, { withdrawal: w, coin, feeCoinId: Number(feeCoin.id), nowMs });
  return withdrawal;
}

/**
 * #8 Requests a withdrawal. Checks, in this order: a reused request_id (110088 with the
 * existing `{id, status}`), currency (120202), user (110065, 110004, 900006), address
 * (110055, 110037), amount (110161, 110078, 110087, 120404), balances (120402, 120403);
 * then asks the merchant's second confirmation (120206) with no transaction open; then, in
 * one transaction, records the withdrawal, locks its funds (re-checked under the row lock),
 * decides risk, settles it when it is internal and auto-approved, and writes the outbox.
 */
export async function requestWithdrawal(ctx: ServiceContext, merchant: Merchant, input: WithdrawalRequestInput): Promise<Withdrawal> {
  const db = ctx.store.db;
  const merchantId = Number(merchant.id);

  const existing = await findByRequestId(db, merchantId, input.requestId);
  if (existing) throw duplicateError(existing);

  const coin = await findMerchantCoin(db, merchantId, input.symbol);
  if (!coin) throw new ApiError(ErrorCode.CurrencyNotSupported);
  const coinId = Number(coin.id);

  const user = await requireUser(db, merchantId, input.fromUid);
  if (user.frozen === 1) throw new ApiError(ErrorCode.UserFrozen);
  if (user.at_risk === 1) throw new ApiError(ErrorCode.UserAtRisk);

  const toAddress = input.toAddress;
  if (!isValidWithdrawAddress(coin.chain, toAddress)) throw new ApiError(ErrorCode.InvalidAddress);
  if (await isBlacklisted(db, coin.chain, toAddress)) throw new ApiError(ErrorCode.AddressAtRisk);

  const amount = parseAmount(input.amount, coin.decimals);
  if (amount <= 0n) throw ApiError.invalid('amount', 'must be greater than 0');
  if (amount < BigInt(coin.min_withdraw)) throw new ApiError(ErrorCode.AmountBelowMin);
  const maxWithdraw = BigInt(coin.max_withdraw);
  if (maxWithdraw > 0n && amount > maxWithdraw) throw new ApiError(ErrorCode.AmountAboveMax);

  const feeCoin = await feeCoinOf(db, coin);
  const feeCoinId = Number(feeCoin.id);
  const fee = BigInt(coin.withdraw_fee);
  const sameCoinFee = feeCoinId === coinId;
  if (sameCoinFee && amount <= fee) throw new ApiError(ErrorCode.AmountNotAboveFee);

  // Early answers for the common case; the ledger re-checks under the account lock below.
  if ((await readBalance(db, userAccount(merchantId, user.id, coinId))).normal < amount) throw new ApiError(ErrorCode.InsufficientBalance);
  if (!sameCoinFee && (await readBalance(db, userAccount(merchantId, user.id, feeCoinId))).normal < fee) {
    throw new ApiError(ErrorCode.InsufficientFeeBalance);
  }

  const alliance = await findAllianceTarget(db, coin.chain, toAddress);

  await confirmWithMerchant(ctx, merchant, {
    request_id: input.requestId,
    from_uid: String(input.fromUid),
    to_address: toAddress,
    amount: input.amount,
    symbol: coin.symbol,
  });

  const dialect = ctx.store.dialect;
  let created: Withdrawal;
  try {
    created = await inTransaction(ctx.store, async (tx) => {
      const nowMs = ctx.clock.nowMs();
      // Inserted first: the unique (merchant_id, request_id) index stops a concurrent twin here.
      let w = await tx
        .insertInto('withdrawals')
        .values({
          merchant_id: merchantId,
          request_id: input.requestId,
          uid: user.id,
          coin_id: coinId,
          symbol: coin.symbol,
          amount: amount.toString(),
          withdraw_fee: fee.toString(),
          withdraw_fee_symbol: feeCoin.symbol,
          fee_symbol: coin.base_symbol,
          real_fee: '0',
          address_from: '',
          address_to: toAddress,
          txid: '',
          confirmations: 0,
          saas_status: AuditStatus.Pending,
          company_status: AuditStatus.Pending,
          status: WithdrawStatus.Review,
          withdraw_type: alliance ? WithdrawType.Internal : WithdrawType.OnChain,
          review_reason: '',
          created_at: nowMs,
          updated_at: nowMs,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      if (alliance) {
        // An auto-approved internal withdrawal posts a second journal (settlement) below.
        await lockAccounts(tx, dialect, [
          userAccount(merchantId, user.id, coinId),
          userAccount(merchantId, user.id, feeCoinId),
          feeAccount(merchantId, feeCoinId),
          (await receivingAccount(tx, alliance, coinId)).account,
        ]);
      }
      try {
        await postJournal(tx, dialect, { refType: 'withdrawal', refId: Number(w.id), reason: 'withdraw.lock', postings: lockPostings(w, feeCoinId, 'lock'), nowMs });
      } catch (e) {
        if (e instanceof InsufficientFundsError) {
          throw new ApiError(!sameCoinFee && e.account.coinId === feeCoinId ? ErrorCode.InsufficientFeeBalance : ErrorCode.InsufficientBalance);
        }
        throw e;
      }
      // Decided after the balance row is locked, so the same user's concurrent withdrawals see each other.
      const risk = await decideWithdrawalRisk(tx, { coin, uid: user.id, amount, withdrawalId: Number(w.id), nowMs });
      if (risk.autoApprove) {
        w = await tx
          .updateTable('withdrawals')
          .set({ status: WithdrawStatus.Paying, saas_status: AuditStatus.Approved, company_status: AuditStatus.Approved })
          .where('id', '=', Number(w.id))
          .returningAll()
          .executeTakeFirstOrThrow();
        w = await afterApproval(tx, dialect, w, nowMs, ctx.kyt !== null);
      } else {
        w = await tx.updateTable('withdrawals').set({ review_reason: risk.reason }).where('id', '=', Number(w.id)).returningAll().executeTakeFirstOrThrow();
      }
      await notifyWithdrawal(tx, w, nowMs);
      return w;
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      const twin = await findByRequestId(db, merchantId, input.requestId);
      if (twin) throw duplicateError(twin);
    }
    throw e;
  }
  ctx.notifier.wake();
  return created;
}

/** Reads a withdrawal inside a transaction, locking its row on PostgreSQL (SQLite serialises writers). */
async function lockWithdrawal(tx: Tx, dialect: DialectName, withdrawalId: number): Promise<Withdrawal> {
  let q = tx.selectFrom('withdrawals').selectAll().where('id', '=', withdrawalId);
  if (dialect === 'postgres') q = q.forUpdate();
  const w = await q.executeTakeFirst();
  if (!w) throw new WithdrawalStateError('not-found', withdrawalId);
  return w;
}

/** Updates a withdrawal only if its status is still `expected`; a miss means another transition won. */
async function transition(tx: Tx, w: Withdrawal, set: Partial<Pick<Withdrawal, 'status' | 'saas_status' | 'company_status' | 'review_reason' | 'updated_at'>>): Promise<Withdrawal> {
  const row = await tx
    .updateTable('withdrawals')
    .set(set)
    .where('id', '=', Number(w.id))
    .where('status', '=', w.status)
    .where('txid', '=', w.txid)
    .returningAll()
    .executeTakeFirst();
  if (!row) throw new WithdrawalStateError('invalid-transition', Number(w.id), w.status, `withdrawal ${w.id} changed concurrently`);
  return row;
}

async function feeCoinIdOf(tx: Tx, w: Withdrawal): Promise<number> {
  const feeCoin = await findCoinBySymbol(tx, w.withdraw_fee_symbol);
  if (!feeCoin) throw new Error(`withdrawal ${w.id}: fee coin ${w.withdraw_fee_symbol} is not configured`);
  return Number(feeCoin.id);
}

const auditColumn = { saas: 'saas_status', company: 'company_status' } as const;

/**
 * Approves a withdrawal under review for one auditor. When both have approved it becomes
 * status 1 (on-chain, for the chain worker) or settles at once (internal, status 5). Approving
 * twice for the same auditor changes nothing.
 * @throws WithdrawalStateError when unknown or not under review.
 */
export async function approveWithdrawal(ctx: ServiceContext, input: { withdrawalId: number; by: Auditor }): Promise<Withdrawal> {
  const dialect = ctx.store.dialect;
  const result = await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const w = await lockWithdrawal(tx, dialect, input.withdrawalId);
    if (w.status !== WithdrawStatus.Review) throw new WithdrawalStateError('invalid-transition', input.withdrawalId, w.status);
    const column = auditColumn[input.by];
    if (w[column] === AuditStatus.Approved) return { w, changed: false };
    const other = input.by === 'saas' ? w.company_status : w.saas_status;
    if (other !== AuditStatus.Approved) {
      return { w: await transition(tx, w, { [column]: AuditStatus.Approved, updated_at: nowMs }), changed: false };
    }
    let next = await transition(tx, w, { [column]: AuditStatus.Approved, status: WithdrawStatus.Paying, updated_at: nowMs });
    next = await afterApproval(tx, dialect, next, nowMs, ctx.kyt !== null);
    await notifyWithdrawal(tx, next, nowMs);
    return { w: next, changed: true };
  });
  if (result.changed) ctx.notifier.wake();
  return result.w;
}

/**
 * Rejects a withdrawal under review for one auditor: status 2, funds back from lock to normal.
 * @throws WithdrawalStateError when unknown or not under review.
 */
export async function rejectWithdrawal(ctx: ServiceContext, input: { withdrawalId: number; by: Auditor; reason: string }): Promise<Withdrawal> {
  const dialect = ctx.store.dialect;
  const w = await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const w = await lockWithdrawal(tx, dialect, input.withdrawalId);
    if (w.status !== WithdrawStatus.Review) throw new WithdrawalStateError('invalid-transition', input.withdrawalId, w.status);
    const reason = input.reason.trim() === '' ? w.review_reason : `${w.review_reason ? w.review_reason + '; ' : ''}rejected by ${input.by}: ${input.reason.trim()}`;
    const next = await transition(tx, w, { [auditColumn[input.by]]: AuditStatus.Rejected, status: WithdrawStatus.Rejected, review_reason: reason, updated_at: nowMs });
    await postJournal(tx, dialect, { refType: 'withdrawal', refId: Number(w.id), reason: 'withdraw.reject', postings: await unlockPostings(tx, w), nowMs });
    await notifyWithdrawal(tx, next, nowMs);
    return next;
  });
  ctx.notifier.wake();
  return w;
}

/**
 * True when a withdrawal in this state may still be cancelled: nothing was signed for it yet.
 * That includes an on-chain withdrawal held by KYT (7 awaiting screening, 8 manual review):
 * it reaches the chain worker only once released to status 1.
 */
export function isCancellable(w: Pick<Withdrawal, 'status' | 'withdraw_type' | 'txid'>): boolean {
  if (w.status === WithdrawStatus.Review) return true;
  if ((w.status === WithdrawStatus.AwaitingKyt || w.status === WithdrawStatus.KytManualReview) && w.txid === '') return true;
  // Paying on chain but not broadcast yet: the chain worker claims a row by setting its txid.
  return w.status === WithdrawStatus.Paying && w.withdraw_type === WithdrawType.OnChain && w.txid === '';
}

/**
 * Cancels a withdrawal under review, held by KYT (7/8), or an on-chain one approved but not
 * yet broadcast (txid empty): status 6, funds back from lock to normal.
 * @throws WithdrawalStateError when unknown or past that point.
 */
export async function cancelWithdrawal(ctx: ServiceContext, input: { withdrawalId: number }): Promise<Withdrawal> {
  const dialect = ctx.store.dialect;
  const w = await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const w = await lockWithdrawal(tx, dialect, input.withdrawalId);
    if (!isCancellable(w)) throw new WithdrawalStateError('invalid-transition', input.withdrawalId, w.status);
    const next = await transition(tx, w, { status: WithdrawStatus.Cancelled, updated_at: nowMs });
    await postJournal(tx, dialect, { refType: 'withdrawal', refId: Number(w.id), reason: 'withdraw.cancel', postings: await unlockPostings(tx, w), nowMs });
    await notifyWithdrawal(tx, next, nowMs);
    return next;
  });
  ctx.notifier.wake();
  return w;
}

/** A withdrawal as operators review it: the list-record fields plus who asked and why it waits. */
export type ReviewItem = Awaited<ReturnType<typeof withdrawRecord>> & { app_id: string; merchant_id: number; review_reason: string };

/** Withdrawals under review (status 0), oldest first, `limit` (≤ 500) after `afterId`. */
export async function listWithdrawalsForReview(ctx: ServiceContext, options: { afterId?: number; limit?: number } = {}): Promise<ReviewItem[]> {
  const limit = Math.min(Math.max(1, Math.floor(options.limit ?? reviewPageSizeMax)), reviewPageSizeMax);
  const rows = await ctx.store.db
    .selectFrom('withdrawals')
    .innerJoin('merchants', 'merchants.id', 'withdrawals.merchant_id')
    .selectAll('withdrawals')
    .select('merchants.app_id as app_id')
    .where('withdrawals.status', '=', WithdrawStatus.Review)
    .where('withdrawals.id', '>', options.afterId ?? 0)
    .orderBy('withdrawals.id')
    .limit(limit)
    .execute();
  const coins = new CoinLookup(ctx.store.db);
  const out: ReviewItem[] = [];
  for (const { app_id, ...w } of rows) {
    out.push({ ...(await withdrawRecord(w, coins)), app_id, merchant_id: Number(w.merchant_id), review_reason: w.review_reason });
  }
  return out;
}

/** One withdrawal by id, or undefined. */
export function findWithdrawal(db: Db, withdrawalId: number): Promise<Withdrawal | undefined> {
  return db.selectFrom('withdrawals').selectAll().where('id', '=', withdrawalId).executeTakeFirst();
}
