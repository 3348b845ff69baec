import { findCoinBySymbol } from '../modules/coins/index.js';
import { AdminError } from '../errors/admin-errors.js';
import { listCoinsAction, setMerchantCoinAction, type CoinSettings, type CoinView } from '../operator/actions.js';
import { describe, exitCode, group, leaf, print, str, table, toggle, UsageError, whole, type OptionSpec, type Parsed } from './args.js';
import { withAuditedContext } from './audited.js';
import { runSensitiveCommand } from './sensitive.js';
import { coinBodyOf } from '../operator/request-translation.js';
import { withContext } from './context.js';

const coinOptions: OptionSpec = {
  chain: { type: 'string' },
  decimals: { type: 'string' },
  name: { type: 'string' },
  'base-symbol': { type: 'string' },
  contract: { type: 'string' },
  confirmations: { type: 'string' },
  'min-withdraw': { type: 'string' },
  'max-withdraw': { type: 'string' },
  fee: { type: 'string' },
  'fee-symbol': { type: 'string' },
  'auto-approve-max': { type: 'string' },
  'daily-limit': { type: 'string' },
  'min-deposit': { type: 'string' },
  icon: { type: 'string' },
  explorer: { type: 'string' },
  'address-explorer': { type: 'string' },
  enable: { type: 'boolean' },
  disable: { type: 'boolean' },
};

const optionHelp = `  --chain KEY              chain key, e.g. evm:1 (mainnet) or evm:31337 (local dev chain)
  --decimals N             base-unit decimals (18 for ETH, 6 for USDT)
  --name NAME              display name
  --base-symbol SYMBOL     the chain's native coin (tokens)
  --contract ADDRESS       token contract address
  --confirmations N        confirmations before a deposit is credited (default 12)
  --min-withdraw AMOUNT    amounts are decimals in the coin's units
  --max-withdraw AMOUNT    0 = no maximum
  --fee AMOUNT             withdrawal fee (in the fee coin's units)
  --fee-symbol SYMBOL      coin the fee is charged in (default: this coin)
  --auto-approve-max AMT   larger withdrawals wait for manual review
  --daily-limit AMOUNT     per user per UTC day before review; 0 = none
  --min-deposit AMOUNT     smaller deposits are not credited
  --icon URL
  --explorer URL           transaction link, {txid} stands for the hash
  --address-explorer URL   address link, {address} stands for the address
  --enable / --disable     the coin for every merchant`;

/** The options given, as coin settings (only those present). */
function settingsOf(p: Parsed, command: string): Partial<CoinSettings> {
  const s: Partial<CoinSettings> = {};
  const text = (opt: string, key: keyof CoinSettings) => {
    const v = str(p, opt);
    if (v !== undefined) (s as Record<string, unknown>)[key] = v;
  };
  text('chain', 'chain');
  text('name', 'name');
  text('base-symbol', 'baseSymbol');
  text('contract', 'contractAddress');
  text('min-withdraw', 'minWithdraw');
  text('max-withdraw', 'maxWithdraw');
  text('fee', 'withdrawFee');
  text('fee-symbol', 'withdrawFeeSymbol');
  text('auto-approve-max', 'autoApproveMax');
  text('daily-limit', 'dailyLimit');
  text('min-deposit', 'minDeposit');
  text('icon', 'icon');
  text('explorer', 'explorer');
  text('address-explorer', 'addressExplorer');
  const decimals = str(p, 'decimals');
  if (decimals !== undefined) s.decimals = whole(decimals, '--decimals', command, { min: 0, max: 36 });
  const confirmations = str(p, 'confirmations');
  if (confirmations !== undefined) s.confirmations = whole(confirmations, '--confirmations', command, { min: 0, max: 10_000 });
  const enabled = toggle(p, 'enable', 'disable', command);
  if (enabled !== undefined) s.enabled = enabled;
  return s;
}

const human = (c: CoinView) => describe(c);

const add = leaf({
  name: 'coin add',
  role: 'admin',
  summary: 'configure a new coin',
  help: `coin add <symbol> --chain KEY --decimals N [options]

${optionHelp}`,
  options: coinOptions,
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const symbol = p.positionals[0]!;
    const s = settingsOf(p, 'coin add');
    if (s.chain === undefined) throw new UsageError('--chain is required', 'coin add');
    if (s.decimals === undefined) throw new UsageError('--decimals is required', 'coin add');
    await runSensitiveCommand(io, p, {
      command: 'coin add',
      key: 'PUT /coins/:symbol',
      target: `/coins/${encodeURIComponent(symbol)}`,
      raw: { params: { symbol }, body: coinBodyOf(s) },
      check: async (ctx) => {
        // Symbols match in any case: "eth" is the coin configured as "ETH".
        const existing = await findCoinBySymbol(ctx.store.db, symbol);
        if (existing) throw new AdminError('conflict', `coin ${existing.symbol} exists already: change it with 'openwaas coin set ${existing.symbol} …'`);
      },
      printApplied: (coin) => ({ json: coin, text: human(coin) }),
    });
    return exitCode.ok;
  },
});

const set = leaf({
  name: 'coin set',
  role: 'admin',
  summary: "change some of a coin's settings",
  help: `coin set <symbol> [options]

Options not given keep their values.

${optionHelp}`,
  options: coinOptions,
  positionals: { min: 1, max: 1 },
  async run(p, io) {
    const s = settingsOf(p, 'coin set');
    if (Object.keys(s).length === 0) throw new UsageError('nothing to change: give at least one option', 'coin set');
    const symbol = p.positionals[0]!;
    await runSensitiveCommand(io, p, {
      command: 'coin set',
      key: 'PATCH /coins/:symbol',
      target: `/coins/${encodeURIComponent(symbol)}`,
      raw: { params: { symbol }, body: coinBodyOf(s) },
      printApplied: (coin) => ({ json: coin, text: human(coin) }),
    });
    return exitCode.ok;
  },
});

const listCommand = leaf({
  name: 'coin list',
  role: 'viewer',
  summary: 'configured coins',
  help: 'coin list',
  async run(p, io) {
    const coins = await withContext(io, (ctx) => listCoinsAction(ctx));
    print(io, p, coins, () => table(coins, ['symbol', 'chain', 'decimals', 'confirmations', 'min_withdraw', 'max_withdraw', 'withdraw_fee', 'withdraw_fee_symbol', 'auto_approve_max', 'daily_limit', 'enabled']));
    return exitCode.ok;
  },
});

function perMerchant(enabled: boolean) {
  const name = enabled ? 'coin enable' : 'coin disable';
  return leaf({
    role: 'admin',
    name,
    summary: `${enabled ? 'enable' : 'disable'} a coin for one merchant`,
    help: `${name} <app_id> <symbol>`,
    positionals: { min: 2, max: 2 },
    async run(p, io) {
      const [appId, symbol] = p.positionals as [string, string];
      const target = `/merchants/${encodeURIComponent(appId)}/coins/${encodeURIComponent(symbol)}`;
      const result = await withAuditedContext(io, { action: name, target }, async (ctx, note) => {
        const after = await setMerchantCoinAction(ctx, appId, symbol, enabled);
        note({ after: { coins: after.coins } });
        return after;
      });
      print(io, p, result, () => `${appId}: ${result.coins.length > 0 ? result.coins.join(', ') : '(no coins)'}\n`);
      return exitCode.ok;
    },
  });
}

export const coin = group('coin', 'configure coins and enable them per merchant', { add, set, list: listCommand, enable: perMerchant(true), disable: perMerchant(false) });
