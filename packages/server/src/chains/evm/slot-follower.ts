import type { PaymentOutcome, SlotActions, SlotAttempt, SlotTiming } from '../adapter.js';
import type { EvmSendSide, TxReceipt } from './send-side.js';

/**
 * Following one EVM nonce "slot" (a sender's nonce, with every attempt at it: the original and
 * its fee-bumped replacements) to its outcome. Only the decisions live here, from what the node
 * says; the caller stores what they lead to (receipts, revived rows, drops) and signs
 * replacements (SlotActions in chains/adapter.ts). A slot ends mined (one attempt has a receipt) or dropped (another transaction
 * took the nonce). Not mined for stuckAfterMs: re-sent once, then replaced with higher fees at
 * the same nonce; forgotten by the node: re-sent, unless the nonce was used meanwhile.
 */

/** Follows the slot one step: `attempts` oldest first (at least one). */
export async function followSlot<A extends SlotAttempt>(
  node: Pick<EvmSendSide, 'receipt' | 'knowsTransaction' | 'nonce'>,
  attempts: readonly A[],
  timing: SlotTiming,
  actions: SlotActions<A>,
): Promise<void> {
  const receipts = await Promise.all(attempts.map((a) => node.receipt(a.txid)));
  const minedAt = receipts.findIndex((r) => r !== undefined);
  if (minedAt >= 0) return actions.mined(attempts[minedAt]!, outcomeOf(attempts[minedAt]!.terms, receipts[minedAt]!));

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
  if (!(await node.knowsTransaction(current.txid))) {
    const mined = await node.nonce(current.from, 'latest');
    if (mined > current.sequence) {
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
  if (current.broadcasts < 2 || (await node.nonce(current.from, 'latest')) < current.sequence) {
    await actions.send(current);
    return;
  }
  await actions.replace(current);
}

/** The neutral outcome of a receipt: the attempt's terms gain the gas it used. */
function outcomeOf(terms: string, receipt: TxReceipt): PaymentOutcome {
  const withGasUsed = { ...(JSON.parse(terms) as Record<string, string>), gas_used: receipt.gasUsed.toString() };
  return { success: receipt.success, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash, fee: receipt.fee, terms: JSON.stringify(withGasUsed) };
}
