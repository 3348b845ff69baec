import assert from 'node:assert/strict';
import { createEvmClients, mine } from '../../src/chains/evm/client.js';
import { auditLedger } from '../../src/modules/ledger/index.js';
import { auditChainBalances, type ChainAuditReport } from '../../src/modules/audit/index.js';
import { evmChainId } from '../../src/keys/signer.js';
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
 * The chain audit once it can compare: on every chain of the service, the scanner has reached
 * the node's head as it was on the call, and no transaction the service sent is still open (in
 * flight). Between looks it mines a block on each chain, so sent transactions reach their
 * confirmations.
 */
export async function settledChainAudit(world: ChainWorld, options: SettleOptions = {}): Promise<ChainAuditReport> {
  const { ctx } = world.t;
  const chains = await Promise.all(
    [...ctx.chains.values()].map(async (chain) => {
      const { publicClient } = createEvmClients({ rpcUrl: chain.config.rpcUrl, chainId: evmChainId(chain.id), dev: true });
      return { id: chain.id, client: publicClient, head: Number(await publicClient.getBlockNumber()) };
    }),
  );
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  for (;;) {
    const cursors = await ctx.store.db.selectFrom('chain_cursors').select(['chain', 'scanned_height']).execute();
    const scanned = new Map(cursors.map((c) => [c.chain, Number(c.scanned_height)]));
    if (chains.every((c) => (scanned.get(c.id) ?? -1) >= c.head)) {
      const report = await auditChainBalances(ctx);
      if (!report.lines.some((l) => l.status === 'in-flight')) return report;
    }
    if (Date.now() > deadline) throw new Error('timed out waiting for a chain audit with the scanners at the head and nothing in flight');
    for (const c of chains) await mine(c.client, 1);
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
