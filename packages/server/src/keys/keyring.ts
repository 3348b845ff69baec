import { createHash, pbkdf2Sync } from 'node:crypto';
import { inspect } from 'node:util';
import { toHex } from 'viem';
import { english, HDKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts';
import type { AddressAllocator } from './address-allocator.js';

/** Which key: the chain family's hot wallet, its fee wallet, or deposit address `deposit`. */
export type KeyRole = 'hot' | 'fee' | { deposit: number };

/**
 * HD paths per chain family. EVM: hot m/44'/60'/0'/0/0, fee m/44'/60'/0'/0/1, deposits
 * m/44'/60'/1'/0/i — the same branch HdAddressAllocator uses, so existing deposit addresses
 * stay valid when the key store replaces the configured mnemonic.
 */
const families = {
  evm: { wallets: "m/44'/60'/0'/0", deposits: "m/44'/60'/1'/0", hotIndex: 0, feeIndex: 1 },
} as const;

type Family = keyof typeof families;

/** The family of a chain id like "evm:31337" (or a bare family "evm"). */
export function chainFamily(chain: string): Family {
  const family = chain.split(':')[0] ?? '';
  if (!Object.hasOwn(families, family)) throw new Error(`no key derivation for chain ${chain}`);
  return family as Family;
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

  /** The lower-case address of a role on a chain (or chain family). */
  address(role: KeyRole, chain: string): string {
    return this.account(role, chain).address.toLowerCase();
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
    const family = families[chainFamily(chain)];
    let path: string;
    let index: number;
    if (role === 'hot' || role === 'fee') {
      path = family.wallets;
      index = role === 'hot' ? family.hotIndex : family.feeIndex;
    } else {
      if (!Number.isSafeInteger(role.deposit) || role.deposit < 0 || role.deposit >= 0x80000000) throw new Error(`bad deposit index ${String(role.deposit)}`);
      path = family.deposits;
      index = role.deposit;
    }
    const child = this.#branch(path).deriveChild(index);
    try {
      return privateKeyToAccount(toHex(child.privateKey!));
    } finally {
      child.wipePrivateData();
    }
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
