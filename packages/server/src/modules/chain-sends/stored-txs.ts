import { BroadcastError, type BroadcastRefusal, type TxReceipt, type TxRequest } from '../../chains/adapter.js';
import { bumpedFees, type TxFees } from '../../chains/evm/fees.js';
import { signTx } from '../../chains/evm/sign.js';
import { firstManagedNonce, nextNonce } from '../../chains/evm/nonces.js';
import { followSlot, type SlotAttempt } from '../../chains/evm/slot-follower.js';
import type { ChainHandle } from '../../chains/registry.js';
import type { ServiceContext } from '../../context.js';
import { chainTxErrorLengthMax, slotsPerTickMax } from '../../limits.js';
import type { ChainTx, ChainTxPurpose, ChainTxState } from '../../store/schema.js';
import { inTransaction, type Db, type Tx } from '../../store/tx.js';
import {
  findNextNonce,
  findTopStoredNonce,
  hasNewerAttempt,
  insertChainTx,
  insertNonceIfAbsent,
  listSlots,
  listSlotTxs,
  lockNextNonce,
  raiseNextNonce,
  recordBroadcast,
  recordBroadcastError,
  setNextNonce,
  updateChainTxs,
} from './repository.js';
import { addressCodec } from '../../chains/address-codec.js';

/**
 * The stored-transaction engine shared by withdrawals, gas top-ups and sweeps (SYSTEM.md:
 * chain sends are crash-safe). A payment's transaction is signed with a nonce taken from
 * chain_nonces and stored ('signed') in the same database transaction that moves the payment's
 * record; it is broadcast only after that commit. Every tick then follows each nonce "slot"
 * (sender + nonce, all attempts at it): receipt → mined → final at the coin's confirmations;
 * not mined for stuckAfterMs → re-sent, then replaced with higher fees at the same nonce;
 * forgotten by the node → re-sent, unless another transaction took the nonce (→ dropped).
 * A nonce, once stored, is never handed to another payment. The EVM rules (where a sender's
 * nonces start, how a slot is followed, fee bumps, signing) live in chains/evm/; this file
 * stores what they decide.
 */

export type SignerRole = 'hot' | 'fee' | { deposit: number };
export type TxOutcome = 'confirmed' | 'reverted' | 'dropped';

/** States a slot can still move out of. */
export const activeTxStates: readonly ChainTxState[] = ['signed', 'broadcast', 'mined'];
/** Rows of a live slot that a reorg can bring back: the winner and the attempts it beat. */
const revivableStates: readonly ChainTxState[] = ['signed', 'broadcast', 'mined', 'replaced'];

/** Where the previous tick stopped, per chain and purposes, when it could not follow every slot. */
const slotCursors = new Map<string, { from: string; nonce: number }>();
/** A transaction to sign and store: who signs, what it sends, with which gas and fees. */
export interface OutgoingDraft {
  purpose: ChainTxPurpose;
  /** withdrawal id (withdrawal) or sweep id (sweep, topup). */
  refId: number;
  role: SignerRole;
  request: TxRequest;
  gasLimit: bigint;
  fees: TxFees;
}

/** What each purpose does with the outcome of its transactions. */
export interface OutcomeHandler {
  /** Confirmations after which a mined transaction of this row is final (the coin's). */
  confirmationsRequired(db: Db, row: ChainTx): Promise<number>;
  /** Who signs a replacement of this row. */
  role(db: Db, row: ChainTx): Promise<SignerRole>;
  /** A transaction of the slot is in a block, not final yet; inside the transaction that records it. */
  onMined(tx: Tx, row: ChainTx, confirmations: number, slotIds: number[], nowMs: number): Promise<void>;
  /**
   * The slot is final: `row` confirmed or reverted at `confirmations`, or every attempt dropped
   * (`row` is the newest attempt). Inside the transaction that marks the rows final.
   */
  onFinal(tx: Tx, row: ChainTx, outcome: TxOutcome, confirmations: number, slotIds: number[], nowMs: number): Promise<void>;
  /**
   * A broadcast was refused or failed (`error` is "<refusal>: <node's words>"); `row` is as it
   * was before this attempt, so a non-empty last_error means the failure repeats.
   */
  onBroadcastError?(ctx: ServiceContext, row: ChainTx, error: string): Promise<void>;
  /**
   * The native value of a replacement paying `fees` (a native sweep spends what gas leaves);
   * undefined: keep the value. Returning a non-positive value skips the replacement.
   */
  replacementValue?(row: ChainTx, fees: TxFees): bigint | undefined;
}

