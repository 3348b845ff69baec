/** Queries on sweeps the deposits module needs (folded into sweeps/repository.ts at merge). */
import type { Db } from '../../store/tx.js';

/** Sweeps of `chain` neither done nor failed. */
export async function countSweepsInFlight(db: Db, chain: string): Promise<number> {
  const row = await db
    .selectFrom('sweeps')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('chain', '=', chain)
    .where('state', 'not in', ['done', 'failed'])
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}
