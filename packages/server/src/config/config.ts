import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isFollowableChainId } from '../chains/families.js';
import { kytConfigSchema } from './kyt-config.js';
import { remoteSignerSchema } from './remote-signer-config.js';
import { isIpOrCidr, operatorListenerProblem, retiredOperatorSettings } from './operator-config.js';

/** The hosted service's notification retry delays: 1 s, 2 min, 8 min, 32 min, 128 min. */
export const hostedNotifyScheduleMs = [1_000, 120_000, 480_000, 1_920_000, 7_680_000];

/** A decimal amount in coin units, as an operator writes it ("0.5"). */
const coinAmountSetting = z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal amount like "0.5"');

/**
 * One chain the service follows and pays on. Every setting carries its description
 * (`describe`): docs/configuration.md and `openwaas config check` are generated from them.
 */
export const chainConfigSchema = z.object({
  id: z.string().refine(isFollowableChainId, 'must look like evm:<chain id> (or a chain of another registered family)').describe('"evm:<chain id>", the `chain` of the coins it carries.'),
  rpcUrl: z
    .string()
    .url()
    .meta({ redact: 'url' })
    .describe('JSON-RPC endpoint of a node (archive and tracing not needed, but debug_traceBlockByNumber or trace_block finds deposits made by contracts). A provider key in it is shown redacted.'),
  pollIntervalMs: z.coerce.number().int().positive().default(2_000).describe('How often the workers look at the chain (ms).'),
  startBlock: z.coerce.number().int().min(0).optional().describe('First block to scan when there is no cursor yet; default: the head at first start.'),
  batchBlocks: z.coerce.number().int().min(1).max(10_000).default(50).describe('Blocks read per scanner step (one database transaction).'),
  tracing: z.enum(['debug', 'trace', 'none']).default('debug').describe('How to find native value moved by contract calls: debug_traceBlockByNumber, trace_block, or none (top-level transfers only).'),
  stallAlertAfterMs: z.coerce.number().int().positive().default(300_000).describe('The scanner failing at one block this long (node errors, missing blocks or receipts) raises a scanner-stalled alert (ms).'),
  reorgDepth: z.coerce.number().int().min(1).default(64).describe('Block hashes kept for reorg detection (deeper reorgs are reported, not undone).'),
  stuckAfterMs: z.coerce.number().int().positive().default(180_000).describe('A broadcast transaction not mined after this long is re-sent, then replaced with higher fees (ms).'),
  feeBumpPercent: z.coerce.number().int().min(10).max(500).default(25).describe('Fee bump of a replacement, percent (nodes require at least 10).'),
  maxFeePerGasCap: z.string().regex(/^\d+$/).default('0').describe('Never pay more than this per gas (wei, decimal string); 0 = no cap.'),
  dropAfterMs: z.coerce.number().int().positive().default(600_000).describe("A withdrawal not found in the node's pool nor mined after this long, whose nonce another transaction took, is dropped (ms)."),
  sweepMinGasMultiple: z.coerce.number().positive().default(10).describe('Sweeps: only when the swept value is at least this many times the gas it costs (native coin).'),
  hotWalletLow: z
    .record(z.string().min(1), coinAmountSetting)
    .default({})
    .describe('Low-balance thresholds of the hot wallet, per coin symbol of this chain (decimal amounts in coin units, e.g. {"ETH": "2", "USDT": "5000"}): below one, the chain status marks the balance low and a wallet-low operator alert is open until it is back at or above it.'),
  feeWalletLow: coinAmountSetting.optional().describe("Low-balance threshold of the fee wallet in the chain's base coin (decimal amount): below it, sweeps cannot pay their gas."),
  walletCheckIntervalMs: z.coerce.number().int().positive().default(60_000).describe('How often the chain worker compares the hot and fee wallet balances with their thresholds (ms; only with a threshold set).'),
});
export type ChainConfig = z.infer<typeof chainConfigSchema>;

