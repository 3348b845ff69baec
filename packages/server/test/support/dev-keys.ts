import { fixedDataKey, insecureDevDataKey, type DataKeySource } from '../../src/keys/data-key.js';
import { devMnemonic } from '../../src/keys/unlock.js';

/**
 * The data key a service started with insecureDevKeys derives from `mnemonic`: for tests that
 * write merchants into a database before a service (in this process or a child) opens it.
 */
export function devSecrets(mnemonic: string = devMnemonic): DataKeySource {
  return fixedDataKey(insecureDevDataKey(mnemonic));
}

/** The environment variable that lets `serve` and CLI commands use development keys. */
export const insecureDevKeysEnvValue = { OPENWAAS_INSECURE_DEV_KEYS: '1' } as const;
