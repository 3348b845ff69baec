import { operatorAuditBatchMax } from '../../limits.js';
import type { Db } from '../../store/tx.js';
import { entryHash, genesisHash } from './entry.js';
import { auditEntriesAfter, readAuditHead } from './repository.js';

/** How the chain is broken at its first broken entry. */
export type ChainBreak =
  /** The entry's fields no longer give its hash. */
  | 'modified'
  /** Ids jump: entries are missing before this one, or after the last one (the head names more). */
  | 'deleted'
  /** The entry is intact but does not link to the one before it: moved, or one before it removed and the rest renumbered. */
  | 'reordered'
  /** The head row does not name the last entry. */
  | 'head';

export interface OperatorAuditVerdict {
  ok: boolean;
  /** Entries checked before the first break (all of them when ok). */
  entries: number;
  /** The last entry the head names. */
  head: { id: number; hash: string };
  /** The first broken entry, when not ok. */
  broken?: { id: number; kind: ChainBreak; detail: string };
}

/**
 * Walks the operator audit trail in id order, in pages (bounded memory), recomputing each
 * entry's hash and its link to the one before, and names the first broken entry.
 */
export async function verifyOperatorAudit(db: Db, onProgress?: (entriesRead: number) => void): Promise<OperatorAuditVerdict> {
  const head = await readAuditHead(db);
  let prevHash = genesisHash;
  let expectedId = 1;
  let checked = 0;
  const verdict = (broken?: OperatorAuditVerdict['broken']): OperatorAuditVerdict => ({
    ok: broken === undefined,
    entries: checked,
    head: { id: head.lastId, hash: head.lastHash },
    ...(broken ? { broken } : {}),
  });
  for (;;) {
    const page = await auditEntriesAfter(db, { afterId: expectedId - 1, limit: operatorAuditBatchMax });
    for (const e of page) {
      if (e.id !== expectedId) {
        const missing = e.id - 1 > expectedId ? `entries ${expectedId} to ${e.id - 1} are` : `entry ${expectedId} is`;
        return verdict({ id: expectedId, kind: 'deleted', detail: `${missing} missing: entry ${e.id} follows entry ${expectedId - 1}` });
      }
      const { id: _id, hash, ...fields } = e;
      if (entryHash(fields) !== hash) return verdict({ id: e.id, kind: 'modified', detail: `entry ${e.id} was changed: its fields do not give its hash` });
      if (e.prevHash !== prevHash) {
        return verdict({
          id: e.id,
          kind: 'reordered',
          detail: `entry ${e.id} does not follow entry ${e.id - 1}: entries were moved, or one before it removed and the rest renumbered`,
        });
      }
      prevHash = hash;
      expectedId += 1;
      checked += 1;
    }
    if (page.length > 0) onProgress?.(checked);
    if (page.length < operatorAuditBatchMax) break;
  }
  const lastId = expectedId - 1;
  if (head.lastId > lastId) {
    return verdict({ id: lastId + 1, kind: 'deleted', detail: `entries ${lastId + 1} to ${head.lastId} are missing: the chain head names entry ${head.lastId}` });
  }
  if (head.lastId !== lastId || head.lastHash !== prevHash) {
    return verdict({ id: lastId, kind: 'head', detail: `the chain head (entry ${head.lastId}) does not name the last entry (${lastId})` });
  }
  return verdict();
}
