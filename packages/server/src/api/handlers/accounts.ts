import { findAddressOwner, findUserAddress, issueDepositAddress } from '../../modules/addresses/index.js';
import { formatAmount } from '../../money/amount.js';
import { collectionAccount, feeAccount, readBalance } from '../../modules/ledger/index.js';
import { requireUser } from '../../modules/merchants/index.js';
import { identifierField, symbolField, uidField } from '../fields.js';
import type { Handler } from '../handler.js';
import { depositAddressLengthMax } from '../../limits.js';
import { requireMerchantCoin } from './common.js';

/** #5 The user's deposit address for a coin, issued on the first call. */
export const getDepositAddress: Handler<'getDepositAddress'> = async (ctx, { merchant, fields }) => {
  const uid = uidField(fields, 'uid');
  const symbol = symbolField(fields, 'symbol');
  const user = await requireUser(ctx.store.db, Number(merchant.id), uid);
  const coin = await requireMerchantCoin(ctx.store.db, merchant, symbol);
  const issued = await issueDepositAddress(ctx, { user, coin });
  return { uid, address: issued.address };
};

/** #6 A user's spendable and locked balance of a coin, and its deposit address ("" if none). */
export const getByUidAndSymbol: Handler<'getByUidAndSymbol'> = async (ctx, { merchant, fields }) => {
  const uid = uidField(fields, 'uid');
  const symbol = symbolField(fields, 'symbol');
  const merchantId = Number(merchant.id);
  await requireUser(ctx.store.db, merchantId, uid);
  const coin = await requireMerchantCoin(ctx.store.db, merchant, symbol);
  const balance = await readBalance(ctx.store.db, { kind: 'user', merchantId, uid, coinId: Number(coin.id) });
  const address = await findUserAddress(ctx.store.db, uid, coin.symbol);
  return {
    normal_balance: formatAmount(balance.normal, coin.decimals),
    lock_balance: formatAmount(balance.lock, coin.decimals),
    deposit_address: address?.address ?? '',
  };
};

/**
 * #7 The merchant's collection-account balance of a coin, its fee account (the withdrawal fees
 * its users paid in the coin) and their sum.
 */
export const getCompanyBySymbol: Handler<'getCompanyBySymbol'> = async (ctx, { merchant, fields }) => {
  const symbol = symbolField(fields, 'symbol');
  const coin = await requireMerchantCoin(ctx.store.db, merchant, symbol);
  const merchantId = Number(merchant.id);
  const coinId = Number(coin.id);
  const collection = await readBalance(ctx.store.db, collectionAccount(merchantId, coinId));
  const fees = await readBalance(ctx.store.db, feeAccount(merchantId, coinId));
  return {
    symbol: coin.symbol,
    balance: formatAmount(collection.normal, coin.decimals),
    fee_account_balance: formatAmount(fees.normal, coin.decimals),
    total_balance: formatAmount(collection.normal + fees.normal, coin.decimals),
  };
};

/** #19 Who owns a deposit address among this merchant's users; 110055 when it is not ours. */
export const getDepositAddressInfo: Handler<'getDepositAddressInfo'> = async (ctx, { merchant, fields }) => {
  const address = identifierField(fields, 'address', { max: depositAddressLengthMax });
  const owner = await findAddressOwner(ctx.store.db, Number(merchant.id), address);
  return { uid: owner.uid, symbol: owner.symbol, address: owner.address };
};
