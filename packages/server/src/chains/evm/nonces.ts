import type { ChainAdapter } from '../adapter.js';

/**
 * EVM nonces of our senders. The service manages each sender's next nonce itself (stored
 * beside the transactions it signs, so a nonce once stored is never handed to another payment);
 * the node is asked only where a sender's count starts, and where it must not fall below after
 * another transaction took one of our nonces.
 */

/**
 * The first nonce to manage for `address`: the node's count including its pool ("pending"),
 * never below one past the highest nonce we stored for it before. Network work: call it before
 * opening the database transaction that stores.
 */
export async function firstManagedNonce(node: Pick<ChainAdapter, 'nonce'>, address: string, highestStored: () => Promise<number | undefined>): Promise<number> {
  const pending = await node.nonce(address, 'pending');
  const top = await highestStored();
  return Math.max(pending, top === undefined ? 0 : top + 1);
}

/** The next nonce after `nonce` was taken. */
export function nextNonce(nonce: number): number {
  return nonce + 1;
}
