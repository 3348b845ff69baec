import { inspect } from 'node:util';
import type { Address, Hex, TransactionSerializable } from 'viem';
import { addressCodec } from '../chains/address-codec.js';
import { findChainFamily } from '../chains/families.js';
import { parseChainId } from '../chains/chain-id.js';
import type { KeyRing, KeyRole } from './keyring.js';

/**
 * Signs transactions for one address on one chain. The in-process implementation below holds
 * a key derived from the key store's seed; an external signer (cloud KMS, HSM, MPC service,
 * remote signer) implements the same interface and returns the signed, serialized
 * transaction, so withdrawal and sweep code never sees a private key.
 */
export interface Signer {
  /** The signing address (lower-case hex). */
  readonly address: Address;
  /** The EVM chain id this signer is bound to; transactions for another chain are refused. */
  readonly chainId: number;
  /** Signs `tx` (EIP-1559, EIP-2930 or legacy) and returns the serialized signed transaction. */
  signTransaction(tx: TransactionSerializable): Promise<Hex>;
}

/** The EVM chain id in a chain name like "evm:31337". */
export function evmChainId(chain: string): number {
  const { family, reference: id } = parseChainId(chain);
  const chainId = Number(id);
  if (family !== 'evm' || !/^\d+$/.test(id) || !Number.isSafeInteger(chainId) || chainId <= 0) throw new Error(`not an EVM chain with a chain id: ${chain}`);
  return chainId;
}

/** Signs with a key derived in this process from the unlocked KeyRing. */
export class InProcessSigner implements Signer {
  readonly address: Address;
  readonly chainId: number;
  readonly #account: ReturnType<KeyRing['account']>;

  constructor(ring: KeyRing, role: KeyRole, chain: string) {
    this.chainId = evmChainId(chain);
    this.#account = ring.account(role, chain);
    this.address = addressCodec(chain).canonical(this.#account.address) as Address;
  }

  async signTransaction(tx: TransactionSerializable): Promise<Hex> {
    if (tx.chainId !== undefined && tx.chainId !== this.chainId) throw new Error(`transaction for chain ${tx.chainId} given to a signer for chain ${this.chainId}`);
    return this.#account.signTransaction({ ...tx, chainId: this.chainId } as TransactionSerializable);
  }

  toJSON(): { signer: string; address: string; chainId: number } {
    return { signer: 'in-process', address: this.address, chainId: this.chainId };
  }

  [inspect.custom](): string {
    return `[InProcessSigner ${this.address} chain ${this.chainId}]`;
  }
}

/** The in-process signer for a role ('hot', 'fee' or { deposit: i }) on a chain like "evm:31337": its family's. */
export function signerFor(ring: KeyRing, role: KeyRole, chain: string): Signer {
  const family = findChainFamily(chain);
  if (!family) throw new Error(`no key derivation for chain ${chain}`);
  return family.inProcessSigner(ring, role, chain);
}
