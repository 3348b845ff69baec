/**
 * What the service needs from a chain, in two sides.
 *
 * The read side (ChainReader) is family-neutral: heads, headers (reorg detection compares their
 * hashes), scanned blocks with the transfers to watched addresses, balances. The scanner, the
 * deposit lifecycle and the chain audit use only it, so a new family plugs in by implementing it.
 *
 * The send side has two shapes. EvmSendSide is what today's withdrawal broadcaster and sweeper
 * call (requests, gas, EIP-1559 fee quotes, nonces, raw broadcasts, receipts): EVM-shaped. Payer
 * is the neutral send interface a family implements (quote a fee, sign, send, status by txid);
 * the EVM machinery (nonces, fee bumps) moves behind it, and a UTXO family would put coin
 * selection there.
 *
 * Addresses are in their family's canonical form (address-codec.ts: EVM lower-case hex; a
 * case-sensitive family as the chain writes them; on memo chains a recipient with its memo as
 * "address_memo"); amounts are base units. Families register in families.ts.
 */

import type { KeyRole } from './key-derivation.js';

/** A block as far as reorg detection needs it. */
export interface BlockHeader {
  number: number;
  hash: string;
  parentHash: string;
  /** Seconds since the epoch. */
  timestamp: number;
}

/** Value that arrived at one address in one transaction: one deposit candidate. */
export interface IncomingTransfer {
  txid: string;
  /**
   * Distinguishes several transfers in one transaction: "log:<logIndex>" for token logs,
   * "tx" for a plain native transfer, "trace:<path>" for native value moved by a contract call
   * (EVM; another family names its own, stable across re-scans).
   */
  index: string;
  from: string;
  /** The recipient in canonical form; on memo chains with the transfer's memo ("address_memo"), the form deposit addresses are issued in. */
  to: string;
  /** Token contract, or "" for the chain's native coin. */
  token: string;
  amount: bigint;
  blockNumber: number;
  blockHash: string;
}

/** One scanned block: its header and the transfers to watched addresses it holds. */
export interface ScannedBlock {
  header: BlockHeader;
  transfers: IncomingTransfer[];
  /**
   * Transactions whose internal moves the node could not show (every tracing method failed):
   * only their top-level value was read, so value a contract forwarded inside them may be
   * missing. The scanner tells the operator.
   */
  untraced?: { txids: string[]; reason: string };
}

/** The node failed or answered an error; `nodeError` is its own words, without the node's URL path or credentials. */
export class NodeError extends Error {
  override name = 'NodeError';
  constructor(readonly nodeError: string) {
    super(nodeError);
  }
}

/**
 * The node did not give block `block` completely, after retries (an error answer, a missing
 * block or receipt, an HTTP failure). `scanned` holds the complete blocks before it, in order;
 * the scanner records them and tries `block` again on its next tick.
 */
export class ScanError extends NodeError {
  override name = 'ScanError';
  // Not an enumerable field: logging the error must not dump the blocks.
  readonly #scanned: ScannedBlock[];
  constructor(
    readonly block: number,
    nodeError: string,
    scanned: ScannedBlock[] = [],
  ) {
    super(nodeError);
    this.message = `block ${block}: ${nodeError}`;
    this.#scanned = scanned;
  }
  get scanned(): ScannedBlock[] {
    return this.#scanned;
  }
}

/** What the scanner asks for: which addresses and which tokens to look for. */
export interface WatchSet {
  /** True for a watched address (canonical form). Called for every candidate recipient. */
  has(address: string): boolean;
  /** Token contracts of this chain's coins (canonical form). */
  tokens: readonly string[];
}