export type OutcomeHandlers = Partial<Record<ChainTxPurpose, OutcomeHandler>>;

/** Raised inside a storing transaction when the record was taken meanwhile: rolls the nonce back too. */
export class RecordClaimLostError extends Error {
  override name = 'RecordClaimLostError';
}

const errorText = (refusal: string, error: unknown) => `${refusal}: ${(error as Error)?.message ?? String(error)}`.slice(0, chainTxErrorLengthMax);

/**
 * Makes sure chain_nonces knows `address` on this chain; the first time, from the node's
 * pending nonce (never below a nonce we stored before). Network work: call it before opening
 * the transaction that stores.
 */
export async function prepareNonce(ctx: ServiceContext, chain: ChainHandle, address: string): Promise<void> {
  const db = ctx.store.db;
  if ((await findNextNonce(db, { chain: chain.id, address })) !== undefined) return;
  const first = await firstManagedNonce(chain.adapter, address, () => findTopStoredNonce(db, { chain: chain.id, from: address }));
  await insertNonceIfAbsent(db, { chain: chain.id, address, nextNonce: first });
}

/** Takes the next nonce of `address` inside the caller's transaction (its row locked). */
async function takeNonce(tx: Tx, chainId: string, address: string): Promise<number> {
  const nonce = await lockNextNonce(tx, { chain: chainId, address });
  if (nonce === undefined) throw new Error(`no nonce row for ${address} on ${chainId}: prepareNonce first`);
  await setNextNonce(tx, { chain: chainId, address, nextNonce: nextNonce(nonce) });
  return nonce;
}

async function insertSigned(tx: Tx, ctx: ServiceContext, chain: ChainHandle, draft: OutgoingDraft, nonce: number, replacesId: number | null): Promise<ChainTx> {
  const signed = await signTx(chain.signer(draft.role), { request: draft.request, nonce, gasLimit: draft.gasLimit, fees: draft.fees });
  const nowMs = ctx.clock.nowMs();
  return insertChainTx(tx, {
      chain: chain.id,
      purpose: draft.purpose,
      ref_id: draft.refId,
      from_address: addressCodec(chain.id).canonical(draft.request.from),
      to_address: addressCodec(chain.id).canonical(draft.request.to),
      nonce,
      value: draft.request.value.toString(),
      data: draft.request.data,
      gas_limit: draft.gasLimit.toString(),
      max_fee_per_gas: draft.fees.maxFeePerGas.toString(),
      max_priority_fee_per_gas: draft.fees.maxPriorityFeePerGas.toString(),
      raw: signed.raw,
      hash: signed.hash,
      state: 'signed',
      replaces_id: replacesId,
      block_number: null,
      block_hash: '',
      gas_used: '0',
      fee: '0',
      broadcasts: 0,
      last_error: '',
      broadcast_at: 0,
      created_at: nowMs,
      updated_at: nowMs,
  });
}

/**
 * Inside the caller's transaction (the one that moves the payment's record): takes the
 * sender's next nonce, signs and stores the transaction as 'signed'. Broadcast it with
 * sendStoredTx only after the commit. prepareNonce(sender) must have run.
 */
export async function storeSignedTx(tx: Tx, ctx: ServiceContext, chain: ChainHandle, draft: OutgoingDraft): Promise<ChainTx> {
  const nonce = await takeNonce(tx, chain.id, addressCodec(chain.id).canonical(draft.request.from));
  return insertSigned(tx, ctx, chain, draft, nonce, null);
}

/**
 * Sends the stored raw transaction (the same bytes every time) and records the attempt:
 * 'broadcast', broadcasts + 1, broadcast_at; or the refusal in last_error.
 */
export async function sendStoredTx(ctx: ServiceContext, chain: ChainHandle, row: ChainTx, handler?: OutcomeHandler): Promise<'sent' | BroadcastRefusal> {
  const db = ctx.store.db;
  try {
    await chain.adapter.broadcast(row.raw as `0x${string}`);
  } catch (error) {
    const refusal: BroadcastRefusal = error instanceof BroadcastError ? error.refusal : 'other';
    const text = errorText(refusal, error);
    await recordBroadcastError(db, { id: Number(row.id), lastError: text, nowMs: ctx.clock.nowMs() });
    ctx.log.warn({ chain: chain.id, tx: Number(row.id), hash: row.hash, purpose: row.purpose, refId: Number(row.ref_id), error: text }, 'broadcast failed');
    await handler?.onBroadcastError?.(ctx, row, text);
    return refusal;
  }
  await recordBroadcast(db, { id: Number(row.id), nowMs: ctx.clock.nowMs() });
  return 'sent';
}

