import { feesWithinCap, maxGasCost, type TxFees } from '../../chains/evm/fees.js';
import type { ChainHandle } from '../../chains/registry.js';
import type { ServiceContext } from '../../context.js';
import { chainTxErrorLengthMax, sweepAttemptsMax } from '../../limits.js';
import type { Coin, Sweep, SweepState } from '../../store/schema.js';
import type { Tx } from '../../store/tx.js';
import { AlertThrottle, listUnminedTxs, maxNativeSpend, type OutgoingDraft } from '../chain-sends/index.js';
import { nativeCoinOf } from './miner-fees.js';
import { updateSweep } from './repository.js';

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

/** A top-up carries this multiple of the sweep's gas cost: fees may rise before the sweep is signed. */
export const topupGasMultiple = 2n;
/** Gas of a plain native transfer to the hot wallet (an externally owned account). */
export const nativeTransferGas = 21_000n;

export const inFlightStates: SweepState[] = ['topup', 'topup_pending', 'sweep_pending'];
export const alerts = new AlertThrottle();
export const sweepFailingKey = (sweepId: number) => `sweep-failed:${sweepId}`;
export const sweepBroadcastKey = (sweepId: number) => `sweep-broadcast:${sweepId}`;
const feeWalletLowKey = (chain: string) => `fee-wallet-low:${chain}`;

/** What the sweeper knows about the chain this tick. */
export interface TickView {
  head: number;
  fees: TxFees;
  baseFee: bigint;
  native: Coin;
}

export async function tickView(ctx: ServiceContext, chain: ChainHandle): Promise<TickView> {
  const [head, quote, native] = await Promise.all([chain.adapter.headNumber(), chain.adapter.feeQuote(), nativeCoinOf(ctx.store.db, chain.id)]);
  return { head, fees: feesWithinCap(quote, BigInt(chain.config.maxFeePerGasCap)), baseFee: quote.baseFeePerGas, native };
}

/** A top-up of `value` wei from the fee wallet to `address`, or undefined (alert raised) when the fee wallet cannot pay it. */
export async function topupDraft(ctx: ServiceContext, chain: ChainHandle, view: TickView, address: string, value: bigint): Promise<Omit<OutgoingDraft, 'refId'> | undefined> {
  const request = chain.adapter.transferRequest(chain.feeAddress, address, '', value);
  const cost = value + maxGasCost(nativeTransferGas, view.fees);
  const inFlight = await listUnminedTxs(ctx.store.db, { chain: chain.id, from: chain.feeAddress });
  const reserved = inFlight.reduce((sum, t) => sum + maxNativeSpend(t), 0n);
  const available = (await chain.adapter.balance(chain.feeAddress, '')) - reserved;
  if (available < cost) {
    await alerts.raise(ctx, {
      kind: 'fee-wallet-low',
      key: feeWalletLowKey(chain.id),
      message: `fee wallet ${chain.feeAddress} on ${chain.id} cannot pay a gas top-up for a token sweep: needs ${cost} wei, has ${available < 0n ? 0n : available} wei available`,
    });
    return undefined;
  }
  await alerts.resolve(ctx, feeWalletLowKey(chain.id));
  return { purpose: 'topup', role: 'fee', request, gasLimit: nativeTransferGas, fees: view.fees };
}

/** Records a failed step: attempts + 1, the reason; 'failed' with an alert after sweepAttemptsMax. Inside the caller's transaction. */
export async function sweepStepFailed(tx: Tx, ctx: ServiceContext, sweep: Sweep, reason: string, retryState: SweepState, nowMs: number): Promise<void> {
  const attempts = sweep.attempts + 1;
  const failed = attempts >= sweepAttemptsMax;
  await updateSweep(tx, Number(sweep.id), {
    attempts,
    last_error: reason.slice(0, chainTxErrorLengthMax),
    state: failed ? 'failed' : retryState,
    ...(retryState === 'sweep_pending' ? { sweep_tx_id: null } : {}),
    updated_at: nowMs,
  });
  if (failed) {
    await alerts.raise(ctx, {
      kind: 'sweep-failed',
      key: sweepFailingKey(Number(sweep.id)),
      message: `sweep ${sweep.id} of ${sweep.address} on ${sweep.chain} stopped after ${attempts} failed attempts: ${reason}`,
    }, tx);
  }
}
