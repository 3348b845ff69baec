import assert from 'node:assert/strict';
import { auditLedger } from '../../src/domain/audit.js';
import { auditChainBalances, type ChainAuditReport } from '../../src/domain/chain-audit.js';
import type { Db } from '../../src/store/tx.js';
import type { ChainWorld } from './chain-world.js';

/**
 * The two audits the chain tests end with: the ledger's own (double entry, no negative
 * balance), and the ledger against the chain (`openwaas audit --chain`): what every deposit,
 * hot and fee address holds on chain equals what the ledger says it holds.
 */

export interface SettleOptions {
  /** Drives a world whose workers are off (scan, broadcast…) between two looks. */
  settle?: () => Promise<void>;
  timeoutMs?: number;
}

/** Asserts that the ledger audit finds nothing. */
export async function assertLedgerClean(db: Db): Promise<void> {
  const report = await auditLedger(db);
  assert.deepEqual(report.findings, [], 'ledger audit is clean');
}

/**
 * The chain audit once it can compare: the scanner has reached the node's head as it was on
 * the call, and no transaction the service sent is still open (in flight). Between looks it
 * mines a block, so sent transactions reach their confirmations.
 */
export async function settledChainAudit(world: ChainWorld, options: SettleOptions = {}): Promise<ChainAuditReport> {
  const { ctx } = world.t;
  const head = Number(await world.client.getBlockNumber());
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const cursor = await ctx.store.db.selectFrom('chain_cursors').select('scanned_height').where('chain', '=', world.chain.id).executeTakeFirst();
    if (cursor && Number(cursor.scanned_height) >= head) {
      const report = await auditChainBalances(ctx);
      if (!report.lines.some((l) => l.status === 'in-flight')) return report;
    }
    if (Date.now() > deadline) throw new Error('timed out waiting for a chain audit with the scanner at the head and nothing in flight');
    await world.mine(1);
    await options.settle?.();
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Asserts both audits are clean: every asset of the chain compared and equal ('unreadable' is
 * a token with no contract on this node and nothing of it in the ledger: nothing to compare).
 */
export async function assertAuditsClean(world: ChainWorld, options: SettleOptions = {}): Promise<void> {
  await assertLedgerClean(world.t.ctx.store.db);
  const report = await settledChainAudit(world, options);
  assert.deepEqual(report.findings, [], 'chain audit is clean');
  assert.deepEqual(
    report.lines.filter((l) => l.status !== 'ok' && l.status !== 'unreadable').map((l) => `${l.symbol}: ${l.status}`),
    [],
    'every coin compared',
  );
}

/**
 * Per coin, what our addresses hold on chain minus what the ledger expects (0 everywhere when
 * clean; negative where funds left our addresses without the service).
 */
export async function chainAuditDifferences(world: ChainWorld, options: SettleOptions = {}): Promise<Record<string, bigint>> {
  const report = await settledChainAudit(world, options);
  return Object.fromEntries(report.lines.filter((l) => l.status !== 'unreadable').map((l) => [l.symbol, l.holdings - l.expected]));
}