/**
 * Follows every unfinished transaction of `handlers`' purposes on this chain, one nonce slot
 * at a time (see the file comment). Returns true when slots were left for the next tick.
 */
export async function trackStoredTxs(ctx: ServiceContext, chain: ChainHandle, handlers: OutcomeHandlers, signal?: AbortSignal): Promise<boolean> {
  const purposes = Object.keys(handlers) as ChainTxPurpose[];
  if (purposes.length === 0) return false;
  const db = ctx.store.db;
  // More slots than one tick follows: continue after the last one followed, so none starves.
  const cursorKey = `${chain.id}:${purposes.sort().join(',')}`;
  const after = slotCursors.get(cursorKey);
  const active = await listSlots(db, { chain: chain.id, purposes, states: activeTxStates, ...(after ? { after } : {}), limit: slotsPerTickMax + 1 });
  const more = active.length > slotsPerTickMax;
  const last = active[Math.min(active.length, slotsPerTickMax) - 1];
  if (more && last) slotCursors.set(cursorKey, { from: last.from, nonce: last.nonce });
  else slotCursors.delete(cursorKey);
  if (active.length === 0) return after !== undefined;
  const head = await chain.adapter.headNumber();
  for (const slot of active.slice(0, slotsPerTickMax)) {
    if (signal?.aborted) return false;
    const rows = await listSlotTxs(db, { chain: chain.id, slot, states: [...revivableStates, 'confirmed', 'reverted'] });
    // A slot already final (a concurrent leader just finished it) has nothing left to do.
    if (rows.length === 0 || rows.some((r) => r.state === 'confirmed' || r.state === 'reverted')) continue;
    const handler = handlers[rows[0]!.purpose];
    if (!handler) continue;
    await trackSlot(ctx, chain, rows, handler, head);
  }
  // After a partial pass the next tick runs at once; after the last part, the wrap-around waits for the interval.
  return more;
}

/** The follower's view of a stored attempt (the row itself rides along for the actions). */
type StoredAttempt = SlotAttempt & { row: ChainTx };

function attemptOf(row: ChainTx): StoredAttempt {
  return {
    row,
    hash: row.hash,
    from: row.from_address,
    nonce: Number(row.nonce),
    inBlock: row.state === 'mined' || row.state === 'replaced',
    broadcasts: row.broadcasts,
    lastError: row.last_error,
    sentAtMs: Math.max(Number(row.broadcast_at), Number(row.created_at)),
  };
}

/** Follows one nonce slot (chains/evm/slot-follower.ts decides; this stores what it leads to). */
async function trackSlot(ctx: ServiceContext, chain: ChainHandle, rows: ChainTx[], handler: OutcomeHandler, head: number): Promise<void> {
  const { stuckAfterMs, dropAfterMs } = chain.config;
  await followSlot(chain.adapter, rows.map(attemptOf), { stuckAfterMs, dropAfterMs, nowMs: () => ctx.clock.nowMs() }, {
    mined: (attempt, receipt) => recordMined(ctx, rows, attempt.row, receipt, handler, head),
    async revive(reorged) {
      ctx.log.warn({ chain: chain.id, from: rows[0]!.from_address, nonce: Number(rows[0]!.nonce) }, 'mined transaction left the chain (reorg): following it again');
      await updateChainTxs(ctx.store.db, { ids: reorged.map((a) => Number(a.row.id)) }, { state: 'broadcast', block_number: null, block_hash: '', updated_at: ctx.clock.nowMs() });
      for (const a of reorged) a.row.state = 'broadcast';
    },
    send: (attempt) => sendStoredTx(ctx, chain, attempt.row, handler),
    replace: (attempt) => replace(ctx, chain, attempt.row, handler),
    dropped: (nonceFloor) => recordDropped(ctx, chain, rows, handler, nonceFloor),
  });
}

