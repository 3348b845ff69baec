import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createMerchantAction, listMerchantsAction, showMerchantAction, type MerchantSettings, type MerchantView } from '../operator/actions.js';
import { describe, exitCode, group, leaf, list, need, print, str, table, toggle, UsageError, whole, type Io, type OptionSpec, type Parsed } from './args.js';
import { withAuditedContext } from './audited.js';
import { runSensitiveCommand } from './sensitive.js';
import { merchantBodyOf } from '../operator/request-translation.js';
import { withContext } from './context.js';
import { keyFileBytesMax } from '../limits.js';
import { callbackProfiles } from '../contracts/operator.js';

function readKey(path: string, io: Io, command: string): string {
  try {
    const text = readFileSync(resolve(io.cwd, path), 'utf8');
    if (text.length > keyFileBytesMax) throw new UsageError(`--merchant-key ${path} is too large for a key file`, command);
    return text;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read --merchant-key ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, command);
  }
}

const settingOptions: OptionSpec = {
  name: { type: 'string' },
  'merchant-key': { type: 'string' },
  'notify-url': { type: 'string' },
  'confirm-url': { type: 'string' },
  ip: { type: 'string', multiple: true },
  'auto-collect': { type: 'boolean' },
  'user-limit': { type: 'string' },
  'callback-profile': { type: 'string' },
};

const callbackProfileHelp = `  --callback-profile P   how the integer fields of confirmation requests and notifications
                         (ids, uid/from_uid, status, confirmations, times) are typed in their
                         JSON: strings (default, as the API's seeds) or numbers (for clients
                         that decode them into integers, such as the vendor's Go SDK); amounts
                         stay strings either way (docs/callbacks.md)`;

function settingsOf(p: Parsed, io: Io, command: string): MerchantSettings {
  const s: MerchantSettings = {};
  const name = str(p, 'name');
  if (name !== undefined) s.name = name;
  const key = str(p, 'merchant-key');
  if (key !== undefined) s.merchantPublicKey = readKey(key, io, command);
  const notify = str(p, 'notify-url');
  if (notify !== undefined) s.notifyUrl = notify === '' ? null : notify;
  const confirm = str(p, 'confirm-url');
  if (confirm !== undefined) s.confirmUrl = confirm === '' ? null : confirm;
  const ips = list(p, 'ip');
  if (ips !== undefined) s.ipAllowlist = ips;
  const limit = str(p, 'user-limit');
  if (limit !== undefined) s.userLimit = whole(limit, '--user-limit', command);
  const profile = str(p, 'callback-profile');
  if (profile !== undefined) {
    const known = callbackProfiles.find((c) => c === profile);
    if (!known) throw new UsageError(`--callback-profile must be one of ${callbackProfiles.join(', ')}, not "${profile}"`, command);
    s.callbackProfile = known;
  }
  return s;
}

function human(m: MerchantView): string {
  return describe(m);
}

const create = leaf({
  name: 'merchant create',
  role: 'admin',
  summary: 'create a merchant; prints its app_id and rsa_wallet_pub',
  help: `merchant create --name NAME [options]

Creates a merchant with a fresh wallet key pair and prints app_id and rsa_wallet_pub (give
both to the merchant). Enable coins with 'openwaas coin enable <app_id> <symbol>'.

  --name NAME            merchant name (required)
  --merchant-key FILE    the merchant's RSA public key (PEM or base64 DER)
  --notify-url URL       where notifications are POSTed
  --confirm-url URL      the withdrawal second-confirmation endpoint
  --ip CIDR              allowed caller IP or CIDR (repeat, or comma-separate); none = any
  --auto-collect         credit user deposits to the collection account
  --user-limit N         most users the merchant may register (default 50000)
${callbackProfileHelp}
  --app-id ID            a fixed app_id instead of a random one`,
  options: { ...settingOptions, 'app-id': { type: 'string' } },
  async run(p, io) {
    const name = need(p, 'name', 'merchant create');
    const settings = settingsOf(p, io, 'merchant create');
    const appId = str(p, 'app-id');
    const m = await withAuditedContext(io, { action: 'merchant create', target: '/merchants' }, async (ctx, note) => {
      const created = await createMerchantAction(ctx, { ...settings, name, ...(p.values['auto-collect'] ? { autoCollect: true } : {}), ...(appId !== undefined ? { appId } : {}) });
      note({ target: `/merchants/${created.app_id}`, after: created });
      return created;
    });
    print(io, p, m, () => human(m));
    return exitCode.ok;
  },
});

