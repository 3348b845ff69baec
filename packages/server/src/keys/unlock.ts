import { existsSync } from 'node:fs';
import type { Logger } from 'pino';
import type { ServiceConfig } from '../config/config.js';
import { KeyRing } from './keyring.js';
import { unlockKeystore } from './keystore.js';

/** Environment variable holding the key store passphrase at start-up. */
export const keyPassphraseEnv = 'OPENWAAS_KEY_PASSPHRASE';

/** The mnemonic anvil funds: fine for a sandbox, never for real money. */
const devMnemonic = 'test test test test test test test test test test test junk';

/**
 * The service's keys: the encrypted key store when `config.keystorePath` exists (passphrase
 * from OPENWAAS_KEY_PASSPHRASE), else the configured mnemonic — a development setting, said
 * loudly when chains are configured.
 */
export async function openKeyRing(config: ServiceConfig, env: NodeJS.ProcessEnv, log: Logger): Promise<{ ring: KeyRing; source: 'keystore' | 'mnemonic' }> {
  if (existsSync(config.keystorePath)) {
    const passphrase = env[keyPassphraseEnv];
    if (!passphrase) throw new Error(`the key store ${config.keystorePath} is locked: set ${keyPassphraseEnv} to its passphrase`);
    const ring = await unlockKeystore({ path: config.keystorePath, passphrase });
    log.info({ keystore: config.keystorePath }, 'key store unlocked');
    return { ring, source: 'keystore' };
  }
  if (config.chains.length > 0) {
    const dev = config.hdMnemonic === devMnemonic;
    log.warn(
      { keystore: config.keystorePath },
      dev
        ? 'no key store: using the public development mnemonic; run `openwaas keys init` before holding real funds'
        : 'no key store: keys come from the configured mnemonic; run `openwaas keys init` to encrypt them at rest',
    );
  }
  return { ring: KeyRing.fromMnemonic(config.hdMnemonic), source: 'mnemonic' };
}
