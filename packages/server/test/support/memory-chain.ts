/**
 * A chain family that exists in tests only: "mem". It proves the chain-family boundary holds —
 * the scanner, deposits, ledger, notifications and withdrawals run on it through the same
 * domain code as on EVM — while differing from EVM wherever a family can:
 *  - addresses are case-sensitive base58 strings ("M" + 32 base58 characters), never folded;
 *  - deposit addresses carry a memo ("<address>_<tag>", the memo chains' form, API.md §4), and a
 *    transfer names its recipient and memo apart: the reader joins them;
 *  - keys derive on a branch of their own (coin type 9999) with an address of their own;
 *  - the node is a JavaScript object in this process: blocks are made by `mine()`.
 * It pays through the neutral Payer only (MemoryPayer): the stored-transaction engine, the
 * withdrawal broadcaster and its outcomes run on it unchanged, with no EVM-shaped call.
 */
import { createHash } from 'node:crypto';
import { keccak256, type Address, type Hex, type TransactionSerializable } from 'viem';
import {
  BroadcastError,
  type BlockHeader,
  type ChainReader,
  type IncomingTransfer,
  type Payer,
  type Payment,
  type PaymentQuote,
  type PaymentStatus,
  type ScannedBlock,
  type SignedPayment,
  type SlotActions,
  type SlotAttempt,
  type SlotTiming,
  type WatchSet,
} from '../../src/chains/adapter.js';
import type { AddressCodec, AddressParts } from '../../src/chains/address-codec.js';
import { registerChainFamily, unregisterChainFamily, type ChainFamily } from '../../src/chains/families.js';
import type { KeyDerivation, KeyRole } from '../../src/chains/key-derivation.js';
import type { ChainConfig } from '../../src/config/config.js';
import type { Signer } from '../../src/keys/signer.js';

export const memoryFamily = 'mem';

const base58Alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

/** Base58 (Bitcoin alphabet) of `bytes`. */
export function base58(bytes: Uint8Array): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  let out = '';
  while (n > 0n) {
    out = base58Alphabet[Number(n % 58n)]! + out;
    n /= 58n;
  }
  for (const b of bytes) {
    if (b !== 0) break;
    out = `1${out}`;
  }
  return out;
}

/** A memory-chain address: "M" and 32 base58 characters (case-sensitive). */
const memoryAddressPattern = /^M[1-9A-HJ-NP-Za-km-z]{32}$/;
/** The memo (a numeric tag, as XRP's destination tags). */
const memoryMemoPattern = /^[0-9]{1,10}$/;

function splitMemo(address: string): AddressParts {
  const at = address.indexOf('_');
  return at < 0 ? { address, memo: undefined } : { address: address.slice(0, at), memo: address.slice(at + 1) };
}

/** Case-sensitive addresses with an optional numeric memo: canonical is the address as written. */
export const memoryAddressCodec: AddressCodec = {
  family: memoryFamily,
  caseSensitive: true,
  supportsMemo: true,
  pattern: memoryAddressPattern,
  isValid(address) {
    const parts = splitMemo(address);
    return memoryAddressPattern.test(parts.address) && (parts.memo === undefined || memoryMemoPattern.test(parts.memo));
  },
  canonical: (address) => address,
  split: splitMemo,
  join: (address, memo) => (memo === undefined ? address : `${address}_${memo}`),
};

/** The address of a public key: "M" + base58 of its SHA-256, cut to 32 characters. */
export function memoryAddressOf(publicKey: Uint8Array): string {
  return `M${base58(createHash('sha256').update(publicKey).digest()).slice(0, 32)}`;
}

/** Keys on coin type 9999; a deposit address is its key's address with the HD index as memo. */
export const memoryKeyDerivation: KeyDerivation = {
  walletsPath: "m/44'/9999'/0'/0",
  hotIndex: 0,
  feeIndex: 1,
  depositsPath: "m/44'/9999'/1'/0",
  address: (key, role) => (typeof role === 'string' ? memoryAddressOf(key.publicKey) : memoryAddressCodec.join(memoryAddressOf(key.publicKey), String(role.deposit))),
};

/** One transaction on the memory chain. */
export interface MemoryTx {
  txid: string;
  from: string;
  /** The recipient's address, memo apart. */
  to: string;
  memo: string | undefined;
  amount: bigint;
  /** Sender's sequence (the one the service keeps); external senders use none. */
  nonce: number | undefined;
  fee: bigint;
}

interface MemoryBlock {
  header: BlockHeader;
  txs: MemoryTx[];
}

