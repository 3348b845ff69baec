import { sql } from 'kysely';
import { BroadcastError, type BroadcastRefusal, type TxReceipt, type TxRequest } from '../chains/adapter.js';
import { bumpedFees, signTx, type TxFees } from '../chains/outgoing.js';
import { addressCodec } from '../chains/address-codec.js';
import type { ChainHandle } from '../chains/registry.js';
import type { ServiceContext } from '../context.js';
import type { ChainTx, ChainTxPurpose, ChainTxState } from '../store/schema.js';
import { inTransaction, type Db, type Tx } from '../store/tx.js';

/**
 * The stored-transaction engine shared by withdrawals, gas top-ups and sweeps (SYSTEM.md:
 * chain sends are crash-safe). A payment's transaction is signed with a nonce taken from
 * chain_nonces and stored ('signed') in the same database transaction that moves the payment's
 * record; it is broadcast only after that commit. Every tick then follows each nonce "slot"
 * (sender + nonce, all attempts at it): receipt → mined → final at the coin's confirmations;
 * not mined for stuckAfterMs → re-sent, then replaced with higher fees at the same nonce;
 * forgotten by the node → re-sent, unless another transaction took the nonce (→ dropped).
 * A nonce, once stored, is never handed to another payment.
 */

export type SignerRole = 'hot' | 'fee' | { deposit: number };
export type TxOutcome = 'confirmed' | 'reverted' | 'dropped';

/** States a slot can still move out of. */
export const activeTxStates: readonly ChainTxState[] = ['signed', 'broadcast', 'mined'];
/** Rows of a live slot that a reorg can bring back: the winner and the attempts it beat. */
const revivableStates: readonly ChainTxState[] = ['signed', 'broadcast', 'mined', 'replaced'];

/** Slots followed per tick; more waits for the next tick (which runs at once). */
const slotsPerTickMax = 100;
/** Where the previous tick stopped, per chain and purposes, when it could not follow every slot. */
const slotCursors = new Map<string, { from: string; nonce: number }>();
/** Longest last_error kept on a row. */
const errorTextMax = 500;

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

const errorText = (refusal: string, error: unknown) => `${refusal}: ${(error as Error)?.message ?? String(error)}`.slice(0, errorTextMax);

/**
 * Makes sure chain_nonces knows `address` on this chain; the first time, from the node's
 * pending nonce (never below a nonce we stored before). Network work: call it before opening
 * the transaction that stores.
 */
export async function prepareNonce(ctx: ServiceContext, chain: ChainHandle, address: string): Promise<void> {
  const db = ctx.store.db;
  const found = await db.selectFrom('chain_nonces').select('next_nonce').where('chain', '=', chain.id).where('address', '=', address).executeTakeFirst();
  if (found) return;
  const pending = await chain.adapter.nonce(address, 'pending');
  const top = await db
    .selectFrom('chain_txs')
    .select((eb) => eb.fn.max('nonce').as('top'))
    .where('chain', '=', chain.id)
    .where('from_address', '=', address)
    .executeTakeFirst();
  const afterStored = top?.top === null || top?.top === undefined ? 0 : Number(top.top) + 1;
  await db
    .insertInto('chain_nonces')
    .values({ chain: chain.id, address, next_nonce: Math.max(pending, afterStored) })
    .onConflict((oc) => oc.columns(['chain', 'address']).doNothing())
    .execute();
}

/** Takes the next nonce of `address` inside the caller's transaction (row locked on PostgreSQL). */
async function takeNonce(tx: Tx, ctx: ServiceContext, chainId: string, address: string): Promise<number> {
  let q = tx.selectFrom('chain_nonces').select('next_nonce').where('chain', '=', chainId).where('address', '=', address);
  if (ctx.store.dialect === 'postgres') q = q.forUpdate();
  const row = await q.executeTakeFirst();
  if (!row) throw new Error(`no nonce row for ${address} on ${chainId}: prepareNonce first`);
  const nonce = Number(row.next_nonce);
  await tx.updateTable('chain_nonces').set({ next_nonce: nonce + 1 }).where('chain', '=', chainId).where('address', '=', address).execute();
  return nonce;
}