const schema = z.object({
  databaseUrl: z.string().min(1).default('./data/openwaas.sqlite').meta({ redact: 'url' }).describe('SQLite path (default) or postgres:// URL (its password is shown redacted).'),
  host: z.string().default('127.0.0.1').describe("The merchant API's listen address."),
  port: z.coerce.number().int().min(0).max(65535).default(8080).describe("The merchant API's port; 0 = any free port."),
  operatorApi: z.boolean().default(false).describe("Open the operator API on its own listener. Off by default; every route then needs an operator's session or API token (docs/operators.md)."),
  adjustmentReviewAbove: z
    .record(z.string(), z.string().regex(/^\d+(\.\d+)?$/, 'must be a decimal amount like "100"'))
    .default({})
    .describe('Manual balance adjustments (coin symbol → decimal amount in coin units) up to this amount apply at once; larger ones wait for a second admin while two admins exist. A coin not listed: every adjustment waits.'),
  operatorHost: z.string().default('127.0.0.1').describe("The operator API's listen address (its own listener, never the merchant port)."),
  operatorPort: z.coerce.number().int().min(0).max(65535).default(8090).describe("The operator API's port; 0 = any free port."),
  consoleDir: z.string().min(1).optional().describe("The operator console's built files, served on the operator listener under /console. Absent: packages/console/dist beside the server package."),
  trustedProxies: z
    .array(z.string().refine(isIpOrCidr, 'must be an IP address or CIDR range'))
    .default([])
    .describe('Reverse proxies (IPs or CIDRs) whose X-Forwarded-For is believed; none = the header is ignored.'),
  requestTimeWindowMs: z.coerce.number().int().positive().default(300_000).describe("Accepted distance between a request's `time` and ours (ms)."),
  bodyLimitBytes: z.coerce.number().int().positive().default(1_048_576).describe('Largest request body accepted (bytes); larger answers 413.'),
  confirmTimeoutMs: z.coerce.number().int().positive().default(10_000).describe("How long the merchant's second-confirmation endpoint may take (ms)."),
  notifyScheduleMs: z.array(z.coerce.number().int().positive()).min(1).default(hostedNotifyScheduleMs).describe('Delays between notification retries after the first attempt (ms; the hosted service\'s 1 s, 2, 8, 32, 128 min by default).'),
  notifyTimeoutMs: z.coerce.number().int().positive().default(10_000).describe("How long a merchant's notification endpoint may take (ms)."),
  hdMnemonic: z
    .string()
    .default('test test test test test test test test test test test junk')
    .meta({ secret: true })
    .describe('BIP-39 mnemonic of the development keys (with insecureDevKeys only; production keys live in the key store).'),
  keystorePath: z.string().min(1).default('./data/keystore.json').describe("Encrypted key store (HD seed and data key) written by `openwaas keys init`; its passphrase is never a setting (OPENWAAS_KEY_PASSPHRASE or a prompt)."),
  insecureDevKeys: z
    .boolean()
    .default(false)
    .describe('Development only: without a key store, take the keys from hdMnemonic and a data key derived from it. Without it the service refuses to start with no key store.'),
  rsaWorkers: z.coerce.number().int().min(0).default(0).describe('RSA worker threads; 0 = one per core.'),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('Log level (JSON lines on stdout).'),
  workers: z.coerce.boolean().default(true).describe('Background workers (notification delivery, chain scanners, broadcasters, sweeps) run in this process.'),
  chains: z.array(chainConfigSchema).default([]).describe('Chains followed (deposits) and paid on (withdrawals, sweeps); none = ledger-only service.'),
  kyt: kytConfigSchema.prefault({}).describe('Deposit and withdrawal screening.'),
  remoteSigner: remoteSignerSchema.optional().describe('An external signer for the hot and fee wallets. Absent: their keys come from the seed.'),
  sweepThresholds: z
    .record(z.string(), z.string().regex(/^\d+(\.\d+)?$/))
    .default({})
    .describe('Sweep thresholds per coin symbol (decimal amounts); a coin not listed is swept at any amount worth its gas.'),
});

export type ServiceConfig = z.infer<typeof schema>;

/** The schema of the whole configuration (for the reference and `config check`). */
export const serviceConfigSchema = schema;

/** How an environment variable's text becomes a setting's value. */
export type EnvForm = 'text' | 'json' | 'flag' | 'list';

