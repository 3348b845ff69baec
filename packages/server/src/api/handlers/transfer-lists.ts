import { formatAmount } from '../../domain/amount.js';
import { ApiError } from '../../domain/api-error.js';
import { CoinLookup } from '../../domain/coins.js';
import type { Db } from '../../store/tx.js';
import { idsField, maxIdField, stringField } from '../fields.js';
import type { Handler } from '../handler.js';
import { idsMax, pageSizeMax } from './common.js';

/** Transfers joined with both merchants' app_ids. */
function transfersQuery(db: Db) {
  return db
    .selectFrom('transfers')
    .innerJoin('merchants as sender', 'sender.id', 'transfers.from_merchant_id')
    .innerJoin('merchants as receiver', 'receiver.id', 'transfers.to_merchant_id')
    .select([
      'transfers.id',
      'transfers.coin_id',
      'transfers.symbol',
      'transfers.amount',
      'transfers.created_at',
      'transfers.request_id',
      'transfers.receipt',
      'transfers.remark',
      'transfers.from_merchant_id',
      'transfers.to_merchant_id',
      'sender.app_id as from_app_id',
      'receiver.app_id as to_app_id',
    ]);
}

type TransferRow = Awaited<ReturnType<ReturnType<typeof transfersQuery>['execute']>>[number];

async function transferRecords(rows: TransferRow[], coins: CoinLookup) {
  const out = [];
  for (const t of rows) {
    const coin = await coins.byIdOrThrow(Number(t.coin_id));
    out.push({
      id: Number(t.id),
      symbol: t.symbol,
      amount: formatAmount(BigInt(t.amount), coin.decimals),
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
 * #16 Transfers by request_id (default) or receipt. A request_id is the sender's own key, so
 * it finds the transfers this merchant sent; a receipt finds either side's.
 */
export const transferList: Handler = async (ctx, { merchant, fields }) => {
  const ids = idsField(fields, 'ids', { max: idsMax });
  const idsType = stringField(fields, 'ids_type', { max: 16, optional: true }) ?? 'request_id';
  if (idsType !== 'request_id' && idsType !== 'receipt') throw ApiError.invalid('ids_type', 'must be request_id or receipt');
  const merchantId = Number(merchant.id);
  const db = ctx.store.db;
  let query = transfersQuery(db);
  if (idsType === 'request_id') {
    query = query.where('transfers.from_merchant_id', '=', merchantId).where('transfers.request_id', 'in', ids);
  } else {
    query = query
      .where((eb) => eb.or([eb('transfers.from_merchant_id', '=', merchantId), eb('transfers.to_merchant_id', '=', merchantId)]))
      .where('transfers.receipt', 'in', ids);
  }
  const rows = await query.orderBy('transfers.id').execute();
  return transferRecords(rows, new CoinLookup(db));
};

/** #17 Transfers this merchant sent or received with id > `max_id`, ascending, 100 at most. */
export const syncTransferList: Handler = async (ctx, { merchant, fields }) => {
  const maxId = maxIdField(fields);
  const merchantId = Number(merchant.id);
  const db = ctx.store.db;
  const rows = await transfersQuery(db)
    .where((eb) => eb.or([eb('transfers.from_merchant_id', '=', merchantId), eb('transfers.to_merchant_id', '=', merchantId)]))
    .where('transfers.id', '>', maxId)
    .orderBy('transfers.id')
    .limit(pageSizeMax)
    .execute();
  return transferRecords(rows, new CoinLookup(db));
};
