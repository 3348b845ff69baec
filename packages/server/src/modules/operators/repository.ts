/** The operators and operator_tokens tables: the only SQL that touches them. */
import type { Insertable, Updateable } from 'kysely';
import type { OperatorTable, OperatorTokenTable } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import type { Selectable } from 'kysely';

export type OperatorRow = Selectable<OperatorTable>;
export type OperatorTokenRow = Selectable<OperatorTokenTable>;

export function insertOperator(db: Db, values: Insertable<OperatorTable>): Promise<OperatorRow> {
  return db.insertInto('operators').values(values).returningAll().executeTakeFirstOrThrow();
}

export function findOperatorByName(db: Db, name: string): Promise<OperatorRow | undefined> {
  return db.selectFrom('operators').selectAll().where('name', '=', name).executeTakeFirst();
}

/** The operator row, locked (FOR UPDATE) for the rest of the caller's transaction. */
export function lockOperatorByName(db: Db, name: string): Promise<OperatorRow | undefined> {
  return db.selectFrom('operators').selectAll().where('name', '=', name).forUpdate().executeTakeFirst();
}

export function listOperatorRows(db: Db): Promise<OperatorRow[]> {
  return db.selectFrom('operators').selectAll().orderBy('id').execute();
}

export async function updateOperator(db: Db, id: number, set: Updateable<OperatorTable>): Promise<void> {
  await db.updateTable('operators').set(set).where('id', '=', id).execute();
}

/** Names of enabled operators holding `role` (the bootstrap rule asks whether any admin exists). */
export async function enabledOperatorsWithRole(db: Db, role: string): Promise<string[]> {
  const rows = await db.selectFrom('operators').select(['name', 'roles']).where('disabled', '=', 0).execute();
  return rows.filter((r) => r.roles.split(',').includes(role)).map((r) => r.name);
}

export function insertToken(db: Db, values: Insertable<OperatorTokenTable>): Promise<OperatorTokenRow> {
  return db.insertInto('operator_tokens').values(values).returningAll().executeTakeFirstOrThrow();
}

/** The token with this hash and its operator. */
export function findTokenWithOperator(db: Db, hash: string) {
  return db
    .selectFrom('operator_tokens as t')
    .innerJoin('operators as o', 'o.id', 't.operator_id')
    .select(['t.id as token_id', 't.kind', 't.expires_at', 't.revoked_at', 'o.id as operator_id', 'o.name', 'o.roles', 'o.disabled'])
    .where('t.token_hash', '=', hash)
    .executeTakeFirst();
}

/** Live tokens (not revoked, not expired) of one operator, oldest first. */
export function liveTokensOf(db: Db, operatorId: number, nowMs: number): Promise<OperatorTokenRow[]> {
  return db.selectFrom('operator_tokens').selectAll().where('operator_id', '=', operatorId).where('revoked_at', 'is', null).where('expires_at', '>', nowMs).orderBy('id').execute();
}

/** API tokens (every operator's, or one's), newest first, at most `limit`. */
export function listApiTokenRows(db: Db, options: { operatorId?: number; limit: number }) {
  let q = db
    .selectFrom('operator_tokens as t')
    .innerJoin('operators as o', 'o.id', 't.operator_id')
    .select(['t.id', 'o.name', 't.created_at', 't.expires_at', 't.revoked_at'])
    .where('t.kind', '=', 'api');
  if (options.operatorId !== undefined) q = q.where('t.operator_id', '=', options.operatorId);
  return q.orderBy('t.id', 'desc').limit(options.limit).execute();
}

export function findTokenById(db: Db, id: number): Promise<OperatorTokenRow | undefined> {
  return db.selectFrom('operator_tokens').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Revokes tokens by id (those not revoked yet); returns how many it revoked. */
export async function revokeTokensById(db: Db, ids: number[], nowMs: number): Promise<number> {
  if (ids.length === 0) return 0;
  const result = await db.updateTable('operator_tokens').set({ revoked_at: nowMs }).where('id', 'in', ids).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Deletes an operator's session rows that ended (expired or revoked) before `endedBeforeMs`; API token rows stay listed. */
export async function deleteEndedSessionsOf(db: Db, operatorId: number, endedBeforeMs: number): Promise<number> {
  const result = await db
    .deleteFrom('operator_tokens')
    .where('operator_id', '=', operatorId)
    .where('kind', '=', 'session')
    .where((eb) => eb.or([eb('expires_at', '<', endedBeforeMs), eb('revoked_at', '<', endedBeforeMs)]))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}

/** Revokes every token of an operator (disable, reset). */
export async function revokeTokensOf(db: Db, operatorId: number, nowMs: number): Promise<number> {
  const result = await db.updateTable('operator_tokens').set({ revoked_at: nowMs }).where('operator_id', '=', operatorId).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
