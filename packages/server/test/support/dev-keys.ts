import { fixedDataKey, insecureDevDataKey, type DataKeySource } from '../../src/keys/data-key.js';

/**
 * The data key of a service started with insecureDevKeys: for tests that write merchants into
 * a database before a service (in this process or a child) opens it.
 */
export function devSecrets(): DataKeySource {
  return fixedDataKey(insecureDevDataKey());
}

/** The environment variable that lets `serve` and CLI commands use development keys. */
export const insecureDevKeysEnvValue = { OPENWAAS_INSECURE_DEV_KEYS: '1' } as const;
