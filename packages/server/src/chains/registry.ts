import type { ChainConfig } from '../config/config.js';
import type { KeyRing } from '../keys/keyring.js';
import { signerFor, type Signer } from '../keys/signer.js';
import type { ChainReader, Payer } from './adapter.js';
import { parseChainId } from './chain-id.js';
import { findChainFamily } from './families.js';

/** Where signers come from: the in-process key ring by default; an external signer service can replace it. */
export interface SignerSource {
  signer(role: 'hot' | 'fee' | { deposit: number }, chain: string): Signer;
  /** The address of a role without signing anything. */
  address(role: 'hot' | 'fee' | { deposit: number }, chain: string): string;
}

/** One chain the service follows: its settings, its family's reader and payer, and its wallets. */
export interface ChainHandle {
  id: string;
  config: ChainConfig;
  /** Heads, blocks, balances (the scanner, the audit, funds checks). */
  reader: ChainReader;
  /** Pays: every outgoing transaction goes through it (chains/families.ts). */
  payer: Payer;
  /** Pays withdrawals; receives sweeps. */
  hotAddress: string;
  /** Funds gas of token sweeps. */
  feeAddress: string;
}

export type ChainSet = ReadonlyMap<string, ChainHandle>;

/** Signers held in this process, derived from the unlocked key ring (cached per role). */
export function keyRingSigners(ring: KeyRing): SignerSource {
  const cache = new Map<string, Signer>();
  return {
    signer(role, chain) {
      const key = `${chain}:${typeof role === 'string' ? role : `d${role.deposit}`}`;
      let s = cache.get(key);
      if (!s) cache.set(key, (s = signerFor(ring, role, chain)));
      return s;
    },
    address: (role, chain) => ring.address(role, chain),
  };
}

/** Readers and payers (from each chain's registered family, chains/families.ts) and wallets for every configured chain. */
export function buildChains(configs: readonly ChainConfig[], signers: SignerSource): ChainSet {
  const chains = new Map<string, ChainHandle>();
  for (const config of configs) {
    if (chains.has(config.id)) throw new Error(`chain ${config.id} is configured twice`);
    const family = findChainFamily(config.id);
    if (!family) throw new Error(`chain ${config.id}: no chain family ${parseChainId(config.id).family} is registered`);
    const signer = (role: 'hot' | 'fee' | { deposit: number }) => signers.signer(role, config.id);
    const { reader, payer } = family.createChain({ config, signer });
    chains.set(config.id, {
      id: config.id,
      config,
      reader,
      payer,
      hotAddress: signers.address('hot', config.id),
      feeAddress: signers.address('fee', config.id),
    });
  }
  return chains;
}

/** The handle of `chain`, or a clear error when the service does not follow it. */
export function requireChain(chains: ChainSet, chain: string): ChainHandle {
  const handle = chains.get(chain);
  if (!handle) throw new Error(`chain ${chain} is not configured (settings: chains)`);
  return handle;
}
