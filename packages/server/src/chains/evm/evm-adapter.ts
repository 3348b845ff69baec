import {
  BlockNotFoundError,
  TransactionNotFoundError,
  TransactionReceiptNotFoundError,
  encodeFunctionData,
  erc20Abi,
  getAddress,
  keccak256,
  type Hex,
} from 'viem';
import { BroadcastError, NodeError, type BlockHeader, type ChainReader, type ScannedBlock, type WatchSet } from '../adapter.js';
import type { EvmSendSide, FeeQuote, TxReceipt, TxRequest } from './send-side.js';
import { parseChainId } from '../chain-id.js';
import { createEvmPublicClient, type EvmPublicClient } from './client.js';
import { readBlocks, type TracingMode } from './block-reader.js';
import { nodeErrorText } from './node-errors.js';
import { contractGasMarginPercent, nodeErrorCauseDepthMax } from '../../limits.js';

export interface EvmAdapterOptions {
  /** "evm:<chain id>". */
  chain: string;
  rpcUrl: string;
  tracing: TracingMode;
  pollingIntervalMs?: number;
}


const lower = (s: string) => s.toLowerCase();

/** The EVM node: the neutral reader and the send side the EVM payer uses, JSON-RPC through viem, any chain id. */
export class EvmAdapter implements ChainReader, EvmSendSide {
  readonly chain: string;
  readonly chainId: number;
  readonly client: EvmPublicClient;
  /** A client that batches the JSON-RPC calls made in one tick (block scans read many blocks at once). */
  readonly #batchClient: EvmPublicClient;
  readonly #tracing: TracingMode;

  constructor(options: EvmAdapterOptions) {
    this.chain = options.chain;
    this.chainId = Number(parseChainId(options.chain).reference);
    const base = { rpcUrl: options.rpcUrl, chainId: this.chainId, ...(options.pollingIntervalMs ? { pollingIntervalMs: options.pollingIntervalMs } : {}) };
    this.client = createEvmPublicClient(base);
    this.#batchClient = createEvmPublicClient({ ...base, batch: true });
    this.#tracing = options.tracing;
  }

  async headNumber(): Promise<number> {
    try {
      return Number(await this.client.getBlockNumber());
    } catch (error) {
      throw new NodeError(`head block number: ${nodeErrorText(error)}`);
    }
  }

  async header(number: number): Promise<BlockHeader | undefined> {
    try {
      const b = await this.client.getBlock({ blockNumber: BigInt(number) });
      return { number: Number(b.number), hash: lower(b.hash!), parentHash: lower(b.parentHash), timestamp: Number(b.timestamp) };
    } catch (error) {
      if (error instanceof BlockNotFoundError) return undefined;
      throw new NodeError(`block ${number}: ${nodeErrorText(error)}`);
    }
  }

  scanBlocks(from: number, to: number, watch: WatchSet): Promise<ScannedBlock[]> {
    return readBlocks(this.#batchClient, { from, to, watch, tracing: this.#tracing });
  }

  async balance(address: string, token: string, blockNumber?: number): Promise<bigint> {
    const at = blockNumber === undefined ? {} : { blockNumber: BigInt(blockNumber) };
    try {
      if (token === '') return await this.client.getBalance({ address: address as Hex, ...at });
      return await this.client.readContract({ address: token as Hex, abi: erc20Abi, functionName: 'balanceOf', args: [address as Hex], ...at });
    } catch (error) {
      // A token that does not answer balanceOf (no contract there, or it reverts) is that token's
      // problem, said as is; anything else is the node's.
      if (isContractAnswer(error)) throw error;
      throw new NodeError(`balance of ${address}${token ? ` in ${token}` : ''}: ${nodeErrorText(error)}`);
    }
  }

  transferRequest(from: string, to: string, token: string, amount: bigint): TxRequest {
    if (token === '') return { from: lower(from), to: lower(to), value: amount, data: '0x' };
    const data = encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [getAddress(to), amount] });
    return { from: lower(from), to: lower(token), value: 0n, data };
  }

  async estimateGas(request: TxRequest): Promise<bigint> {
    const gas = await this.client.estimateGas({ account: request.from as Hex, to: request.to as Hex, value: request.value, data: request.data });
    return request.data === '0x' ? gas : gas + (gas * contractGasMarginPercent) / 100n;
  }

  async feeQuote(): Promise<FeeQuote> {
    const block = await this.client.getBlock({ blockTag: 'latest' });
    const baseFeePerGas = block.baseFeePerGas ?? 0n;
    const maxPriorityFeePerGas = await this.client.estimateMaxPriorityFeePerGas().catch(() => 1_000_000_000n);
    // Twice the base fee: stays includable through six full blocks of base-fee growth.
    return { baseFeePerGas, maxPriorityFeePerGas, maxFeePerGas: baseFeePerGas * 2n + maxPriorityFeePerGas };
  }

  nonce(address: string, tag: 'latest' | 'pending'): Promise<number> {
    return this.client.getTransactionCount({ address: address as Hex, blockTag: tag });
  }

  async broadcast(raw: `0x${string}`): Promise<string> {
    const hash = lower(keccak256(raw));
    try {
      return lower(await this.client.sendRawTransaction({ serializedTransaction: raw }));
    } catch (error) {
      // Whole: the refusal is recognised by its words below.
      const text = nodeErrorText(error, Infinity);
      if (/already known|already imported|known transaction|already exists/i.test(text)) return hash;
      if (/nonce too low|nonce has already been used|NonceTooLow/i.test(text)) throw new BroadcastError('nonce-too-low', text);
      if (/underpriced|replacement transaction/i.test(text)) throw new BroadcastError('underpriced', text);
      if (/insufficient funds|InsufficientFunds/i.test(text)) throw new BroadcastError('insufficient-funds', text);
      throw new BroadcastError('other', text);
    }
  }

  async receipt(hash: string): Promise<TxReceipt | undefined> {
    try {
      const r = await this.client.getTransactionReceipt({ hash: hash as Hex });
      return {
        hash: lower(r.transactionHash),
        success: r.status === 'success',
        blockNumber: Number(r.blockNumber),
        blockHash: lower(r.blockHash),
        gasUsed: r.gasUsed,
        fee: r.gasUsed * r.effectiveGasPrice,
      };
    } catch (error) {
      if (error instanceof TransactionReceiptNotFoundError) return undefined;
      throw error;
    }
  }

  async knowsTransaction(hash: string): Promise<boolean> {
    try {
      await this.client.getTransaction({ hash: hash as Hex });
      return true;
    } catch (error) {
      if (error instanceof TransactionNotFoundError) return false;
      throw error;
    }
  }
}

/** True when the node answered and the contract is what failed (no code at the address, or a revert). */
function isContractAnswer(error: unknown): boolean {
  for (let e = error as { name?: string; cause?: unknown } | undefined, depth = 0; e && depth < nodeErrorCauseDepthMax; e = e.cause as typeof e, depth++) {
    if (e.name === 'ContractFunctionZeroDataError' || e.name === 'ContractFunctionRevertedError') return true;
  }
  return false;
}
