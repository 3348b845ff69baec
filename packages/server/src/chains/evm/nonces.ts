import type { EvmSendSide } from './send-side.js';

/**
 * EVM nonces of our senders: the sequence the service keeps for each (stored beside the
 * transactions it signs, so a nonce once stored is never handed to another payment). The node
 * is asked only where a sender's count starts, and where it must not fall below after another
 * transaction took one of our nonces.
 */

/**
 * The first nonce to manage for `address`: the node's count including its pool ("pending"),
 * never below one past the highest nonce we stored for it before. Network work: call it before
 * opening the database transaction that stores.
 */
export async function firstManagedNonce(node: Pick<EvmSendSide, 'nonce'>, address: string, highestStored: number | undefined): Promise<number> {
  const pending = await node.nonce(address, 'pending');
  return Math.max(pending, highestStored === undefined ? 0 : highestStored + 1);
}

/** The next nonce after `nonce` was taken. */
export function nextNonce(nonce: number): number {
  return nonce + 1;
}
