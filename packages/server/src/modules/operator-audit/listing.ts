import { operatorAuditBatchMax, operatorAuditPageSizeMax } from '../../limits.js';
import type { Db } from '../../store/tx.js';
import { entryView, type AuditEntryView } from './entry.js';
import { auditEntriesAfter, type AuditEntryFilter } from './repository.js';

export type { AuditEntryFilter };

/** Entries per page unless the caller asks for another count. */
export const operatorAuditPageDefault = 100;

/** One page of the trail, oldest first: pass the last id seen as `afterId` for the next. */
export async function listOperatorAudit(db: Db, input: { filter?: AuditEntryFilter; afterId?: number; limit?: number } = {}): Promise<AuditEntryView[]> {
  const limit = Math.min(Math.max(input.limit ?? operatorAuditPageDefault, 1), operatorAuditPageSizeMax);
  const rows = await auditEntriesAfter(db, { afterId: input.afterId ?? 0, limit, ...(input.filter ? { filter: input.filter } : {}) });
  return rows.map(entryView);
}

/**
 * Writes every entry (matching `filter`) as one JSON line, oldest first, reading a page at a
 * time and waiting for `write` before the next: memory stays bounded whatever the trail's length.
 */
export async function exportOperatorAudit(db: Db, write: (line: string) => Promise<void> | void, filter?: AuditEntryFilter): Promise<number> {
  let afterId = 0;
  let written = 0;
  for (;;) {
    const page = await auditEntriesAfter(db, { afterId, limit: operatorAuditBatchMax, ...(filter ? { filter } : {}) });
    for (const e of page) {
      await write(`${JSON.stringify(entryView(e))}\n`);
      written += 1;
      afterId = e.id;
    }
    if (page.length < operatorAuditBatchMax) return written;
  }
}
