import { addressCodec } from '../../chains/address-codec.js';
import type { ChainHandle } from '../../chains/registry.js';
import { PaymentRefusedError, type Payment } from '../../chains/adapter.js';
import type { SweepDeps, SweepPlanDeps, SweepThresholdDeps } from './deps.js';
import { parseAmount } from '../../money/amount.js';
import { CoinLookup, type CoinRecord } from '../coins/index.js';
import { sweepCandidatesPerTickMax, sweepsPerTickMax } from '../../limits.js';
import { inTransaction, type Db } from '../../store/tx.js';
import { lockChainAddress } from '../addresses/index.js';
import { prepareSequence, sendStoredTx, storeSigned, storeSignedTx, type OutgoingDraft } from '../chain-sends/index.js';
import { listSweepCandidates, markDepositsSwept } from '../deposits/index.js';
import { inFlightStates, quoteOf, tickView, topupDraft, topupFeeMultiple, type TickView } from './collection.js';
import { recordMinerFee } from './miner-fees.js';
import { sweepOutcomeHandler } from './outcome.js';
import { hasSweepInStates, insertSweep, updateSweep } from './repository.js';

/** One deposit address of this chain with unswept credited deposits. */
interface SweepSource {
  chainAddressId: number;
  address: string;
  merchantId: number;
  hdIndex: number;
  coinIds: number[];
}

/** The coin's sweep threshold in base units (config.sweepThresholds, decimal; 0 when not listed). */
function thresholdOf(ctx: SweepThresholdDeps, coin: CoinRecord): bigint {
  const text = ctx.config.sweepThresholds[coin.symbol];
  return text === undefined ? 0n : parseAmount(text, coin.decimals, `sweepThresholds.${coin.symbol}`);
}

/** True when `value` is at least chain.sweepMinGasMultiple × `feeMax`. */
function worthItsFee(chain: ChainHandle, value: bigint, feeMax: bigint): boolean {
  const hundredths = BigInt(Math.ceil(chain.config.sweepMinGasMultiple * 100));
  return value * 100n >= feeMax * hundredths;
}

/**
 * What an address holds of `token` that the sweep may take: its balance now, but never more
 * than it held `confirmations` deep (funds of unconfirmed deposits stay until they are final).
 */
async function sweepableBalance(chain: ChainHandle, address: string, token: string, confirmedBlock: number): Promise<bigint> {
  const [now, confirmed] = await Promise.all([chain.reader.balance(address, token), chain.reader.balance(address, token, confirmedBlock)]);
  return now < confirmed ? now : confirmed;
}

async function sweepSources(db: Db, chain: ChainHandle): Promise<SweepSource[]> {
  const rows = await listSweepCandidates(db, { chain: chain.id, busyStates: inFlightStates, limit: sweepCandidatesPerTickMax });
  const byAddress = new Map<number, SweepSource>();
  for (const r of rows) {
    let s = byAddress.get(r.chainAddressId);
    if (!s) byAddress.set(r.chainAddressId, (s = { chainAddressId: r.chainAddressId, address: r.address, merchantId: r.merchantId, hdIndex: r.hdIndex, coinIds: [] }));
    s.coinIds.push(r.coinId);
  }
  return [...byAddress.values()];
}

/**
 * Starts sweeps of deposit addresses whose credited deposits are not swept yet (at most one
 * per address; tokens first, so their gas is not swept away). Returns true when more may wait.
 */
export async function planSweeps(ctx: SweepPlanDeps, chain: ChainHandle, signal?: AbortSignal): Promise<boolean> {
  const db = ctx.store.db;
  const sources = await sweepSources(db, chain);
  if (sources.length === 0) return false;
  const view = await tickView(ctx, chain);
  const coins = new CoinLookup(db);
  let started = 0;
  for (const source of sources) {
    if (signal?.aborted || started >= sweepsPerTickMax) break;
    const sourceCoins: CoinRecord[] = [];
    for (const coinId of source.coinIds) sourceCoins.push(await coins.byIdOrThrow(coinId));
    const ordered = sourceCoins.sort((a, b) => Number(a.contract_address === '') - Number(b.contract_address === ''));
    for (const coin of ordered) {
      const outcome = await startSweep(ctx, chain, view, source, coin);
      if (outcome === 'started') {
        started += 1;
        break;
      }
      if (outcome === 'fee-wallet-low') return false;
    }
  }
  return started >= sweepsPerTickMax;
}

