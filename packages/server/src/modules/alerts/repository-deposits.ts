/** Queries on operator_alerts the deposits module needs (folded into alerts/repository.ts at merge). */
import type { Db } from '../../store/tx.js';

/** How many alerts are open (not resolved). */
export async function countOpenAlerts(db: Db): Promise<number> {
  const row = await db.selectFrom('operator_alerts').select((eb) => eb.fn.countAll<number | string>().as('n')).where('resolved_at', 'is', null).executeTakeFirst();
  return Number(row?.n ?? 0);
}
