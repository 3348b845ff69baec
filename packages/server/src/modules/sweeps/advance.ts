import type { TxRequest } from '../../chains/adapter.js';
import { maxGasCost } from '../../chains/evm/fees.js';
import type { ChainHandle } from '../../chains/registry.js';
import type { ServiceContext } from '../../context.js';
import { CoinLookup } from '../coins/index.js';
import { sweepsPerTickMax } from '../../limits.js';
import type { Coin, Sweep } from '../../store/schema.js';
import { inTransaction } from '../../store/tx.js';
import { findChainAddressById } from '../addresses/index.js';
import { prepareNonce, RecordClaimLostError, sendStoredTx, storeSigned, storeSignedTx } from '../chain-sends/index.js';
import { nativeTransferGas, sweepStepFailed, tickView, topupDraft, topupGasMultiple, type TickView } from './collection.js';
import { recordMinerFee } from './miner-fees.js';
import { sweepOutcomeHandler } from './outcome.js';
import { listSweepsAwaitingSignature, updateSweepIf } from './repository.js';

/**
 * Moves sweeps on that wait for a transaction to be signed: a top-up (state topup) or the
 * sweep transaction itself (state sweep_pending without one: after its top-up confirmed, or a
 * failed attempt). Returns true when more may wait.
 */
export async function advanceSweeps(ctx: ServiceContext, chain: ChainHandle, signal?: AbortSignal): Promise<boolean> {
  const db = ctx.store.db;
  const due = await listSweepsAwaitingSignature(db, { chain: chain.id, limit: sweepsPerTickMax + 1 });
  if (due.length === 0) return false;
  const view = await tickView(ctx, chain);
  const coins = new CoinLookup(db);
  for (const sweep of due.slice(0, sweepsPerTickMax)) {
    if (signal?.aborted) break;
    const coin = await coins.byIdOrThrow(Number(sweep.coin_id));
    const address = await findChainAddressById(db, Number(sweep.chain_address_id));
    if (sweep.state === 'topup') await signTopup(ctx, chain, view, sweep, coin);
    else await signSweepTx(ctx, chain, view, sweep, coin, address.hdIndex);
  }
  return due.length > sweepsPerTickMax;
}

/** Signs and stores the gas top-up of a token sweep from the fee wallet, sized for the whole sweep (none when the address already holds enough gas). */
async function signTopup(ctx: ServiceContext, chain: ChainHandle, view: TickView, sweep: Sweep, coin: Coin): Promise<void> {
  const token = coin.contract_address;
  const request = chain.adapter.transferRequest(sweep.address, chain.hotAddress, token, BigInt(sweep.amount));
  const gasLimit = await chain.adapter.estimateGas(request);
  const gasHeld = await chain.adapter.balance(sweep.address, '');
  const needed = maxGasCost(gasLimit, view.fees) * topupGasMultiple - gasHeld;
  if (needed <= 0n) {
    await updateSweepIf(ctx.store.db, { id: Number(sweep.id), state: 'topup' }, { state: 'sweep_pending', sweep_tx_id: null, updated_at: ctx.clock.nowMs() });
    return;
  }
  const draft = await topupDraft(ctx, chain, view, sweep.address, needed);
  if (!draft) return;
  await prepareNonce(ctx, chain, chain.feeAddress);
  const stored = await storeSigned(ctx, { chain: chain.id, address: chain.feeAddress, what: `the gas top-up of sweep ${sweep.id}` }, () => inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const row = await storeSignedTx(tx, ctx, chain, { ...draft, refId: Number(sweep.id) });
    const moved = await updateSweepIf(tx, { id: Number(sweep.id), state: 'topup' }, { state: 'topup_pending', topup_tx_id: Number(row.id), updated_at: nowMs });
    if (!moved) throw new RecordClaimLostError(`sweep ${sweep.id} changed while its top-up was signed`);
    await recordMinerFee(tx, { merchantId: Number(sweep.merchant_id), coin, baseSymbol: view.native.symbol, amount: 0n, chainTx: row, sweepId: Number(sweep.id), nowMs });
    return row;
  }));
  if (stored) await sendStoredTx(ctx, chain, stored, sweepOutcomeHandler(ctx));
}

/** Signs and stores a sweep's transaction: what the address still holds of the planned amount, with the gas it holds. */
async function signSweepTx(ctx: ServiceContext, chain: ChainHandle, view: TickView, sweep: Sweep, coin: Coin, hdIndex: number): Promise<void> {
  const token = coin.contract_address;
  const held = await chain.adapter.balance(sweep.address, token);
  const planned = BigInt(sweep.amount);
  let request: TxRequest;
  let gasLimit: bigint;
  let fees = view.fees;
  let amount: bigint;
  if (token === '') {
    gasLimit = nativeTransferGas;
    // The planned value (or less, if gas of a failed attempt ate into it), the gas reserved beside it.
    const gasCost = maxGasCost(gasLimit, fees);
    amount = (held < planned + gasCost ? held : planned + gasCost) - gasCost;
    request = chain.adapter.transferRequest(sweep.address, chain.hotAddress, '', amount);
  } else {
    amount = held < planned ? held : planned;
    request = chain.adapter.transferRequest(sweep.address, chain.hotAddress, token, amount);
    gasLimit = amount > 0n ? await chain.adapter.estimateGas(request) : 0n;
  }
  if (amount <= 0n) {
    await inTransaction(ctx.store, (tx) => sweepStepFailed(tx, ctx, sweep, `nothing left to sweep at ${sweep.address}`, 'sweep_pending', ctx.clock.nowMs()));
    return;
  }
  if (token !== '') {
    // Pay what the address holds for gas: the top-up was sized with a margin, but fees move.
    const gasHeld = await chain.adapter.balance(sweep.address, '');
    if (gasHeld < maxGasCost(gasLimit, fees)) {
      const affordable = gasHeld / gasLimit;
      if (affordable <= view.baseFee) {
        await inTransaction(ctx.store, (tx) => sweepStepFailed(tx, ctx, sweep, `${sweep.address} holds too little gas (${gasHeld} wei): another top-up`, 'topup', ctx.clock.nowMs()));
        return;
      }
      fees = { maxFeePerGas: affordable, maxPriorityFeePerGas: fees.maxPriorityFeePerGas < affordable - view.baseFee ? fees.maxPriorityFeePerGas : affordable - view.baseFee };
    }
  }
  await prepareNonce(ctx, chain, sweep.address);
  const stored = await storeSigned(ctx, { chain: chain.id, address: sweep.address, what: `sweep ${sweep.id}` }, () => inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const row = await storeSignedTx(tx, ctx, chain, { purpose: 'sweep', refId: Number(sweep.id), role: { deposit: hdIndex }, request, gasLimit, fees });
    const moved = await updateSweepIf(tx, { id: Number(sweep.id), state: 'sweep_pending', withoutSweepTx: true }, { state: 'sweep_pending', sweep_tx_id: Number(row.id), amount: amount.toString(), updated_at: nowMs });
    if (!moved) throw new RecordClaimLostError(`sweep ${sweep.id} changed while its transaction was signed`);
    await recordMinerFee(tx, { merchantId: Number(sweep.merchant_id), coin, baseSymbol: view.native.symbol, amount, chainTx: row, sweepId: Number(sweep.id), nowMs });
    return row;
  }));
  if (!stored) return;
  ctx.log.info({ chain: chain.id, sweep: Number(sweep.id), hash: stored.hash, amount: amount.toString(), symbol: coin.symbol }, 'sweep transaction signed');
  await sendStoredTx(ctx, chain, stored, sweepOutcomeHandler(ctx));
}
