import { pino } from 'pino';
import { buildChains } from '../chains/registry.js';
import { configuredSigners } from '../keys/remote-signer.js';
import type { ServiceContext } from '../context.js';
import { adoptDataKey } from '../modules/merchants/index.js';
import { fixedDataKey } from '../keys/data-key.js';
import { openKeys } from '../keys/unlock.js';
import type { Io } from './args.js';
import { withContext } from './context.js';

/**
 * withContext plus the configured chains (settings `chains` / OPENWAAS_CHAINS) and the key
 * ring (key store unlocked with OPENWAAS_KEY_PASSPHRASE, or with insecureDevKeys the configured mnemonic): for
 * commands that read balances of our addresses or scan a chain. The ring is locked afterwards.
 */
export function withChainContext<T>(io: Io, fn: (ctx: ServiceContext) => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  return withContext(
    io,
    async (ctx) => {
      const log = pino({ level: io.env.LOG_LEVEL ?? 'warn' }, pino.destination(2));
      const keys = await openKeys(ctx.config, io.env, log);
      const { ring } = keys;
      try {
        await adoptDataKey(ctx.store, keys.dataKey, Date.now());
        const chains = ring ? buildChains(ctx.config.chains, configuredSigners(ring, ctx.config.remoteSigner)) : ctx.chains;
        return await fn({ ...ctx, secrets: fixedDataKey(keys.dataKey), addresses: keys.addresses, chains });
      } finally {
        ring?.lock();
      }
    },
    options,
  );
}
