import { BroadcastError, type BroadcastRefusal, type Payment, type PaymentOutcome, type PaymentQuote, type SlotAttempt } from '../../chains/adapter.js';
import type { ChainHandle } from '../../chains/registry.js';
import type { ChainSendDeps, SequenceDeps, SignDeps } from './deps.js';
import { chainTxErrorLengthMax, slotsPerTickMax } from '../../limits.js';
import type { ChainTxPurpose, ChainTxState } from '../../store/schema.js';
import { inTransaction, type Db, type Tx } from '../../store/tx.js';
import {
  findNextSequence,
  findTopStoredSequence,
  hasNewerAttempt,
  insertChainTx,
  insertSequenceIfAbsent,
  listSlots,
  listSlotTxs,
  lockNextSequence,
  raiseNextSequence,
  recordBroadcast,
  recordBroadcastError,
  setNextSequence,
  updateChainTxs,
  type ChainTxRecord,
} from './repository.js';
import { addressCodec } from '../../chains/address-codec.js';
import { termsOf } from './listing.js';

/**
 * The stored-transaction engine shared by withdrawals, gas top-ups and sweeps (SYSTEM.md:
 * chain sends are crash-safe). A payment is signed by the chain's payer with the sender's next
 * sequence taken from chain_sequences and stored ('signed') in the same database transaction
 * that moves the payment's record; it is sent only after that commit. Every tick then follows
 * each "slot" (sender + sequence, all attempts at it) through the payer, which decides from
 * what its chain says: in a block → mined → final at the coin's confirmations; stuck → re-sent,
 * then replaced with a dearer attempt at the same sequence; forgotten → re-sent, unless another
 * transaction took the sequence (→ dropped). A sequence, once stored, is never handed to
 * another payment. The family's rules (where a sender's sequence starts, how a slot is
 * followed, what a replacement pays, signing) are the payer's (chains/evm/ for EVM); this file
 * stores what they decide and records outcomes.
 */

export type SignerRole = 'hot' | 'fee' | { deposit: number };
export type TxOutcome = 'confirmed' | 'reverted' | 'dropped';

/** States a slot can still move out of. */
export const activeTxStates: readonly ChainTxState[] = ['signed', 'broadcast', 'mined'];
/** Rows of a live slot that a reorg can bring back: the winner and the attempts it beat. */
const revivableStates: readonly ChainTxState[] = ['signed', 'broadcast', 'mined', 'replaced'];

/** Where the previous tick stopped, per chain and purposes, when it could not follow every slot. */
const slotCursors = new Map<string, { from: string; sequence: number }>();
/** A payment to sign and store: what it pays (and who signs: its role) at which quote. */
export interface OutgoingDraft {
  purpose: ChainTxPurpose;
  /** withdrawal id (withdrawal) or sweep id (sweep, topup). */
  refId: number;
  payment: Payment;
  quote: PaymentQuote;
}

/** What each purpose does with the outcome of its transactions. */
export interface OutcomeHandler {
  /** Confirmations after which a mined transaction of this row is final (the coin's). */
  confirmationsRequired(db: Db, row: ChainTxRecord): Promise<number>;
  /** Who signs a replacement of this row. */
  role(db: Db, row: ChainTxRecord): Promise<SignerRole>;
  /** A transaction of the slot is in a block, not final yet; inside the transaction that records it. */
  onMined(tx: Tx, row: ChainTxRecord, confirmations: number, slotIds: number[], nowMs: number): Promise<void>;
  /**
   * The slot is final: `row` confirmed or reverted at `confirmations`, or every attempt dropped
   * (`row` is the newest attempt). Inside the transaction that marks the rows final.
   */
  onFinal(tx: Tx, row: ChainTxRecord, outcome: TxOutcome, confirmations: number, slotIds: number[], nowMs: number): Promise<void>;
  /**
   * A broadcast was refused or failed (`error` is "<refusal>: <node's words>"); `row` is as it
   * was before this attempt, so a non-empty last_error means the failure repeats.
   */
  onBroadcastError?(ctx: ChainSendDeps, row: ChainTxRecord, error: string): Promise<void>;
  /**
   * The amount of a replacement at `quote` (a native sweep spends what fees leave); undefined:
   * keep the amount. Returning a non-positive amount skips the replacement.
   */
  replacementValue?(row: ChainTxRecord, quote: PaymentQuote): bigint | undefined;
}

