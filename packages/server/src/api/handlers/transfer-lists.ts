import { formatAmount } from '../../money/amount.js';
import { ApiError } from '../../errors/api-error.js';
import { CoinLookup } from '../../modules/coins/index.js';
import { listTransfersAfter as transfersAfter, listTransfersByIds as transfersByIds, type TransferRow } from '../../modules/transfers/index.js';
import { idsField, maxIdField, stringField } from '../fields.js';
import type { Handler } from '../handler.js';
import { idsTypeLengthMax } from '../../limits.js';
import { idsMax, pageSizeMax } from './common.js';

async function transferRecords(rows: TransferRow[], coins: CoinLookup) {
  const out = [];
  for (const t of rows) {
    const coin = await coins.byIdOrThrow(t.coin_id);
    out.push({
      id: t.id,
      symbol: t.symbol,
      amount: formatAmount(t.amount, coin.decimals),
      from: t.from_app_id,
      to: t.to_app_id,
      created_at: Number(t.created_at),
      request_id: t.request_id,
      receipt: t.receipt,
      remark: t.remark,
    });
  }
  return out;
}

/**
 * #16 Transfers by exact request_id (default) or receipt. A request_id is the sender's own key,
 * so it finds the transfers this merchant sent; a receipt finds either side's.
 */
export const transferList: Handler<'transferList'> = async (ctx, { merchant, fields }) => {
  const ids = idsField(fields, 'ids', { max: idsMax });
  const idsType = stringField(fields, 'ids_type', { max: idsTypeLengthMax, optional: true }) ?? 'request_id';
  if (idsType !== 'request_id' && idsType !== 'receipt') throw ApiError.invalid('ids_type', 'must be request_id or receipt');
  const rows = await transfersByIds(ctx.store.db, Number(merchant.id), { idsType, ids });
  return transferRecords(rows, new CoinLookup(ctx.store.db));
};

/** #17 Transfers this merchant sent or received with id > `max_id`, ascending, 100 at most. */
export const syncTransferList: Handler<'syncTransferList'> = async (ctx, { merchant, fields }) => {
  const rows = await transfersAfter(ctx.store.db, { merchantId: Number(merchant.id), maxId: maxIdField(fields), limit: pageSizeMax });
  return transferRecords(rows, new CoinLookup(ctx.store.db));
};
