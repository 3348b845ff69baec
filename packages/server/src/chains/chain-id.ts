/**
 * A chain's identifier, "<family>:<reference>" ("evm:1", "evm:56", "tron:mainnet"): the family
 * says which code reads, derives keys for and pays on the chain; the reference tells the
 * family's chains apart. Parsed here only: nothing else splits the string.
 */
export type ChainId = string;

export interface ChainIdParts {
  /** The chain family ("evm"). */
  family: string;
  /** The family's own name of the chain ("31337"); empty when the id has none. */
  reference: string;
}

/** The family and reference of `id` ("evm:56" → evm, 56; "tron" → tron, ""). */
export function parseChainId(id: ChainId): ChainIdParts {
  const at = id.indexOf(':');
  return at < 0 ? { family: id, reference: '' } : { family: id.slice(0, at), reference: id.slice(at + 1) };
}

/** The family of `id` ("evm" for "evm:56"): chains of one family derive the same keys. */
export function chainFamily(id: ChainId): string {
  return parseChainId(id).family;
}