export type OutcomeHandlers = Partial<Record<ChainTxPurpose, OutcomeHandler>>;

/** Raised inside a storing transaction when the record was taken meanwhile: rolls the sequence back too. */
export class RecordClaimLostError extends Error {
  override name = 'RecordClaimLostError';
}

const errorText = (refusal: string, error: unknown) => `${refusal}: ${(error as Error)?.message ?? String(error)}`.slice(0, chainTxErrorLengthMax);

/**
 * Makes sure chain_sequences knows `address` on this chain; the first time, from the payer
 * (the node's view, never at or below a sequence we stored before). Network work: call it
 * before opening the transaction that stores.
 */
export async function prepareSequence(ctx: SequenceDeps, chain: ChainHandle, address: string): Promise<void> {
  const db = ctx.store.db;
  if ((await findNextSequence(db, { chain: chain.id, address })) !== undefined) return;
  const first = await chain.payer.firstSequence(address, await findTopStoredSequence(db, { chain: chain.id, from: address }));
  await insertSequenceIfAbsent(db, { chain: chain.id, address, nextSequence: first });
}

/** Takes the next sequence of `address` inside the caller's transaction (its row locked). */
async function takeSequence(tx: Tx, chain: ChainHandle, address: string): Promise<number> {
  const sequence = await lockNextSequence(tx, { chain: chain.id, address });
  if (sequence === undefined) throw new Error(`no sequence row for ${address} on ${chain.id}: prepareSequence first`);
  await setNextSequence(tx, { chain: chain.id, address, nextSequence: chain.payer.nextSequence(sequence) });
  return sequence;
}

async function insertSigned(tx: Tx, ctx: SignDeps, chain: ChainHandle, draft: OutgoingDraft, sequence: number, replacesId: number | null): Promise<ChainTxRecord> {
  const { payment, quote } = draft;
  const signed = await chain.payer.sign(payment, quote, sequence);
  const nowMs = ctx.clock.nowMs();
  const codec = addressCodec(chain.id);
  return insertChainTx(tx, {
    chain: chain.id,
    purpose: draft.purpose,
    ref_id: draft.refId,
    from_address: codec.canonical(payment.from),
    to_address: codec.canonical(payment.to),
    token: payment.token,
    sequence,
    value: payment.amount,
    fee_max: quote.feeMax,
    terms: quote.terms,
    raw: signed.raw,
    hash: signed.txid,
    state: 'signed',
    replaces_id: replacesId,
    block_number: null,
    block_hash: '',
    fee: 0n,
    broadcasts: 0,
    last_error: '',
    broadcast_at: 0,
    created_at: nowMs,
    updated_at: nowMs,
  });
}

/**
 * Inside the caller's transaction (the one that moves the payment's record): takes the
 * sender's next sequence, signs and stores the transaction as 'signed'. Send it with
 * sendStoredTx only after the commit. prepareSequence(sender) must have run.
 */
export async function storeSignedTx(tx: Tx, ctx: SignDeps, chain: ChainHandle, draft: OutgoingDraft): Promise<ChainTxRecord> {
  const sequence = await takeSequence(tx, chain, addressCodec(chain.id).canonical(draft.payment.from));
  return insertSigned(tx, ctx, chain, draft, sequence, null);
}

/**
 * Sends the stored signed transaction (the same bytes every time) and records the attempt:
 * 'broadcast', broadcasts + 1, broadcast_at; or the refusal in last_error.
 */
