import { pbkdf2Sync } from 'node:crypto';
import { HDKey } from 'viem/accounts';
import { findChainFamily } from '../chains/families.js';
import { keyPath } from '../chains/key-derivation.js';

/**
 * Derives a chain address for a given HD index. The chain issue's key store provides the
 * same interface backed by an encrypted seed; addresses derived here stay valid then.
 */
export interface AddressAllocator {
  /** The address at `index` on `chain` (e.g. "evm:31337"). */
  deriveAddress(chain: string, index: number): string;
}

/**
 * Deterministic deposit addresses from a BIP-39 mnemonic, on the deposit branch of the chain's
 * family (EVM: m/44'/60'/1'/0/i; account 0 is kept for the hot wallet).
 */
export class HdAddressAllocator implements AddressAllocator {
  /** The master key, derived once: the BIP-39 seed (PBKDF2, 2048 rounds) costs ~50 ms, a child ~1 ms. */
  #master: HDKey | undefined;
  /** Deposit branches by path, derived once each. */
  readonly #branches = new Map<string, HDKey>();

  constructor(private readonly mnemonic: string) {}

  deriveAddress(chain: string, index: number): string {
    const scheme = findChainFamily(chain)?.keys;
    if (!scheme) throw new Error(`no address derivation for chain ${chain}`);
    const { path } = keyPath(scheme, { deposit: index });
    let branch = this.#branches.get(path);
    if (!branch) {
      this.#master ??= HDKey.fromMasterSeed(bip39Seed(this.mnemonic));
      this.#branches.set(path, (branch = this.#master.derive(path)));
    }
    const child = branch.deriveChild(index);
    return scheme.address({ publicKey: child.publicKey!, privateKey: child.privateKey! }, { deposit: index });
  }
}

/** BIP-39 seed of a mnemonic without passphrase (same bytes as viem's mnemonicToAccount uses). */
function bip39Seed(mnemonic: string): Uint8Array {
  return pbkdf2Sync(mnemonic.normalize('NFKD'), 'mnemonic', 2048, 64, 'sha512');
}
