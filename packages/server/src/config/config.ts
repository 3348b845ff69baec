import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isFollowableChainId } from '../chains/families.js';
import { kytConfigSchema } from './kyt-config.js';
import { remoteSignerSchema } from './remote-signer-config.js';
import { isIpOrCidr, operatorListenerProblem, retiredOperatorSettings } from './operator-config.js';

/** The hosted service's notification retry delays: 1 s, 2 min, 8 min, 32 min, 128 min. */
export const hostedNotifyScheduleMs = [1_000, 120_000, 480_000, 1_920_000, 7_680_000];

/** One chain the service follows and pays on. Only EVM chains ("evm:<chain id>") so far. */
export const chainConfigSchema = z.object({
  /** "evm:<chain id>", the `chain` of the coins it carries. */
  id: z.string().refine(isFollowableChainId, 'must look like evm:<chain id> (or a chain of another registered family)'),
  /** JSON-RPC endpoint of a node (archive and tracing not needed, but debug_traceBlockByNumber or trace_block finds deposits made by contracts). */
  rpcUrl: z.string().url(),
  /** How often the workers look at the chain. */
  pollIntervalMs: z.coerce.number().int().positive().default(2_000),
  /** First block to scan when there is no cursor yet; default: the head at first start. */
  startBlock: z.coerce.number().int().min(0).optional(),
  /** Blocks read per scanner step (one database transaction). */
  batchBlocks: z.coerce.number().int().min(1).max(10_000).default(50),
  /** How to find native value moved by contract calls: debug_traceBlockByNumber, trace_block, or none (top-level transfers only). */
  tracing: z.enum(['debug', 'trace', 'none']).default('debug'),
  /** The scanner failing at one block this long (node errors, missing blocks or receipts) raises a scanner-stalled alert. */
  stallAlertAfterMs: z.coerce.number().int().positive().default(300_000),
  /** Block hashes kept for reorg detection (deeper reorgs are reported, not undone). */
  reorgDepth: z.coerce.number().int().min(1).default(64),
  /** A broadcast transaction not mined after this long is re-sent, then replaced with higher fees. */
  stuckAfterMs: z.coerce.number().int().positive().default(180_000),
  /** Fee bump of a replacement, percent (nodes require at least 10). */
  feeBumpPercent: z.coerce.number().int().min(10).max(500).default(25),
  /** Never pay more than this per gas (wei, decimal string); 0 = no cap. */
  maxFeePerGasCap: z.string().regex(/^\d+$/).default('0'),
  /** A withdrawal not found in the node's pool nor mined after this long, whose nonce another transaction took, is dropped. */
  dropAfterMs: z.coerce.number().int().positive().default(600_000),
  /** Sweeps: only when the swept value is at least this many times the gas it costs (native coin). */
  sweepMinGasMultiple: z.coerce.number().positive().default(10),
});
export type ChainConfig = z.infer<typeof chainConfigSchema>;

