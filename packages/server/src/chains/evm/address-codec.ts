import type { AddressCodec } from '../address-codec.js';

/** An EVM address: 0x and 40 hex digits, any case (EIP-55 checksums are accepted, not required). */
const evmAddressPattern = /^0x[0-9a-fA-F]{40}$/;

/**
 * EVM addresses: case carries only the optional EIP-55 checksum, so the service stores and
 * compares them lower-case (as the node reader reports them). No memo.
 */
export const evmAddressCodec: AddressCodec = {
  family: 'evm',
  caseSensitive: false,
  supportsMemo: false,
  pattern: evmAddressPattern,
  isValid: (address) => evmAddressPattern.test(address),
  canonical: (address) => address.toLowerCase(),
  split: (address) => ({ address, memo: undefined }),
  join: (address) => address,
};
