import type { Payment, PaymentQuote } from '../../chains/adapter.js';
import type { ChainHandle } from '../../chains/registry.js';
import type { SweepDeps } from './deps.js';
import { formatAmount } from '../../money/amount.js';
import { CoinLookup, type CoinRecord } from '../coins/index.js';
import { sweepsPerTickMax } from '../../limits.js';
import { inTransaction } from '../../store/tx.js';
import { findChainAddressById } from '../addresses/index.js';
import { prepareSequence, RecordClaimLostError, sendStoredTx, storeSigned, storeSignedTx } from '../chain-sends/index.js';
import { quoteOf, sweepStepFailed, tickView, topupDraft, topupFeeMultiple, type TickView } from './collection.js';
import { recordMinerFee } from './miner-fees.js';
import { sweepOutcomeHandler } from './outcome.js';
import { listSweepsAwaitingSignature, updateSweepIf, type SweepRecord } from './repository.js';

/**
 * Moves sweeps on that wait for a transaction to be signed: a top-up (state topup) or the
 * sweep transaction itself (state sweep_pending without one: after its top-up confirmed, or a
 * failed attempt). Returns true when more may wait.
 */
export async function advanceSweeps(ctx: SweepDeps, chain: ChainHandle, signal?: AbortSignal): Promise<boolean> {
  const db = ctx.store.db;
  const due = await listSweepsAwaitingSignature(db, { chain: chain.id, limit: sweepsPerTickMax + 1 });
  if (due.length === 0) return false;
  const view = await tickView(ctx, chain);
  const coins = new CoinLookup(db);
  for (const sweep of due.slice(0, sweepsPerTickMax)) {
    if (signal?.aborted) break;
    const coin = await coins.byIdOrThrow(sweep.coin_id);
    const address = await findChainAddressById(db, sweep.chain_address_id);
    if (sweep.state === 'topup') await signTopup(ctx, chain, view, sweep, coin, address.hdIndex);
    else await signSweepTx(ctx, chain, view, sweep, coin, address.hdIndex);
  }
  return due.length > sweepsPerTickMax;
}

/** Signs and stores the gas top-up of a token sweep from the fee wallet, sized for the whole sweep (none when the address already holds enough for its fees). */
async function signTopup(ctx: SweepDeps, chain: ChainHandle, view: TickView, sweep: SweepRecord, coin: CoinRecord, hdIndex: number): Promise<void> {
  const sweepQuote = await quoteOf(chain, sweepPayment(chain, sweep, hdIndex, coin.contract_address, sweep.amount));
  const feeHeld = await chain.reader.balance(sweep.address, '');
  const needed = sweepQuote.feeMax * topupFeeMultiple - feeHeld;
  if (needed <= 0n) {
    await updateSweepIf(ctx.store.db, { id: sweep.id, state: 'topup' }, { state: 'sweep_pending', sweep_tx_id: null, updated_at: ctx.clock.nowMs() });
    return;
  }
  const draft = await topupDraft(ctx, chain, view, sweep.address, needed);
  if (!draft) return;
  await prepareSequence(ctx, chain, chain.feeAddress);
  const stored = await storeSigned(ctx, { chain: chain.id, address: chain.feeAddress, what: `the gas top-up of sweep ${sweep.id}` }, () => inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const row = await storeSignedTx(tx, ctx, chain, { ...draft, refId: sweep.id });
    const moved = await updateSweepIf(tx, { id: sweep.id, state: 'topup' }, { state: 'topup_pending', topup_tx_id: row.id, updated_at: nowMs });
    if (!moved) throw new RecordClaimLostError(`sweep ${sweep.id} changed while its top-up was signed`);
    await recordMinerFee(tx, { merchantId: sweep.merchant_id, coin, baseSymbol: view.native.symbol, amount: 0n, chainTx: row, sweepId: sweep.id, nowMs });
    return row;
  }));
  if (stored) await sendStoredTx(ctx, chain, stored, sweepOutcomeHandler(ctx));
}

/** The payment of a sweep: `amount` of `token` from its deposit address to the hot wallet. */
function sweepPayment(chain: ChainHandle, sweep: SweepRecord, hdIndex: number, token: string, amount: bigint): Payment {
  return { role: { deposit: hdIndex }, from: sweep.address, to: chain.hotAddress, token, amount };
}

/** Signs and stores a sweep's transaction: what the address still holds of the planned amount, with the fees it can pay. */
async function signSweepTx(ctx: SweepDeps, chain: ChainHandle, view: TickView, sweep: SweepRecord, coin: CoinRecord, hdIndex: number): Promise<void> {
  const token = coin.contract_address;
  const held = await chain.reader.balance(sweep.address, token);
  const planned = sweep.amount;
  let quote: PaymentQuote | undefined;
  let amount: bigint;
  if (token === '') {
    quote = await quoteOf(chain, sweepPayment(chain, sweep, hdIndex, '', held));
    // The planned value (or less, if the fees of a failed attempt ate into it), the most fees reserved beside it.
    const feeMax = quote.feeMax;
    amount = (held < planned + feeMax ? held : planned + feeMax) - feeMax;
  } else {
    amount = held < planned ? held : planned;
    quote = amount > 0n ? await quoteOf(chain, sweepPayment(chain, sweep, hdIndex, token, amount)) : undefined;
  }
  if (amount <= 0n || !quote) {
    await inTransaction(ctx.store, (tx) => sweepStepFailed(tx, ctx, sweep, `nothing left to sweep at ${sweep.address}`, 'sweep_pending', ctx.clock.nowMs()));
    return;
  }
  const payment = sweepPayment(chain, sweep, hdIndex, token, amount);
  if (token !== '') {
    // Pay the fees the address holds: the top-up was sized with a margin, but fees move.
    const feeHeld = await chain.reader.balance(sweep.address, '');
    if (feeHeld < quote.feeMax) {
      quote = await chain.payer.quote(payment, { feeBudget: feeHeld });
      if (!quote) {
        await inTransaction(ctx.store, (tx) => sweepStepFailed(tx, ctx, sweep, `${sweep.address} holds too little for the fees (${formatAmount(feeHeld, view.native.decimals)} ${view.native.symbol}): another top-up`, 'topup', ctx.clock.nowMs()));
        return;
      }
    }
  }
  await prepareSequence(ctx, chain, sweep.address);
  const signedQuote = quote;
  const stored = await storeSigned(ctx, { chain: chain.id, address: sweep.address, what: `sweep ${sweep.id}` }, () => inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const row = await storeSignedTx(tx, ctx, chain, { purpose: 'sweep', refId: sweep.id, payment, quote: signedQuote });
    const moved = await updateSweepIf(tx, { id: sweep.id, state: 'sweep_pending', withoutSweepTx: true }, { state: 'sweep_pending', sweep_tx_id: row.id, amount, updated_at: nowMs });
    if (!moved) throw new RecordClaimLostError(`sweep ${sweep.id} changed while its transaction was signed`);
    await recordMinerFee(tx, { merchantId: sweep.merchant_id, coin, baseSymbol: view.native.symbol, amount, chainTx: row, sweepId: sweep.id, nowMs });
    return row;
  }));
  if (!stored) return;
  ctx.log.info({ chain: chain.id, sweep: sweep.id, hash: stored.hash, amount: amount.toString(), symbol: coin.symbol }, 'sweep transaction signed');
  await sendStoredTx(ctx, chain, stored, sweepOutcomeHandler(ctx));
}