async function insertSigned(tx: Tx, ctx: ServiceContext, chain: ChainHandle, draft: OutgoingDraft, nonce: number, replacesId: number | null): Promise<ChainTx> {
  const signed = await signTx(chain.signer(draft.role), { request: draft.request, nonce, gasLimit: draft.gasLimit, fees: draft.fees });
  const nowMs = ctx.clock.nowMs();
  return tx
    .insertInto('chain_txs')
    .values({
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
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * Inside the caller's transaction (the one that moves the payment's record): takes the
 * sender's next nonce, signs and stores the transaction as 'signed'. Broadcast it with
 * sendStoredTx only after the commit. prepareNonce(sender) must have run.
 */
export async function storeSignedTx(tx: Tx, ctx: ServiceContext, chain: ChainHandle, draft: OutgoingDraft): Promise<ChainTx> {
  const nonce = await takeNonce(tx, ctx, chain.id, addressCodec(chain.id).canonical(draft.request.from));
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
    await db.updateTable('chain_txs').set({ last_error: text, updated_at: ctx.clock.nowMs() }).where('id', '=', Number(row.id)).execute();
    ctx.log.warn({ chain: chain.id, tx: Number(row.id), hash: row.hash, purpose: row.purpose, refId: Number(row.ref_id), error: text }, 'broadcast failed');
    await handler?.onBroadcastError?.(ctx, row, text);
    return refusal;
  }
  const nowMs = ctx.clock.nowMs();
  await db
    .updateTable('chain_txs')
    .set({ state: 'broadcast', broadcasts: sql`broadcasts + 1`, broadcast_at: nowMs, last_error: '', updated_at: nowMs })
    .where('id', '=', Number(row.id))
    .where('state', 'in', ['signed', 'broadcast'])
    .execute();
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
  let q = db
    .selectFrom('chain_txs')
    .select(['from_address', 'nonce'])
    .where('chain', '=', chain.id)
    .where('purpose', 'in', purposes)
    .where('state', 'in', [...activeTxStates]);
  if (after) q = q.where((eb) => eb.or([eb('from_address', '>', after.from), eb.and([eb('from_address', '=', after.from), eb('nonce', '>', after.nonce)])]));
  const active = await q
    .groupBy(['from_address', 'nonce'])
    .orderBy('from_address')
    .orderBy('nonce')
    .limit(slotsPerTickMax + 1)
    .execute();
  const more = active.length > slotsPerTickMax;
  const last = active[Math.min(active.length, slotsPerTickMax) - 1];
  if (more && last) slotCursors.set(cursorKey, { from: last.from_address, nonce: Number(last.nonce) });
  else slotCursors.delete(cursorKey);
  if (active.length === 0) return after !== undefined;
  const head = await chain.adapter.headNumber();
  for (const slot of active.slice(0, slotsPerTickMax)) {
    if (signal?.aborted) return false;
    const rows = await db
      .selectFrom('chain_txs')
      .selectAll()
      .where('chain', '=', chain.id)
      .where('from_address', '=', slot.from_address)
      .where('nonce', '=', Number(slot.nonce))
      .where('state', 'in', [...revivableStates, 'confirmed', 'reverted'])
      .orderBy('id')
      .execute();
    // A slot already final (a concurrent leader just finished it) has nothing left to do.
    if (rows.length === 0 || rows.some((r) => r.state === 'confirmed' || r.state === 'reverted')) continue;
    const handler = handlers[rows[0]!.purpose];
    if (!handler) continue;
    await trackSlot(ctx, chain, rows, handler, head);
  }
  // After a partial pass the next tick runs at once; after the last part, the wrap-around waits for the interval.
  return more;
}

async function trackSlot(ctx: ServiceContext, chain: ChainHandle, rows: ChainTx[], handler: OutcomeHandler, head: number): Promise<void> {
  const receipts = await Promise.all(rows.map((r) => chain.adapter.receipt(r.hash)));
  const minedAt = receipts.findIndex((r) => r !== undefined);
  if (minedAt >= 0) return recordMined(ctx, rows, rows[minedAt]!, receipts[minedAt]!, handler, head);

  const db = ctx.store.db;
  const nowMs = ctx.clock.nowMs();
  // Nothing of this slot is in a block (any more): a reorg took the winner out, so every attempt is live again.
  const reorged = rows.filter((r) => r.state === 'mined' || r.state === 'replaced');
  if (reorged.length > 0) {
    ctx.log.warn({ chain: chain.id, from: rows[0]!.from_address, nonce: Number(rows[0]!.nonce) }, 'mined transaction left the chain (reorg): following it again');
    await db
      .updateTable('chain_txs')
      .set({ state: 'broadcast', block_number: null, block_hash: '', updated_at: nowMs })
      .where('id', 'in', reorged.map((r) => Number(r.id)))
      .execute();
    for (const r of reorged) r.state = 'broadcast';
  }

  const current = rows[rows.length - 1]!;
  const { stuckAfterMs, dropAfterMs } = chain.config;
  const sinceMs = nowMs - Math.max(Number(current.broadcast_at), Number(current.created_at));
  if (current.broadcasts === 0) {
    // Never reached a node (fresh, or the process died between commit and broadcast): send the stored bytes.
    if (current.last_error.startsWith('underpriced') && sinceMs >= stuckAfterMs) return replace(ctx, chain, current, handler);
    const sent = await sendStoredTx(ctx, chain, current, handler);
    // A replacement the sender cannot afford: keep the attempt it replaces in the node's pool.
    if (sent === 'insufficient-funds' && rows.length > 1) await sendStoredTx(ctx, chain, rows[rows.length - 2]!, handler);
    if (sent !== 'nonce-too-low') return;
  }
  if (!(await chain.adapter.knowsTransaction(current.hash))) {
    const mined = await chain.adapter.nonce(current.from_address, 'latest');
    if (mined > Number(current.nonce)) {
      // The nonce is used, by none of our attempts (no receipt): another transaction took it.
      if (sinceMs >= dropAfterMs) await recordDropped(ctx, chain, rows, handler);
      return;
    }
    // The node forgot it (restart, pool eviction) and the nonce is still free: the same bytes again.
    await sendStoredTx(ctx, chain, current, handler);
    return;
  }
  if (sinceMs < stuckAfterMs) return;
  // Stuck in the pool: re-send once (another node may not have it), then replace with higher fees —
  // unless an earlier nonce of the sender is still unmined: then fees are not what holds it.
  if (current.broadcasts < 2 || (await chain.adapter.nonce(current.from_address, 'latest')) < Number(current.nonce)) {
    await sendStoredTx(ctx, chain, current, handler);
    return;
  }
  await replace(ctx, chain, current, handler);
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
      updated = await tx
        .updateTable('chain_txs')
        .set({ state: final ? outcome : 'mined', ...receiptFields })
        .where('id', '=', Number(row.id))
        .where('state', 'in', [...revivableStates])
        .returningAll()
        .executeTakeFirst();
      // Another process finished this slot first.
      if (!updated) return;
      const others = slotIds.filter((id) => id !== Number(row.id));
      if (others.length > 0) {
        await tx.updateTable('chain_txs').set({ state: 'replaced', updated_at: nowMs }).where('id', 'in', others).where('state', 'in', [...activeTxStates]).execute();
      }
    }
    if (final) await handler.onFinal(tx, updated, outcome, confirmations, slotIds, nowMs);
    else await handler.onMined(tx, updated, confirmations, slotIds, nowMs);
  });
}

