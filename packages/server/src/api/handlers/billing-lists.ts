import { CoinLookup } from '../../domain/coins.js';
import { depositRecord, minerFeeRecord, withdrawRecord } from '../../domain/records.js';
import { idsField, maxIdField, numericIds } from '../fields.js';
import type { Handler } from '../handler.js';
import { idsMax, pageSizeMax } from './common.js';

/** Formats rows in order, sharing one coin cache per request. */
async function formatAll<R, O>(rows: R[], format: (row: R, coins: CoinLookup) => Promise<O>, coins: CoinLookup): Promise<O[]> {
  const out: O[] = [];
  for (const row of rows) out.push(await format(row, coins));
  return out;
}

/** #9 Withdrawals with id > `max_id`, ascending, 100 at most. */
export const syncWithdrawList: Handler = async (ctx, { merchant, fields }) => {
  const maxId = maxIdField(fields);
  const db = ctx.store.db;
  const rows = await db.selectFrom('withdrawals').selectAll().where('merchant_id', '=', Number(merchant.id)).where('id', '>', maxId).orderBy('id').limit(pageSizeMax).execute();
  return formatAll(rows, withdrawRecord, new CoinLookup(db));
};

/** #10 Withdrawals by request_id (`ids`, ≤ 100). Unknown ids are left out. */
export const withdrawList: Handler = async (ctx, { merchant, fields }) => {
  const ids = idsField(fields, 'ids', { max: idsMax });
  const db = ctx.store.db;
  const rows = await db.selectFrom('withdrawals').selectAll().where('merchant_id', '=', Number(merchant.id)).where('request_id', 'in', ids).orderBy('id').execute();
  return formatAll(rows, withdrawRecord, new CoinLookup(db));
};

/** #11 Deposits with id > `max_id`, ascending, 100 at most. */
export const syncDepositList: Handler = async (ctx, { merchant, fields }) => {
  const maxId = maxIdField(fields);
  const db = ctx.store.db;
  const rows = await db.selectFrom('deposits').selectAll().where('merchant_id', '=', Number(merchant.id)).where('id', '>', maxId).orderBy('id').limit(pageSizeMax).execute();
  return formatAll(rows, depositRecord, new CoinLookup(db));
};

/** #12 Deposits by id (`ids`, ≤ 100). */
export const depositList: Handler = async (ctx, { merchant, fields }) => {
  const ids = numericIds(idsField(fields, 'ids', { max: idsMax }));
  const db = ctx.store.db;
  const rows = await db.selectFrom('deposits').selectAll().where('merchant_id', '=', Number(merchant.id)).where('id', 'in', ids).orderBy('id').execute();
  return formatAll(rows, depositRecord, new CoinLookup(db));
};

/** #13 Collection miner-fee records with id > `max_id`, ascending, 100 at most. */
export const syncMinerFeeList: Handler = async (ctx, { merchant, fields }) => {
  const maxId = maxIdField(fields);
  const db = ctx.store.db;
  const rows = await db.selectFrom('miner_fees').selectAll().where('merchant_id', '=', Number(merchant.id)).where('id', '>', maxId).orderBy('id').limit(pageSizeMax).execute();
  return formatAll(rows, minerFeeRecord, new CoinLookup(db));
};

/** #14 Miner-fee records by id (`ids`, ≤ 100). */
export const minerFeeList: Handler = async (ctx, { merchant, fields }) => {
  const ids = numericIds(idsField(fields, 'ids', { max: idsMax }));
  const db = ctx.store.db;
  const rows = await db.selectFrom('miner_fees').selectAll().where('merchant_id', '=', Number(merchant.id)).where('id', 'in', ids).orderBy('id').execute();
  return formatAll(rows, minerFeeRecord, new CoinLookup(db));
};
