import { DepositStatus } from '@openwaas/sdk';
import type { TxRequest } from '../chains/adapter.js';
import { feesWithinCap, maxGasCost, type TxFees } from '../chains/outgoing.js';
import { addressCodec } from '../chains/address-codec.js';
import type { ChainHandle } from '../chains/registry.js';
import type { ServiceContext } from '../context.js';
import type { ChainTx, Coin, Sweep, SweepState } from '../store/schema.js';
import { inTransaction, type Db, type Tx } from '../store/tx.js';
import { parseAmount } from './amount.js';
import { AlertThrottle, storeSigned } from './chain-withdrawals.js';
import { nativeCoinOf, minerFeeMined, recordMinerFee, settleMinerFee } from './miner-fees.js';
import { prepareNonce, RecordClaimLostError, sendStoredTx, storeSignedTx, type OutcomeHandler, type OutgoingDraft, type TxOutcome } from './outgoing-txs.js';

/**
 * Collection: moving credited deposits from deposit addresses to the hot wallet (API.md §4).
 * Per deposit address and coin, when the balance reaches the coin's sweep threshold and (native
 * coin) is worth its gas. A token sweep from an address without gas first gets one top-up from
 * the fee wallet, sized for the whole sweep; the token transfer is signed only once that top-up
 * is confirmed. One sweep in flight per address (a native sweep would take a top-up's gas).
 * Every sweep and top-up transaction has a miner-fee record; its gas is billed to the
 * merchant's collection account when final (domain/miner-fees.ts).
 *
 * States: topup (a top-up is to be signed) → topup_pending (signed, not confirmed) →
 * sweep_pending (the sweep transaction is to be signed, or signed and not final) → done;
 * failed after sweepAttemptsMax failed transactions (an operator retries it).
 */

/** New sweeps started per tick. */
const sweepsPerTickMax = 20;
/** Deposit addresses with unswept credited deposits looked at per tick. */
const candidatesPerTickMax = 200;
/** Failed transactions (reverted, dropped) after which a sweep stops and alerts. */
export const sweepAttemptsMax = 3;
/** A top-up carries this multiple of the sweep's gas cost: fees may rise before the sweep is signed. */
const topupGasMultiple = 2n;
/** Gas of a plain native transfer to the hot wallet (an externally owned account). */
const nativeTransferGas = 21_000n;

const inFlightStates: SweepState[] = ['topup', 'topup_pending', 'sweep_pending'];
const alerts = new AlertThrottle();
const sweepFailingKey = (sweepId: number) => `sweep-failed:${sweepId}`;
const feeWalletLowKey = (chain: string) => `fee-wallet-low:${chain}`;

/** One deposit address of this chain with unswept credited deposits. */
interface SweepSource {
  chainAddressId: number;
  address: string;
  merchantId: number;
  hdIndex: number;
  coinIds: number[];
}

/** What the sweeper knows about the chain this tick. */
interface TickView {
  head: number;
  fees: TxFees;
  baseFee: bigint;
  native: Coin;
}

/** The coin's sweep threshold in base units (config.sweepThresholds, decimal; 0 when not listed). */
function thresholdOf(ctx: ServiceContext, coin: Coin): bigint {
  const text = ctx.config.sweepThresholds[coin.symbol];
  return text === undefined ? 0n : parseAmount(text, coin.decimals, `sweepThresholds.${coin.symbol}`);
}

/** True when `value` is at least chain.sweepMinGasMultiple × `gasCost`. */
function worthItsGas(chain: ChainHandle, value: bigint, gasCost: bigint): boolean {
  const hundredths = BigInt(Math.ceil(chain.config.sweepMinGasMultiple * 100));
  return value * 100n >= gasCost * hundredths;
}

/**
 * What an address holds of `token` that the sweep may take: its balance now, but never more
 * than it held `confirmations` deep (funds of unconfirmed deposits stay until they are final).
 */
async function sweepableBalance(chain: ChainHandle, address: string, token: string, confirmedBlock: number): Promise<bigint> {
  const [now, confirmed] = await Promise.all([chain.adapter.balance(address, token), chain.adapter.balance(address, token, confirmedBlock)]);
  return now < confirmed ? now : confirmed;
}

