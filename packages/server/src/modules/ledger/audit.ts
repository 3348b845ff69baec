import type { Db } from '../../store/tx.js';
import { auditEntriesBatchMax } from '../../limits.js';
import { entriesAfter, listAllAccounts } from './repository.js';

/** One discrepancy found by the audit. */
export interface AuditFinding {
  kind: 'unbalanced-journal' | 'balance-mismatch' | 'negative-balance';
  detail: string;
}

export interface AuditReport {
  journals: number;
  entries: number;
  accounts: number;
  findings: AuditFinding[];
}

/**
 * Checks the ledger: every journal balances per coin, every account's balances equal the sum
 * of its entries, and no account is negative but the external account, the chain mirror and a
 * collection account overdrawn by miner fees. Reads in bounded batches.
 */
export async function auditLedger(db: Db, onProgress?: (entriesRead: number) => void): Promise<AuditReport> {
  const findings: AuditFinding[] = [];
  const perAccount = new Map<number, { normal: bigint; lock: bigint }>();
  const perJournal = new Map<string, bigint>();
  const journalIds = new Set<number>();
  let lastId = 0;
  let entries = 0;
  for (;;) {
    const batch = await entriesAfter(db, { afterId: lastId, limit: auditEntriesBatchMax });
    if (batch.length === 0) break;
    for (const e of batch) {
      const acc = perAccount.get(e.accountId) ?? { normal: 0n, lock: 0n };
      acc[e.bucket] += e.delta;
      perAccount.set(e.accountId, acc);
      const jk = `${e.journalId}:${e.coinId}`;
      perJournal.set(jk, (perJournal.get(jk) ?? 0n) + e.delta);
      journalIds.add(e.journalId);
    }
    entries += batch.length;
    lastId = batch[batch.length - 1]!.id;
    onProgress?.(entries);
  }
  for (const [key, sum] of perJournal) {
    if (sum !== 0n) findings.push({ kind: 'unbalanced-journal', detail: `journal:coin ${key} sums to ${sum}` });
  }
  const accounts = await listAllAccounts(db);
  for (const a of accounts) {
    const sum = perAccount.get(a.id) ?? { normal: 0n, lock: 0n };
    if (a.normal !== sum.normal || a.lock !== sum.lock) {
      findings.push({ kind: 'balance-mismatch', detail: `account ${a.key}: stored ${a.normal}/${a.lock}, journal ${sum.normal}/${sum.lock}` });
    }
    // The external account and the chain mirror are negative by design; a collection account
    // may be overdrawn by billed miner fees (what the merchant owes), nothing else.
    const owesMinerFees = a.kind === 'collection' && a.normal < 0n && a.lock >= 0n;
    if (a.kind !== 'external' && a.kind !== 'chain' && !owesMinerFees && (a.normal < 0n || a.lock < 0n)) {
      findings.push({ kind: 'negative-balance', detail: `account ${a.key}: ${a.normal}/${a.lock}` });
    }
  }
  return { journals: journalIds.size, entries, accounts: accounts.length, findings };
}
