import { AuditStatus, ErrorCode, WithdrawStatus, WithdrawType } from '@openwaas/sdk';
import type { WithdrawalRequestDeps } from './deps.js';
import { parseAmount } from '../../money/amount.js';
import { ApiError } from '../../errors/api-error.js';
import { findMerchantCoin } from '../coins/index.js';
import { confirmWithMerchant } from '../notifications/index.js';
import { feeAccount, userAccount } from '../ledger/index.js';
import { findAllianceTarget, receivingAccount } from '../transfers/index.js';
import { InsufficientFundsError, lockAccounts, postJournal, readBalance } from '../ledger/index.js';
import { requireUser } from '../merchants/index.js';
import { isUniqueViolation } from '../../store/db.js';
import type { Merchant } from '../../store/schema.js';
import { inTransaction } from '../../store/tx.js';
import { canonicalWithdrawAddress, isValidWithdrawAddress } from './address-rules.js';
import { afterApproval } from './approval.js';
import { isBlacklisted } from './blacklist.js';
import { notifyWithdrawal } from './notify.js';
import { feeCoinOf, lockPostings } from './postings.js';
import { findWithdrawalByRequestId, insertWithdrawal, updateWithdrawal, type WithdrawalRecord } from './repository.js';
import { decideWithdrawalRisk } from './risk.js';
import { policyVerdict, verdictFields, verdictReason } from './spending.js';
import { policyActor, recordOperatorEvent } from '../operator-audit/index.js';

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

function duplicateError(w: Pick<WithdrawalRecord, 'id' | 'status'>): ApiError {
  return new ApiError(ErrorCode.DuplicateRequest, undefined, { id: Number(w.id), status: w.status });
}

/**
 * #8 Requests a withdrawal. Checks, in this order: a reused request_id (110088 with the
 * existing `{id, status}`), currency (120202), user (110065, 110004, 900006), address
 * (110055, 110037), amount (110161, 110078, 110087, 120404), balances (120402, 120403);
 * then asks the merchant's second confirmation (120206) with no transaction open; then, in
 * one transaction, records the withdrawal, locks its funds (re-checked under the row lock),
 * decides risk and the spending policies (modules/policies), settles it when it is internal
 * and auto-approved, and writes the outbox.
 */
export async function requestWithdrawal(ctx: WithdrawalRequestDeps, merchant: Merchant, input: WithdrawalRequestInput): Promise<WithdrawalRecord> {
  const db = ctx.store.db;
  const merchantId = Number(merchant.id);
  const requestKey = { merchantId, requestId: input.requestId };

  const existing = await findWithdrawalByRequestId(db, requestKey);
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
  if (amount < coin.min_withdraw) throw new ApiError(ErrorCode.AmountBelowMin);
  const maxWithdraw = coin.max_withdraw;
  if (maxWithdraw > 0n && amount > maxWithdraw) throw new ApiError(ErrorCode.AmountAboveMax);

  const feeCoin = await feeCoinOf(db, coin);
  const feeCoinId = Number(feeCoin.id);
  const fee = coin.withdraw_fee;
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

  let created: WithdrawalRecord;
  try {
    created = await inTransaction(ctx.store, async (tx) => {
      const nowMs = ctx.clock.nowMs();
      // Inserted first: the unique (merchant_id, request_id) index stops a concurrent twin here.
      let w = await insertWithdrawal(tx, {
        merchant_id: merchantId,
        request_id: input.requestId,
        uid: user.id,
        coin_id: coinId,
        symbol: coin.symbol,
        amount,
        withdraw_fee: fee,
        withdraw_fee_symbol: feeCoin.symbol,
        fee_symbol: coin.base_symbol,
        real_fee: 0n,
        address_from: '',
        address_to: toAddress,
        txid: '',
        confirmations: 0,
        saas_status: AuditStatus.Pending,
        company_status: AuditStatus.Pending,
        status: WithdrawStatus.Review,
        withdraw_type: alliance ? WithdrawType.Internal : WithdrawType.OnChain,
        review_reason: '',
        to_canonical: canonicalWithdrawAddress(coin.chain, toAddress),
        created_at: nowMs,
        updated_at: nowMs,
      });
      if (alliance) {
        // An auto-approved internal withdrawal posts a second journal (settlement) below.
        await lockAccounts(tx, [
          userAccount(merchantId, user.id, coinId),
          userAccount(merchantId, user.id, feeCoinId),
          feeAccount(merchantId, feeCoinId),
          (await receivingAccount(tx, alliance, coinId)).account,
        ]);
      }
      try {
        await postJournal(tx, { refType: 'withdrawal', refId: Number(w.id), reason: 'withdraw.lock', postings: lockPostings(w, feeCoinId, 'lock'), nowMs });
      } catch (e) {
        if (e instanceof InsufficientFundsError) {
          throw new ApiError(!sameCoinFee && e.account.coinId === feeCoinId ? ErrorCode.InsufficientFeeBalance : ErrorCode.InsufficientBalance);
        }
        throw e;
      }
      // Decided after the balance row is locked, so the same user's concurrent withdrawals see each other.
      const risk = await decideWithdrawalRisk(tx, { coin, uid: user.id, amount, withdrawalId: Number(w.id), nowMs });
      const verdict = await policyVerdict(tx, w, coin, nowMs);
      if (risk.autoApprove && verdict.hits.length === 0) {
        w = await updateWithdrawal(tx, Number(w.id), { status: WithdrawStatus.Paying, saas_status: AuditStatus.Approved, company_status: AuditStatus.Approved });
        w = await afterApproval(ctx, tx, w, nowMs);
      } else {
        const reason = [risk.autoApprove ? '' : risk.reason, verdictReason(verdict, coin.symbol)].filter((r) => r !== '').join('; ');
        w = await updateWithdrawal(tx, Number(w.id), { ...verdictFields(verdict), review_reason: reason });
        // A decision no operator took is still on the operators' trail, committed with the withdrawal.
        await recordOperatorEvent(tx, {
          actor: policyActor,
          action: 'withdrawal review',
          target: `/withdrawals/${w.id}`,
          after: { review_reason: reason, policy_hits: verdict.hits, approvals_required: w.approvals_required },
          outcome: 'done',
          nowMs,
        });
      }
      await notifyWithdrawal(tx, w, nowMs);
      return w;
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      const twin = await findWithdrawalByRequestId(db, requestKey);
      if (twin) throw duplicateError(twin);
    }
    throw e;
  }
  ctx.notifier.wake();
  return created;
}
