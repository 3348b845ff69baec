/**
 * What the EVM payer asks of an EVM node (chains/evm/evm-adapter.ts implements it): call data,
 * gas estimates, EIP-1559 fee quotes, nonces, raw broadcasts, receipts. Internal to the EVM
 * family: the domain pays through the neutral Payer (chains/adapter.ts, chains/evm/payer.ts).
 */

/** A receipt, once the transaction is in a block. */
export interface TxReceipt {
  hash: string;
  /** False when the transaction reverted (it still used gas and its nonce). */
  success: boolean;
  blockNumber: number;
  blockHash: string;
  gasUsed: bigint;
  /** Gas used × effective gas price, in the native coin's base unit. */
  fee: bigint;
}

/** EIP-1559 fee suggestion for a transaction to be mined soon. */
export interface FeeQuote {
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  baseFeePerGas: bigint;
}

/** A transaction to sign: native value and/or contract call data. */
export interface TxRequest {
  from: string;
  to: string;
  value: bigint;
  data: `0x${string}`;
}

export interface EvmSendSide {
  /** Call data and value to move `amount` of `token` ("" = native) to `to`. */
  transferRequest(from: string, to: string, token: string, amount: bigint): TxRequest;
  /** Gas a request needs (with a safety margin for token calls). */
  estimateGas(request: TxRequest): Promise<bigint>;
  /** Current fee suggestion. */
  feeQuote(): Promise<FeeQuote>;
  /** The next nonce of `address` counting mined transactions only ("latest"), or including the node's pool ("pending"). */
  nonce(address: string, tag: 'latest' | 'pending'): Promise<number>;
  /** Sends a signed transaction; resolves to its hash, or throws BroadcastError. */
  broadcast(raw: `0x${string}`): Promise<string>;
  /** The receipt, or undefined while not mined (or unknown). */
  receipt(hash: string): Promise<TxReceipt | undefined>;
  /** True while the node knows the transaction (in its pool or mined). */
  knowsTransaction(hash: string): Promise<boolean>;
}
