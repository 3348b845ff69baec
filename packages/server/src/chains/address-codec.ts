/**
 * Addresses per chain family: which strings are addresses, the one form the service stores and
 * compares (EVM: lower-case hex; case-sensitive families: as given), and the memo/tag some
 * chains put beside the address ("addr_memo", API.md §4). Domain code never lowercases or
 * splits an address itself: it asks the codec of the address's chain.
 */
import { withdrawAddressPartLengthMax, withdrawMemoLengthMax } from '../limits.js';
import { chainFamily, type ChainId } from './chain-id.js';
import { evmAddressCodec } from './evm/address-codec.js';

/** An address split into the chain address and its memo/tag (undefined when it has none). */
export interface AddressParts {
  address: string;
  memo: string | undefined;
}

export interface AddressCodec {
  /** The family this codec belongs to ("evm"). */
  readonly family: string;
  /** True when addresses differing only in letter case are different addresses. */
  readonly caseSensitive: boolean;
  /** True when an address may carry a memo/tag after "_". */
  readonly supportsMemo: boolean;
  /** What a chain address (memo excluded) looks like; undefined when the family has no exact rule (the coin list then shows none). */
  readonly pattern: RegExp | undefined;
  /** True when `address` (memo included, if any) is well-formed for the family. */
  isValid(address: string): boolean;
  /** The form under which the service stores and compares `address` (memo kept). */
  canonical(address: string): string;
  /** "addr_memo" → addr, memo on memo families; the address whole elsewhere. */
  split(address: string): AddressParts;
  /** The service's single string for an address and its memo ("addr_memo"; `address` alone without memo). */
  join(address: string, memo: string | undefined): string;
}

// EVM's codec is built in, so domain code validating an address needs no family table loaded.
const codecs = new Map<string, AddressCodec>([[evmAddressCodec.family, evmAddressCodec]]);

/** Makes `codec` the codec of its family (a family registered in chains/families.ts, or a test's). */
export function registerAddressCodec(codec: AddressCodec): void {
  codecs.set(codec.family, codec);
}

/** Removes a family's codec (tests that registered one); EVM's stays. */
export function unregisterAddressCodec(family: string): void {
  if (family !== evmAddressCodec.family) codecs.delete(family);
}

/** Families without code here whose addresses may carry a memo/tag after "_" (API.md §4). */
export const memoChainFamilies: ReadonlySet<string> = new Set(['eos', 'xrp', 'xlm', 'atom', 'bnb', 'ton', 'hbar', 'iost']);

/** Chains without a family of their own: printable, no separators that could smuggle a memo. */
const genericAddressPattern = new RegExp(`^[A-Za-z0-9:.-]{1,${withdrawAddressPartLengthMax}}$`);
/** A memo/tag on the ledger-only memo chains. */
export const genericMemoPattern = new RegExp(`^[A-Za-z0-9]{1,${withdrawMemoLengthMax}}$`);

/**
 * The codec of a family without code of its own (ledger-only chains the API lists: tron, the
 * memo chains): addresses are taken as given (case kept), checked against the generic pattern,
 * with a memo after "_" on memo chains.
 */
export function genericAddressCodec(family: string): AddressCodec {
  const supportsMemo = memoChainFamilies.has(family);
  const split = (address: string): AddressParts => {
    const at = address.indexOf('_');
    if (!supportsMemo || at < 0) return { address, memo: undefined };
    return { address: address.slice(0, at), memo: address.slice(at + 1) };
  };
  return {
    family,
    caseSensitive: true,
    supportsMemo,
    pattern: undefined,
    isValid(address) {
      const parts = split(address);
      if (parts.memo !== undefined && !genericMemoPattern.test(parts.memo)) return false;
      return genericAddressPattern.test(parts.address);
    },
    canonical: (address) => address,
    split,
    join: (address, memo) => (memo === undefined || !supportsMemo ? address : `${address}_${memo}`),
  };
}

const generic = new Map<string, AddressCodec>();

/** The codec of the family of `chain` ("evm:56" → the EVM codec; an unknown family → the generic one). */
export function addressCodec(chain: ChainId): AddressCodec {
  const family = chainFamily(chain);
  const registered = codecs.get(family);
  if (registered) return registered;
  let codec = generic.get(family);
  if (!codec) generic.set(family, (codec = genericAddressCodec(family)));
  return codec;
}

/**
 * The forms under which an address of unknown chain may be stored: as given, and its canonical
 * form in every registered family it is valid in (an EVM address checksummed by the caller is
 * stored lower-case). A case-sensitive family's address is never folded, so it cannot match
 * another address that differs only in case.
 */
export function storedAddressForms(address: string): string[] {
  const forms = new Set([address]);
  for (const codec of codecs.values()) if (codec.isValid(address)) forms.add(codec.canonical(address));
  return [...forms];
}
