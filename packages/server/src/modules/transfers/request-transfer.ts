import { randomBytes } from 'node:crypto';
import { ErrorCode } from '@openwaas/sdk';
import type { TransferRequestDeps } from './deps.js';
import { ApiError } from '../../errors/api-error.js';
import { confirmWithMerchant } from '../notifications/index.js';
import { transferRemarkLengthMax } from '../../limits.js';
import { parseAmount } from '../../money/amount.js';
import { isUniqueViolation } from '../../store/db.js';
import type { Merchant } from '../../store/schema.js';
import { inTransaction } from '../../store/tx.js';
import { findMerchantCoin } from '../coins/index.js';
import { collectionAccount, InsufficientFundsError, postJournal, readBalance } from '../ledger/index.js';
import { findMerchantByAppId } from '../merchants/index.js';
import { findTransferByRequestId, insertTransfer, type TransferRecord } from './repository.js';

export { transferRemarkLengthMax };

/** A transfer request (#15) after its fields were checked for presence and shape. */
export interface TransferRequestInput {
  /** 1–64 characters, unique per sending merchant. */
  requestId: string;
  symbol: string;
  /** Decimal string in the coin's units, as the merchant sent it. */
  amount: string;
  /** The receiving merchant's app_id. */
  to: string;
  /** ≤ 32 characters; "" when absent. */
  remark: string;
}

function duplicateError(t: Pick<TransferRecord, 'receipt'>): ApiError {
  return new ApiError(ErrorCode.DuplicateRequest, undefined, { receipt: t.receipt });
}

/**
 * #15 Moves funds from this merchant's collection account to another merchant's. Checks: a
 * reused request_id (110088 with `{receipt}`), currency (120202, for both merchants), `to`
 * (100004 when unknown or inactive, 3040006 when oneself), remark length, amount (110161,
 * 100004 when not positive), balance (120402); then the merchant's second confirmation
 * (120206) with no transaction open; then settles in one transaction (journal "transfer").
 */
export async function requestTransfer(ctx: TransferRequestDeps, merchant: Merchant, input: TransferRequestInput): Promise<TransferRecord> {
  const db = ctx.store.db;
  const merchantId = Number(merchant.id);
  if ([...input.remark].length > transferRemarkLengthMax) throw ApiError.invalid('remark', `is longer than ${transferRemarkLengthMax} characters`);

  const existing = await findTransferByRequestId(db, { fromMerchantId: merchantId, requestId: input.requestId });
  if (existing) throw duplicateError(existing);

  const coin = await findMerchantCoin(db, merchantId, input.symbol);
  if (!coin) throw new ApiError(ErrorCode.CurrencyNotSupported);
  const coinId = Number(coin.id);

  if (input.to === merchant.app_id) throw new ApiError(ErrorCode.TransferToSelf);
  const receiver = await findMerchantByAppId(db, input.to);
  if (!receiver || receiver.active !== 1) throw ApiError.invalid('to', 'is not a known merchant');
  const receiverId = Number(receiver.id);
  if (receiverId === merchantId) throw new ApiError(ErrorCode.TransferToSelf);
  // Funds of a coin the receiver cannot see would be stranded in its collection account.
  if (!(await findMerchantCoin(db, receiverId, coin.symbol))) throw new ApiError(ErrorCode.CurrencyNotSupported, 'currency not supported by the receiving merchant');

  const amount = parseAmount(input.amount, coin.decimals);
  if (amount <= 0n) throw ApiError.invalid('amount', 'must be greater than 0');
  if ((await readBalance(db, collectionAccount(merchantId, coinId))).normal < amount) throw new ApiError(ErrorCode.InsufficientBalance);

  await confirmWithMerchant(ctx, merchant, {
    request_id: input.requestId,
    symbol: coin.symbol,
    amount: input.amount,
    to: receiver.app_id,
    remark: input.remark,
  });

  try {
    return await inTransaction(ctx.store, async (tx) => {
      const nowMs = ctx.clock.nowMs();
      const transfer = await insertTransfer(tx, {
        from_merchant_id: merchantId,
        to_merchant_id: receiverId,
        request_id: input.requestId,
        receipt: randomBytes(16).toString('hex'),
        coin_id: coinId,
        symbol: coin.symbol,
        amount,
        remark: input.remark,
        created_at: nowMs,
      });
      try {
        await postJournal(tx, {
          refType: 'transfer',
          refId: transfer.id,
          reason: 'transfer',
          postings: [
            { account: collectionAccount(merchantId, coinId), bucket: 'normal', delta: -amount },
            { account: collectionAccount(receiverId, coinId), bucket: 'normal', delta: amount },
          ],
          nowMs,
        });
      } catch (e) {
        if (e instanceof InsufficientFundsError) throw new ApiError(ErrorCode.InsufficientBalance);
        throw e;
      }
      return transfer;
    });
  } catch (e) {
    if (isUniqueViolation(e)) {
      const twin = await findTransferByRequestId(db, { fromMerchantId: merchantId, requestId: input.requestId });
      if (twin) throw duplicateError(twin);
    }
    throw e;
  }
}
