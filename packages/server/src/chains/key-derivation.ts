/**
 * How a chain family turns the key store's seed into addresses. Every family derives from the
 * same BIP-32 master key (so one backup covers all families); the family chooses the branches
 * and how a derived key becomes an address string (in the family's canonical form).
 */

/** Which key: the chain family's hot wallet, its fee wallet, or deposit address `deposit`. */
export type KeyRole = 'hot' | 'fee' | { deposit: number };

/** A derived key pair as the family's address function sees it. */
export interface DerivedKey {
  /** Compressed secp256k1 public key (33 bytes). */
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

export interface KeyDerivation {
  /** BIP-32 branch of the hot and fee wallets; the wallets are its children `hotIndex` and `feeIndex`. */
  walletsPath: string;
  hotIndex: number;
  feeIndex: number;
  /** BIP-32 branch of deposit addresses: deposit address `i` is its child `i`. */
  depositsPath: string;
  /** The address of `key` derived for `role`, in the family's canonical form. */
  address(key: DerivedKey, role: KeyRole): string;
}

/** The branch and child index of `role` under `scheme` (the deposit index checked). */
export function keyPath(scheme: KeyDerivation, role: KeyRole): { path: string; index: number } {
  if (role === 'hot' || role === 'fee') return { path: scheme.walletsPath, index: role === 'hot' ? scheme.hotIndex : scheme.feeIndex };
  if (!Number.isSafeInteger(role.deposit) || role.deposit < 0 || role.deposit >= 0x80000000) throw new Error(`bad deposit index ${String(role.deposit)}`);
  return { path: scheme.depositsPath, index: role.deposit };
}