async function sweepSources(db: Db, chain: ChainHandle): Promise<SweepSource[]> {
  const rows = await db
    .selectFrom('deposits as d')
    .innerJoin('chain_addresses as a', (j) => j.onRef('a.address', '=', 'd.address_to').on('a.chain', '=', chain.id))
    .innerJoin('coins as c', (j) => j.onRef('c.id', '=', 'd.coin_id').on('c.chain', '=', chain.id))
    .select(['a.id as chain_address_id', 'a.address', 'a.merchant_id', 'a.hd_index', 'd.coin_id'])
    .distinct()
    .where('d.status', '=', DepositStatus.Succeeded)
    .where('d.block_number', 'is not', null)
    .where('d.sweep_id', 'is', null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('sweeps as s')
            .select('s.id')
            .whereRef('s.chain_address_id', '=', 'a.id')
            .where('s.state', 'in', inFlightStates),
        ),
      ),
    )
    .orderBy('a.id')
    .limit(candidatesPerTickMax)
    .execute();
  const byAddress = new Map<number, SweepSource>();
  for (const r of rows) {
    const id = Number(r.chain_address_id);
    let s = byAddress.get(id);
    if (!s) byAddress.set(id, (s = { chainAddressId: id, address: r.address, merchantId: Number(r.merchant_id), hdIndex: Number(r.hd_index), coinIds: [] }));
    s.coinIds.push(Number(r.coin_id));
  }
  return [...byAddress.values()];
}

async function tickView(ctx: ServiceContext, chain: ChainHandle): Promise<TickView> {
  const [head, quote, native] = await Promise.all([chain.adapter.headNumber(), chain.adapter.feeQuote(), nativeCoinOf(ctx.store.db, chain.id)]);
  return { head, fees: feesWithinCap(quote, BigInt(chain.config.maxFeePerGasCap)), baseFee: quote.baseFeePerGas, native };
}

/**
 * Starts sweeps of deposit addresses whose credited deposits are not swept yet (at most one
 * per address; tokens first, so their gas is not swept away). Returns true when more may wait.
 */
