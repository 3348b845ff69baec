import { inspect } from 'node:util';
import { parseTransaction, recoverTransactionAddress, toHex, type Address, type Hex, type TransactionSerializable, type TransactionSerializableEIP1559 } from 'viem';
import { keyRingSigners, type SignerSource } from '../chains/registry.js';
import type { RemoteSignerConfig } from '../config/remote-signer-config.js';
import type { KeyRing } from './keyring.js';
import { evmChainId, type Signer } from './signer.js';

/** The external signer failed, refused, or answered with something we will not broadcast. */
export class RemoteSignerError extends Error {
  override name = 'RemoteSignerError';
}

export interface RemoteSignerOptions {
  url: string;
  /** Bearer token; never part of a message, a log line or JSON. */
  token?: string;
  address: string;
  chainId: number;
  timeoutMs: number;
}

/**
 * A Signer backed by a JSON-RPC `eth_signTransaction` endpoint. The answer is not trusted:
 * the signed transaction must be exactly the one asked for (type, chain, nonce, recipient,
 * value, data, gas, fees) and recover to the configured address, or it is refused — a signer
 * that signs something else never gets a transaction broadcast.
 */
export class RemoteSigner implements Signer {
  readonly address: Address;
  readonly chainId: number;
  readonly #url: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;
  #requestId = 0;

  constructor(options: RemoteSignerOptions) {
    this.address = options.address.toLowerCase() as Address;
    this.chainId = options.chainId;
    this.#url = options.url;
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs;
  }

  async signTransaction(tx: TransactionSerializable): Promise<Hex> {
    const asked = tx as TransactionSerializableEIP1559;
    if (asked.type !== 'eip1559' || asked.to === undefined || asked.to === null || asked.nonce === undefined || asked.gas === undefined) {
      throw new RemoteSignerError('the remote signer signs complete EIP-1559 transactions only');
    }
    if (asked.chainId !== undefined && asked.chainId !== this.chainId) throw new RemoteSignerError(`transaction for chain ${asked.chainId} given to a signer for chain ${this.chainId}`);
    const params = {
      from: this.address,
      to: asked.to,
      value: toHex(asked.value ?? 0n),
      data: asked.data ?? '0x',
      nonce: toHex(asked.nonce),
      gas: toHex(asked.gas),
      maxFeePerGas: toHex(asked.maxFeePerGas ?? 0n),
      maxPriorityFeePerGas: toHex(asked.maxPriorityFeePerGas ?? 0n),
      chainId: toHex(this.chainId),
      type: '0x2',
    };
    const raw = await this.#call(params);
    await this.#verify(raw, { ...asked, chainId: this.chainId });
    return raw;
  }

  async #call(params: Record<string, string>): Promise<Hex> {
    let body: unknown;
    try {
      const res = await fetch(this.#url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}) },
        body: JSON.stringify({ jsonrpc: '2.0', id: ++this.#requestId, method: 'eth_signTransaction', params: [params] }),
        signal: AbortSignal.timeout(this.#timeoutMs),
        redirect: 'error',
      });
      if (!res.ok) throw new RemoteSignerError(`remote signer answered HTTP ${res.status}`);
      body = await res.json();
    } catch (error) {
      if (error instanceof RemoteSignerError) throw error;
      throw new RemoteSignerError(`remote signer unreachable or not JSON: ${(error as Error).message}`);
    }
    const answer = body as { result?: unknown; error?: { code?: unknown; message?: unknown } };
    if (answer.error) throw new RemoteSignerError(`remote signer refused: ${String(answer.error.message ?? answer.error.code ?? 'error')}`.slice(0, 300));
    // Web3Signer answers the raw hex; geth and Clef answer { raw, tx }.
    const result = typeof answer.result === 'object' && answer.result !== null ? (answer.result as { raw?: unknown }).raw : answer.result;
    if (typeof result !== 'string' || !/^0x[0-9a-fA-F]+$/.test(result)) throw new RemoteSignerError('remote signer answered no signed transaction');
    return result.toLowerCase() as Hex;
  }

  async #verify(raw: Hex, asked: TransactionSerializableEIP1559): Promise<void> {
    let signed: ReturnType<typeof parseTransaction>;
    let signer: string;
    try {
      signed = parseTransaction(raw);
      signer = (await recoverTransactionAddress({ serializedTransaction: raw as never })).toLowerCase();
    } catch (error) {
      throw new RemoteSignerError(`remote signer answered an unreadable transaction: ${(error as Error).message.split('\n')[0]}`);
    }
    const got = signed as TransactionSerializableEIP1559;
    const differences = [
      ['type', got.type, 'eip1559'],
      ['chainId', got.chainId, asked.chainId],
      ['nonce', got.nonce, asked.nonce],
      ['to', got.to?.toLowerCase(), asked.to?.toLowerCase()],
      ['value', got.value ?? 0n, asked.value ?? 0n],
      ['data', (got.data ?? '0x').toLowerCase(), (asked.data ?? '0x').toLowerCase()],
      ['gas', got.gas, asked.gas],
      ['maxFeePerGas', got.maxFeePerGas, asked.maxFeePerGas],
      ['maxPriorityFeePerGas', got.maxPriorityFeePerGas, asked.maxPriorityFeePerGas],
      ['signer', signer, this.address],
    ].filter(([, a, b]) => a !== b);
    if (differences.length > 0) {
      throw new RemoteSignerError(`remote signer signed another transaction than asked (${differences.map(([field, a, b]) => `${String(field)}: ${String(a)} instead of ${String(b)}`).join(', ')})`);
    }
  }

  toJSON(): { signer: string; address: string; chainId: number } {
    return { signer: 'remote', address: this.address, chainId: this.chainId };
  }

  [inspect.custom](): string {
    return `[RemoteSigner ${this.address} chain ${this.chainId}]`;
  }
}

/**
 * The service's signers: with a `remoteSigner` setting, the hot and fee wallets are the
 * remote signer's addresses and every transaction from them is signed there; deposit
 * addresses stay with the key ring. Without it, everything comes from the key ring.
 */
export function configuredSigners(ring: KeyRing, remote: RemoteSignerConfig | undefined): SignerSource {
  const local = keyRingSigners(ring);
  if (!remote) return local;
  const cache = new Map<string, Signer>();
  const walletAddress = (role: 'hot' | 'fee') => (role === 'hot' ? remote.hotAddress : remote.feeAddress);
  return {
    signer(role, chain) {
      if (typeof role !== 'string') return local.signer(role, chain);
      const key = `${chain}:${role}`;
      let s = cache.get(key);
      if (!s) {
        s = new RemoteSigner({ url: remote.url, ...(remote.token ? { token: remote.token } : {}), address: walletAddress(role), chainId: evmChainId(chain), timeoutMs: remote.timeoutMs });
        cache.set(key, s);
      }
      return s;
    },
    address: (role, chain) => (typeof role === 'string' ? walletAddress(role) : local.address(role, chain)),
  };
}
