import type { MinerFeeRecord, TxidType } from '@openwaas/sdk';
import { CoinLookup } from '../../modules/coins/index.js';
import { depositsAfter, depositsByIds } from '../../modules/deposits/index.js';
import { minerFeesAfter, minerFeesByIds } from '../../modules/sweeps/index.js';
import { withdrawalsAfter, withdrawalsByRequestIds } from '../../modules/withdrawals/index.js';
import { depositRecord, minerFeeRecord, primeEmails, withdrawRecord } from '../../modules/records/index.js';
import { idsField, maxIdField, numericIds } from '../fields.js';
import type { Handler } from '../handler.js';
import { idsMax, pageSizeMax } from './common.js';

/** Formats rows in order, sharing one coin cache per request. */
async function formatAll<R, O>(rows: R[], format: (row: R, coins: CoinLookup) => Promise<O>, coins: CoinLookup): Promise<O[]> {
  const out: O[] = [];
  for (const row of rows) out.push(await format(row, coins));
  return out;
}

/** Withdrawals and deposits name their users' emails: read in one query first, not one per record. */
async function formatUserRecords<R extends { uid: number }, O>(rows: R[], format: (row: R, coins: CoinLookup) => Promise<O>, coins: CoinLookup): Promise<O[]> {
  await primeEmails(coins, rows.map((r) => r.uid));
  return formatAll(rows, format, coins);
}

/**
 * A miner-fee record with its `txid_type` narrowed to the wire's two values: the column is
 * plain text, only ever written "0" (on-chain) or "1" (internal).
 */
async function minerFeeWire(row: Parameters<typeof minerFeeRecord>[0], coins: CoinLookup): Promise<MinerFeeRecord> {
  const record = await minerFeeRecord(row, coins);
  const txidType = record.txid_type;
  if (txidType !== '0' && txidType !== '1') throw new Error(`miner fee ${record.id}: unexpected txid_type ${JSON.stringify(txidType)}`);
  return { ...record, txid_type: txidType satisfies `${TxidType}` };
}

/** #9 Withdrawals with id > `max_id`, ascending, 100 at most. */
export const syncWithdrawList: Handler<'syncWithdrawList'> = async (ctx, { merchant, fields }) => {
  const rows = await withdrawalsAfter(ctx.store.db, { merchantId: Number(merchant.id), maxId: maxIdField(fields), limit: pageSizeMax });
  return formatUserRecords(rows, withdrawRecord, new CoinLookup(ctx.store.db));
};

/** #10 Withdrawals by exact request_id (`ids`, ≤ 100). Unknown ids are left out. */
export const withdrawList: Handler<'withdrawList'> = async (ctx, { merchant, fields }) => {
  const rows = await withdrawalsByRequestIds(ctx.store.db, Number(merchant.id), idsField(fields, 'ids', { max: idsMax }));
  return formatUserRecords(rows, withdrawRecord, new CoinLookup(ctx.store.db));
};

/** #11 Deposits with id > `max_id`, ascending, 100 at most. */
export const syncDepositList: Handler<'syncDepositList'> = async (ctx, { merchant, fields }) => {
  const rows = await depositsAfter(ctx.store.db, { merchantId: Number(merchant.id), maxId: maxIdField(fields), limit: pageSizeMax });
  return formatUserRecords(rows, depositRecord, new CoinLookup(ctx.store.db));
};

/** #12 Deposits by id (`ids`, ≤ 100). */
export const depositList: Handler<'depositList'> = async (ctx, { merchant, fields }) => {
  const rows = await depositsByIds(ctx.store.db, Number(merchant.id), numericIds(idsField(fields, 'ids', { max: idsMax })));
  return formatUserRecords(rows, depositRecord, new CoinLookup(ctx.store.db));
};

/** #13 Collection miner-fee records with id > `max_id`, ascending, 100 at most. */
export const syncMinerFeeList: Handler<'syncMinerFeeList'> = async (ctx, { merchant, fields }) => {
  const rows = await minerFeesAfter(ctx.store.db, { merchantId: Number(merchant.id), maxId: maxIdField(fields), limit: pageSizeMax });
  return formatAll(rows, minerFeeWire, new CoinLookup(ctx.store.db));
};

/** #14 Miner-fee records by id (`ids`, ≤ 100). */
export const minerFeeList: Handler<'minerFeeList'> = async (ctx, { merchant, fields }) => {
  const rows = await minerFeesByIds(ctx.store.db, Number(merchant.id), numericIds(idsField(fields, 'ids', { max: idsMax })));
  return formatAll(rows, minerFeeWire, new CoinLookup(ctx.store.db));
};
