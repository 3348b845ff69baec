import type { Signer } from '../../keys/signer.js';
import { PaymentRefusedError, type Payer, type Payment, type PaymentQuote, type PaymentStatus, type SignedPayment, type SlotActions, type SlotAttempt, type SlotTiming } from '../adapter.js';
import type { KeyRole } from '../key-derivation.js';
import { bumpedFees, feesWithinCap, maxGasCost, type TxFees } from './fees.js';
import { firstManagedNonce, nextNonce } from './nonces.js';
import type { EvmSendSide } from './send-side.js';
import { signTx } from './sign.js';
import { followSlot } from './slot-follower.js';

/**
 * The EVM payer: everything EVM about paying behind the neutral Payer. A payment becomes a
 * transaction request (native value, or an ERC-20 transfer call), priced by the node's gas
 * estimate and its EIP-1559 fee quote held under the chain's cap (fees.ts); the service's
 * sequence is the sender's nonce (nonces.ts); signing is EIP-1559 (sign.ts); a slot is followed
 * by the nonce-slot follower with fee-bumped replacements (slot-follower.ts).
 *
 * Terms are stored as JSON of decimal strings: gas_limit, max_fee_per_gas,
 * max_priority_fee_per_gas, and gas_used once mined.
 */

/** The EVM terms of a quote or a stored transaction. */
export interface EvmTerms {
  gasLimit: bigint;
  fees: TxFees;
}

interface StoredTerms {
  gas_limit: string;
  max_fee_per_gas: string;
  max_priority_fee_per_gas: string;
  gas_used?: string;
}

export function serializeEvmTerms(terms: EvmTerms): string {
  const stored: StoredTerms = { gas_limit: terms.gasLimit.toString(), max_fee_per_gas: terms.fees.maxFeePerGas.toString(), max_priority_fee_per_gas: terms.fees.maxPriorityFeePerGas.toString() };
  return JSON.stringify(stored);
}

export function parseEvmTerms(text: string): EvmTerms {
  const stored = JSON.parse(text) as StoredTerms;
  return { gasLimit: BigInt(stored.gas_limit), fees: { maxFeePerGas: BigInt(stored.max_fee_per_gas), maxPriorityFeePerGas: BigInt(stored.max_priority_fee_per_gas) } };
}

const quoteOf = (terms: EvmTerms): PaymentQuote => ({ feeMax: maxGasCost(terms.gasLimit, terms.fees), terms: serializeEvmTerms(terms) });

export interface EvmPayerOptions {
  /** Highest max fee per gas the service signs (wei; 0 = no cap). */
  maxFeePerGasCap: bigint;
  /** How much a replacement raises both fee fields, percent (at least what nodes demand). */
  feeBumpPercent: number;
  /** The signer of `role` on this chain. */
  signer: (role: KeyRole) => Signer;
}

export class EvmPayer implements Payer {
  constructor(
    private readonly node: EvmSendSide,
    private readonly options: EvmPayerOptions,
  ) {}

  #request(payment: Payment) {
    return this.node.transferRequest(payment.from, payment.to, payment.token, payment.amount);
  }

  async quote(payment: Payment, options: { feeBudget?: bigint } = {}): Promise<PaymentQuote | undefined> {
    let gasLimit: bigint;
    try {
      gasLimit = await this.node.estimateGas(this.#request(payment));
    } catch (error) {
      throw new PaymentRefusedError(`the node refuses to estimate its gas (${(error as Error).message.split('\n')[0]})`, { cause: error });
    }
    const quote = await this.node.feeQuote();
    const fees = feesWithinCap(quote, this.options.maxFeePerGasCap);
    const budget = options.feeBudget;
    if (budget === undefined || maxGasCost(gasLimit, fees) <= budget) return quoteOf({ gasLimit, fees });
    // What the budget pays per gas, as long as it stays above the base fee (includable).
    const affordable = budget / gasLimit;
    if (affordable <= quote.baseFeePerGas) return undefined;
    const tipRoom = affordable - quote.baseFeePerGas;
    return quoteOf({ gasLimit, fees: { maxFeePerGas: affordable, maxPriorityFeePerGas: fees.maxPriorityFeePerGas < tipRoom ? fees.maxPriorityFeePerGas : tipRoom } });
  }

  async replacementQuote(_payment: Payment, terms: string): Promise<PaymentQuote | undefined> {
    const old = parseEvmTerms(terms);
    const fees = bumpedFees(old.fees, this.options.feeBumpPercent, await this.node.feeQuote(), this.options.maxFeePerGasCap);
    return fees && quoteOf({ gasLimit: old.gasLimit, fees });
  }

  firstSequence(address: string, highestStored: number | undefined): Promise<number> {
    return firstManagedNonce(this.node, address, highestStored);
  }

  nextSequence(sequence: number): number {
    return nextNonce(sequence);
  }

  async sign(payment: Payment, quote: PaymentQuote, sequence: number): Promise<SignedPayment> {
    const { gasLimit, fees } = parseEvmTerms(quote.terms);
    const signed = await signTx(this.options.signer(payment.role), { request: this.#request(payment), nonce: sequence, gasLimit, fees });
    return { txid: signed.hash, raw: signed.raw };
  }

  async send(signed: SignedPayment): Promise<void> {
    await this.node.broadcast(signed.raw as `0x${string}`);
  }

  follow<A extends SlotAttempt>(attempts: readonly A[], timing: SlotTiming, actions: SlotActions<A>): Promise<void> {
    return followSlot(this.node, attempts, timing, actions);
  }

  async status(txid: string): Promise<PaymentStatus> {
    const receipt = await this.node.receipt(txid);
    if (receipt) return { state: 'mined', success: receipt.success, blockNumber: receipt.blockNumber, blockHash: receipt.blockHash, fee: receipt.fee };
    return (await this.node.knowsTransaction(txid)) ? { state: 'pending' } : { state: 'unknown' };
  }
}