/** What a signed memory transaction holds (JSON, hex-encoded as the raw bytes). */
interface MemoryRawTx {
  from: string;
  to: string;
  value: string;
  nonce: number;
  gas: string;
  maxFeePerGas: string;
}

/** Flat fee model: every payment costs gasUnits × (base + tip) of the native coin. */
const gasUnits = 1n;
const baseFee = 5n;
const tipFee = 1n;

const hexOf = (text: string): Hex => `0x${Buffer.from(text, 'utf8').toString('hex')}`;
const textOf = (hex: string) => Buffer.from(hex.slice(2), 'hex').toString('utf8');

/**
 * The in-memory node of one memory chain: native balances, a pool, blocks made on `mine()`.
 * Balances are kept per address (memo apart: a memo only labels a payment).
 */
export class MemoryChainNode {
  readonly blocks: MemoryBlock[] = [];
  readonly #balances = new Map<string, bigint>();
  readonly #pool: MemoryTx[] = [];
  readonly #nonces = new Map<string, number>();
  #seq = 0;
  /** Bumped by a reorg: blocks of a new branch hash differently from the ones they replace. */
  #branch = 0;
  /** How many times a reader asked this node its head (tests of how often the service asks). */
  headReads = 0;

  constructor(readonly chain: string) {
    this.blocks.push({ header: this.#header(0, '0x'.padEnd(66, '0')), txs: [] });
  }

  #header(number: number, parentHash: string): BlockHeader {
    return { number, hash: `0x${createHash('sha256').update(`${this.chain}:${number}:${parentHash}:${this.#branch}`).digest('hex')}`, parentHash, timestamp: 1_700_000_000 + number };
  }

  get head(): number {
    return this.blocks.length - 1;
  }

  balanceOf(address: string): bigint {
    return this.#balances.get(splitMemo(address).address) ?? 0n;
  }

  /** Money that exists outside any transaction (an external sender's own funds): credited at once. */
  fund(address: string, amount: bigint): void {
    this.#balances.set(address, this.balanceOf(address) + amount);
  }

  /** A transfer by someone outside the service to `to` ("address_memo" names the memo), mined at once. Returns its txid. */
  sendExternal(input: { from: string; to: string; amount: bigint }): string {
    const parts = splitMemo(input.to);
    const txid = `0x${createHash('sha256').update(`ext:${this.chain}:${++this.#seq}`).digest('hex')}`;
    this.fund(input.from, input.amount);
    this.#pool.push({ txid, from: input.from, to: parts.address, memo: parts.memo, amount: input.amount, nonce: undefined, fee: 0n });
    this.mine();
    return txid;
  }

  /** Makes `n` blocks; the first takes the pool's transactions (each applied if its sender can pay). */
  mine(n = 1): void {
    for (let i = 0; i < n; i++) {
      const parent = this.blocks[this.blocks.length - 1]!;
      const txs: MemoryTx[] = [];
      for (const tx of this.#pool.splice(0)) {
        const cost = tx.amount + tx.fee;
        if (this.balanceOf(tx.from) < cost) continue;
        this.#balances.set(tx.from, this.balanceOf(tx.from) - cost);
        this.#balances.set(tx.to, this.balanceOf(tx.to) + tx.amount);
        if (tx.nonce !== undefined) this.#nonces.set(tx.from, tx.nonce + 1);
        txs.push(tx);
      }
      this.blocks.push({ header: this.#header(parent.header.number + 1, parent.header.hash), txs });
    }
  }

  /**
   * Replaces the newest `depth` blocks by a branch of `depth + 1` empty blocks (a reorg). The
   * replaced blocks' transactions are undone; with `reinclude` they go back to the pool and are
   * mined in the new branch's first block.
   */
  reorg(depth: number, options: { reinclude?: boolean } = {}): void {
    const dropped = this.blocks.splice(this.blocks.length - depth, depth);
    for (const block of [...dropped].reverse()) {
      for (const tx of [...block.txs].reverse()) {
        this.#balances.set(tx.to, this.balanceOf(tx.to) - tx.amount);
        this.#balances.set(tx.from, this.balanceOf(tx.from) + tx.amount + tx.fee);
        if (tx.nonce !== undefined) this.#nonces.set(tx.from, tx.nonce);
      }
    }
    if (options.reinclude) this.#pool.unshift(...dropped.flatMap((b) => b.txs));
    this.#branch++;
    this.mine(depth + 1);
  }

  /** Mined transactions counted per sender ("latest"), or with the pool ("pending"). */
  nonce(address: string, tag: 'latest' | 'pending'): number {
    const mined = this.#nonces.get(address) ?? 0;
    if (tag === 'latest') return mined;
    return this.#pool.filter((t) => t.from === address && t.nonce !== undefined).reduce((n, t) => Math.max(n, t.nonce! + 1), mined);
  }

  /** Accepts a signed transaction into the pool; its txid. */
  accept(raw: string): string {
    const txid = keccak256(raw as Hex).toLowerCase();
    if (this.find(txid) || this.#pool.some((t) => t.txid === txid)) return txid;
    const body = JSON.parse(textOf(raw)) as MemoryRawTx;
    if (body.nonce < this.nonce(body.from, 'latest')) throw new BroadcastError('nonce-too-low', `nonce ${body.nonce} of ${body.from} is used`);
    const parts = splitMemo(body.to);
    // EIP-1559-like: the sender pays the current price, at most the fee it signed for.
    const price = BigInt(body.maxFeePerGas) < baseFee + tipFee ? BigInt(body.maxFeePerGas) : baseFee + tipFee;
    const fee = BigInt(body.gas) * price;
    if (this.balanceOf(body.from) < BigInt(body.value) + fee) throw new BroadcastError('insufficient-funds', `${body.from} cannot pay ${body.value} + ${fee}`);
    this.#pool.push({ txid, from: body.from, to: parts.address, memo: parts.memo, amount: BigInt(body.value), nonce: body.nonce, fee });
    return txid;
  }

  find(txid: string): { tx: MemoryTx; block: MemoryBlock } | undefined {
    for (const block of this.blocks) {
      const tx = block.txs.find((t) => t.txid === txid);
      if (tx) return { tx, block };
    }
    return undefined;
  }

  inPool(txid: string): boolean {
    return this.#pool.some((t) => t.txid === txid);
  }
}

/** The reader of one memory chain. */
export class MemoryReader implements ChainReader {
  readonly chain: string;
  constructor(readonly node: MemoryChainNode) {
    this.chain = node.chain;
  }

  async headNumber(): Promise<number> {
    this.node.headReads += 1;
    return this.node.head;
  }

  async header(number: number): Promise<BlockHeader | undefined> {
    return this.node.blocks[number]?.header;
  }

  async scanBlocks(from: number, to: number, watch: WatchSet): Promise<ScannedBlock[]> {
    const out: ScannedBlock[] = [];
    for (let n = from; n <= to && n <= this.node.head; n++) {
      const block = this.node.blocks[n]!;
      const transfers: IncomingTransfer[] = [];
      block.txs.forEach((tx, i) => {
        // The recipient as the service names it: with the memo, the form deposit addresses are issued in.
        const recipient = memoryAddressCodec.join(tx.to, tx.memo);
        const watched = watch.has(recipient) ? recipient : watch.has(tx.to) ? tx.to : undefined;
        if (watched === undefined || tx.amount === 0n) return;
        transfers.push({ txid: tx.txid, index: `tx:${i}`, from: tx.from, to: watched, token: '', amount: tx.amount, blockNumber: n, blockHash: block.header.hash });
      });
      out.push({ header: block.header, transfers });
    }
    return out;
  }

  async balance(address: string, token: string): Promise<bigint> {
    return token === '' ? this.node.balanceOf(address) : 0n;
  }
}

/** Signs memory transactions: the "signature" is the sender's address inside the JSON (the node is ours). */
export class MemorySigner implements Signer {
  // Signer types its address as EVM hex; a memory address is a string all the same.
  readonly address: Address;
  readonly chainId = 0;
  constructor(address: string) {
    this.address = address as Address;
  }
  async signTransaction(tx: TransactionSerializable): Promise<Hex> {
    const body: MemoryRawTx = {
      from: this.address,
      to: String(tx.to),
      value: String(tx.value ?? 0n),
      nonce: tx.nonce ?? 0,
      gas: String(tx.gas ?? 0n),
      maxFeePerGas: String('maxFeePerGas' in tx ? (tx.maxFeePerGas ?? 0n) : 0n),
    };
    return hexOf(JSON.stringify(body));
  }
}

/** The memory family's terms (JSON of strings): the fee it signs for. */
interface MemoryTerms {
  fee: string;
}

/**
 * The neutral send side on a memory chain: a flat fee, the sequence the service keeps per
 * sender, status by txid, and a follower of its own (no fee market: an attempt is sent until a
 * block holds it; no replacements).
 */
export class MemoryPayer implements Payer {
  constructor(
    private readonly node: MemoryChainNode,
    private readonly signer: (role: KeyRole) => Signer,
  ) {}

  async quote(_payment: Payment, options: { feeBudget?: bigint } = {}): Promise<PaymentQuote | undefined> {
    const fee = gasUnits * (baseFee + tipFee);
    if (options.feeBudget !== undefined && options.feeBudget < fee) return undefined;
    const terms: MemoryTerms = { fee: fee.toString() };
    return { feeMax: fee, terms: JSON.stringify(terms) };
  }

  async replacementQuote(): Promise<PaymentQuote | undefined> {
    return undefined;
  }

  async firstSequence(address: string, highestStored: number | undefined): Promise<number> {
    return Math.max(this.node.nonce(address, 'pending'), highestStored === undefined ? 0 : highestStored + 1);
  }

  nextSequence(sequence: number): number {
    return sequence + 1;
  }

  async sign(payment: Payment, quote: PaymentQuote, sequence: number): Promise<SignedPayment> {
    if (payment.token !== '') throw new Error('the memory chain has no tokens');
    const terms = JSON.parse(quote.terms) as MemoryTerms;
    const signer = this.signer(payment.role);
    if (signer.address !== payment.from) throw new Error(`the ${JSON.stringify(payment.role)} signer is ${signer.address}, not ${payment.from}`);
    const raw = await signer.signTransaction({ type: 'eip1559', chainId: 0, to: payment.to as Address, value: payment.amount, nonce: sequence, gas: gasUnits, maxFeePerGas: BigInt(terms.fee) / gasUnits, maxPriorityFeePerGas: tipFee });
    return { txid: keccak256(raw).toLowerCase(), raw };
  }

  async send(signed: SignedPayment): Promise<void> {
    this.node.accept(signed.raw);
  }

  async follow<A extends SlotAttempt>(attempts: readonly A[], _timing: SlotTiming, actions: SlotActions<A>): Promise<void> {
    for (const attempt of attempts) {
      const status = await this.status(attempt.txid);
      if (status.state === 'mined') return actions.mined(attempt, { ...status, terms: attempt.terms });
    }
    const reorged = attempts.filter((a) => a.inBlock);
    if (reorged.length > 0) await actions.revive(reorged);
    const current = attempts[attempts.length - 1]!;
    if ((await this.status(current.txid)).state === 'pending') return;
    // Not in the pool (never sent, or lost with a reorged block): the same bytes again; a used sequence drops the slot.
    if ((await actions.send(current)) === 'nonce-too-low') await actions.dropped(this.node.nonce(current.from, 'pending'));
  }

  async status(txid: string): Promise<PaymentStatus> {
    const found = this.node.find(txid);
    if (found) return { state: 'mined', success: true, blockNumber: found.block.header.number, blockHash: found.block.header.hash, fee: found.tx.fee };
    return this.node.inPool(txid) ? { state: 'pending' } : { state: 'unknown' };
  }
}

/** Memory chains by their configured rpcUrl ("memory://<name>"): how a service's reader and payer find the test's node. */
const nodes = new Map<string, MemoryChainNode>();

/** The family as registered: keys, codec, signer, and the reader and payer over the node named by the chain's rpcUrl. */
export const memoryChainFamily: ChainFamily = {
  family: memoryFamily,
  chainIdPattern: /^mem:[a-z0-9-]+$/,
  codec: memoryAddressCodec,
  keys: memoryKeyDerivation,
  inProcessSigner: (ring, role, chain) => new MemorySigner(ring.address(role, chain)),
  createChain({ config, signer }: { config: ChainConfig; signer: (role: KeyRole) => Signer }) {
    const node = nodes.get(config.rpcUrl);
    if (!node) throw new Error(`no memory chain at ${config.rpcUrl}`);
    return { reader: new MemoryReader(node), payer: new MemoryPayer(node, signer) };
  },
};

/**
 * Registers the memory family and creates the node of chain `chain` ("mem:<name>"), reachable
 * by services configured with `{ id: chain, rpcUrl }` (`options.rpcUrl`: another URL to reach
 * it by, e.g. one that carries credentials like a provider's). `unregister` forgets both.
 */
export function registerMemoryChain(chain: string, options: { rpcUrl?: string } = {}): { node: MemoryChainNode; rpcUrl: string; unregister(): void } {
  registerChainFamily(memoryChainFamily);
  const rpcUrl = options.rpcUrl ?? `memory://${chain.slice(memoryFamily.length + 1)}`;
  const node = new MemoryChainNode(chain);
  nodes.set(rpcUrl, node);
  return {
    node,
    rpcUrl,
    unregister() {
      nodes.delete(rpcUrl);
      if (nodes.size === 0) unregisterChainFamily(memoryFamily);
    },
  };
}