export async function planSweeps(ctx: ServiceContext, chain: ChainHandle, signal?: AbortSignal): Promise<boolean> {
  const db = ctx.store.db;
  const sources = await sweepSources(db, chain);
  if (sources.length === 0) return false;
  const view = await tickView(ctx, chain);
  const coins = new Map<number, Coin>();
  let started = 0;
  for (const source of sources) {
    if (signal?.aborted || started >= sweepsPerTickMax) break;
    for (const coinId of source.coinIds) {
      if (!coins.has(coinId)) coins.set(coinId, await db.selectFrom('coins').selectAll().where('id', '=', coinId).executeTakeFirstOrThrow());
    }
    const ordered = source.coinIds.map((id) => coins.get(id)!).sort((a, b) => Number(a.contract_address === '') - Number(b.contract_address === ''));
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

async function startSweep(ctx: ServiceContext, chain: ChainHandle, view: TickView, source: SweepSource, coin: Coin): Promise<'started' | 'skipped' | 'fee-wallet-low'> {
  const token = coin.contract_address;
  const confirmedBlock = Math.max(0, view.head - Math.max(1, coin.confirmations) + 1);
  const balance = await sweepableBalance(chain, source.address, token, confirmedBlock);
  if (balance <= 0n || balance < thresholdOf(ctx, coin)) return 'skipped';

  if (token === '') {
    const gasCost = maxGasCost(nativeTransferGas, view.fees);
    const value = balance - gasCost;
    if (value <= 0n || !worthItsGas(chain, value, gasCost)) return 'skipped';
    const request = chain.adapter.transferRequest(source.address, chain.hotAddress, '', value);
    await prepareNonce(ctx, chain, source.address);
    await createSweep(ctx, chain, { source, coin, native: view.native, amount: value, confirmedBlock, state: 'sweep_pending' }, { purpose: 'sweep', role: { deposit: source.hdIndex }, request, gasLimit: nativeTransferGas, fees: view.fees });
    return 'started';
  }

  const request = chain.adapter.transferRequest(source.address, chain.hotAddress, token, balance);
  let gasLimit: bigint;
  try {
    gasLimit = await chain.adapter.estimateGas(request);
  } catch (error) {
    ctx.log.warn({ chain: chain.id, address: source.address, symbol: coin.symbol, err: (error as Error).message.split('\n')[0] }, 'sweep skipped: the node cannot estimate the token transfer');
    return 'skipped';
  }
  const gasNeeded = maxGasCost(gasLimit, view.fees);
  const gasHeld = await chain.adapter.balance(source.address, '');
  if (gasHeld >= gasNeeded) {
    await prepareNonce(ctx, chain, source.address);
    await createSweep(ctx, chain, { source, coin, native: view.native, amount: balance, confirmedBlock, state: 'sweep_pending' }, { purpose: 'sweep', role: { deposit: source.hdIndex }, request, gasLimit, fees: view.fees });
    return 'started';
  }
  const topup = await topupDraft(ctx, chain, view, source.address, gasNeeded * topupGasMultiple - gasHeld);
  if (!topup) return 'fee-wallet-low';
  await prepareNonce(ctx, chain, chain.feeAddress);
  await createSweep(ctx, chain, { source, coin, native: view.native, amount: balance, confirmedBlock, state: 'topup_pending' }, topup);
  return 'started';
}

/** A top-up of `value` wei from the fee wallet to `address`, or undefined (alert raised) when the fee wallet cannot pay it. */
async function topupDraft(ctx: ServiceContext, chain: ChainHandle, view: TickView, address: string, value: bigint): Promise<Omit<OutgoingDraft, 'refId'> | undefined> {
  const request = chain.adapter.transferRequest(chain.feeAddress, address, '', value);
  const cost = value + maxGasCost(nativeTransferGas, view.fees);
  const inFlight = await ctx.store.db
    .selectFrom('chain_txs')
    .select(['value', 'gas_limit', 'max_fee_per_gas'])
    .where('chain', '=', chain.id)
    .where('from_address', '=', chain.feeAddress)
    .where('state', 'in', ['signed', 'broadcast'])
    .execute();
  const reserved = inFlight.reduce((sum, t) => sum + BigInt(t.value) + BigInt(t.gas_limit) * BigInt(t.max_fee_per_gas), 0n);
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

/**
 * In one transaction: the sweep row, its first transaction (top-up or sweep) signed and stored,
 * its miner-fee record, and the deposits it collects marked. Broadcasts after the commit.
 */
async function createSweep(
  ctx: ServiceContext,
  chain: ChainHandle,
  plan: { source: SweepSource; coin: Coin; native: Coin; amount: bigint; confirmedBlock: number; state: 'topup_pending' | 'sweep_pending' },
  draft: Omit<OutgoingDraft, 'refId'>,
): Promise<void> {
  const { source, coin } = plan;
  const signerAddress = addressCodec(chain.id).canonical(draft.request.from);
  const row = await storeSigned(ctx, { chain: chain.id, address: signerAddress, what: `the ${draft.purpose} of ${source.address}` }, () => inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    // The candidate query saw no sweep of this address in flight; make sure no other process started
    // one since (PostgreSQL: the address row serialises concurrent sweepers; SQLite writers are serial).
    if (ctx.store.dialect === 'postgres') await tx.selectFrom('chain_addresses').select('id').where('id', '=', source.chainAddressId).forUpdate().executeTakeFirstOrThrow();
    const busy = await tx.selectFrom('sweeps').select('id').where('chain_address_id', '=', source.chainAddressId).where('state', 'in', inFlightStates).executeTakeFirst();
    if (busy) return undefined;
    const sweep = await tx
      .insertInto('sweeps')
      .values({
        chain: chain.id,
        merchant_id: source.merchantId,
        coin_id: Number(coin.id),
        chain_address_id: source.chainAddressId,
        address: source.address,
        amount: plan.amount.toString(),
        state: plan.state,
        topup_tx_id: null,
        sweep_tx_id: null,
        attempts: 0,
        last_error: '',
        created_at: nowMs,
        updated_at: nowMs,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const sweepId = Number(sweep.id);
    const stored = await storeSignedTx(tx, ctx, chain, { ...draft, refId: sweepId });
    await tx
      .updateTable('sweeps')
      .set(draft.purpose === 'topup' ? { topup_tx_id: Number(stored.id) } : { sweep_tx_id: Number(stored.id) })
      .where('id', '=', sweepId)
      .execute();
    await recordMinerFee(tx, { merchantId: source.merchantId, coin, baseSymbol: plan.native.symbol, amount: draft.purpose === 'topup' ? 0n : plan.amount, chainTx: stored, sweepId, nowMs });
    // Every on-chain deposit whose funds this balance holds (final at confirmedBlock) is collected by this sweep.
    await tx
      .updateTable('deposits')
      .set({ sweep_id: sweepId })
      .where('coin_id', '=', Number(coin.id))
      .where('address_to', '=', source.address)
      .where('block_number', 'is not', null)
      .where('block_number', '<=', plan.confirmedBlock)
      .where('sweep_id', 'is', null)
      .execute();
    return stored;
  }));
  if (!row) return;
  ctx.log.info({ chain: chain.id, address: source.address, symbol: coin.symbol, amount: plan.amount.toString(), step: draft.purpose, hash: row.hash }, 'sweep started');
  await sendStoredTx(ctx, chain, row, sweepOutcomeHandler(ctx));
}

/**
 * Moves sweeps on that wait for a transaction to be signed: a top-up (state topup) or the
 * sweep transaction itself (state sweep_pending without one: after its top-up confirmed, or a
 * failed attempt). Returns true when more may wait.
 */
export async function advanceSweeps(ctx: ServiceContext, chain: ChainHandle, signal?: AbortSignal): Promise<boolean> {
  const db = ctx.store.db;
  const due = await db
    .selectFrom('sweeps')
    .selectAll()
    .where('chain', '=', chain.id)
    .where((eb) => eb.or([eb('state', '=', 'topup'), eb.and([eb('state', '=', 'sweep_pending'), eb('sweep_tx_id', 'is', null)])]))
    .orderBy('id')
    .limit(sweepsPerTickMax + 1)
    .execute();
  if (due.length === 0) return false;
  const view = await tickView(ctx, chain);
  for (const sweep of due.slice(0, sweepsPerTickMax)) {
    if (signal?.aborted) break;
    const coin = await db.selectFrom('coins').selectAll().where('id', '=', Number(sweep.coin_id)).executeTakeFirstOrThrow();
    const address = await db.selectFrom('chain_addresses').select(['hd_index', 'address']).where('id', '=', Number(sweep.chain_address_id)).executeTakeFirstOrThrow();
    if (sweep.state === 'topup') await signTopup(ctx, chain, view, sweep, coin);
    else await signSweepTx(ctx, chain, view, sweep, coin, Number(address.hd_index));
  }
  return due.length > sweepsPerTickMax;
}

/** Records a failed step: attempts + 1, the reason; 'failed' with an alert after sweepAttemptsMax. Inside the caller's transaction. */
async function sweepStepFailed(tx: Tx, ctx: ServiceContext, sweep: Sweep, reason: string, retryState: SweepState, nowMs: number): Promise<void> {
  const attempts = sweep.attempts + 1;
  const failed = attempts >= sweepAttemptsMax;
  await tx
    .updateTable('sweeps')
    .set({ attempts, last_error: reason.slice(0, 500), state: failed ? 'failed' : retryState, ...(retryState === 'sweep_pending' ? { sweep_tx_id: null } : {}), updated_at: nowMs })
    .where('id', '=', Number(sweep.id))
    .execute();
  if (failed) {
    await alerts.raise(ctx, {
      kind: 'sweep-failed',
      key: sweepFailingKey(Number(sweep.id)),
      message: `sweep ${sweep.id} of ${sweep.address} on ${sweep.chain} stopped after ${attempts} failed attempts: ${reason}`,
    }, tx);
  }
}

/** Signs and stores the gas top-up of a token sweep from the fee wallet, sized for the whole sweep (none when the address already holds enough gas). */
async function signTopup(ctx: ServiceContext, chain: ChainHandle, view: TickView, sweep: Sweep, coin: Coin): Promise<void> {
  const token = coin.contract_address;
  const request = chain.adapter.transferRequest(sweep.address, chain.hotAddress, token, BigInt(sweep.amount));
  const gasLimit = await chain.adapter.estimateGas(request);
  const gasHeld = await chain.adapter.balance(sweep.address, '');
  const needed = maxGasCost(gasLimit, view.fees) * topupGasMultiple - gasHeld;
  if (needed <= 0n) {
    await ctx.store.db.updateTable('sweeps').set({ state: 'sweep_pending', sweep_tx_id: null, updated_at: ctx.clock.nowMs() }).where('id', '=', Number(sweep.id)).where('state', '=', 'topup').execute();
    return;
  }
  const draft = await topupDraft(ctx, chain, view, sweep.address, needed);
  if (!draft) return;
  await prepareNonce(ctx, chain, chain.feeAddress);
  const stored = await storeSigned(ctx, { chain: chain.id, address: chain.feeAddress, what: `the gas top-up of sweep ${sweep.id}` }, () => inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const row = await storeSignedTx(tx, ctx, chain, { ...draft, refId: Number(sweep.id) });
    const moved = await tx
      .updateTable('sweeps')
      .set({ state: 'topup_pending', topup_tx_id: Number(row.id), updated_at: nowMs })
      .where('id', '=', Number(sweep.id))
      .where('state', '=', 'topup')
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new RecordClaimLostError(`sweep ${sweep.id} changed while its top-up was signed`);
    await recordMinerFee(tx, { merchantId: Number(sweep.merchant_id), coin, baseSymbol: view.native.symbol, amount: 0n, chainTx: row, sweepId: Number(sweep.id), nowMs });
    return row;
  }));
  if (stored) await sendStoredTx(ctx, chain, stored, sweepOutcomeHandler(ctx));
}

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
    const moved = await tx
      .updateTable('sweeps')
      .set({ state: 'sweep_pending', sweep_tx_id: Number(row.id), amount: amount.toString(), updated_at: nowMs })
      .where('id', '=', Number(sweep.id))
      .where('state', '=', 'sweep_pending')
      .where('sweep_tx_id', 'is', null)
      .executeTakeFirst();
    if (Number(moved.numUpdatedRows) !== 1) throw new RecordClaimLostError(`sweep ${sweep.id} changed while its transaction was signed`);
    await recordMinerFee(tx, { merchantId: Number(sweep.merchant_id), coin, baseSymbol: view.native.symbol, amount, chainTx: row, sweepId: Number(sweep.id), nowMs });
    return row;
  }));
  if (!stored) return;
  ctx.log.info({ chain: chain.id, sweep: Number(sweep.id), hash: stored.hash, amount: amount.toString(), symbol: coin.symbol }, 'sweep transaction signed');
  await sendStoredTx(ctx, chain, stored, sweepOutcomeHandler(ctx));
}

