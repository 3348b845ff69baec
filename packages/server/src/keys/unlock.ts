import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/config.js';
import type { AddressAllocator } from './address-allocator.js';
import { insecureDevDataKey, type DataKey } from './data-key.js';
import { KeyRing } from './keyring.js';
import { openKeystore } from './keystore.js';

/** Environment variable holding the key store passphrase at start-up. */
export const keyPassphraseEnv = 'OPENWAAS_KEY_PASSPHRASE';
/** Environment variable of the insecureDevKeys setting. */
export const insecureDevKeysEnv = 'OPENWAAS_INSECURE_DEV_KEYS';

/** The mnemonic anvil funds: fine for a sandbox, never for real money. */
export const devMnemonic = 'test test test test test test test test test test test junk';

/**
 * Where the service's keys came from, for the start-up summary:
 * - keystore: the encrypted key store (HD seed and data key), unlocked with the passphrase;
 * - remote-signer: the same, with the hot and fee wallets signed by the remote signer;
 * - insecure-dev-keys: the configured (by default the public development) mnemonic and a data
 *   key derived from it — development only, never for real funds.
 */
export type KeySource = 'keystore' | 'remote-signer' | 'insecure-dev-keys';

/** The service cannot start with the keys it was given; the message names the settings to provide. */
export class KeySetupError extends Error {
  override name = 'KeySetupError';
}

export interface OpenedKeys {
  /** HD keys for deposit addresses and the hot and fee wallets; absent for a chainless service with a secrets-only key store. */
  ring: KeyRing | undefined;
  /** Deposit addresses: the ring, or (no seed) an allocator that refuses. */
  addresses: AddressAllocator;
  /** Encrypts the secrets kept in the database. */
  dataKey: DataKey;
  source: KeySource;
}

const howToProvideKeys =
  `run 'openwaas keys init' (or 'openwaas keys init --secrets-only' for a service without chains), then set OPENWAAS_KEYSTORE to the key store file and ${keyPassphraseEnv} to its passphrase ` +
  `(with OPENWAAS_REMOTE_SIGNER the remote signer signs for the hot and fee wallets, but deposit addresses and merchants' keys still need the key store); ` +
  `for development only, ${insecureDevKeysEnv}=1 (serve --insecure-dev-keys) uses the public development keys`;

const noSeed: AddressAllocator = {
  deriveAddress() {
    throw new KeySetupError('no HD seed: deposit addresses need a key store created by `openwaas keys init` (this one is secrets-only)');
  },
};

/**
 * Opens the service's keys. Never falls back to known keys: the key store at
 * `config.keystorePath` (passphrase from OPENWAAS_KEY_PASSPHRASE), or — only with the explicit
 * `insecureDevKeys` setting — the configured mnemonic, which is either the public development
 * one or plaintext key material in the configuration; both are said loudly. Anything else
 * throws KeySetupError naming what to set, chains or not: a chainless service still needs the
 * data key for merchants' wallet keys.
 */
export async function openKeys(config: ServiceConfig, env: NodeJS.ProcessEnv, log: Logger): Promise<OpenedKeys> {
  const remote = config.remoteSigner !== undefined;
  if (existsSync(config.keystorePath)) {
    const passphrase = env[keyPassphraseEnv];
    if (!passphrase) throw new KeySetupError(`the key store ${config.keystorePath} is locked: set ${keyPassphraseEnv} to its passphrase`);
    const opened = await openKeystore({ path: config.keystorePath, passphrase });
    if (opened.addedDataKey) log.info({ keystore: config.keystorePath }, 'key store upgraded: it now holds a data key for secrets at rest');
    if (!opened.ring && config.chains.length > 0) {
      throw new KeySetupError(`the key store ${config.keystorePath} holds no HD seed (created with --secrets-only): chains need a key store from 'openwaas keys init'`);
    }
    log.info({ keystore: config.keystorePath }, 'key store unlocked');
    if (config.hdMnemonic !== devMnemonic) log.warn('OPENWAAS_HD_MNEMONIC (hdMnemonic) is ignored: the keys come from the key store; remove the mnemonic from the configuration');
    return { ring: opened.ring, addresses: opened.ring ?? noSeed, dataKey: opened.dataKey, source: remote ? 'remote-signer' : 'keystore' };
  }
  if (!config.insecureDevKeys) {
    const custom = config.hdMnemonic !== devMnemonic;
    const what = config.chains.length > 0 ? `chains are configured (${config.chains.map((c) => c.id).join(', ')})` : 'merchants\' wallet keys are encrypted at rest';
    throw new KeySetupError(
      `no key store at ${config.keystorePath}, and ${what}: ` +
        (custom ? 'a mnemonic in the configuration (OPENWAAS_HD_MNEMONIC) is plaintext key material and is refused; ' : 'the public development keys are refused; ') +
        howToProvideKeys,
    );
  }
  const ring = KeyRing.fromMnemonic(config.hdMnemonic);
  const dev = config.hdMnemonic === devMnemonic;
  log.warn(
    { keystore: config.keystorePath, keySource: 'insecure-dev-keys' },
    `INSECURE DEVELOPMENT KEYS (${insecureDevKeysEnv}): ${dev ? 'the public development mnemonic' : 'the plaintext mnemonic of the configuration'} and a data key derived from it; anyone can take funds sent to these wallets — never hold real funds`,
  );
  return { ring, addresses: ring, dataKey: insecureDevDataKey(), source: 'insecure-dev-keys' };
}
