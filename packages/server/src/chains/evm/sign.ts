import { keccak256, type Hex } from 'viem';
import type { Signer } from '../../keys/signer.js';
import type { TxRequest } from './send-side.js';
import type { TxFees } from './fees.js';

/**
 * Signing outgoing EIP-1559 transactions. The raw bytes are what the stored-transaction engine (modules/chain-sends)
 * keeps before broadcasting, so a restart re-sends exactly the transaction signed.
 */

/** What to sign: the request, its nonce, gas limit and fees. */
export interface UnsignedTx {
  request: TxRequest;
  nonce: number;
  gasLimit: bigint;
  fees: TxFees;
}

/** A signed, serialized transaction and its hash (lower-case). */
export interface SignedTx {
  raw: `0x${string}`;
  hash: string;
}

/** The hash of a signed, serialized transaction (lower-case). */
export function txHashOf(raw: `0x${string}`): string {
  return keccak256(raw).toLowerCase();
}

/**
 * Signs `tx` with `signer`, which must be the request's sender. The raw bytes are what the
 * engine stores before broadcasting, so a restart re-sends exactly this transaction.
 */
export async function signTx(signer: Signer, tx: UnsignedTx): Promise<SignedTx> {
  if (signer.address.toLowerCase() !== tx.request.from.toLowerCase()) {
    throw new Error(`signer ${signer.address} cannot sign for ${tx.request.from}`);
  }
  const raw = (await signer.signTransaction({
    type: 'eip1559',
    chainId: signer.chainId,
    to: tx.request.to as Hex,
    value: tx.request.value,
    ...(tx.request.data === '0x' ? {} : { data: tx.request.data }),
    nonce: tx.nonce,
    gas: tx.gasLimit,
    maxFeePerGas: tx.fees.maxFeePerGas,
    maxPriorityFeePerGas: tx.fees.maxPriorityFeePerGas,
  })) as `0x${string}`;
  return { raw, hash: txHashOf(raw) };
}
