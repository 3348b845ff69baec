import { pino, type Logger } from 'pino';
import { buildApp, type ApiApp } from './api/app.js';
import { checkedOperatorListener, type ServiceConfig } from './config/config.js';
import { buildOperatorApp, operatorEnabled, type OperatorApp } from './operator/app.js';
import { summarizeChains, type StartupSummary } from './startup-summary.js';
import { redactedUrl } from './http/redacted-url.js';
import { checkLimits } from './limits.js';
import { WakeRelay, type NotifierHandle, type ServiceContext } from './context.js';
import { systemClock, type Clock } from './clock.js';
import { buildChains, type SignerSource } from './chains/registry.js';
import { configuredSigners } from './keys/remote-signer.js';
import { createKytProvider } from './modules/kyt/index.js';
import { fixedDataKey } from './keys/data-key.js';
import { openKeys, type KeySource } from './keys/unlock.js';
import { adoptDataKey } from './modules/merchants/index.js';
import { RsaPool } from './keys/rsa-pool.js';
import { openStore } from './store/db.js';
import { latestMigrationName, migrateToLatest } from './store/migrate.js';
import { startNotifier } from './workers/notifier.js';
import { startChainWorkers, type ChainWorkers } from './workers/chain-workers.js';
import { createServiceMetrics } from './ops/metrics.js';
import { healthRoutes, metricsRoutes } from './ops/routes.js';
import { sharedReadiness } from './ops/health.js';

/** A notifier the service can stop on shutdown. */
interface StoppableNotifier extends NotifierHandle {
  stop(): Promise<void>;
}

/** A running (or ready to listen) wallet service. */
export interface Service {
  ctx: ServiceContext;
  app: ApiApp;
  /** The operator API's own app; undefined unless config.operatorApi (the API is off). */
  operatorApp: OperatorApp | undefined;
  /**
   * Starts listening on config.host:config.port, and the operator API on
   * config.operatorHost:operatorPort when it is on; resolves to the merchant API's base URL,
   * e.g. "http://127.0.0.1:8080" (the operator's is then in operatorUrl).
   */
  listen(): Promise<string>;
  /** The operator listener's base URL (its routes are under /operator/v1) once listen() resolved; undefined when off. */
  readonly operatorUrl: string | undefined;
  /** Where the keys came from (the start-up summary shows it; 'insecure-dev-keys' is a warning). */
  readonly keySource: KeySource;
  /** The start-up summary `serve` prints: database, migrations, chains (asks each node its head), keys, listeners, workers. */
  summary(): Promise<StartupSummary>;
  /** Stops the notifier, the HTTP server, the RSA pool and the store, in that order. Idempotent. */
  close(): Promise<void>;
}

export interface CreateServiceOptions {
  clock?: Clock;
  log?: Logger;
  /** Where the key store passphrase is read (OPENWAAS_KEY_PASSPHRASE); process.env unless given. */
  env?: NodeJS.ProcessEnv;
  /** Replaces the in-process signers (an external signer service); default: the unlocked key ring. */
  signers?: SignerSource;
}

/** Paths pino replaces with "[redacted]": secrets never reach the logs. */
const redactPaths = [
  'wallet_private_key',
  '*.wallet_private_key',
  'privateKey',
  '*.privateKey',
  'hdMnemonic',
  '*.hdMnemonic',
  'mnemonic',
  '*.mnemonic',
  'passphrase',
  '*.passphrase',
  'operatorToken',
  '*.operatorToken',
  'token',
  '*.token',
  'kyt.token',
  'req.headers.authorization',
];

/** The service's logger (JSON lines on stdout unless `destination` is given), secrets redacted. */
export function createLogger(config: Pick<ServiceConfig, 'logLevel'>, destination?: NodeJS.WritableStream): Logger {
  const options = { level: config.logLevel, redact: { paths: redactPaths, censor: '[redacted]' } };
  return destination ? pino(options, destination) : pino(options);
}

/** Listens and answers the base URL, e.g. "http://127.0.0.1:8080". */
async function listenOn(app: ApiApp | OperatorApp, host: string, port: number): Promise<string> {
  await app.listen({ host, port });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error(`unexpected listen address ${String(address)}`);
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `http://${shown}:${address.port}`;
}

const noopNotifier: StoppableNotifier = { wake() {}, stop: async () => {} };

const noSigners: SignerSource = {
  signer: () => {
    throw new Error('no HD seed: this service has no chains');
  },
  address: () => {
    throw new Error('no HD seed: this service has no chains');
  },
};

/**
 * Builds the whole service: store (migrated), RSA pool, address allocator, logger, notifier
 * (when config.workers) and the HTTP app. Nothing listens until listen().
 */
