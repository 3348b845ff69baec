import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** The hosted service's notification retry delays: 1 s, 2 min, 8 min, 32 min, 128 min. */
export const hostedNotifyScheduleMs = [1_000, 120_000, 480_000, 1_920_000, 7_680_000];

const schema = z.object({
  /** SQLite path (default) or postgres:// URL. */
  databaseUrl: z.string().min(1).default('./data/openwaas.sqlite'),
  host: z.string().default('127.0.0.1'),
  port: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Bearer token of the operator API; the operator API is off when empty. */
  operatorToken: z.string().default(''),
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
  /** Encrypted key store (HD seed) written by `openwaas keys init`; its passphrase is never a setting. */
  keystorePath: z.string().min(1).default('./data/keystore.json'),
  /** RSA worker threads; 0 = one per core. */
  rsaWorkers: z.coerce.number().int().min(0).default(0),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Background workers (notification delivery) run in this process. */
  workers: z.coerce.boolean().default(true),
});

export type ServiceConfig = z.infer<typeof schema>;

const envNames: Record<string, keyof ServiceConfig> = {
  DATABASE_URL: 'databaseUrl',
  HOST: 'host',
  PORT: 'port',
  OPENWAAS_OPERATOR_TOKEN: 'operatorToken',
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
  if (env.OPENWAAS_NOTIFY_SCHEDULE_MS) fromEnv.notifyScheduleMs = env.OPENWAAS_NOTIFY_SCHEDULE_MS.split(',').map((s) => s.trim());
  const parsed = schema.safeParse({ ...fromFile, ...fromEnv, ...overrides });
  if (!parsed.success) {
    throw new ConfigError('invalid configuration: ' + parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}
