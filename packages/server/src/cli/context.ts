import { parsePrivateKey, seal } from '@openwaas/sdk';
import { pino } from 'pino';
import { ConfigError, loadConfig, type ServiceConfig } from '../config/config.js';
import { WakeRelay, type EnvelopeSealer, type ServiceContext } from '../context.js';
import type { AddressAllocator } from '../keys/address-allocator.js';
import { systemClock } from '../clock.js';
import { openStore } from '../store/db.js';
import { migrateToLatest, pendingMigrations } from '../store/migrate.js';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { adoptDataKey } from '../modules/merchants/index.js';
import { insecureDevDataKey, type DataKey, type DataKeySource } from '../keys/data-key.js';
import { KeystoreError, openKeystore } from '../keys/keystore.js';
import { insecureDevKeysEnv, keyPassphraseEnv } from '../keys/unlock.js';
import type { Store } from '../store/db.js';
import { CommandFailed, type Io } from './args.js';
import { redactedUrl } from '../http/redacted-url.js';

/** The configuration from the environment (DATABASE_URL, OPENWAAS_CONFIG, …); bad settings are usage errors. */
export function cliConfig(io: Io, overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  try {
    return loadConfig(overrides, io.env);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // The OPENWAAS_CONFIG file is missing or not JSON.
    throw new ConfigError(`OPENWAAS_CONFIG ${io.env.OPENWAAS_CONFIG ?? ''}: ${(error as Error).message}`);
  }
}

/**
 * Seals in this thread: the CLI seals rarely (never per request), so a worker pool would only
 * slow start-up down.
 */
function inlineSealer(): EnvelopeSealer {
  const keys = new Map<number, { pem: string; key: ReturnType<typeof parsePrivateKey> }>();
  return {
    async seal(merchantId, pem, value) {
      let k = keys.get(merchantId);
      if (!k || k.pem !== pem) keys.set(merchantId, (k = { pem, key: parsePrivateKey(pem) }));
      return seal(value, k.key);
    },
    async close() {},
  };
}

/**
 * Issuing deposit addresses is the API's job, never an operator command's; leaving the HD
 * library out keeps every CLI start about a second faster.
 */
const noAddresses: AddressAllocator = {
  deriveAddress() {
    throw new CommandFailed('deriving deposit addresses is not available in the CLI; it happens through the API');
  },
};

/**
 * The data key for a CLI command, unlocked only when the command first needs it (creating a
 * merchant, sealing with a merchant's key): most commands never ask for the passphrase. The
 * key store's passphrase comes from OPENWAAS_KEY_PASSPHRASE or a prompt on a terminal; without
 * a key store, only the insecureDevKeys setting gives a (development) key.
 */
function cliDataKey(io: Io, config: ServiceConfig, store: Store): DataKeySource {
  let unlocking: Promise<DataKey> | undefined;
  const unlock = async (): Promise<DataKey> => {
    let key: DataKey;
    const path = resolve(io.cwd, config.keystorePath);
    if (existsSync(path)) {
      // Imported here: keys.ts imports this module.
      const { passphrase } = await import('./keys.js');
      const secret = await passphrase(io, keyPassphraseEnv, 'Key store passphrase', false);
      try {
        key = (await openKeystore({ path, passphrase: secret })).dataKey;
      } catch (error) {
        if (error instanceof KeystoreError) throw new CommandFailed(`${error.message} (${error.code})`);
        throw error;
      }
    } else if (config.insecureDevKeys) {
      io.stderr.write(`WARNING: insecure development keys (${insecureDevKeysEnv}): never for real funds\n`);
      key = insecureDevDataKey();
    } else {
      throw new CommandFailed(
        `no key store at ${path}: merchants' wallet keys are encrypted under its data key; set OPENWAAS_KEYSTORE and ${keyPassphraseEnv} (after 'openwaas keys init'), or ${insecureDevKeysEnv}=1 for development only`,
      );
    }
    await adoptDataKey(store, key, Date.now());
    return key;
  };
  return { dataKey: () => (unlocking ??= unlock()) };
}

/**
 * Runs `fn` with a service context on the configured database and closes it afterwards.
 * Refuses an outdated schema (run `openwaas migrate`) unless `migrate` is set. No workers run:
 * a running service's notifier picks up what the command queued within one poll interval.
 */
export async function withContext<T>(io: Io, fn: (ctx: ServiceContext) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const config = cliConfig(io);
  const store = openStore(config.databaseUrl);
  try {
    if (options.migrate) await migrateToLatest(store, (line) => io.stderr.write(`${line}\n`));
    else {
      const pending = await pendingMigrations(store);
      if (pending.length > 0) {
        throw new CommandFailed(`the database ${redactedUrl(config.databaseUrl)} is not migrated (pending: ${pending.join(', ')}): run 'openwaas migrate' first`);
      }
    }
    // Logs go to stderr so stdout stays the command's output; quiet unless LOG_LEVEL says otherwise.
    const log = pino({ level: io.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
    const ctx: ServiceContext = {
      config,
      store,
      log,
      clock: systemClock,
      sealer: inlineSealer(),
      secrets: cliDataKey(io, config, store),
      addresses: noAddresses,
      notifier: new WakeRelay(),
      chains: new Map(),
      kyt: null,
      chainWorkers: new WakeRelay<[chain?: string]>(),
    };
    return await fn(ctx);
  } finally {
    await store.close();
  }
}