export async function createService(configIn: ServiceConfig, opts: CreateServiceOptions = {}): Promise<Service> {
  // A hand-built configuration gets the listener check loadConfig makes.
  const config = checkedOperatorListener(configIn);
  checkLimits({ chains: config.chains });
  const log = opts.log ?? createLogger(config);
  const store = openStore(config.databaseUrl);
  let sealer: RsaPool | undefined;
  try {
    const migrated = await migrateToLatest(store, (line) => log.info(line));
    const appliedNow = (migrated.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
    const keys = await openKeys(config, opts.env ?? process.env, log);
    const { ring, source: keySource } = keys;
    const clock = opts.clock ?? systemClock;
    const { encrypted } = await adoptDataKey(store, keys.dataKey, clock.nowMs());
    if (encrypted > 0) log.info({ merchants: encrypted }, 'secrets at rest: encrypted the wallet keys stored in plaintext by an earlier version');
    // No ring only without chains (openKeys refuses otherwise), so nothing asks for a signer.
    const signers = opts.signers ?? (ring ? configuredSigners(ring, config.remoteSigner) : noSigners);
    if (!opts.signers && config.remoteSigner) log.info({ signer: new URL(config.remoteSigner.url).origin }, 'hot and fee wallets signed by the remote signer');
    sealer = new RsaPool({ size: config.rsaWorkers, log });
    // The workers start after the context (they need it); they connect to these once started.
    const notifierWakes = new WakeRelay();
    const chainWakes = new WakeRelay<[chain?: string]>();
    const ctx: ServiceContext = {
      config,
      store,
      log,
      clock,
      sealer,
      secrets: fixedDataKey(keys.dataKey),
      addresses: keys.addresses,
      notifier: notifierWakes,
      chains: buildChains(config.chains, signers),
      kyt: createKytProvider(config.kyt),
      chainWorkers: chainWakes,
    };
    for (const chain of ctx.chains.values()) log.info({ chain: chain.id, hot: chain.hotAddress, fee: chain.feeAddress }, 'chain configured');
    const pool = sealer;
    const metrics = createServiceMetrics({ ctx, rsaStats: () => pool.stats() });
    const readiness = sharedReadiness({ ctx, keysUnlocked: () => (ring ? ring.unlocked : null) });
    const app = await buildApp(ctx, { onApiCall: (call) => metrics.apiCall(call) });
    await app.register(healthRoutes, { readiness });
    const operatorApp = operatorEnabled(ctx) ? await buildOperatorApp(ctx) : undefined;
    if (operatorApp) {
      await operatorApp.register(healthRoutes, { readiness });
      await operatorApp.register(metricsRoutes, { metrics });
    }
    const notifier: StoppableNotifier = config.workers ? startNotifier(ctx, { onAttempt: (result) => metrics.deliveryAttempt(result) }) : noopNotifier;
    notifierWakes.connect(() => notifier.wake());
    const chainWorkers: ChainWorkers | undefined = config.workers ? startChainWorkers(ctx) : undefined;
    if (chainWorkers) chainWakes.connect((chain) => chainWorkers.wake(chain));

    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        await chainWorkers?.stop().catch((err: unknown) => log.error({ err }, 'stopping the chain workers failed'));
        await notifier.stop().catch((err: unknown) => log.error({ err }, 'stopping the notifier failed'));
        await app.close().catch((err: unknown) => log.error({ err }, 'closing the HTTP server failed'));
        await operatorApp?.close().catch((err: unknown) => log.error({ err }, 'closing the operator HTTP server failed'));
        await sealer!.close();
        await store.close();
        ring?.lock();
      })());

    let merchantUrl: string | undefined;
    let operatorUrl: string | undefined;
    return {
      ctx,
      app,
      operatorApp,
      async listen() {
        merchantUrl = await listenOn(app, config.host, config.port);
        if (operatorApp) operatorUrl = await listenOn(operatorApp, config.operatorHost, config.operatorPort);
        return merchantUrl;
      },
      get operatorUrl() {
        return operatorUrl;
      },
      keySource,
      async summary() {
        return {
          database: redactedUrl(config.databaseUrl),
          migrations: { appliedNow, current: latestMigrationName() },
          chains: await summarizeChains(ctx),
          keySource,
          remoteSigner: !opts.signers && config.remoteSigner ? new URL(config.remoteSigner.url).origin : null,
          listeners: { merchant: merchantUrl ?? null, operator: operatorUrl ?? null },
          workers: config.workers,
        };
      },
      close,
    };
  } catch (error) {
    await sealer?.close();
    await store.close();
    throw error;
  }
}
