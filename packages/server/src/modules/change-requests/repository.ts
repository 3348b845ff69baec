/** The only SQL on change_requests and four_eyes_engaged. */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { ChangeRequestTable } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';

export type ChangeRequestRow = Selectable<ChangeRequestTable>;

export async function insertChangeRequest(db: Db, row: Insertable<ChangeRequestTable>): Promise<ChangeRequestRow> {
  return db.insertInto('change_requests').values(row).returningAll().executeTakeFirstOrThrow();
}

export async function findChangeRequest(db: Db, id: number): Promise<ChangeRequestRow | undefined> {
  return db.selectFrom('change_requests').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The request's row, locked (FOR UPDATE) for the rest of the caller's transaction: one decision at a time. */
export async function lockChangeRequest(db: Db, id: number): Promise<ChangeRequestRow | undefined> {
  return db.selectFrom('change_requests').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** Requests in id order after `afterId`, optionally of one state. */
export async function listChangeRequestRows(db: Db, filter: { state?: string; afterId: number; limit: number }): Promise<ChangeRequestRow[]> {
  let q = db.selectFrom('change_requests').selectAll().where('id', '>', filter.afterId);
  if (filter.state !== undefined) q = q.where('state', '=', filter.state);
  return q.orderBy('id', 'asc').limit(filter.limit).execute();
}

export async function updateChangeRequest(db: Db, id: number, patch: Updateable<ChangeRequestTable>): Promise<ChangeRequestRow> {
  return db.updateTable('change_requests').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow();
}

/** When four eyes were first engaged, or undefined while they never were. */
export async function findFourEyesEngagedAt(db: Db): Promise<number | undefined> {
  const row = await db.selectFrom('four_eyes_engaged').select('engaged_at').where('id', '=', 1).executeTakeFirst();
  return row === undefined ? undefined : Number(row.engaged_at);
}

/** Records the first engagement; a later call (another process, the same moment) keeps the first. */
export async function markFourEyesEngaged(db: Db, nowMs: number): Promise<void> {
  await db.insertInto('four_eyes_engaged').values({ id: 1, engaged_at: nowMs }).onConflict((oc) => oc.column('id').doNothing()).execute();
}

/** Change requests in `state`. */
export async function countChangeRequestsInState(db: Db, state: string): Promise<number> {
  const row = await db.selectFrom('change_requests').select((eb) => eb.fn.countAll<number | string>().as('n')).where('state', '=', state).executeTakeFirst();
  return Number(row?.n ?? 0);
}