/** The read side: family-neutral. */
export interface ChainReader {
  /** The chain's id as coins name it, e.g. "evm:31337". */
  readonly chain: string;
  /** Height of the newest block; NodeError when the node fails. */
  headNumber(): Promise<number>;
  /** The header at `number`, or undefined when the node has no such block (yet, or any more); NodeError when the node fails. */
  header(number: number): Promise<BlockHeader | undefined>;
  /**
   * Blocks `from`..`to` (inclusive) with every transfer to a watched address: native value
   * (top-level and from contract calls, through tracing when configured) and token transfers.
   * Blocks come back in order; the hashes let the caller check they form one chain. Throws
   * ScanError (with the complete blocks before the failing one) when the node keeps failing.
   */
  scanBlocks(from: number, to: number, watch: WatchSet): Promise<ScannedBlock[]>;
  /**
   * Native balance (token = "") or token balance of `address`, at the newest block or at
   * `blockNumber`: what the chain audit compares with the ledger (an account chain's balance;
   * a UTXO family's sum of the address's unspent outputs; a memo chain's address without memo).
   */
  balance(address: string, token: string, blockNumber?: number): Promise<bigint>;
}

// ---------------------------------------------------------------------------------------------
// Send side.

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

/** Why a broadcast was refused; the broadcaster decides what to do for each. */
export type BroadcastRefusal =
  /** The node has it already (re-broadcast after a crash): fine. */
  | 'known'
  /** The nonce was used by another mined transaction. */
  | 'nonce-too-low'
  /** A transaction with this nonce is pending with a higher or equal fee. */
  | 'underpriced'
  /** The sender cannot pay value + gas. */
  | 'insufficient-funds'
  | 'other';

export class BroadcastError extends Error {
  override name = 'BroadcastError';
  constructor(
    readonly refusal: BroadcastRefusal,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The send side today's broadcaster and sweeper call (domain/outgoing-txs.ts, chain-withdrawals.ts,
 * sweeps.ts): EVM-shaped. Replaced by Payer once the EVM machinery sits behind it.
 */
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

/** What a chain adapter is today: the neutral reader and the EVM-shaped send side. */
export type ChainAdapter = ChainReader & EvmSendSide;

/** One payment the service makes on a chain: a withdrawal, a sweep, a gas top-up. */
export interface Payment {
  /** Which of our keys pays: the payer signs with the family's signer of that role. */
  role: KeyRole;
  /** The paying address of `role`, canonical form. */
  from: string;
  /** The recipient, canonical form; on memo chains with its memo ("address_memo"): the payer splits it. */
  to: string;
  /** Token contract, or "" for the native coin. */
  token: string;
  amount: bigint;
}

/** A fee quote for one payment. */
export interface PaymentQuote {
  /** The most the payment can cost in fees, in the native coin's base units (funds checks, fee records). */
  feeMax: bigint;
  /** The family's own terms of the quote (EVM: gas limit and EIP-1559 fees), handed back to sign(). */
  terms: unknown;
}

/** A signed payment: stored before it is sent, so a restart re-sends exactly these bytes. */
export interface SignedPayment {
  /** The transaction id the chain will know it by, known before sending. */
  txid: string;
  /** The signed transaction as the family serialises it. */
  raw: string;
  /** The family's sequencing the service must keep (EVM: the nonce); undefined where the chain has none. */
  sequence?: number;
}

/** Where a sent payment stands. */
export type PaymentStatus =
  /** The node knows nothing of it (dropped, or not yet propagated). */
  | { state: 'unknown' }
  /** In the node's pool, not in a block. */
  | { state: 'pending' }
  /** In a block; `success` false when the chain executed and refused it (its fee still paid). */
  | { state: 'mined'; success: boolean; blockNumber: number; blockHash: string; fee: bigint };

/**
 * The family-neutral send side (quote a fee, sign, send, status by txid). A family's payer
 * keeps its own sequencing (EVM: nonces and replacements) and fee model; the domain decides
 * what to pay and records the outcome. Confirmations are counted by the caller from
 * `blockNumber` and the reader's head; a reorg shows as a status that went back to pending/unknown.
 */
export interface Payer {
  /** A fee quote for `payment` (NodeError when the node fails). */
  quoteFee(payment: Payment): Promise<PaymentQuote>;
  /** Signs `payment` at `quote` with the signer of `payment.role`. No network. */
  sign(payment: Payment, quote: PaymentQuote): Promise<SignedPayment>;
  /** Sends a signed payment; idempotent (the node already having it is success); BroadcastError when refused. */
  send(signed: SignedPayment): Promise<void>;
  /** The payment's status by txid. */
  status(txid: string): Promise<PaymentStatus>;
}