async function startSweep(ctx: SweepPlanDeps, chain: ChainHandle, view: TickView, source: SweepSource, coin: CoinRecord): Promise<'started' | 'skipped' | 'fee-wallet-low'> {
  const token = coin.contract_address;
  const confirmedBlock = Math.max(0, view.head - Math.max(1, coin.confirmations) + 1);
  const balance = await sweepableBalance(chain, source.address, token, confirmedBlock);
  if (balance <= 0n || balance < thresholdOf(ctx, coin)) return 'skipped';

  const payment: Payment = { role: { deposit: source.hdIndex }, from: source.address, to: chain.hotAddress, token, amount: balance };
  if (token === '') {
    // The whole balance less the most the fees can cost.
    const quote = await quoteOf(chain, payment);
    const value = balance - quote.feeMax;
    if (value <= 0n || !worthItsFee(chain, value, quote.feeMax)) return 'skipped';
    await prepareSequence(ctx, chain, source.address);
    await createSweep(ctx, chain, { source, coin, native: view.native, amount: value, confirmedBlock, state: 'sweep_pending' }, { purpose: 'sweep', payment: { ...payment, amount: value }, quote });
    return 'started';
  }

  let quote;
  try {
    quote = await quoteOf(chain, payment);
  } catch (error) {
    if (!(error instanceof PaymentRefusedError)) throw error;
    ctx.log.warn({ chain: chain.id, address: source.address, symbol: coin.symbol, err: error.message }, 'sweep skipped: the chain will not price the token transfer');
    return 'skipped';
  }
  const feeHeld = await chain.reader.balance(source.address, '');
  if (feeHeld >= quote.feeMax) {
    await prepareSequence(ctx, chain, source.address);
    await createSweep(ctx, chain, { source, coin, native: view.native, amount: balance, confirmedBlock, state: 'sweep_pending' }, { purpose: 'sweep', payment, quote });
    return 'started';
  }
  const topup = await topupDraft(ctx, chain, view, source.address, quote.feeMax * topupFeeMultiple - feeHeld);
  if (!topup) return 'fee-wallet-low';
  await prepareSequence(ctx, chain, chain.feeAddress);
  await createSweep(ctx, chain, { source, coin, native: view.native, amount: balance, confirmedBlock, state: 'topup_pending' }, topup);
  return 'started';
}

/**
 * In one transaction: the sweep row, its first transaction (top-up or sweep) signed and stored,
 * its miner-fee record, and the deposits it collects marked. Broadcasts after the commit.
 */
async function createSweep(
  ctx: SweepDeps,
  chain: ChainHandle,
  plan: { source: SweepSource; coin: CoinRecord; native: CoinRecord; amount: bigint; confirmedBlock: number; state: 'topup_pending' | 'sweep_pending' },
  draft: Omit<OutgoingDraft, 'refId'>,
): Promise<void> {
  const { source, coin } = plan;
  const signerAddress = addressCodec(chain.id).canonical(draft.payment.from);
  const row = await storeSigned(ctx, { chain: chain.id, address: signerAddress, what: `the ${draft.purpose} of ${source.address}` }, () => inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    // The candidate query saw no sweep of this address in flight; make sure no other process started
    // one since (the address row serialises concurrent sweepers).
    await lockChainAddress(tx, source.chainAddressId);
    if (await hasSweepInStates(tx, { chainAddressId: source.chainAddressId, states: inFlightStates })) return undefined;
    const sweepId = await insertSweep(tx, {
      chain: chain.id,
      merchant_id: source.merchantId,
      coin_id: Number(coin.id),
      chain_address_id: source.chainAddressId,
      address: source.address,
      amount: plan.amount,
      state: plan.state,
      topup_tx_id: null,
      sweep_tx_id: null,
      attempts: 0,
      last_error: '',
      created_at: nowMs,
      updated_at: nowMs,
    });
    const stored = await storeSignedTx(tx, ctx, chain, { ...draft, refId: sweepId });
    await updateSweep(tx, sweepId, draft.purpose === 'topup' ? { topup_tx_id: stored.id } : { sweep_tx_id: stored.id });
    await recordMinerFee(tx, { merchantId: source.merchantId, coin, baseSymbol: plan.native.symbol, amount: draft.purpose === 'topup' ? 0n : plan.amount, chainTx: stored, sweepId, nowMs });
    // Every on-chain deposit whose funds this balance holds (final at confirmedBlock) is collected by this sweep.
    await markDepositsSwept(tx, { sweepId, coinId: Number(coin.id), address: source.address, confirmedBlock: plan.confirmedBlock });
    return stored;
  }));
  if (!row) return;
  ctx.log.info({ chain: chain.id, address: source.address, symbol: coin.symbol, amount: plan.amount.toString(), step: draft.purpose, hash: row.hash }, 'sweep started');
  await sendStoredTx(ctx, chain, row, sweepOutcomeHandler(ctx));
}
