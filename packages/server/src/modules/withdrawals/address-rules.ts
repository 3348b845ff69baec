import { chainFamily } from '../../chains/chain-id.js';
import { addressPattern } from '../coins/index.js';
import { withdrawAddressPartLengthMax, withdrawMemoLengthMax } from '../../limits.js';

/** Chain families whose addresses may carry a memo/tag after "_" (API.md §4). */
const memoChainFamilies = new Set(['eos', 'xrp', 'xlm', 'atom', 'bnb', 'ton', 'hbar', 'iost']);
/** Chains without a configured pattern: printable, no separators that could smuggle a memo. */
const genericAddressPattern = new RegExp(`^[A-Za-z0-9:.-]{1,${withdrawAddressPartLengthMax}}$`);
const memoPattern = new RegExp(`^[A-Za-z0-9]{1,${withdrawMemoLengthMax}}$`);

/** Splits "addr_memo" on memo chains; the address part alone elsewhere. */
export function splitAddress(chain: string, address: string): { address: string; memo: string | undefined } {
  const at = address.indexOf('_');
  if (!memoChainFamilies.has(chainFamily(chain)) || at < 0) return { address, memo: undefined };
  return { address: address.slice(0, at), memo: address.slice(at + 1) };
}

/** True when `address` is well-formed for the coin's chain (110055 otherwise). */
export function isValidWithdrawAddress(chain: string, address: string): boolean {
  const parts = splitAddress(chain, address);
  if (parts.memo !== undefined && !memoPattern.test(parts.memo)) return false;
  return (addressPattern(chain) ?? genericAddressPattern).test(parts.address);
}