async function lockSweep(tx: Tx, ctx: ServiceContext, id: number): Promise<Sweep> {
  let q = tx.selectFrom('sweeps').selectAll().where('id', '=', id);
  if (ctx.store.dialect === 'postgres') q = q.forUpdate();
  return q.executeTakeFirstOrThrow();
}

/** A top-up or sweep transaction is final: settle its miner fee, move the sweep on. */
async function settleSweepStep(ctx: ServiceContext, tx: Tx, row: ChainTx, outcome: TxOutcome, confirmations: number, slotIds: number[], nowMs: number): Promise<void> {
  const native = await nativeCoinOf(tx, row.chain);
  await settleMinerFee(tx, ctx.store.dialect, { row, outcome, confirmations, slotIds, nativeCoinId: Number(native.id), nowMs });
  const sweep = await lockSweep(tx, ctx, Number(row.ref_id));
  if (row.purpose === 'topup') {
    if (outcome === 'confirmed') {
      // Only now may the token transfer be signed: its gas is final on chain.
      await tx.updateTable('sweeps').set({ state: 'sweep_pending', topup_tx_id: Number(row.id), sweep_tx_id: null, updated_at: nowMs }).where('id', '=', Number(sweep.id)).execute();
    } else {
      await sweepStepFailed(tx, ctx, sweep, `top-up ${row.hash} ${outcome}`, 'topup', nowMs);
    }
    return;
  }
  if (outcome === 'confirmed') {
    await tx.updateTable('sweeps').set({ state: 'done', sweep_tx_id: Number(row.id), amount: row.data === '0x' ? row.value : sweep.amount, last_error: '', updated_at: nowMs }).where('id', '=', Number(sweep.id)).execute();
    await alerts.resolve(ctx, sweepFailingKey(Number(sweep.id)), tx);
    await alerts.resolve(ctx, `sweep-broadcast:${sweep.id}`, tx);
    return;
  }
  await sweepStepFailed(tx, ctx, sweep, `sweep transaction ${row.hash} ${outcome}`, 'sweep_pending', nowMs);
}

