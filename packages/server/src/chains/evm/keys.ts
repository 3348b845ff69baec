import { toHex } from 'viem';
import { privateKeyToAddress } from 'viem/accounts';
import type { KeyDerivation } from '../key-derivation.js';

/**
 * EVM key paths: hot m/44'/60'/0'/0/0, fee m/44'/60'/0'/0/1, deposits m/44'/60'/1'/0/i (account
 * 1 holds deposit addresses; account 0 is left to hot and fee wallets), so existing deposit
 * addresses stay valid when the key store replaces a configured mnemonic. Addresses lower-case.
 */
export const evmKeyDerivation: KeyDerivation = {
  walletsPath: "m/44'/60'/0'/0",
  hotIndex: 0,
  feeIndex: 1,
  depositsPath: "m/44'/60'/1'/0",
  address: (key) => privateKeyToAddress(toHex(key.privateKey)).toLowerCase(),
};
