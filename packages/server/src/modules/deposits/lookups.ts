/** Single-deposit reads for the KYT loop, the sandbox and the circuit breaker. */
import { DepositStatus } from '@openwaas/sdk';
import type { DepositRecord } from './repository.js';
import type { Db } from '../../store/tx.js';
import * as repo from './repository.js';

/** Ids of deposits awaiting screening (status 4), oldest first, at most `limit` (the KYT loop's candidates). */
export function listAwaitingKytDepositIds(db: Db, limit: number): Promise<number[]> {
  return repo.listDepositIdsByStatus(db, { status: DepositStatus.AwaitingKyt, limit });
}

/** The deposit with `id`, if any. */
export function findDeposit(db: Db, id: number): Promise<DepositRecord | undefined> {
  return repo.findDeposit(db, id);
}

/** A deposit of transaction `txid` (as stored: lower-case hex on EVM), its id and status. */
export async function findDepositOfTransaction(db: Db, txid: string): Promise<{ id: number; status: number } | undefined> {
  const d = await repo.findDepositByTxid(db, txid);
  return d ? { id: Number(d.id), status: d.status } : undefined;
}

/** The circuit-breaker window of a deposit (see the repository): how many it holds. */
export function countBreakerWindow(db: Db, window: repo.BreakerWindow): Promise<number> {
  return repo.countBreakerWindow(db, window);
}

/** One page of the window's deposits, amounts in BigInt. */
export function pageBreakerWindow(db: Db, input: { window: repo.BreakerWindow; afterId: number; limit: number }): Promise<Array<{ id: number; amount: bigint }>> {
  return repo.pageBreakerWindow(db, input);
}
