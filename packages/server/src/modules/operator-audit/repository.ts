/** The operator_audit and operator_audit_head tables: the only SQL that touches them. */
import type { Selectable } from 'kysely';
import type { OperatorAuditTable } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import type { StoredEntry } from './entry.js';

const fromRow = (r: Selectable<OperatorAuditTable>): StoredEntry => ({
  id: Number(r.id),
  at: Number(r.at),
  operatorId: Number(r.operator_id),
  operatorName: r.operator_name,
  rolesJson: r.roles,
  action: r.action,
  target: r.target,
  beforeJson: r.before_json,
  afterJson: r.after_json,
  outcome: r.outcome,
  errorCode: r.error_code,
  sourceIp: r.source_ip,
  prevHash: r.prev_hash,
  hash: r.hash,
});

/** The chain head, locked until the transaction `db` ends (PostgreSQL; SQLite's writer lock already serialises). */
export async function lockAuditHead(db: Db): Promise<{ lastId: number; lastHash: string }> {
  const row = await db.selectFrom('operator_audit_head').select(['last_id', 'last_hash']).where('id', '=', 1).forUpdate().executeTakeFirstOrThrow();
  return { lastId: Number(row.last_id), lastHash: row.last_hash };
}

/** The chain head as it stands. */
export async function readAuditHead(db: Db): Promise<{ lastId: number; lastHash: string }> {
  const row = await db.selectFrom('operator_audit_head').select(['last_id', 'last_hash']).where('id', '=', 1).executeTakeFirstOrThrow();
  return { lastId: Number(row.last_id), lastHash: row.last_hash };
}

export async function setAuditHead(db: Db, head: { lastId: number; lastHash: string }): Promise<void> {
  await db.updateTable('operator_audit_head').set({ last_id: head.lastId, last_hash: head.lastHash }).where('id', '=', 1).execute();
}

export async function insertAuditEntry(db: Db, e: StoredEntry): Promise<void> {
  await db
    .insertInto('operator_audit')
    .values({
      id: e.id,
      at: e.at,
      operator_id: e.operatorId,
      operator_name: e.operatorName,
      roles: e.rolesJson,
      action: e.action,
      target: e.target,
      before_json: e.beforeJson,
      after_json: e.afterJson,
      outcome: e.outcome,
      error_code: e.errorCode,
      source_ip: e.sourceIp,
      prev_hash: e.prevHash,
      hash: e.hash,
    })
    .execute();
}

/** Filters of a listing; every one optional. */
export interface AuditEntryFilter {
  operatorId?: number;
  action?: string;
  target?: string;
  outcome?: string;
  fromMs?: number;
  toMs?: number;
}

/** Entries with id above `afterId`, in chain order, at most `limit`, matching `filter`. */
export async function auditEntriesAfter(db: Db, input: { afterId: number; limit: number; filter?: AuditEntryFilter }): Promise<StoredEntry[]> {
  const f = input.filter ?? {};
  let q = db.selectFrom('operator_audit').selectAll().where('id', '>', input.afterId);
  if (f.operatorId !== undefined) q = q.where('operator_id', '=', f.operatorId);
  if (f.action !== undefined) q = q.where('action', '=', f.action);
  if (f.target !== undefined) q = q.where('target', '=', f.target);
  if (f.outcome !== undefined) q = q.where('outcome', '=', f.outcome);
  if (f.fromMs !== undefined) q = q.where('at', '>=', f.fromMs);
  if (f.toMs !== undefined) q = q.where('at', '<', f.toMs);
  const rows = await q.orderBy('id', 'asc').limit(input.limit).execute();
  return rows.map(fromRow);
}
