import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { UsageError } from './args.js';
import { keyFileToRead } from './key-files.js';

/** Key files larger than this are not keys (a 4096-bit PKCS#8 PEM is about 3.3 KB). */
const keyFileBytesMax = 64 * 1024;
/** Config files larger than this are refused. */
const configFileBytesMax = 1024 * 1024;
/** The largest delay Node's timers accept. */
const timeoutMsMax = 2 ** 31 - 1;

/** Told about something worth knowing that is not an error (written to stderr by the commands). */
export type Note = (text: string) => void;

/**
 * Reads a key file: PEM or base64 text as a string, binary DER as bytes. A missing
 * `NAME-private.pem` / `NAME-public.pem` is read under its former name when that exists (see
 * keyFileToRead), and `note` is told.
 */
export function readKeyFile(requested: string, what: string, command: string, note?: Note): string | Buffer {
  const found = keyFileToRead(requested);
  const path = found.path;
  if (found.note !== undefined) note?.(found.note);
  let bytes: Buffer;
  try {
    const size = statSync(path).size;
    if (size > keyFileBytesMax) throw new UsageError(`${what}: ${path} is ${size} bytes, too large for a key file`, command);
    bytes = readFileSync(path);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${what}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, command);
  }
  // DER starts with a SEQUENCE tag (0x30) and is not printable text; everything else is text.
  const looksBinary = bytes.byteLength > 0 && bytes[0] === 0x30 && bytes.some((b) => b < 0x09 || b > 0x7e);
  return looksBinary ? bytes : bytes.toString('utf8');
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * A key given as a file path or as the key itself (PEM, or bare base64 DER). PEM in an
 * environment variable often has its line breaks written as "\n": those are restored.
 * @param baseDir relative paths are resolved from here (the config file's directory).
 */
export function keyFromPathOrText(value: string, what: string, baseDir: string, command: string, note?: Note): string | Buffer {
  if (value.includes('-----BEGIN')) return value.includes('\n') ? value : value.replace(/(\\r)?\\n/g, '\n');
  const path = resolve(baseDir, value);
  if (isFile(keyFileToRead(path).path)) return readKeyFile(path, what, command, note);
  const compact = value.replace(/\s+/g, '');
  if (compact.length >= 64 && /^[A-Za-z0-9+/=_-]+$/.test(compact)) return compact;
  throw new UsageError(`${what}: "${value.length > 60 ? value.slice(0, 60) + '…' : value}" is neither a key file nor a key`, command);
}

/** Where each setting can come from, for messages. */
const sources = {
  baseUrl: { env: 'WAAS_BASE_URL', flag: '--base-url' },
  appId: { env: 'WAAS_APP_ID', flag: '--app-id' },
  privateKey: { env: 'WAAS_PRIVATE_KEY', flag: '--private-key' },
  walletPublicKey: { env: 'WAAS_WALLET_PUBLIC_KEY', flag: '--wallet-public-key' },
  timeoutMs: { env: 'WAAS_TIMEOUT_MS', flag: '--timeout-ms' },
} as const;

type Setting = keyof typeof sources;
const settings = Object.keys(sources) as Setting[];

/** The settings `call` needs, resolved; keys still unparsed (the client parses them once). */
export interface CallConfig {
  baseUrl: string;
  appId: string;
  privateKey: string | Buffer;
  walletPublicKey: string | Buffer;
  timeoutMs: number | undefined;
  /** Where each setting came from ("WAAS_APP_ID", "--config ./waas.json", "--app-id"). */
  origin: Partial<Record<Setting, string>>;
}

/** A raw setting and where it came from. */
interface Found {
  value: string;
  origin: string;
  /** Relative key paths resolve from here. */
  baseDir: string;
}

function readConfigFile(path: string, command: string): Partial<Record<Setting, string>> {
  let text: string;
  try {
    if (statSync(path).size > configFileBytesMax) throw new UsageError(`--config ${path} is too large`, command);
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read --config ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, command);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--config ${path} is not JSON: ${(error as Error).message}`, command);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw new UsageError(`--config ${path} must hold a JSON object`, command);
  }
  const out: Partial<Record<Setting, string>> = {};
  for (const [key, value] of Object.entries(json)) {
    if (!(settings as string[]).includes(key)) {
      throw new UsageError(`--config ${path}: unknown key "${key}" (known: ${settings.join(', ')})`, command);
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new UsageError(`--config ${path}: "${key}" must be a string${key === 'timeoutMs' ? ' or a number' : ''}`, command);
    }
    out[key as Setting] = String(value);
  }
  return out;
}

/**
 * Resolves `call`'s settings: environment variables, overridden by the --config file,
 * overridden by flags. Every missing setting is named at once, with the ways to give it.
 */
export function resolveCallConfig(
  options: { configPath: string | undefined; flags: Partial<Record<Setting, string>>; note?: Note },
  env: NodeJS.ProcessEnv,
  cwd: string,
  command: string,
): CallConfig {
  const found: Partial<Record<Setting, Found>> = {};
  for (const setting of settings) {
    const value = env[sources[setting].env];
    if (value !== undefined && value !== '') found[setting] = { value, origin: sources[setting].env, baseDir: cwd };
  }
  if (options.configPath !== undefined) {
    const path = resolve(cwd, options.configPath);
    const fromFile = readConfigFile(path, command);
    for (const setting of settings) {
      const value = fromFile[setting];
      if (value !== undefined && value !== '') {
        found[setting] = { value, origin: `"${setting}" in ${options.configPath}`, baseDir: dirname(path) };
      }
    }
  }
  for (const setting of settings) {
    const value = options.flags[setting];
    if (value !== undefined) found[setting] = { value, origin: sources[setting].flag, baseDir: cwd };
  }

  const required: Setting[] = ['baseUrl', 'appId', 'privateKey', 'walletPublicKey'];
  const missing = required.filter((setting) => found[setting] === undefined);
  if (missing.length > 0) {
    const lines = missing.map((s) => `  ${s}: set ${sources[s].env}, "${s}" in --config FILE, or ${sources[s].flag}`);
    throw new UsageError(`missing configuration:\n${lines.join('\n')}`, command);
  }
  const get = (setting: Setting): Found => found[setting]!;

  const appId = get('appId');
  if (appId.value.trim() === '') throw new UsageError(`appId (${appId.origin}) is empty`, command);
  const baseUrl = get('baseUrl');
  if (!URL.canParse(baseUrl.value) || !/^https?:$/.test(new URL(baseUrl.value).protocol)) {
    throw new UsageError(`baseUrl (${baseUrl.origin}) must be an http(s) URL, not "${baseUrl.value}"`, command);
  }
  const timeoutMs = found.timeoutMs === undefined ? undefined : parseTimeout(found.timeoutMs, command);

  const privateKey = get('privateKey');
  const walletPublicKey = get('walletPublicKey');
  const origin: CallConfig['origin'] = {};
  for (const setting of settings) if (found[setting]) origin[setting] = found[setting].origin;
  return {
    baseUrl: baseUrl.value,
    appId: appId.value.trim(),
    privateKey: keyFromPathOrText(privateKey.value, `privateKey (${privateKey.origin})`, privateKey.baseDir, command, options.note),
    walletPublicKey: keyFromPathOrText(
      walletPublicKey.value,
      `walletPublicKey (${walletPublicKey.origin})`,
      walletPublicKey.baseDir,
      command,
      options.note,
    ),
    timeoutMs,
    origin,
  };
}

function parseTimeout(found: Found, command: string): number {
  const value = /^\s*\d+\s*$/.test(found.value) ? Number(found.value) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > timeoutMsMax) {
    throw new UsageError(`timeoutMs (${found.origin}) must be a whole number of ms from 1 to ${timeoutMsMax}, not "${found.value}"`, command);
  }
  return value;
}

/** The options every command that talks to the service accepts (see `call --help`). */
export const serviceOptions = {
  config: { type: 'string' },
  'base-url': { type: 'string' },
  'app-id': { type: 'string' },
  'private-key': { type: 'string' },
  'wallet-public-key': { type: 'string' },
  'timeout-ms': { type: 'string' },
} as const;

/** Resolves the service settings of a command parsed with `serviceOptions`. */
export function serviceConfigOf(
  values: Record<string, string | boolean | undefined>,
  io: { env: NodeJS.ProcessEnv; cwd: string; stderr: NodeJS.WritableStream },
  command: string,
  programName: string,
): CallConfig {
  const text = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  return resolveCallConfig(
    {
      configPath: text('config'),
      flags: {
        baseUrl: text('base-url'),
        appId: text('app-id'),
        privateKey: text('private-key'),
        walletPublicKey: text('wallet-public-key'),
        timeoutMs: text('timeout-ms'),
      },
      note: (line) => io.stderr.write(`${programName} ${command}: ${line}\n`),
    },
    io.env,
    io.cwd,
    command,
  );
}
