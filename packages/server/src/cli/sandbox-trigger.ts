/**
 * `openwaas sandbox trigger deposit|withdraw|confirm`: the running sandbox produces that event
 * for a user through the real paths, so a developer exercises a handler on demand. Only for a
 * running sandbox: the demo folder must hold its lock (a production service has none).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { WaasClient, WaasError } from '@openwaas/sdk';
import { devAccount } from '../chains/evm/dev-setup.js';
import { keyPassphraseEnv } from '../keys/unlock.js';
import { findCoinBySymbol } from '../modules/coins/index.js';
import { findMerchantByAppId, findUserById } from '../modules/merchants/index.js';
import { confirmWithMerchant } from '../modules/notifications/index.js';
import { ApiError } from '../errors/api-error.js';
import { CommandFailed, exitCode, group, idArg, leaf, print, str, UsageError, type Command, type Io } from './args.js';
import { withContext } from './context.js';
import { demoDirDefault } from './demo.js';
import { sandboxKeys } from './sandbox-chain.js';
import { sandboxDeposit } from './sandbox-deposit.js';
import { runningSandbox } from './sandbox-lock.js';

/** Where a withdrawal or confirmation goes unless --to says: an anvil dev account, outside the service. */
const defaultDestination = () => devAccount(9).address;

function requireSandbox(io: Io, dirText: string | undefined, command: string): string {
  const dir = resolve(io.cwd, dirText ?? demoDirDefault);
  if (!runningSandbox(dir)) throw new CommandFailed(`no sandbox is running in ${dir}: '${command}' works only against a running sandbox (start it with 'openwaas sandbox')`);
  return dir;
}

/** The demo merchant's SDK settings, as the sandbox wrote them to DIR/waas.json. */
function demoClient(dir: string): { client: WaasClient; appId: string } {
  const file = resolve(dir, 'waas.json');
  const config = JSON.parse(readFileSync(file, 'utf8')) as { baseUrl: string; appId: string; privateKey: string; walletPublicKey: string };
  const key = (path: string) => readFileSync(resolve(dirname(file), path), 'utf8');
  return { client: new WaasClient({ baseUrl: config.baseUrl, appId: config.appId, privateKey: key(config.privateKey), walletPublicKey: key(config.walletPublicKey) }), appId: config.appId };
}

function orderOf(positionals: string[], command: string): { uid: number; symbol: string; amount: string } {
  const [uidText, symbolText, amount] = positionals;
  if (uidText === undefined || symbolText === undefined || amount === undefined) throw new UsageError('expected <uid> <symbol> <amount>', command);
  const uid = idArg(uidText, 'uid', command);
  if (!/^\d+(\.\d+)?$/.test(amount)) throw new UsageError(`amount ${amount} is not a decimal amount like 25 or 0.5`, command);
  return { uid, symbol: symbolText.toUpperCase(), amount };
}

const triggerDeposit = leaf({
  name: 'sandbox trigger deposit',
  summary: 'a real on-chain deposit to a user (as sandbox deposit)',
  help: `sandbox trigger deposit <uid> <symbol> <amount> [--dir DIR] [--from N] [--wait] [--timeout SECONDS]

The same as 'sandbox deposit': a real transfer on the sandbox's local chain to the user's
deposit address; the merchant gets a notification at once (status 0) and another when it is
credited (status 1). See 'sandbox deposit --help'.`,
  options: { dir: { type: 'string' }, from: { type: 'string' }, wait: { type: 'boolean' }, timeout: { type: 'string' } },
  positionals: { min: 3, max: 3 },
  run: async () => exitCode.ok,
});

