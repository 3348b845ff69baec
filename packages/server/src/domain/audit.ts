import type { Db } from '../store/tx.js';

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

const batchSizeMax = 5_000;

/**
 * Checks the ledger: every journal balances per coin, every account's balances equal the sum
 * of its entries, and no account is negative but the external account, the chain mirror and a
 * collection account overdrawn by miner fees. Reads in bounded batches.
 */
export async function auditLedger(db: Db, onProgress?: (entriesRead: number) => void): Promise<AuditReport> {
  const findings: AuditFinding[] = [];
  const perAccount = new Map<number, { normal: bigint; lock: bigint }>();
  const perJournal = new Map<string, bigint>();
  let lastId = 0;
  let entries = 0;
  for (;;) {
    const batch = await db
      .selectFrom('entries')
      .select(['id', 'journal_id', 'account_id', 'coin_id', 'bucket', 'delta'])
      .where('id', '>', lastId)
      .orderBy('id')
      .limit(batchSizeMax)
      .execute();
    if (batch.length === 0) break;
    for (const e of batch) {
      const delta = BigInt(e.delta);
      const acc = perAccount.get(Number(e.account_id)) ?? { normal: 0n, lock: 0n };
      acc[e.bucket] += delta;
      perAccount.set(Number(e.account_id), acc);
      const jk = `${e.journal_id}:${e.coin_id}`;
      perJournal.set(jk, (perJournal.get(jk) ?? 0n) + delta);
    }
    entries += batch.length;
    lastId = Number(batch[batch.length - 1]!.id);
    onProgress?.(entries);
  }
  for (const [key, sum] of perJournal) {
    if (sum !== 0n) findings.push({ kind: 'unbalanced-journal', detail: `journal:coin ${key} sums to ${sum}` });
  }
  const accounts = await db.selectFrom('accounts').select(['id', 'kind', 'key', 'normal', 'lock']).execute();
  for (const a of accounts) {
    const sum = perAccount.get(Number(a.id)) ?? { normal: 0n, lock: 0n };
    const normal = BigInt(a.normal);
    const lock = BigInt(a.lock);
    if (normal !== sum.normal || lock !== sum.lock) {
      findings.push({ kind: 'balance-mismatch', detail: `account ${a.key}: stored ${normal}/${lock}, journal ${sum.normal}/${sum.lock}` });
    }
    // The external account and the chain mirror are negative by design; a collection account
    // may be overdrawn by billed miner fees (what the merchant owes), nothing else.
    const owesMinerFees = a.kind === 'collection' && normal < 0n && lock >= 0n;
    if (a.kind !== 'external' && a.kind !== 'chain' && !owesMinerFees && (normal < 0n || lock < 0n)) {
      findings.push({ kind: 'negative-balance', detail: `account ${a.key}: ${normal}/${lock}` });
    }
  }
  const journals = new Set([...perJournal.keys()].map((k) => k.split(':')[0])).size;
  return { journals, entries, accounts: accounts.length, findings };
}