export async function sendStoredTx(ctx: ChainSendDeps, chain: ChainHandle, row: ChainTxRecord, handler?: OutcomeHandler): Promise<'sent' | BroadcastRefusal> {
  const db = ctx.store.db;
  try {
    await chain.payer.send({ txid: row.hash, raw: row.raw });
  } catch (error) {
    const refusal: BroadcastRefusal = error instanceof BroadcastError ? error.refusal : 'other';
    const text = errorText(refusal, error);
    await recordBroadcastError(db, { id: row.id, lastError: text, nowMs: ctx.clock.nowMs() });
    ctx.log.warn({ chain: chain.id, tx: row.id, hash: row.hash, purpose: row.purpose, refId: row.ref_id, error: text }, 'broadcast failed');
    await handler?.onBroadcastError?.(ctx, row, text);
    return refusal;
  }
  await recordBroadcast(db, { id: row.id, nowMs: ctx.clock.nowMs() });
  return 'sent';
}

/**
 * Follows every unfinished transaction of `handlers`' purposes on this chain, one slot at a
 * time (see the file comment). Returns true when slots were left for the next tick.
 */
export async function trackStoredTxs(ctx: ChainSendDeps, chain: ChainHandle, handlers: OutcomeHandlers, signal?: AbortSignal): Promise<boolean> {
  const purposes = Object.keys(handlers) as ChainTxPurpose[];
  if (purposes.length === 0) return false;
  const db = ctx.store.db;
  // More slots than one tick follows: continue after the last one followed, so none starves.
  const cursorKey = `${chain.id}:${purposes.sort().join(',')}`;
  const after = slotCursors.get(cursorKey);
  const active = await listSlots(db, { chain: chain.id, purposes, states: activeTxStates, ...(after ? { after } : {}), limit: slotsPerTickMax + 1 });
  const more = active.length > slotsPerTickMax;
  const last = active[Math.min(active.length, slotsPerTickMax) - 1];
  if (more && last) slotCursors.set(cursorKey, { from: last.from, sequence: last.sequence });
  else slotCursors.delete(cursorKey);
  if (active.length === 0) return after !== undefined;
  const head = await chain.reader.headNumber();
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
type StoredAttempt = SlotAttempt & { row: ChainTxRecord };

function attemptOf(row: ChainTxRecord): StoredAttempt {
  return {
    row,
    txid: row.hash,
    from: row.from_address,
    sequence: row.sequence,
    terms: row.terms,
    inBlock: row.state === 'mined' || row.state === 'replaced',
    broadcasts: row.broadcasts,
    lastError: row.last_error,
    sentAtMs: Math.max(Number(row.broadcast_at), Number(row.created_at)),
  };
}

/** Follows one slot (the chain's payer decides; this stores what it leads to). */
async function trackSlot(ctx: ChainSendDeps, chain: ChainHandle, rows: ChainTxRecord[], handler: OutcomeHandler, head: number): Promise<void> {
  const { stuckAfterMs, dropAfterMs } = chain.config;
  await chain.payer.follow(rows.map(attemptOf), { stuckAfterMs, dropAfterMs, nowMs: () => ctx.clock.nowMs() }, {
    mined: (attempt, outcome) => recordMined(ctx, rows, attempt.row, outcome, handler, head),
    async revive(reorged) {
      ctx.log.warn({ chain: chain.id, from: rows[0]!.from_address, sequence: rows[0]!.sequence }, 'mined transaction left the chain (reorg): following it again');
      await updateChainTxs(ctx.store.db, { ids: reorged.map((a) => a.row.id) }, { state: 'broadcast', block_number: null, block_hash: '', updated_at: ctx.clock.nowMs() });
      for (const a of reorged) a.row.state = 'broadcast';
    },
    send: (attempt) => sendStoredTx(ctx, chain, attempt.row, handler),
    replace: (attempt) => replace(ctx, chain, attempt.row, handler),
    dropped: (sequenceFloor) => recordDropped(ctx, chain, rows, handler, sequenceFloor),
  });
}

async function recordMined(ctx: Pick<ChainSendDeps, 'store' | 'clock'>, rows: ChainTxRecord[], row: ChainTxRecord, outcome: PaymentOutcome, handler: OutcomeHandler, head: number): Promise<void> {
  const confirmations = Math.max(0, head - outcome.blockNumber + 1);
  const required = Math.max(1, await handler.confirmationsRequired(ctx.store.db, row));
  const final = confirmations >= required;
  const txOutcome: TxOutcome = outcome.success ? 'confirmed' : 'reverted';
  const slotIds = rows.map((r) => r.id);
  const unchanged = row.state === 'mined' && row.block_hash === outcome.blockHash && rows.every((r) => r === row || r.state === 'replaced');
  await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const outcomeFields = { block_number: outcome.blockNumber, block_hash: outcome.blockHash, terms: outcome.terms, fee: outcome.fee, updated_at: nowMs };
    let updated: ChainTxRecord | undefined = row;
    if (final || !unchanged) {
      [updated] = await updateChainTxs(tx, { ids: [row.id], fromStates: revivableStates }, { state: final ? txOutcome : 'mined', ...outcomeFields });
      // Another process finished this slot first.
      if (!updated) return;
      const others = slotIds.filter((id) => id !== row.id);
      await updateChainTxs(tx, { ids: others, fromStates: activeTxStates }, { state: 'replaced', updated_at: nowMs });
    }
    if (final) await handler.onFinal(tx, updated, txOutcome, confirmations, slotIds, nowMs);
    else await handler.onMined(tx, updated, confirmations, slotIds, nowMs);
  });
}

