/**
 * The chain families the service can follow and pay on, by family name (the part of a chain id
 * before ":"). A family brings everything chain-specific: its address codec, its key
 * derivation, its in-process signer, and the reader and payer of one configured chain. EVM is registered here by default; a test registers another family
 * (registerChainFamily) to prove the domain code is family-neutral.
 */
import type { ChainConfig } from '../config/config.js';
import type { KeyRing } from '../keys/keyring.js';
import type { Signer } from '../keys/signer.js';
import type { ChainReader, Payer } from './adapter.js';
import { registerAddressCodec, unregisterAddressCodec, type AddressCodec } from './address-codec.js';
import { chainFamily, type ChainId } from './chain-id.js';
import { evmChainFamily } from './evm/family.js';
import type { KeyDerivation, KeyRole } from './key-derivation.js';

export interface ChainFamily {
  /** The family name, the chain ids' prefix ("evm"). */
  readonly family: string;
  /** Ids of this family's chains the service can follow ("evm:<chain id>"). */
  readonly chainIdPattern: RegExp;
  readonly codec: AddressCodec;
  readonly keys: KeyDerivation;
  /** The signer held in this process for `role` on `chain`, from the unlocked key ring. */
  inProcessSigner(ring: KeyRing, role: KeyRole, chain: ChainId): Signer;
  /**
   * The reader and the payer of one configured chain; the payer (fee model, sequencing,
   * signing, sending, following) signs with `signer` of each payment's role.
   */
  createChain(input: { config: ChainConfig; signer: (role: KeyRole) => Signer }): { reader: ChainReader; payer: Payer };
}

const families = new Map<string, ChainFamily>();

/** Makes `family` known: its chains can be configured, derived for and read. Replaces one of the same name. */
export function registerChainFamily(family: ChainFamily): void {
  families.set(family.family, family);
  registerAddressCodec(family.codec);
}

/** Forgets a family registered by a test (EVM stays). */
export function unregisterChainFamily(name: string): void {
  if (name === evmChainFamily.family) throw new Error('the EVM family cannot be unregistered');
  families.delete(name);
  unregisterAddressCodec(name);
}

registerChainFamily(evmChainFamily);

/** The registered family of `chain` ("evm:56" → EVM), or undefined (ledger-only chains such as tron). */
export function findChainFamily(chain: ChainId): ChainFamily | undefined {
  return families.get(chainFamily(chain));
}

/** True when the service can follow `chain` (a registered family and an id of its form). */
export function isFollowableChainId(chain: string): boolean {
  return findChainFamily(chain)?.chainIdPattern.test(chain) ?? false;
}
