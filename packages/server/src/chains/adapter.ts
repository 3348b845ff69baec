/**
 * What the service needs from a chain, in two sides.
 *
 * The read side (ChainReader) is family-neutral: heads, headers (reorg detection compares their
 * hashes), scanned blocks with the transfers to watched addresses, balances. The scanner, the
 * deposit lifecycle and the chain audit use only it, so a new family plugs in by implementing it.
 *
 * The send side (Payer) is family-neutral too: the domain (withdrawals, sweeps, gas top-ups and
 * the stored-transaction engine in modules/chain-sends) says what to pay and records states and
 * outcomes; the family prices, signs, sends and follows. Family terms (EVM: gas limit and
 * EIP-1559 fees) travel as text the family serialises, stored beside the transaction. The EVM
 * machinery (call data, gas, fee caps and bumps, nonces, the slot follower) sits behind the EVM
 * payer in chains/evm/; a UTXO family would put coin selection there.
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

/** Why a broadcast was refused; the stored-transaction engine and the family's follower decide what to do for each. */
export type BroadcastRefusal =
  /** The node has it already (re-broadcast after a crash): fine. */
  | 'known'
  /** The sequence was used by another transaction in a block. */
  | 'nonce-too-low'
  /** A transaction at this sequence is pending and pays as much or more. */
  | 'underpriced'
  /** The sender cannot pay the amount and the fees. */
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

/** The chain will not price `payment` (EVM: the node refuses to estimate it, e.g. a recipient contract that rejects it). */
export class PaymentRefusedError extends Error {
  override name = 'PaymentRefusedError';
}

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
  /** Base units of `token`. */
  amount: bigint;
}

/** A fee quote for one payment. */
export interface PaymentQuote {
  /** The most the payment can cost in fees, in the native coin's base units (funds checks, reservations). */
  feeMax: bigint;
  /**
   * The family's own terms of the quote (EVM: gas limit and fees per gas) as a JSON object of
   * strings the family writes and reads; stored with the transaction (operators see it) and
   * handed back to sign().
   */
  terms: string;
}

/** A signed payment: stored before it is sent, so a restart re-sends exactly these bytes. */
export interface SignedPayment {
  /** The transaction id the chain will know it by, known before sending. */
  txid: string;
  /** The signed transaction as the family serialises it. */
  raw: string;
}

/** A payment in a block. */
export interface PaymentOutcome {
  /** False when the chain executed and refused it (its fee still paid). */
  success: boolean;
  blockNumber: number;
  blockHash: string;
  /** The fee paid, in the native coin's base units. */
  fee: bigint;
  /** The attempt's terms with what the chain reported about it (EVM: gas used), to store. */
  terms: string;
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
 * One stored attempt at a slot — a sender's sequence number with every attempt at it (the
 * original and its replacements) — as the family's follower needs it.
 */
export interface SlotAttempt {
  txid: string;
  from: string;
  sequence: number;
  /** The family terms it was signed with. */
  terms: string;
  /** True when the attempt was recorded in a block (mined) or beaten by one that was (replaced). */
  inBlock: boolean;
  /** Times it reached a node. */
  broadcasts: number;
  /** The last broadcast refusal ("<refusal>: <node's words>"), or "". */
  lastError: string;
  /** When it was last sent (or signed, when never sent), ms. */
  sentAtMs: number;
}

/** What the domain does on the follower's decisions: it records them. */
export interface SlotActions<A extends SlotAttempt> {
  /** `attempt` is in a block. */
  mined(attempt: A, outcome: PaymentOutcome): Promise<void>;
  /** Nothing of the slot is in a block any more (a reorg took it out): `attempts` are live again. */
  revive(attempts: A[]): Promise<void>;
  /** Sends the stored bytes of `attempt` again. */
  send(attempt: A): Promise<'sent' | BroadcastRefusal>;
  /** Signs and sends a replacement of `attempt` that pays more, at the same sequence. */
  replace(attempt: A): Promise<void>;
  /** Another transaction used the sequence: every attempt is dropped; assign no sequence below `sequenceFloor` again. */
  dropped(sequenceFloor: number): Promise<void>;
}

/** How long an attempt may wait before it counts as stuck (re-sent, replaced) or dropped. */
export interface SlotTiming {
  stuckAfterMs: number;
  dropAfterMs: number;
  nowMs: () => number;
}

/**
 * The family-neutral send side. The domain decides what to pay, keeps each sender's next
 * sequence in its own table (so a sequence once stored is never handed to another payment) and
 * records outcomes; the payer brings the family's rules: its fee model, where a sender's
 * sequence starts and what follows a taken one, signing, sending, and how one slot is followed
 * to its outcome (EVM: receipts, re-sends, fee-bumped replacements, dropped nonces). Confirmations
 * are counted by the caller from the outcome's block and the reader's head.
 */
export interface Payer {
  /**
   * A fee quote for `payment`; with `feeBudget`, one whose feeMax fits in it (the family's terms
   * lowered to what the budget pays), or undefined when no includable quote does. NodeError when
   * the node fails; PaymentRefusedError when the chain will not price the payment.
   */
  quote(payment: Payment, options?: { feeBudget?: bigint }): Promise<PaymentQuote | undefined>;
  /** A quote for a replacement of an attempt signed at `terms` (paying more, as the family's nodes demand), or undefined when the family's fee cap leaves no room. */
  replacementQuote(payment: Payment, terms: string): Promise<PaymentQuote | undefined>;
  /** The first sequence to keep for `address` (the node's view), never at or below `highestStored` (the highest the service stored for it, if any). Network. */
  firstSequence(address: string, highestStored: number | undefined): Promise<number>;
  /** The sequence after `sequence` was taken. */
  nextSequence(sequence: number): number;
  /** Signs `payment` at `quote` and `sequence` with the signer of `payment.role`. No network. */
  sign(payment: Payment, quote: PaymentQuote, sequence: number): Promise<SignedPayment>;
  /** Sends a signed payment; idempotent (the node already having it is success); BroadcastError when refused. */
  send(signed: SignedPayment): Promise<void>;
  /** Follows one slot a step (`attempts` oldest first, at least one), calling `actions` on what it decides. */
  follow<A extends SlotAttempt>(attempts: readonly A[], timing: SlotTiming, actions: SlotActions<A>): Promise<void>;
  /** The payment's status by txid. */
  status(txid: string): Promise<PaymentStatus>;
}