async function recordDropped(ctx: ServiceContext, chain: ChainHandle, rows: ChainTx[], handler: OutcomeHandler): Promise<void> {
  const current = rows[rows.length - 1]!;
  const pending = await chain.adapter.nonce(current.from_address, 'pending');
  ctx.log.warn({ chain: chain.id, from: current.from_address, nonce: Number(current.nonce), hash: current.hash, purpose: current.purpose, refId: Number(current.ref_id) }, 'transaction dropped: another transaction used its nonce');
  await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const slotIds = rows.map((r) => Number(r.id));
    const dropped = await tx
      .updateTable('chain_txs')
      .set({ state: 'dropped', updated_at: nowMs })
      .where('id', 'in', slotIds)
      .where('state', 'in', [...revivableStates])
      .returningAll()
      .execute();
    if (dropped.length === 0) return;
    // Whoever used our nonces may have used later ones too: never assign below the node's count again.
    await tx
      .updateTable('chain_nonces')
      .set({ next_nonce: pending })
      .where('chain', '=', chain.id)
      .where('address', '=', current.from_address)
      .where('next_nonce', '<', pending)
      .execute();
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
    const newer = await tx
      .selectFrom('chain_txs')
      .select('id')
      .where('chain', '=', chain.id)
      .where('from_address', '=', current.from_address)
      .where('nonce', '=', Number(current.nonce))
      .where((eb) => eb.or([eb('id', '>', Number(current.id)), eb('state', 'not in', [...activeTxStates])]))
      .executeTakeFirst();
    if (newer) return undefined;
    return insertSigned(tx, ctx, chain, draft, Number(current.nonce), Number(current.id));
  });
  if (!replacement) return;
  ctx.log.info(
    { chain: chain.id, nonce: Number(current.nonce), replaces: current.hash, hash: replacement.hash, maxFeePerGas: fees.maxFeePerGas.toString() },
    'stuck transaction replaced with higher fees',
  );
  await sendStoredTx(ctx, chain, replacement, handler);
}

