import { listIssuedAddresses } from '../../modules/addresses/index.js';
import { maxIdField } from '../fields.js';
import type { Handler } from '../handler.js';
import { pageSizeMax } from './common.js';

/** #20 Deposit addresses issued to the merchant's users with id > `max_id`, 100 at most. */
export const syncAddressList: Handler<'syncAddressList'> = async (ctx, { merchant, fields }) => {
  const maxId = maxIdField(fields);
  const rows = await listIssuedAddresses(ctx.store.db, Number(merchant.id), maxId, pageSizeMax);
  return rows.map((r) => ({ id: r.id, uid: r.uid, symbol: r.symbol, address: r.address }));
};
