import { chainFamily } from '../../chains/chain-id.js';

/** Chains the service knows how to validate addresses for. */
export const chainAddressPatterns: Record<string, RegExp> = {
  evm: /^0x[0-9a-fA-F]{40}$/,
};

/** Address pattern of a chain key ("evm:31337" → the EVM pattern). */
export function addressPattern(chain: string): RegExp | undefined {
  return chainAddressPatterns[chainFamily(chain)];
}
