/** Queries on chain_txs the deposits module needs (folded into chain-sends/repository.ts at merge). */
import type { Db } from '../../store/tx.js';

/** Outgoing transactions of `chain` signed, broadcast or mined but not final yet. */
export async function countChainTxsInFlight(db: Db, chain: string): Promise<number> {
  const row = await db
    .selectFrom('chain_txs')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('chain', '=', chain)
    .where('state', 'in', ['signed', 'broadcast', 'mined'])
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
