import type { Payment, PaymentQuote } from '../../chains/adapter.js';
import type { ChainHandle } from '../../chains/registry.js';
import { formatAmount } from '../../money/amount.js';
import type { SweepDeps, SweepReadDeps } from './deps.js';
import { chainTxErrorLengthMax, sweepAttemptsMax } from '../../limits.js';
import type { CoinRecord } from '../coins/index.js';
import type { SweepState } from '../../store/schema.js';
import type { Tx } from '../../store/tx.js';
import { AlertThrottle, listUnminedTxs, maxNativeSpend, type OutgoingDraft } from '../chain-sends/index.js';
import { nativeCoinOf } from './miner-fees.js';
import { updateSweep, type SweepRecord } from './repository.js';

/**
 * Collection: moving credited deposits from deposit addresses to the hot wallet (API.md §4).
 * Per deposit address and coin, when the balance reaches the coin's sweep threshold and (native
 * coin) is worth its gas. A token sweep from an address without gas first gets one top-up from
 * the fee wallet, sized for the whole sweep; the token transfer is signed only once that top-up
 * is confirmed. One sweep in flight per address (a native sweep would take a top-up's gas).
 * Every sweep and top-up transaction has a miner-fee record; its gas is billed to the
 * merchant's collection account when final (miner-fees.ts).
 *
 * States: topup (a top-up is to be signed) → topup_pending (signed, not confirmed) →
 * sweep_pending (the sweep transaction is to be signed, or signed and not final) → done;
 * failed after sweepAttemptsMax failed transactions (an operator retries it).
 * This file holds what planning, signing and settling share.
 */

/** A top-up carries this multiple of the sweep's most fees: fees may rise before the sweep is signed. */
export const topupFeeMultiple = 2n;

export const inFlightStates: SweepState[] = ['topup', 'topup_pending', 'sweep_pending'];
export const alerts = new AlertThrottle();
export const sweepFailingKey = (sweepId: number) => `sweep-failed:${sweepId}`;
export const sweepBroadcastKey = (sweepId: number) => `sweep-broadcast:${sweepId}`;
const feeWalletLowKey = (chain: string) => `fee-wallet-low:${chain}`;

/** What the sweeper knows about the chain this tick. */
export interface TickView {
  head: number;
  native: CoinRecord;
}

export async function tickView(ctx: SweepReadDeps, chain: ChainHandle): Promise<TickView> {
  const [head, native] = await Promise.all([chain.reader.headNumber(), nativeCoinOf(ctx.store.db, chain.id)]);
  return { head, native };
}

/** The quote of `payment`, which the caller makes without a fee budget: the payer always gives one. */
export async function quoteOf(chain: ChainHandle, payment: Payment): Promise<PaymentQuote> {
  const quote = await chain.payer.quote(payment);
  if (!quote) throw new Error(`the payer of ${chain.id} gave no quote without a fee budget`);
  return quote;
}

/** A top-up of `value` (native base units) from the fee wallet to `address`, or undefined (alert raised) when the fee wallet cannot pay it. */
export async function topupDraft(ctx: SweepDeps, chain: ChainHandle, view: TickView, address: string, value: bigint): Promise<Omit<OutgoingDraft, 'refId'> | undefined> {
  const payment: Payment = { role: 'fee', from: chain.feeAddress, to: address, token: '', amount: value };
  const quote = await quoteOf(chain, payment);
  const cost = value + quote.feeMax;
  const inFlight = await listUnminedTxs(ctx.store.db, { chain: chain.id, from: chain.feeAddress });
  const reserved = inFlight.reduce((sum, t) => sum + maxNativeSpend(t), 0n);
  const available = (await chain.reader.balance(chain.feeAddress, '')) - reserved;
  if (available < cost) {
    await alerts.raise(ctx, {
      kind: 'fee-wallet-low',
      key: feeWalletLowKey(chain.id),
      message: `fee wallet ${chain.feeAddress} on ${chain.id} cannot pay a gas top-up for a token sweep: needs ${formatAmount(cost, view.native.decimals)} ${view.native.symbol}, has ${formatAmount(available < 0n ? 0n : available, view.native.decimals)} ${view.native.symbol} available`,
    });
    return undefined;
  }
  await alerts.resolve(ctx, feeWalletLowKey(chain.id));
  return { purpose: 'topup', payment, quote };
}

/** Records a failed step: attempts + 1, the reason; 'failed' with an alert after sweepAttemptsMax. Inside the caller's transaction. */
export async function sweepStepFailed(tx: Tx, ctx: SweepDeps, sweep: SweepRecord, reason: string, retryState: SweepState, nowMs: number): Promise<void> {
  const attempts = sweep.attempts + 1;
  const failed = attempts >= sweepAttemptsMax;
  await updateSweep(tx, sweep.id, {
    attempts,
    last_error: reason.slice(0, chainTxErrorLengthMax),
    state: failed ? 'failed' : retryState,
    ...(retryState === 'sweep_pending' ? { sweep_tx_id: null } : {}),
    updated_at: nowMs,
  });
  if (failed) {
    await alerts.raise(ctx, {
      kind: 'sweep-failed',
      key: sweepFailingKey(sweep.id),
      message: `sweep ${sweep.id} of ${sweep.address} on ${sweep.chain} stopped after ${attempts} failed attempts: ${reason}`,
    }, tx);
  }
}