/**
 * Every environment variable that sets a setting, with how its text is read: text as given
 * (the schema coerces numbers), JSON, a yes/no flag (1/true/yes, 0/false/no), or a
 * comma-separated list. docs/configuration.md is generated from this table and the schema.
 */
export const settingEnvironment = [
  { env: 'DATABASE_URL', setting: 'databaseUrl', form: 'text' },
  { env: 'HOST', setting: 'host', form: 'text' },
  { env: 'PORT', setting: 'port', form: 'text' },
  { env: 'OPENWAAS_OPERATOR_API', setting: 'operatorApi', form: 'flag' },
  { env: 'OPENWAAS_OPERATOR_HOST', setting: 'operatorHost', form: 'text' },
  { env: 'OPENWAAS_OPERATOR_PORT', setting: 'operatorPort', form: 'text' },
  { env: 'OPENWAAS_CONSOLE_DIR', setting: 'consoleDir', form: 'text' },
  { env: 'OPENWAAS_TRUSTED_PROXIES', setting: 'trustedProxies', form: 'list' },
  { env: 'OPENWAAS_TIME_WINDOW_MS', setting: 'requestTimeWindowMs', form: 'text' },
  { env: 'OPENWAAS_BODY_LIMIT_BYTES', setting: 'bodyLimitBytes', form: 'text' },
  { env: 'OPENWAAS_CONFIRM_TIMEOUT_MS', setting: 'confirmTimeoutMs', form: 'text' },
  { env: 'OPENWAAS_NOTIFY_SCHEDULE_MS', setting: 'notifyScheduleMs', form: 'list' },
  { env: 'OPENWAAS_NOTIFY_TIMEOUT_MS', setting: 'notifyTimeoutMs', form: 'text' },
  { env: 'OPENWAAS_HD_MNEMONIC', setting: 'hdMnemonic', form: 'text' },
  { env: 'OPENWAAS_KEYSTORE', setting: 'keystorePath', form: 'text' },
  { env: 'OPENWAAS_INSECURE_DEV_KEYS', setting: 'insecureDevKeys', form: 'flag' },
  { env: 'OPENWAAS_RSA_WORKERS', setting: 'rsaWorkers', form: 'text' },
  { env: 'LOG_LEVEL', setting: 'logLevel', form: 'text' },
  { env: 'OPENWAAS_CHAINS', setting: 'chains', form: 'json' },
  { env: 'OPENWAAS_KYT', setting: 'kyt', form: 'json' },
  { env: 'OPENWAAS_REMOTE_SIGNER', setting: 'remoteSigner', form: 'json' },
] as const satisfies ReadonlyArray<{ env: string; setting: keyof ServiceConfig; form: EnvForm }>;

/** Environment variables read beside the settings (not settings themselves: secrets and the file's name). */
export const otherEnvironment = [
  { env: 'OPENWAAS_CONFIG', meaning: 'Path of a JSON configuration file (keys as in the table); environment variables override it.' },
  { env: 'OPENWAAS_KEY_PASSPHRASE', meaning: 'Passphrase of the key store (else asked for on a terminal); never a setting, never logged.' },
  { env: 'OPENWAAS_NEW_KEY_PASSPHRASE', meaning: 'The new passphrase for `openwaas keys rotate-passphrase` (else asked for).' },
  { env: 'OPENWAAS_OPERATOR_TOKEN', meaning: "The CLI's operator API token: the operator's own (`openwaas operator token`), not a service setting." },
] as const;

function fromEnvText(name: string, form: EnvForm, text: string): unknown {
  switch (form) {
    case 'text':
      return text;
    case 'json':
      return parseJsonSetting(name, text);
    case 'flag':
      return parseFlagSetting(name, text);
    case 'list':
      return text
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== '');
  }
}

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
  for (const { env: name, setting, form } of settingEnvironment) {
    const text = env[name];
    if (text !== undefined && text !== '') fromEnv[setting] = fromEnvText(name, form, text);
  }
  const retired = retiredOperatorSettings({ ...fromFile, ...overrides }, env);
  if (retired) throw new ConfigError(`invalid configuration: ${retired}`);
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