const schema = z.object({
  /** SQLite path (default) or postgres:// URL. */
  databaseUrl: z.string().min(1).default('./data/openwaas.sqlite'),
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /**
   * Open the operator API on its own listener (OPENWAAS_OPERATOR_API=1). Off by default: every
   * route then needs an operator's session or API token (docs/operators.md).
   */
  operatorApi: z.boolean().default(false),
  /**
   * Manual balance adjustments (coin symbol → decimal amount in coin units) up to this amount
   * apply at once; larger ones wait for a second admin while two admins exist. A coin not
   * listed: every adjustment waits (docs/operators.md "Change requests").
   */
  adjustmentReviewAbove: z.record(z.string(), z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal amount like "100"')).default({}),
  /** The operator API's own listener: never the merchant port. */
  operatorHost: z.string().default('127.0.0.1'),
  /** 0 = any free port. */
  operatorPort: z.coerce.number().int().min(0).max(65535).default(8090),
  /**
   * The operator console's built files, served on the operator listener under /console
   * (OPENWAAS_CONSOLE_DIR). Absent: packages/console/dist beside this package.
   */
  consoleDir: z.string().min(1).optional(),
  /** Reverse proxies (IPs or CIDRs) whose X-Forwarded-For is believed; none = the header is ignored. */
  trustedProxies: z.array(z.string().refine(isIpOrCidr, 'must be an IP address or CIDR range')).default([]),
  /** Accepted distance between a request's `time` and ours. */
  requestTimeWindowMs: z.coerce.number().int().positive().default(300_000),
  bodyLimitBytes: z.coerce.number().int().positive().default(1_048_576),
  /** How long the merchant's second-confirmation endpoint may take. */
  confirmTimeoutMs: z.coerce.number().int().positive().default(10_000),
  /** Delays between notification retries after the first attempt. */
  notifyScheduleMs: z.array(z.coerce.number().int().positive()).min(1).default(hostedNotifyScheduleMs),
  notifyTimeoutMs: z.coerce.number().int().positive().default(10_000),
  /** BIP-39 mnemonic from which deposit addresses are derived. */
  hdMnemonic: z.string().default('test test test test test test test test test test test junk'),
  /** Encrypted key store (HD seed and data key) written by `openwaas keys init`; its passphrase is never a setting. */
  keystorePath: z.string().min(1).default('./data/keystore.json'),
  /**
   * Development only (OPENWAAS_INSECURE_DEV_KEYS=1, `serve --insecure-dev-keys`): without a key
   * store, take the keys from hdMnemonic — the public development mnemonic unless set — and a
   * data key derived from it. Without it the service refuses to start with no key store.
   */
  insecureDevKeys: z.boolean().default(false),
  /** RSA worker threads; 0 = one per core. */
  rsaWorkers: z.coerce.number().int().min(0).default(0),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Background workers (notification delivery, chain scanners, broadcasters, sweeps) run in this process. */
  workers: z.coerce.boolean().default(true),
  /** Chains followed (deposits) and paid on (withdrawals, sweeps); none = ledger-only service. */
  chains: z.array(chainConfigSchema).default([]),
  /** Deposit/withdrawal screening; see kyt-config.ts. */
  kyt: kytConfigSchema.prefault({}),
  /** An external signer for the hot and fee wallets; see remote-signer-config.ts. Absent: keys from the seed. */
  remoteSigner: remoteSignerSchema.optional(),
  /** Sweep thresholds per coin symbol (decimal amounts); a coin not listed is swept at any amount worth its gas. */
  sweepThresholds: z.record(z.string(), z.string().regex(/^\d+(\.\d+)?$/)).default({}),
});

export type ServiceConfig = z.infer<typeof schema>;

const envNames: Record<string, keyof ServiceConfig> = {
  DATABASE_URL: 'databaseUrl',
  HOST: 'host',
  PORT: 'port',
  OPENWAAS_OPERATOR_HOST: 'operatorHost',
  OPENWAAS_OPERATOR_PORT: 'operatorPort',
  OPENWAAS_CONSOLE_DIR: 'consoleDir',
  OPENWAAS_TIME_WINDOW_MS: 'requestTimeWindowMs',
  OPENWAAS_BODY_LIMIT_BYTES: 'bodyLimitBytes',
  OPENWAAS_CONFIRM_TIMEOUT_MS: 'confirmTimeoutMs',
  OPENWAAS_NOTIFY_TIMEOUT_MS: 'notifyTimeoutMs',
  OPENWAAS_HD_MNEMONIC: 'hdMnemonic',
  OPENWAAS_KEYSTORE: 'keystorePath',
  OPENWAAS_RSA_WORKERS: 'rsaWorkers',
  LOG_LEVEL: 'logLevel',
};

/** A configuration that does not validate: the message lists every bad setting. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Builds the configuration from defaults, an optional JSON file (OPENWAAS_CONFIG), environment
 * variables and explicit overrides, in that order, and validates it.
 */
export function loadConfig(overrides: Partial<ServiceConfig> = {}, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const fromFile = env.OPENWAAS_CONFIG ? (JSON.parse(readFileSync(env.OPENWAAS_CONFIG, 'utf8')) as Record<string, unknown>) : {};
  const fromEnv: Record<string, unknown> = {};
  for (const [name, key] of Object.entries(envNames)) if (env[name] !== undefined && env[name] !== '') fromEnv[key] = env[name];
  if (env.OPENWAAS_CHAINS) fromEnv.chains = parseJsonSetting('OPENWAAS_CHAINS', env.OPENWAAS_CHAINS);
  if (env.OPENWAAS_KYT) fromEnv.kyt = parseJsonSetting('OPENWAAS_KYT', env.OPENWAAS_KYT);
  if (env.OPENWAAS_REMOTE_SIGNER) fromEnv.remoteSigner = parseJsonSetting('OPENWAAS_REMOTE_SIGNER', env.OPENWAAS_REMOTE_SIGNER);
  if (env.OPENWAAS_OPERATOR_API !== undefined && env.OPENWAAS_OPERATOR_API !== '') fromEnv.operatorApi = parseFlagSetting('OPENWAAS_OPERATOR_API', env.OPENWAAS_OPERATOR_API);
  const retired = retiredOperatorSettings({ ...fromFile, ...overrides }, env);
  if (retired) throw new ConfigError(`invalid configuration: ${retired}`);
  if (env.OPENWAAS_INSECURE_DEV_KEYS !== undefined && env.OPENWAAS_INSECURE_DEV_KEYS !== '') fromEnv.insecureDevKeys = parseFlagSetting('OPENWAAS_INSECURE_DEV_KEYS', env.OPENWAAS_INSECURE_DEV_KEYS);
  if (env.OPENWAAS_NOTIFY_SCHEDULE_MS) fromEnv.notifyScheduleMs = env.OPENWAAS_NOTIFY_SCHEDULE_MS.split(',').map((s) => s.trim());
  if (env.OPENWAAS_TRUSTED_PROXIES) fromEnv.trustedProxies = env.OPENWAAS_TRUSTED_PROXIES.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const parsed = schema.safeParse({ ...fromFile, ...fromEnv, ...overrides });
  if (!parsed.success) {
    throw new ConfigError('invalid configuration: ' + parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return checkedOperatorListener(parsed.data);
}

/** The configuration, refused when the operator listener would be the merchant one (see operator-config.ts). */
export function checkedOperatorListener(config: ServiceConfig): ServiceConfig {
  const listener = operatorListenerProblem(config);
  if (listener) throw new ConfigError(`invalid configuration: ${listener}`);
  return config;
}

function parseJsonSetting(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`invalid configuration: ${name} is not JSON (${(error as Error).message})`);
  }
}

/** A yes/no environment setting: 1/true/yes or 0/false/no; anything else is a configuration error (never silently on). */
function parseFlagSetting(name: string, text: string): boolean {
  const v = text.trim().toLowerCase();
  if (v === '1' || v === 'true' || v === 'yes') return true;
  if (v === '0' || v === 'false' || v === 'no') return false;
  throw new ConfigError(`invalid configuration: ${name} must be 1 or 0 (got ${JSON.stringify(text)})`);
}