/** What the engine does with top-up and sweep transactions. */
export function sweepOutcomeHandler(ctx: ServiceContext): OutcomeHandler {
  return {
    async confirmationsRequired(db, row) {
      const coin = await db.selectFrom('sweeps as s').innerJoin('coins as c', 'c.id', 's.coin_id').select('c.confirmations').where('s.id', '=', Number(row.ref_id)).executeTakeFirstOrThrow();
      return coin.confirmations;
    },
    async role(db, row) {
      if (row.purpose === 'topup') return 'fee';
      const a = await db.selectFrom('sweeps as s').innerJoin('chain_addresses as a', 'a.id', 's.chain_address_id').select('a.hd_index').where('s.id', '=', Number(row.ref_id)).executeTakeFirstOrThrow();
      return { deposit: Number(a.hd_index) };
    },
    onMined: (tx, row, confirmations, slotIds, nowMs) => minerFeeMined(tx, { row, confirmations, slotIds, nowMs }),
    onFinal: (tx, row, outcome, confirmations, slotIds, nowMs) => settleSweepStep(ctx, tx, row, outcome, confirmations, slotIds, nowMs),
    async onBroadcastError(c, row, error) {
      const sweep = await c.store.db.selectFrom('sweeps').selectAll().where('id', '=', Number(row.ref_id)).executeTakeFirst();
      if (!sweep) return;
      await c.store.db.updateTable('sweeps').set({ last_error: error, updated_at: c.clock.nowMs() }).where('id', '=', Number(sweep.id)).execute();
      // A single refusal is retried quietly; the operator hears of one that repeats.
      if (row.last_error === '') return;
      await alerts.raise(c, {
        kind: 'sweep-failing',
        key: `sweep-broadcast:${sweep.id}`,
        message: `sweep ${sweep.id} of ${sweep.address} on ${sweep.chain}: broadcasting ${row.purpose} ${row.hash} fails: ${error}`,
      });
    },
    replacementValue(row, fees) {
      // A native sweep spends the address's whole balance: a dearer replacement moves less value.
      if (row.purpose !== 'sweep' || row.data !== '0x') return undefined;
      return BigInt(row.value) - BigInt(row.gas_limit) * (fees.maxFeePerGas - BigInt(row.max_fee_per_gas));
    },
  };
}