async function recordDropped(ctx: ChainSendDeps, chain: ChainHandle, rows: ChainTxRecord[], handler: OutcomeHandler, sequenceFloor: number): Promise<void> {
  const current = rows[rows.length - 1]!;
  ctx.log.warn({ chain: chain.id, from: current.from_address, sequence: current.sequence, hash: current.hash, purpose: current.purpose, refId: current.ref_id }, 'transaction dropped: another transaction used its sequence');
  await inTransaction(ctx.store, async (tx) => {
    const nowMs = ctx.clock.nowMs();
    const slotIds = rows.map((r) => r.id);
    const dropped = await updateChainTxs(tx, { ids: slotIds, fromStates: revivableStates }, { state: 'dropped', updated_at: nowMs });
    if (dropped.length === 0) return;
    // Whoever used our sequences may have used later ones too: never assign below the chain's count again.
    await raiseNextSequence(tx, { chain: chain.id, address: current.from_address, atLeast: sequenceFloor });
    const newest = dropped.find((r) => r.id === current.id) ?? { ...current, state: 'dropped' as const };
    await handler.onFinal(tx, newest, 'dropped', 0, slotIds, nowMs);
  });
}

/** The payment a stored row makes, signed by `role`. */
function paymentOf(row: ChainTxRecord, role: SignerRole, amount: bigint): Payment {
  return { role, from: row.from_address, to: row.to_address, token: row.token, amount };
}

/** Signs and sends a replacement of `current`: same sequence, the dearer quote the payer gives. */
async function replace(ctx: ChainSendDeps, chain: ChainHandle, current: ChainTxRecord, handler: OutcomeHandler): Promise<void> {
  const role = await handler.role(ctx.store.db, current);
  const quote = await chain.payer.replacementQuote(paymentOf(current, role, current.value), current.terms);
  const value = quote && (handler.replacementValue?.(current, quote) ?? current.value);
  if (!quote || value === undefined || value <= 0n) {
    ctx.log.warn({ chain: chain.id, hash: current.hash, terms: termsOf(current.terms) }, 'stuck transaction cannot be replaced (fee cap); sending it again');
    await sendStoredTx(ctx, chain, current, handler);
    return;
  }
  const draft: OutgoingDraft = { purpose: current.purpose, refId: current.ref_id, payment: paymentOf(current, role, value), quote };
  const replacement = await inTransaction(ctx.store, async (tx) => {
    // Only while the slot is still open and `current` still its newest attempt.
    if (await hasNewerAttempt(tx, { chain: chain.id, slot: { from: current.from_address, sequence: current.sequence }, id: current.id, activeStates: activeTxStates })) return undefined;
    return insertSigned(tx, ctx, chain, draft, current.sequence, current.id);
  });
  if (!replacement) return;
  ctx.log.info(
    { chain: chain.id, sequence: current.sequence, replaces: current.hash, hash: replacement.hash, terms: termsOf(quote.terms) },
    'stuck transaction replaced with higher fees',
  );
  await sendStoredTx(ctx, chain, replacement, handler);
}
