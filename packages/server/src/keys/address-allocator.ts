import { mnemonicToAccount } from 'viem/accounts';

/**
 * Derives a chain address for a given HD index. The chain issue's key store provides the
 * same interface backed by an encrypted seed; addresses derived here stay valid then.
 */
export interface AddressAllocator {
  /** The address at `index` on `chain` (e.g. "evm:31337"). */
  deriveAddress(chain: string, index: number): string;
}

/** Deterministic EVM addresses m/44'/60'/0'/0/i from a BIP-39 mnemonic; index 0 is kept for the hot wallet. */
export class HdAddressAllocator implements AddressAllocator {
  constructor(private readonly mnemonic: string) {}

  deriveAddress(chain: string, index: number): string {
    const family = chain.split(':')[0];
    if (family !== 'evm') throw new Error(`no address derivation for chain ${chain}`);
    // Account 1 holds deposit addresses; account 0 is left to hot and fee wallets.
    return mnemonicToAccount(this.mnemonic, { accountIndex: 1, addressIndex: index }).address.toLowerCase();
  }
}
