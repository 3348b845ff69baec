import { pbkdf2Sync } from 'node:crypto';
import { toHex } from 'viem';
import { HDKey, privateKeyToAddress } from 'viem/accounts';

/**
 * Derives a chain address for a given HD index. The chain issue's key store provides the
 * same interface backed by an encrypted seed; addresses derived here stay valid then.
 */
export interface AddressAllocator {
  /** The address at `index` on `chain` (e.g. "evm:31337"). */
  deriveAddress(chain: string, index: number): string;
}

/** Deterministic EVM addresses m/44'/60'/1'/0/i from a BIP-39 mnemonic; account 0 is kept for the hot wallet. */
export class HdAddressAllocator implements AddressAllocator {
  /** m/44'/60'/1'/0, derived once: the BIP-39 seed (PBKDF2, 2048 rounds) costs ~50 ms, a child ~1 ms. */
  #branch: HDKey | undefined;

  constructor(private readonly mnemonic: string) {}

  deriveAddress(chain: string, index: number): string {
    const family = chain.split(':')[0];
    if (family !== 'evm') throw new Error(`no address derivation for chain ${chain}`);
    // Account 1 holds deposit addresses; account 0 is left to hot and fee wallets.
    this.#branch ??= HDKey.fromMasterSeed(bip39Seed(this.mnemonic)).derive("m/44'/60'/1'/0");
    const child = this.#branch.deriveChild(index);
    return privateKeyToAddress(toHex(child.privateKey!)).toLowerCase();
  }
}

/** BIP-39 seed of a mnemonic without passphrase (same bytes as viem's mnemonicToAccount uses). */
function bip39Seed(mnemonic: string): Uint8Array {
  return pbkdf2Sync(mnemonic.normalize('NFKD'), 'mnemonic', 2048, 64, 'sha512');
}
