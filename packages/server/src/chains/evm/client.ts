import {
  createPublicClient,
  createWalletClient,
  defineChain,
  erc20Abi,
  http,
  type Account,
  type Address,
  type Chain,
  type PublicClient,
  type Transport,
  type WalletClient,
} from 'viem';
import { devRpcPollingIntervalMs, rpcBatchCallsMax, rpcPollingIntervalMs, rpcRetryCount } from '../../limits.js';

export interface EvmChainConfig {
  rpcUrl: string;
  chainId: number;
  /** Display name; "EVM <chainId>" unless given. */
  name?: string;
  /** Polling interval for watchers and receipt waits; 4 s on real chains, 50 ms on dev chains by default. */
  pollingIntervalMs?: number;
  /** A local dev chain (anvil): no block-number caching, fast polling. Default: chain id 31337 or 1337. */
  dev?: boolean;
  /** Batch JSON-RPC calls made in the same tick into one HTTP request (block scans). */
  batch?: boolean;
}

export type EvmPublicClient = PublicClient<Transport, Chain>;
export type EvmWalletClient = WalletClient<Transport, Chain, Account>;

export function isDevChain(config: EvmChainConfig): boolean {
  return config.dev ?? (config.chainId === 31337 || config.chainId === 1337);
}

/** A viem chain definition for any chain id, with ETH as the native currency. */
export function evmChain(config: EvmChainConfig): Chain {
  return defineChain({
    id: config.chainId,
    name: config.name ?? `EVM ${config.chainId}`,
    nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
    rpcUrls: { default: { http: [config.rpcUrl] } },
  });
}

function clientOptions(config: EvmChainConfig) {
  const dev = isDevChain(config);
  return {
    chain: evmChain(config),
    transport: http(config.rpcUrl, { retryCount: dev ? 0 : rpcRetryCount, ...(config.batch ? { batch: { batchSize: rpcBatchCallsMax, wait: 0 } } : {}) }),
    // viem caches getBlockNumber for cacheTime (= pollingInterval by default): stale heights on a dev chain.
    cacheTime: dev ? 0 : undefined,
    pollingInterval: config.pollingIntervalMs ?? (dev ? devRpcPollingIntervalMs : rpcPollingIntervalMs),
  };
}

export function createEvmPublicClient(config: EvmChainConfig): EvmPublicClient {
  const { chain, transport, cacheTime, pollingInterval } = clientOptions(config);
  return createPublicClient({ chain, transport, pollingInterval, ...(cacheTime === undefined ? {} : { cacheTime }) });
}

export function createEvmWalletClient(config: EvmChainConfig, account: Account): EvmWalletClient {
  const { chain, transport, cacheTime, pollingInterval } = clientOptions(config);
  return createWalletClient({ chain, transport, account, pollingInterval, ...(cacheTime === undefined ? {} : { cacheTime }) });
}

/** Both clients for one chain; the wallet client only when an account is given. */
export function createEvmClients(config: EvmChainConfig, account: Account): { publicClient: EvmPublicClient; walletClient: EvmWalletClient };
export function createEvmClients(config: EvmChainConfig): { publicClient: EvmPublicClient; walletClient: undefined };
export function createEvmClients(config: EvmChainConfig, account?: Account) {
  return {
    publicClient: createEvmPublicClient(config),
    walletClient: account ? createEvmWalletClient(config, account) : undefined,
  };
}

/** Native-coin balance in wei, at the latest block or at `blockNumber`. */
export function getNativeBalance(client: PublicClient, address: Address, blockNumber?: bigint): Promise<bigint> {
  return client.getBalance(blockNumber === undefined ? { address } : { address, blockNumber });
}

/** ERC-20 balance of `owner` in the token's base units, at the latest block or at `blockNumber`. */
export function getTokenBalance(client: PublicClient, token: Address, owner: Address, blockNumber?: bigint): Promise<bigint> {
  return client.readContract({
    address: token,
    abi: erc20Abi,
    functionName: 'balanceOf',
    args: [owner],
    ...(blockNumber === undefined ? {} : { blockNumber }),
  });
}

/** Dev chains only (anvil): mines `blocks` empty blocks at once (`anvil_mine`). */
export async function mine(client: PublicClient, blocks = 1): Promise<void> {
  if (!Number.isInteger(blocks) || blocks < 1) throw new Error(`blocks must be a positive integer, got ${blocks}`);
  await client.request({ method: 'anvil_mine', params: [`0x${blocks.toString(16)}`] } as never);
}

/** Dev chains only: turns auto-mining of each transaction on or off (`evm_setAutomine`). */
export async function setAutomine(client: PublicClient, enabled: boolean): Promise<void> {
  await client.request({ method: 'evm_setAutomine', params: [enabled] } as never);
}

/** Dev chains only: snapshots the chain state (`evm_snapshot`); a snapshot id reverts once. */
export async function snapshot(client: PublicClient): Promise<`0x${string}`> {
  return (await client.request({ method: 'evm_snapshot', params: [] } as never)) as `0x${string}`;
}

/** Dev chains only: reverts to a snapshot (`evm_revert`), dropping every later block — a reorg as a scanner sees it. */
export async function revert(client: PublicClient, id: `0x${string}`): Promise<boolean> {
  return (await client.request({ method: 'evm_revert', params: [id] } as never)) as boolean;
}
