import type { BroadcastRefusal, ChainAdapter, TxReceipt } from '../adapter.js';

/**
 * Following one EVM nonce "slot" (a sender's nonce, with every attempt at it: the original and
 * its fee-bumped replacements) to its outcome. Only the decisions live here, from what the node
 * says; the caller stores what they lead to (receipts, revived rows, drops) and signs
 * replacements. A slot ends mined (one attempt has a receipt) or dropped (another transaction
 * took the nonce). Not mined for stuckAfterMs: re-sent once, then replaced with higher fees at
 * the same nonce; forgotten by the node: re-sent, unless the nonce was used meanwhile.
 */

/** One attempt at the slot as the follower needs it. */
export interface SlotAttempt {
  hash: string;
  from: string;
  nonce: number;
  /** True when the attempt was recorded in a block (mined) or beaten by one that was (replaced). */
  inBlock: boolean;
  /** Times it reached a node. */
  broadcasts: number;
  /** The last broadcast refusal ("<refusal>: <node's words>"), or "". */
  lastError: string;
  /** When it was last sent (or signed, when never sent), ms. */
  sentAtMs: number;
}

/** What the caller does on the follower's decisions. */
export interface SlotActions<A extends SlotAttempt> {
  /** `attempt` is in a block with `receipt`. */
  mined(attempt: A, receipt: TxReceipt): Promise<void>;
  /** Nothing of the slot is in a block any more (a reorg took it out): `attempts` are live again. */
  revive(attempts: A[]): Promise<void>;
  /** Sends the stored bytes of `attempt` again. */
  send(attempt: A): Promise<'sent' | BroadcastRefusal>;
  /** Signs and sends a replacement of `attempt` with higher fees at the same nonce. */
  replace(attempt: A): Promise<void>;
  /** Another transaction used the nonce: every attempt is dropped; assign no nonce below `nonceFloor` again. */
  dropped(nonceFloor: number): Promise<void>;
}

/** How long an attempt may wait before it counts as stuck (re-sent, replaced) or dropped. */
export interface SlotTiming {
  stuckAfterMs: number;
  dropAfterMs: number;
}

/** Follows the slot one step: `attempts` oldest first (at least one). */
export async function followSlot<A extends SlotAttempt>(
  node: Pick<ChainAdapter, 'receipt' | 'knowsTransaction' | 'nonce'>,
  attempts: readonly A[],
  timing: SlotTiming & { nowMs: () => number },
  actions: SlotActions<A>,
): Promise<void> {
  const receipts = await Promise.all(attempts.map((a) => node.receipt(a.hash)));
  const minedAt = receipts.findIndex((r) => r !== undefined);
  if (minedAt >= 0) return actions.mined(attempts[minedAt]!, receipts[minedAt]!);

  const nowMs = timing.nowMs();
  const reorged = attempts.filter((a) => a.inBlock);
  if (reorged.length > 0) await actions.revive(reorged);

  const current = attempts[attempts.length - 1]!;
  const sinceMs = nowMs - current.sentAtMs;
  if (current.broadcasts === 0) {
    // Never reached a node (fresh, or the process died between commit and broadcast): send the stored bytes.
    if (current.lastError.startsWith('underpriced') && sinceMs >= timing.stuckAfterMs) return actions.replace(current);
    const sent = await actions.send(current);
    // A replacement the sender cannot afford: keep the attempt it replaces in the node's pool.
    if (sent === 'insufficient-funds' && attempts.length > 1) await actions.send(attempts[attempts.length - 2]!);
    if (sent !== 'nonce-too-low') return;
  }
  if (!(await node.knowsTransaction(current.hash))) {
    const mined = await node.nonce(current.from, 'latest');
    if (mined > current.nonce) {
      // The nonce is used, by none of our attempts (no receipt): another transaction took it.
      if (sinceMs >= timing.dropAfterMs) await actions.dropped(await node.nonce(current.from, 'pending'));
      return;
    }
    // The node forgot it (restart, pool eviction) and the nonce is still free: the same bytes again.
    await actions.send(current);
    return;
  }
  if (sinceMs < timing.stuckAfterMs) return;
  // Stuck in the pool: re-send once (another node may not have it), then replace with higher fees —
  // unless an earlier nonce of the sender is still unmined: then fees are not what holds it.
  if (current.broadcasts < 2 || (await node.nonce(current.from, 'latest')) < current.nonce) {
    await actions.send(current);
    return;
  }
  await actions.replace(current);
}