/** Stored transactions, newest first, for operators. */
export function listChainTxs(db: Db, filter: { chain?: string; purpose?: ChainTxPurpose; refId?: number; state?: ChainTxState; beforeId?: number; limit?: number } = {}): Promise<ChainTx[]> {
  let q = db.selectFrom('chain_txs').selectAll().orderBy('id', 'desc').limit(Math.min(Math.max(1, filter.limit ?? 100), 1_000));
  if (filter.chain) q = q.where('chain', '=', filter.chain);
  if (filter.purpose) q = q.where('purpose', '=', filter.purpose);
  if (filter.refId !== undefined) q = q.where('ref_id', '=', filter.refId);
  if (filter.state) q = q.where('state', '=', filter.state);
  if (filter.beforeId !== undefined) q = q.where('id', '<', filter.beforeId);
  return q.execute();
}

/** A stored transaction as operators see it (no raw bytes; amounts as decimal strings of base units). */
export function chainTxView(row: ChainTx) {
  return {
    id: Number(row.id),
    chain: row.chain,
    purpose: row.purpose,
    ref_id: Number(row.ref_id),
    from: row.from_address,
    to: row.to_address,
    nonce: Number(row.nonce),
    value: row.value,
    hash: row.hash,
    state: row.state,
    replaces_id: row.replaces_id === null ? null : Number(row.replaces_id),
    block_number: row.block_number === null ? null : Number(row.block_number),
    gas_limit: row.gas_limit,
    max_fee_per_gas: row.max_fee_per_gas,
    max_priority_fee_per_gas: row.max_priority_fee_per_gas,
    gas_used: row.gas_used,
    fee: row.fee,
    broadcasts: row.broadcasts,
    last_error: row.last_error,
    broadcast_at: Number(row.broadcast_at),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
  };
}
