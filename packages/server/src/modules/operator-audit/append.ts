import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { Db, Tx } from '../../store/tx.js';
import { boundedTarget, canonicalJson, entryHash, entryView, snapshotJson, type AuditEntryView, type OperatorEvent, type StoredEntry } from './entry.js';
import { insertAuditEntry, lockAuditHead, setAuditHead } from './repository.js';

async function appendIn(tx: Tx | Db, event: OperatorEvent): Promise<StoredEntry> {
  const head = await lockAuditHead(tx);
  const fields = {
    at: event.nowMs,
    operatorId: event.actor.operatorId,
    operatorName: event.actor.name,
    rolesJson: canonicalJson([...event.actor.roles]),
    action: event.action,
    target: boundedTarget(event.target),
    beforeJson: snapshotJson(event.before),
    afterJson: snapshotJson(event.after),
    outcome: event.outcome,
    errorCode: event.errorCode ?? null,
    sourceIp: event.actor.sourceIp,
    prevHash: head.lastHash,
  };
  const entry: StoredEntry = { id: head.lastId + 1, ...fields, hash: entryHash(fields) };
  await insertAuditEntry(tx, entry);
  await setAuditHead(tx, { lastId: entry.id, lastHash: entry.hash });
  return entry;
}

/**
 * Appends one entry to the operator audit trail. Given an open transaction, the entry commits
 * with it (an action and its entry together, or neither); given the database, it appends in a
 * transaction of its own. Either way the chain head row is locked first, so appenders in every
 * process on one database queue up and each entry links to the one before: the chain never forks.
 * For events that are not routes (a failed login, a policy decision), call this with the actor.
 */
export async function recordOperatorEvent(db: Db, event: OperatorEvent): Promise<AuditEntryView> {
  const entry = db.isTransaction ? await appendIn(db, event) : await (db as Kysely<Database>).transaction().execute((tx) => appendIn(tx, event));
  return entryView(entry);
}
