import { DepositStatus, WithdrawStatus } from '@openwaas/sdk';
import { CoinLookup } from '../modules/coins/index.js';
import { applyWithdrawalVerdict, type WithdrawalReleaseDeps } from '../modules/withdrawals/index.js';
import { kytBackoffDoublingsMax, kytBatchMax, kytCandidatesMax, kytLeaseTtlMs } from '../limits.js';
import { applyDepositVerdict, findDeposit, listAwaitingKytDepositIds, type DepositReviewContext } from '../modules/deposits/index.js';
import { screenDeposit, screenWithdrawal, type DepositScreeningContext, type KytVerdict, type WithdrawalScreeningContext } from '../modules/kyt/index.js';
import { findWithdrawal, listAwaitingKytWithdrawalIds } from '../modules/withdrawals/index.js';
import { holdLease } from './lease.js';

/** What the KYT loop reads: screening either side and applying the verdicts (the back-off's settings are in the configuration). */
export type KytTickDeps = DepositScreeningContext & WithdrawalScreeningContext & DepositReviewContext & WithdrawalReleaseDeps;

/** The lease one process holds to run the KYT loop. */
export const kytLeaseName = 'kyt';

/** When a record that got "pending" may be screened again: doubling delays, per process. */
interface Backoff {
  attempts: number;
  nextAtMs: number;
}

/** Back-off state per service context, keyed by its identity (tests run several services in one process). */
const backoffs = new WeakMap<object, Map<string, Backoff>>();

function backoffOf(ctx: object): Map<string, Backoff> {
  let map = backoffs.get(ctx);
  if (!map) backoffs.set(ctx, (map = new Map()));
  return map;
}

/** Records the outcome of one screening: a pending verdict pushes the next try back, anything else forgets the record. */
function noteOutcome(ctx: Pick<KytTickDeps, 'config'>, key: string, verdict: KytVerdict, nowMs: number): void {
  const map = backoffOf(ctx);
  if (verdict.outcome !== 'pending') {
    map.delete(key);
    return;
  }
  const { retryMinMs, retryMaxMs } = ctx.config.kyt;
  const attempts = (map.get(key)?.attempts ?? 0) + 1;
  const delay = Math.min(retryMaxMs, retryMinMs * 2 ** Math.min(attempts - 1, kytBackoffDoublingsMax));
  map.set(key, { attempts, nextAtMs: nowMs + delay });
}

/** Ids of waiting records due now (not in back-off), oldest first; forgets back-off of records no longer waiting. */
function dueIds(ctx: object, prefix: string, waiting: number[], nowMs: number): number[] {
  const map = backoffOf(ctx);
  if (waiting.length < kytCandidatesMax) {
    const still = new Set(waiting.map((id) => `${prefix}${id}`));
    for (const key of map.keys()) if (key.startsWith(prefix) && !still.has(key)) map.delete(key);
  }
  return waiting.filter((id) => (map.get(`${prefix}${id}`)?.nextAtMs ?? 0) <= nowMs).slice(0, kytBatchMax + 1);
}

/** After one record: go on, or end the round (provider unreachable, shutting down). */
type Step = 'continue' | 'stop';

const stepAfter = (verdict: KytVerdict, signal: AbortSignal): Step => (signal.aborted || (verdict.outcome === 'pending' && verdict.unavailable) ? 'stop' : 'continue');

function waitingWithdrawalIds(ctx: Pick<KytTickDeps, 'store'>): Promise<number[]> {
  return listAwaitingKytWithdrawalIds(ctx.store.db, kytCandidatesMax);
}

function waitingDepositIds(ctx: Pick<KytTickDeps, 'store'>): Promise<number[]> {
  return listAwaitingKytDepositIds(ctx.store.db, kytCandidatesMax);
}

/** Screens one withdrawal at 7 (outside any transaction) and applies the verdict (re-checked under its row lock). */
async function screenWaitingWithdrawal(ctx: KytTickDeps, coins: CoinLookup, id: number, signal: AbortSignal): Promise<Step> {
  const w = await findWithdrawal(ctx.store.db, id);
  if (!w || w.status !== WithdrawStatus.AwaitingKyt) return 'continue';
  const verdict = await screenWithdrawal(ctx, w, await coins.byIdOrThrow(Number(w.coin_id)), { signal });
  // Interrupted by shutdown: the verdict says nothing about the withdrawal.
  if (signal.aborted) return 'stop';
  noteOutcome(ctx, `w:${id}`, verdict, ctx.clock.nowMs());
  await applyWithdrawalVerdict(ctx, id, verdict);
  return stepAfter(verdict, signal);
}

/** Re-screens one deposit at 4 and applies the verdict (re-checked under its row lock). */
async function screenWaitingDeposit(ctx: DepositScreeningContext & DepositReviewContext, coins: CoinLookup, id: number, signal: AbortSignal): Promise<Step> {
  const d = await findDeposit(ctx.store.db, id);
  if (!d || d.status !== DepositStatus.AwaitingKyt) return 'continue';
  const verdict = await screenDeposit(ctx, d, await coins.byIdOrThrow(Number(d.coin_id)), { signal });
  if (signal.aborted) return 'stop';
  noteOutcome(ctx, `d:${id}`, verdict, ctx.clock.nowMs());
  await applyDepositVerdict(ctx, id, verdict);
  return stepAfter(verdict, signal);
}

/** Withdrawals first: a user waits for them; held deposits are already safe in suspense. */
const sides = [
  { prefix: 'w:', waiting: waitingWithdrawalIds, screen: screenWaitingWithdrawal },
  { prefix: 'd:', waiting: waitingDepositIds, screen: screenWaitingDeposit },
] as const;

/**
 * One round of the KYT loop (single leader: lease "kyt"). Screens withdrawals awaiting
 * screening (7): pass → 1 (the chain worker is woken to pay it), review → 8, pending → stays 7
 * and is asked again later with doubling delays (kyt.retryMinMs … retryMaxMs). Re-screens
 * deposits awaiting screening (4): pass → credited (1), review → 5, breaker → 6, pending →
 * stays 4. Each status change commits with its journal and notification; a record an operator
 * decided meanwhile is left alone. When the provider is unreachable the round stops early
 * instead of asking about every waiting record. Returns true when more is due at once.
 */
export async function kytTick(ctx: KytTickDeps, signal: AbortSignal): Promise<boolean> {
  if (!ctx.kyt) return false;
  const lease = () => holdLease(ctx.store, kytLeaseName, ctx.clock.nowMs(), kytLeaseTtlMs);
  if (!(await lease())) return false;
  const coins = new CoinLookup(ctx.store.db);
  let more = false;
  for (const side of sides) {
    const due = dueIds(ctx, side.prefix, await side.waiting(ctx), ctx.clock.nowMs());
    if (due.length > kytBatchMax) more = true;
    for (const id of due.slice(0, kytBatchMax)) {
      if (signal.aborted) return false;
      // Screening may be slow: make sure this process still leads before each record.
      if (!(await lease())) return false;
      if ((await side.screen(ctx, coins, id, signal)) === 'stop') return false;
    }
  }
  return more;
}