/** Sweeps, newest first, for operators. */
export function listSweeps(db: Db, filter: { chain?: string; state?: SweepState; beforeId?: number; limit?: number } = {}): Promise<Sweep[]> {
  let q = db.selectFrom('sweeps').selectAll().orderBy('id', 'desc').limit(Math.min(Math.max(1, filter.limit ?? 100), 1_000));
  if (filter.chain) q = q.where('chain', '=', filter.chain);
  if (filter.state) q = q.where('state', '=', filter.state);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  return q.execute();
}

/** Why a sweep could not be retried (the operator API maps it to 404 / 409). */
export class SweepStateError extends Error {
  override name = 'SweepStateError';
  constructor(
    readonly reason: 'not-found' | 'not-failed',
    readonly sweepId: number,
  ) {
    super(reason === 'not-found' ? `sweep ${sweepId} not found` : `sweep ${sweepId} has not failed: only failed sweeps are retried`);
  }
}

/** An operator retries a failed sweep: it starts again from its sweep transaction (a top-up first if gas is short). */
export async function retrySweep(ctx: ServiceContext, sweepId: number): Promise<Sweep> {
  const sweep = await inTransaction(ctx.store, async (tx) => {
    const found = await tx.selectFrom('sweeps').select('id').where('id', '=', sweepId).executeTakeFirst();
    if (!found) throw new SweepStateError('not-found', sweepId);
    const row = await tx
      .updateTable('sweeps')
      .set({ state: 'sweep_pending', sweep_tx_id: null, attempts: 0, last_error: '', updated_at: ctx.clock.nowMs() })
      .where('id', '=', sweepId)
      .where('state', '=', 'failed')
      .returningAll()
      .executeTakeFirst();
    if (!row) throw new SweepStateError('not-failed', sweepId);
    return row;
  });
  await alerts.resolve(ctx, sweepFailingKey(sweepId));
  ctx.chainWorkers.wake(sweep.chain);
  return sweep;
}

/** A sweep as operators see it. */
export function sweepView(s: Sweep) {
  return {
    id: Number(s.id),
    chain: s.chain,
    merchant_id: Number(s.merchant_id),
    coin_id: Number(s.coin_id),
    address: s.address,
    amount: s.amount,
    state: s.state,
    topup_tx_id: s.topup_tx_id === null ? null : Number(s.topup_tx_id),
    sweep_tx_id: s.sweep_tx_id === null ? null : Number(s.sweep_tx_id),
    attempts: s.attempts,
    last_error: s.last_error,
    created_at: Number(s.created_at),
    updated_at: Number(s.updated_at),
  };
}