async function recordMined(ctx: ServiceContext, rows: ChainTx[], row: ChainTx, receipt: TxReceipt, handler: OutcomeHandler, head: number): Promise<void> {
  const confirmations = Math.max(0, head - receipt.blockNumber + 1);
  const required = Math.max(1, await handler.confirmationsRequired(ctx.store.db, row));
  const final = confirmations >= required;
  const outcome: TxOutcome = receipt.success ? 'confirmed' : 'reverted';
  const slotIds = rows.map((r) => Number(r.id));
  const unchanged = row.state === 'mined' && row.block_hash === receipt.blockHash && rows.every((r) => r === row || r.state === 'replaced');
  await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const receiptFields = { block_number: receipt.blockNumber, block_hash: receipt.blockHash, gas_used: receipt.gasUsed.toString(), fee: receipt.fee.toString(), updated_at: nowMs };
    let updated: ChainTx | undefined = row;
    if (final || !unchanged) {
      [updated] = await updateChainTxs(tx, { ids: [Number(row.id)], fromStates: revivableStates }, { state: final ? outcome : 'mined', ...receiptFields });
      // Another process finished this slot first.
      if (!updated) return;
      const others = slotIds.filter((id) => id !== Number(row.id));
      await updateChainTxs(tx, { ids: others, fromStates: activeTxStates }, { state: 'replaced', updated_at: nowMs });
    }
    if (final) await handler.onFinal(tx, updated, outcome, confirmations, slotIds, nowMs);
    else await handler.onMined(tx, updated, confirmations, slotIds, nowMs);
  });
}

async function recordDropped(ctx: ServiceContext, chain: ChainHandle, rows: ChainTx[], handler: OutcomeHandler, nonceFloor: number): Promise<void> {
  const current = rows[rows.length - 1]!;
  ctx.log.warn({ chain: chain.id, from: current.from_address, nonce: Number(current.nonce), hash: current.hash, purpose: current.purpose, refId: Number(current.ref_id) }, 'transaction dropped: another transaction used its nonce');
  await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const slotIds = rows.map((r) => Number(r.id));
    const dropped = await updateChainTxs(tx, { ids: slotIds, fromStates: revivableStates }, { state: 'dropped', updated_at: nowMs });
    if (dropped.length === 0) return;
    // Whoever used our nonces may have used later ones too: never assign below the node's count again.
    await raiseNextNonce(tx, { chain: chain.id, address: current.from_address, atLeast: nonceFloor });
    const newest = dropped.find((r) => Number(r.id) === Number(current.id)) ?? { ...current, state: 'dropped' as const };
    await handler.onFinal(tx, newest, 'dropped', 0, slotIds, nowMs);
  });
}

/** Signs and sends a replacement of `current`: same nonce, fees bumped by feeBumpPercent. */
async function replace(ctx: ServiceContext, chain: ChainHandle, current: ChainTx, handler: OutcomeHandler): Promise<void> {
  const quote = await chain.adapter.feeQuote();
  const old: TxFees = { maxFeePerGas: BigInt(current.max_fee_per_gas), maxPriorityFeePerGas: BigInt(current.max_priority_fee_per_gas) };
  const fees = bumpedFees(old, chain.config.feeBumpPercent, quote, BigInt(chain.config.maxFeePerGasCap));
  const value = fees && (handler.replacementValue?.(current, fees) ?? BigInt(current.value));
  if (!fees || value === undefined || value <= 0n) {
    ctx.log.warn({ chain: chain.id, hash: current.hash, maxFeePerGas: old.maxFeePerGas.toString(), cap: chain.config.maxFeePerGasCap }, 'stuck transaction cannot be replaced (fee cap); sending it again');
    await sendStoredTx(ctx, chain, current, handler);
    return;
  }
  const role = await handler.role(ctx.store.db, current);
  const draft: OutgoingDraft = {
    purpose: current.purpose,
    refId: Number(current.ref_id),
    role,
    request: { from: current.from_address, to: current.to_address, value, data: current.data as `0x${string}` },
    gasLimit: BigInt(current.gas_limit),
    fees,
  };
  const replacement = await inTransaction(ctx.store, async (tx) => {
    // Only while the slot is still open and `current` still its newest attempt.
    if (await hasNewerAttempt(tx, { chain: chain.id, slot: { from: current.from_address, nonce: Number(current.nonce) }, id: Number(current.id), activeStates: activeTxStates })) return undefined;
    return insertSigned(tx, ctx, chain, draft, Number(current.nonce), Number(current.id));
  });
  if (!replacement) return;
  ctx.log.info(
    { chain: chain.id, nonce: Number(current.nonce), replaces: current.hash, hash: replacement.hash, maxFeePerGas: fees.maxFeePerGas.toString() },
    'stuck transaction replaced with higher fees',
  );
  await sendStoredTx(ctx, chain, replacement, handler);
}