const triggerWithdraw = leaf({
  name: 'sandbox trigger withdraw',
  summary: "a real withdrawal through the merchant API with the demo merchant's keys",
  help: `sandbox trigger withdraw <uid> <symbol> <amount> [--to ADDRESS] [--dir DIR]

Requests a withdrawal of <amount> <symbol> from user <uid> through the merchant API, signed with
the demo merchant's keys (DIR/waas.json), exactly as a merchant backend would: the service asks
the merchant's confirm_url for the second confirmation, then sends a withdraw notification at
each status. The user needs the balance (give it with 'sandbox trigger deposit').

  --to ADDRESS  destination (default: anvil dev account 9, outside the service)
  --dir DIR     the sandbox's demo folder (default ${demoDirDefault})`,
  options: { dir: { type: 'string' }, to: { type: 'string' } },
  positionals: { min: 3, max: 3 },
  async run(p, io) {
    const order = orderOf(p.positionals, 'sandbox trigger withdraw');
    const dir = requireSandbox(io, str(p, 'dir'), 'sandbox trigger withdraw');
    const { client } = demoClient(dir);
    const requestId = `trigger-${Date.now()}-${randomBytes(3).toString('hex')}`;
    const to = str(p, 'to') ?? defaultDestination();
    try {
      const w = await client.withdraw({ request_id: requestId, from_uid: order.uid, to_address: to, amount: order.amount, symbol: order.symbol });
      const out = { request_id: requestId, id: w.id, uid: order.uid, symbol: order.symbol, amount: order.amount, to_address: to, withdraw_type: w.withdraw_type };
      print(io, p, out, () => `withdrawal ${w.id} (request_id ${requestId}): ${order.amount} ${order.symbol} from uid ${order.uid} to ${to}\n  confirmed by the merchant; withdraw notifications follow at each status\n`);
      return exitCode.ok;
    } catch (error) {
      if (!(error instanceof WaasError)) throw error;
      const hints: Record<string, string> = {
        '120206': " (the merchant's confirm_url did not confirm: is the demo app, or 'openwaas-sdk listen' and your app, answering?)",
        '120402': ` (give the user funds first: 'openwaas sandbox trigger deposit ${order.uid} ${order.symbol} <amount>')`,
      };
      throw new CommandFailed(`the service refused the withdrawal: error ${error.code}: ${error.msg}${hints[error.code] ?? ''}`);
    }
  },
});

const triggerConfirm = leaf({
  name: 'sandbox trigger confirm',
  summary: "a second-confirmation request to the merchant's confirm_url, nothing withdrawn",
  help: `sandbox trigger confirm <uid> <symbol> <amount> [--to ADDRESS] [--dir DIR]

Sends the merchant's confirm_url the second-confirmation request the service sends before a
withdrawal of <amount> <symbol> from user <uid> — sealed with the merchant's wallet key, with a
fresh check_sum — and judges the answer as the service does. Nothing is withdrawn or locked:
a handler is exercised on demand. Exit 0 when the merchant confirmed, 1 when not.

  --to ADDRESS  destination in the request (default: anvil dev account 9)
  --dir DIR     the sandbox's demo folder (default ${demoDirDefault})`,
  options: { dir: { type: 'string' }, to: { type: 'string' } },
  positionals: { min: 3, max: 3 },
  async run(p, io) {
    const order = orderOf(p.positionals, 'sandbox trigger confirm');
    const dir = requireSandbox(io, str(p, 'dir'), 'sandbox trigger confirm');
    const { appId } = demoClient(dir);
    // The merchant's wallet key is sealed at rest under the sandbox's data key: its key store, unlocked here.
    const keys = await sandboxKeys(dir);
    keys.ring.lock();
    const keyedIo: Io = { ...io, env: { ...io.env, OPENWAAS_KEYSTORE: keys.keystorePath, [keyPassphraseEnv]: keys.passphrase } };
    const requestId = `trigger-confirm-${Date.now()}-${randomBytes(3).toString('hex')}`;
    const to = str(p, 'to') ?? defaultDestination();
    const result = await withContext(keyedIo, async (ctx) => {
      const merchant = await findMerchantByAppId(ctx.store.db, appId);
      if (!merchant) throw new CommandFailed(`no merchant ${appId} (from ${dir}/waas.json)`);
      if (!(await findUserById(ctx.store.db, order.uid))) throw new CommandFailed(`no user ${order.uid}`);
      const coin = await findCoinBySymbol(ctx.store.db, order.symbol);
      if (!coin) throw new CommandFailed(`no coin ${order.symbol}`);
      try {
        await confirmWithMerchant(ctx, merchant, { request_id: requestId, from_uid: String(order.uid), to_address: to, amount: order.amount, symbol: coin.symbol });
        return { confirmed: true, why: '' };
      } catch (error) {
        if (error instanceof ApiError) return { confirmed: false, why: error.message };
        throw error;
      }
    });
    const out = { request_id: requestId, confirm_url_confirmed: result.confirmed, ...(result.confirmed ? {} : { why: result.why }) };
    print(io, p, out, () =>
      result.confirmed
        ? `confirmation request ${requestId} (${order.amount} ${order.symbol} from uid ${order.uid} to ${to}): the merchant confirmed\n`
        : `confirmation request ${requestId}: NOT confirmed — ${result.why}; a real withdrawal would be refused with 120206\n`,
    );
    return result.confirmed ? exitCode.ok : exitCode.failed;
  },
});

const triggers = group('sandbox trigger', 'make the running sandbox produce an event for a user', {
  deposit: { ...triggerDeposit, run: (argv, io) => sandboxDeposit.run(argv, io) },
  withdraw: triggerWithdraw,
  confirm: triggerConfirm,
});

/** `sandbox trigger`: a group whose `deposit` is `sandbox deposit` under its trigger name. */
export const sandboxTrigger: Command = triggers;
