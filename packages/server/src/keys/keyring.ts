import { createHash, pbkdf2Sync } from 'node:crypto';
import { inspect } from 'node:util';
import { toHex } from 'viem';
import { english, HDKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import { findChainFamily } from '../chains/families.js';
import { keyPath, type KeyDerivation, type KeyRole } from '../chains/key-derivation.js';
import type { AddressAllocator } from './address-allocator.js';

export type { KeyRole } from '../chains/key-derivation.js';

/**
 * The key derivation of a chain's family (chains/families.ts: EVM hot m/44'/60'/0'/0/0, fee
 * m/44'/60'/0'/0/1, deposits m/44'/60'/1'/0/i — the branch HdAddressAllocator uses, so existing
 * deposit addresses stay valid when the key store replaces the configured mnemonic).
 */
export function keyDerivationOf(chain: string): KeyDerivation {
  const family = findChainFamily(chain);
  if (!family) throw new Error(`no key derivation for chain ${chain}`);
  return family.keys;
}

/** Lower-case, single-spaced, NFKD: the form the key store keeps. */
export function normalizeMnemonic(mnemonic: string): string {
  return mnemonic.normalize('NFKD').trim().toLowerCase().split(/\s+/).join(' ');
}

/** A BIP-39 English mnemonic with a valid checksum (12–24 words). */
export function validateMnemonic(mnemonic: string): boolean {
  const words = normalizeMnemonic(mnemonic).split(' ');
  if (![12, 15, 18, 21, 24].includes(words.length)) return false;
  let bits = '';
  for (const word of words) {
    const index = english.indexOf(word);
    if (index < 0) return false;
    bits += index.toString(2).padStart(11, '0');
  }
  const checksumBits = words.length / 3;
  const entropyBits = bits.slice(0, bits.length - checksumBits);
  const entropy = Buffer.from(entropyBits.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
  const hash = createHash('sha256').update(entropy).digest();
  const expected = [...hash].map((b) => b.toString(2).padStart(8, '0')).join('').slice(0, checksumBits);
  return expected === bits.slice(bits.length - checksumBits);
}

/**
 * The unlocked seed: derives hot, fee and deposit keys. The mnemonic lives in a private field
 * and never leaves: JSON.stringify, util.inspect, String() and pino all print "[KeyRing]".
 * Implements AddressAllocator, so it can replace HdAddressAllocator in the service context.
 */
export class KeyRing implements AddressAllocator {
  #mnemonic: string;
  #master: HDKey | undefined;
  #branches = new Map<string, HDKey>();

  private constructor(mnemonic: string) {
    this.#mnemonic = mnemonic;
  }

  /** A key ring over a BIP-39 mnemonic (validated). Normally obtained from unlockKeystore(). */
  static fromMnemonic(mnemonic: string): KeyRing {
    const normalized = normalizeMnemonic(mnemonic);
    if (!validateMnemonic(normalized)) throw new Error('not a valid BIP-39 English mnemonic');
    return new KeyRing(normalized);
  }

  /** Deposit address `index` on `chain`: identical to HdAddressAllocator.deriveAddress. */
  deriveAddress(chain: string, index: number): string {
    return this.address({ deposit: index }, chain);
  }

  /** The address of a role on a chain (or chain family), in the family's canonical form. */
  address(role: KeyRole, chain: string): string {
    const scheme = keyDerivationOf(chain);
    const child = this.#child(scheme, role);
    try {
      return scheme.address({ publicKey: child.publicKey!, privateKey: child.privateKey! }, role);
    } finally {
      child.wipePrivateData();
    }
  }

  /** The hot wallet's address (pays withdrawals). */
  hotAddress(chain: string): string {
    return this.address('hot', chain);
  }

  /** The fee wallet's address (funds gas for deposit sweeps). */
  feeAddress(chain: string): string {
    return this.address('fee', chain);
  }

  /**
   * A viem local account for the role: the private key stays inside viem's closure. Used by
   * the in-process signer; nothing else should need it.
   */
  account(role: KeyRole, chain: string): PrivateKeyAccount {
    const child = this.#child(keyDerivationOf(chain), role);
    try {
      return privateKeyToAccount(toHex(child.privateKey!));
    } finally {
      child.wipePrivateData();
    }
  }

  /** The derived key of `role` under `scheme` (the caller wipes it). */
  #child(scheme: KeyDerivation, role: KeyRole): HDKey {
    const { path, index } = keyPath(scheme, role);
    return this.#branch(path).deriveChild(index);
  }

  /** False once lock() dropped the seed (readiness reports it). */
  get unlocked(): boolean {
    return this.#mnemonic !== '';
  }

  /** Drops the seed and derived keys from this object (best effort; JS strings cannot be wiped). */
  lock(): void {
    for (const branch of this.#branches.values()) branch.wipePrivateData();
    this.#branches.clear();
    this.#master?.wipePrivateData();
    this.#master = undefined;
    this.#mnemonic = '';
  }

  #branch(path: string): HDKey {
    let branch = this.#branches.get(path);
    if (!branch) {
      if (this.#mnemonic === '') throw new Error('the key ring is locked');
      if (!this.#master) {
        // BIP-39 seed without passphrase: the bytes viem's mnemonicToAccount and HdAddressAllocator use.
        const seed = pbkdf2Sync(this.#mnemonic, 'mnemonic', 2048, 64, 'sha512');
        this.#master = HDKey.fromMasterSeed(seed);
        seed.fill(0);
      }
      branch = this.#master.derive(path);
      this.#branches.set(path, branch);
    }
    return branch;
  }

  toJSON(): string {
    return '[KeyRing]';
  }

  toString(): string {
    return '[KeyRing]';
  }

  [inspect.custom](): string {
    return '[KeyRing]';
  }
}