const set = leaf({
  name: 'merchant set',
  role: 'admin',
  summary: "change a merchant's settings",
  help: `merchant set <app_id> [options]

  --name NAME
  --merchant-key FILE    register (or rotate) the merchant's public key
  --notify-url URL       '' clears it
  --confirm-url URL      '' clears it
  --ip CIDR              replaces the allowlist (repeat or comma-separate)
  --any-ip               clears the allowlist (any IP may call)
  --auto-collect / --no-auto-collect
  --user-limit N
${callbackProfileHelp}
  --active / --inactive  a disabled merchant's calls answer 100016`,
  options: { ...settingOptions, 'any-ip': { type: 'boolean' }, 'no-auto-collect': { type: 'boolean' }, active: { type: 'boolean' }, inactive: { type: 'boolean' } },
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const command = 'merchant set';
    const settings = settingsOf(p, io, command);
    if (p.values['any-ip']) {
      if (settings.ipAllowlist) throw new UsageError('--ip and --any-ip exclude each other', command);
      settings.ipAllowlist = [];
    }
    const autoCollect = toggle(p, 'auto-collect', 'no-auto-collect', command);
    if (autoCollect !== undefined) settings.autoCollect = autoCollect;
    const active = toggle(p, 'active', 'inactive', command);
    if (active !== undefined) settings.active = active;
    if (Object.keys(settings).length === 0) throw new UsageError('nothing to change: give at least one option', command);
    const appId = p.positionals[0]!;
    // Callback URLs and the merchant's key wait for a second admin once two exist (docs/operators.md "Change requests").
    await runSensitiveCommand(io, p, {
      command,
      key: 'PATCH /merchants/:appId',
      target: `/merchants/${encodeURIComponent(appId)}`,
      raw: { params: { appId }, body: merchantBodyOf(settings) },
      printApplied: (m) => ({ json: m, text: human(m) }),
    });
    return exitCode.ok;
  },
});

const rotateKey = leaf({
  name: 'merchant rotate-key',
  role: 'admin',
  summary: 'give a merchant a new wallet key pair; prints the new rsa_wallet_pub',
  help: `merchant rotate-key <app_id>

Generates a new wallet key pair for the merchant (the private key sealed at rest, as at
creation) and prints the new rsa_wallet_pub: hand it to the merchant, whose SDK opens every
answer and notification sealed from now on with it (the old public key no longer works). Once
two admins exist, the rotation waits for another admin's approval (openwaas change approve).`,
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const appId = p.positionals[0]!;
    await runSensitiveCommand(io, p, {
      command: 'merchant rotate-key',
      key: 'POST /merchants/:appId/rotate-key',
      target: `/merchants/${encodeURIComponent(appId)}`,
      raw: { params: { appId } },
      printApplied: (m) => ({ json: m, text: `new wallet public key of ${m.app_id} (give it to the merchant):\n${m.rsa_wallet_pub}` }),
    });
    return exitCode.ok;
  },
});

const show = leaf({
  name: 'merchant show',
  role: 'viewer',
  summary: "a merchant's settings and enabled coins",
  help: 'merchant show <app_id>',
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const m = await withContext(io, (ctx) => showMerchantAction(ctx, p.positionals[0]!));
    print(io, p, m, () => human(m));
    return exitCode.ok;
  },
});

const listCommand = leaf({
  name: 'merchant list',
  role: 'viewer',
  summary: 'all merchants',
  help: 'merchant list',
  async run(p, io) {
    const merchants = await withContext(io, (ctx) => listMerchantsAction(ctx));
    print(io, p, merchants, () => table(merchants, ['app_id', 'name', 'active', 'notify_url', 'coins']));
    return exitCode.ok;
  },
});

export const merchant = group('merchant', 'create and configure merchants', { create, set, 'rotate-key': rotateKey, show, list: listCommand });
