import { keccak256, type Hex } from 'viem';
import type { Signer } from '../keys/signer.js';
import type { FeeQuote, TxRequest } from './adapter.js';

/**
 * Building and signing outgoing EIP-1559 transactions: the fees of a new transaction (the
 * node's quote, never above the configured cap), the fees of a replacement (bumped on both
 * fields, as nodes demand) and the signature. No database and no network here: the stored-
 * transaction engine (domain/outgoing-txs.ts) decides when to call these.
 */

/** The two EIP-1559 fee fields of a transaction, in wei per gas. */
export interface TxFees {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
}

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

/** Nodes refuse a replacement that raises either fee field by less than this. */
export const replacementBumpPercentMin = 10;

const maxOf = (...values: bigint[]) => values.reduce((a, b) => (a > b ? a : b));
const minOf = (...values: bigint[]) => values.reduce((a, b) => (a < b ? a : b));

/** Fees for a new transaction: the node's quote, held under `cap` (wei; 0 = no cap). */
export function feesWithinCap(quote: FeeQuote, cap: bigint): TxFees {
  if (cap <= 0n || quote.maxFeePerGas <= cap) return { maxFeePerGas: quote.maxFeePerGas, maxPriorityFeePerGas: quote.maxPriorityFeePerGas };
  return { maxFeePerGas: cap, maxPriorityFeePerGas: minOf(quote.maxPriorityFeePerGas, cap) };
}

/**
 * Fees of a replacement for a transaction paying `old`: both fields raised by `bumpPercent`
 * (at least 10, rounded up), and never below what the node quotes now. Undefined when the cap
 * leaves no room for a valid bump: the caller keeps re-sending the old transaction.
 */
export function bumpedFees(old: TxFees, bumpPercent: number, quote: FeeQuote, cap: bigint): TxFees | undefined {
  const percent = BigInt(Math.max(Math.ceil(bumpPercent), replacementBumpPercentMin));
  const up = (v: bigint) => (v * (100n + percent) + 99n) / 100n;
  const maxPriorityFeePerGas = maxOf(up(old.maxPriorityFeePerGas), quote.maxPriorityFeePerGas);
  const maxFeePerGas = maxOf(up(old.maxFeePerGas), quote.maxFeePerGas, maxPriorityFeePerGas);
  if (cap > 0n && maxFeePerGas > cap) return undefined;
  return { maxFeePerGas, maxPriorityFeePerGas };
}

/** Most a transaction can cost in gas: gas limit × max fee per gas (wei). */
export function maxGasCost(gasLimit: bigint, fees: TxFees): bigint {
  return gasLimit * fees.maxFeePerGas;
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
