import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { createConfirmationResponder, createNotificationHandler, toNodeHttpHandler, type CallbackHandler } from '@openwaas/sdk';
import { CommandFailed, exitCode, flag, leaf, str, whole, type Command } from './args.js';
import { keyPassphraseEnv } from '../keys/unlock.js';
import { sandboxChainId, sandboxKeys, startSandboxChain, writeOperatorEnv } from './sandbox-chain.js';
import { sandboxDeposit } from './sandbox-deposit.js';
import { sandboxTrigger } from './sandbox-trigger.js';
import { sandboxConsoleAccounts, sandboxOperatorName, sandboxOperatorToken, type SandboxConsoleAccount } from './sandbox-operator.js';
import { ensureConsoleBuilt } from './sandbox-console.js';
import { cliConfig } from './context.js';
import { demoDirDefault, demoUsdtContract, prepareDemoDatabase, setUpDemo } from './demo.js';
import { escapeForTerminal } from './terminal.js';
import { acquireSandboxLock, checkPortsFree } from './sandbox-lock.js';
import { redactedUrl } from '../http/redacted-url.js';

/** The demo merchant app: approves every confirmation and prints every notification. */
function startDemoMerchant(input: { host: string; port: number; walletPublicKey: string; privateKey: string; say: (line: string) => void }): Promise<Server> {
  const confirm = createConfirmationResponder({
    walletPublicKey: input.walletPublicKey,
    privateKey: input.privateKey,
    approveWithdraw: (req) => {
      input.say(`demo merchant: confirmed withdrawal ${req.request_id} (${req.amount} ${req.symbol} from uid ${req.from_uid} to ${req.to_address})`);
      return true;
    },
    approveTransfer: (req) => {
      input.say(`demo merchant: confirmed transfer ${req.request_id} (${req.amount} ${req.symbol} to ${req.to})`);
      return true;
    },
  });
  const notify = createNotificationHandler({
    walletPublicKey: input.walletPublicKey,
    onNotification: (n) => {
      input.say(`demo merchant: ${n.side} notification #${n.notify_id ?? '-'}: id ${n.id} uid ${n.uid} ${n.amount} ${n.symbol} status ${n.status}`);
    },
  });
  const routes: Record<string, CallbackHandler> = { '/waas/confirm': confirm, '/waas/notify': notify };
  const handlers = Object.fromEntries(Object.entries(routes).map(([path, h]) => [path, toNodeHttpHandler(h)]));
  const server = createServer((req, res) => {
    const handler = handlers[(req.url ?? '').split('?')[0] ?? ''];
    if (handler) return handler(req, res);
    res.writeHead(404).end();
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(input.port, input.host, () => ok(server));
  });
}

/** Banner lines of one demo console account: its name, roles, password and TOTP secret. */
function accountLines(a: SandboxConsoleAccount): string {
  return `  ${`${a.roles.join(', ')} login`.padEnd(17)}${a.name} / password ${a.password} / TOTP secret ${a.totp_secret}
                   (authenticator: ${a.otpauth_uri})`;
}

const sandboxStart = leaf({
  name: 'sandbox',
  summary: 'run the service with a demo merchant app, ready for the SDK',
  help: `sandbox [--dir DIR] [--host HOST] [--port PORT] [--operator-port PORT] [--merchant-port PORT] [--chain-port PORT] [--block-time MS] [--no-chain]
       sandbox deposit <uid> <symbol> <amount>   (see 'sandbox deposit --help')
       sandbox trigger deposit|withdraw|confirm <uid> <symbol> <amount>   (see 'sandbox trigger --help')

Starts a local EVM chain (anvil, chain id ${sandboxChainId}, a block every --block-time ms, state
kept in DIR across restarts) with the demo USDT deployed and the hot and fee wallets funded;
migrates the database (SQLite ./data/openwaas.sqlite unless DATABASE_URL says otherwise);
creates or reuses the demo merchant and a key store (seed encrypted at rest; the sandbox keeps
its passphrase in DIR), writes the merchant's keys and SDK config to DIR; starts the wallet
service (API, operator API, scanner, broadcaster, sweeper, notifications) and a demo merchant
app that answers second confirmations (it approves everything) and prints every
notification. The operator console is served on the operator API's port at /console/ (built
first when there is no build); its demo admin and demo reviewer, with passwords and TOTP secrets,
are printed in the banner and kept in DIR/console-accounts.json (0600) — a development sandbox,
never production credentials. Ctrl-C stops everything. One sandbox per DIR: a second one (or one whose ports are
taken) refuses before touching anything.

  --dir DIR             demo files (default ${demoDirDefault})
  --host HOST           listen address (default 127.0.0.1)
  --port PORT           service port (default 8080; 0 = any free port)
  --operator-port PORT  operator API port (default OPENWAAS_OPERATOR_PORT or 8090; any free port with --port 0)
  --merchant-port PORT  demo merchant app port (default service port + 1; 0 = any)
  --chain-port PORT     local chain (anvil) port (default: any free port)
  --block-time MS       block interval of the local chain (default 1000)
  --no-chain            no local chain: a ledger-only sandbox (deposits by operator credit)`,
  options: {
    dir: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    'operator-port': { type: 'string' },
    'merchant-port': { type: 'string' },
    'chain-port': { type: 'string' },
    'block-time': { type: 'string' },
    'no-chain': { type: 'boolean' },
    quiet: { type: 'boolean' },
  },
  async run(p, io) {
    const dir = resolve(io.cwd, str(p, 'dir') ?? demoDirDefault);
    const portText = str(p, 'port');
    const host = str(p, 'host');
    const base = cliConfig(io);
    const port = portText !== undefined ? whole(portText, '--port', 'sandbox', { min: 0, max: 65_535 }) : base.port;
    const operatorPortText = str(p, 'operator-port');
    const operatorPort = operatorPortText !== undefined ? whole(operatorPortText, '--operator-port', 'sandbox', { min: 0, max: 65_535 }) : port === 0 ? 0 : base.operatorPort;
    const merchantPortText = str(p, 'merchant-port');
    const merchantPort = merchantPortText !== undefined ? whole(merchantPortText, '--merchant-port', 'sandbox', { min: 0, max: 65_535 }) : port === 0 ? 0 : port + 1;
    const chainPortText = str(p, 'chain-port');
    const chainPort = chainPortText !== undefined ? whole(chainPortText, '--chain-port', 'sandbox', { min: 0, max: 65_535 }) : 0;
    const blockTimeText = str(p, 'block-time');
    const blockTimeMs = blockTimeText === undefined ? 1_000 : whole(blockTimeText, '--block-time', 'sandbox', { min: 50, max: 60_000 });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(dir, { recursive: true });
    // Before anything else: a second sandbox on this folder or on these ports must not start a
    // chain or rewrite chain.json / env under the running one.
    const lock = acquireSandboxLock(dir);
    const listenHost = host ?? base.host;
    await checkPortsFree([
      { host: listenHost, port, what: 'wallet service (--port)' },
      { host: base.operatorHost, port: operatorPort, what: 'operator API (--operator-port)' },
      { host: listenHost, port: merchantPort, what: 'demo merchant app (--merchant-port)' },
      ...(flag(p, 'no-chain') ? [] : [{ host: '127.0.0.1', port: chainPort, what: 'local chain (--chain-port)' }]),
    ]).catch((error: unknown) => {
      lock.release();
      throw error;
    });
    // From here the lock is released on the way out (the finally below, or at exit on a failed start).
    const config = cliConfig(io, {
      ...(host !== undefined ? { host } : {}),
      port,
      operatorApi: true,
      operatorPort,
      // The sandbox talks to a person: the service's JSON logs only for warnings unless asked.
      ...(io.env.LOG_LEVEL ? {} : { logLevel: 'warn' as const }),
    });
    const say = (line: string) => io.stdout.write(escapeForTerminal(line) + '\n');
    let chain: Awaited<ReturnType<typeof startSandboxChain>> | undefined;
    // The sandbox's own key store (seed and data key), passphrase kept in DIR: no prompt, and
    // never the public development keys — with or without a chain.
    const keys = await sandboxKeys(dir);
    config.keystorePath = keys.keystorePath;
    const env = { ...io.env, [keyPassphraseEnv]: keys.passphrase };
    if (flag(p, 'no-chain')) keys.ring.lock();
    else {
      chain = await startSandboxChain({ dir, ring: keys.ring, blockTimeMs, port: chainPort });
      keys.ring.lock();
      config.chains = [chain.chainConfig];
    }
    const databaseUrl = /^postgres(ql)?:/.test(config.databaseUrl) ? config.databaseUrl : resolve(io.cwd, config.databaseUrl.replace(/^sqlite:/, ''));
    // Chainless too: operator commands find the sandbox's database, and no stale chain of an earlier run.
    // The key store holds the data key of merchants' wallet keys, so operator commands need it chainless too.
    const operatorEnv: Record<string, string> = chain ? { DATABASE_URL: databaseUrl, OPENWAAS_CHAINS: JSON.stringify(config.chains), OPENWAAS_KEYSTORE: config.keystorePath } : { DATABASE_URL: databaseUrl, OPENWAAS_KEYSTORE: config.keystorePath };
    writeOperatorEnv(dir, operatorEnv, chain ? {} : { unset: ['OPENWAAS_CHAINS'] });
    // The console on the operator listener: built once (quietly) when there is no build yet.
    const consoleBuild = config.consoleDir ? { built: true, problem: '' } : ensureConsoleBuilt();
    const { createService } = await import('../service.js');
    if (chain) {
      await prepareDemoDatabase(config.databaseUrl, Date.now()).catch(async (error: unknown) => {
        await chain?.anvil.stop();
        throw error;
      });
    }
    const service = await createService(config, { env }).catch(async (error: unknown) => {
      await chain?.anvil.stop();
      throw error;
    });
    let merchantApp: Server | undefined;
    try {
      const url = await service.listen();
      const operator = `${service.operatorUrl ?? url}/operator/v1`;
      lock.update({ url, operator, chain: chain !== undefined });
      // Keys first (setUpDemo writes them), then the app that needs them, then its URLs.
      if (chain && chain.info.usdt !== demoUsdtContract) {
        throw new CommandFailed(`the demo USDT is at ${chain.info.usdt}, not ${demoUsdtContract}: the chain state in ${dir} is not the sandbox's; remove ${dir} and the database to start over`);
      }
      // The console's demo accounts first (a reset of one revokes its tokens), then the demo admin's API
      // token: for the operator API and, through DIR/env, the CLI's operator commands.
      const consoleAccounts = await sandboxConsoleAccounts(service.ctx, dir);
      const consoleUrl = `${service.operatorUrl ?? url}/console/`;
      const operatorAuth = await sandboxOperatorToken(service.ctx, dir);
      writeOperatorEnv(dir, { ...operatorEnv, OPENWAAS_OPERATOR_TOKEN_FILE: operatorAuth.file }, chain ? {} : { unset: ['OPENWAAS_CHAINS'] });
      let demo = await setUpDemo(service.ctx, { dir, baseUrl: url });
      merchantApp = await startDemoMerchant({
        host: config.host,
        port: merchantPort,
        walletPublicKey: readFileSync(demo.wallet_public_key, 'utf8'),
        privateKey: readFileSync(demo.merchant_private_key, 'utf8'),
        say: flag(p, 'quiet') ? () => {} : say,
      });
      const merchantUrl = `http://${config.host}:${(merchantApp.address() as AddressInfo).port}`;
      demo = await setUpDemo(service.ctx, { dir, baseUrl: url, confirmUrl: `${merchantUrl}/waas/confirm`, notifyUrl: `${merchantUrl}/waas/notify` });
      if (p.json) {
        io.stdout.write(JSON.stringify({ url, operator, operator_token_file: operatorAuth.file, console: consoleUrl, console_built: consoleBuild.built, console_accounts_file: consoleAccounts.file, merchant_app: merchantUrl, ...demo, ...(chain ? { chain: chain.info } : {}) }) + '\n');
      } else {
        say(`OpenWaaS sandbox
  wallet service   ${url}  (database ${redactedUrl(config.databaseUrl)})
  operator API     ${operator}  (demo admin ${sandboxOperatorName}: Bearer token in ${operatorAuth.file})
  console          ${consoleBuild.built ? consoleUrl : `not built: ${consoleBuild.problem}`}
${consoleAccounts.accounts.map(accountLines).join('\n')}
                   (a development sandbox: these demo credentials are printed here and kept in ${consoleAccounts.file}; never use them in production)
  demo merchant    app_id ${demo.app_id}, app ${merchantUrl} (approves confirmations, prints notifications)
  coins            ${demo.coins.join(', ')}
  SDK config       ${demo.sdk_config}
${
  chain
    ? `  local chain      ${chain.info.rpc_url}  (${chain.info.chain}, a block every ${blockTimeMs} ms)
  demo USDT        ${chain.info.usdt}
  hot wallet       ${chain.info.hot_wallet}
  fee wallet       ${chain.info.fee_wallet}
`
    : ''
}
Try:  npx openwaas-sdk call registerEmail email=alice@example.com --config ${demo.sdk_config}${
          chain ? `\n      npx openwaas sandbox deposit <uid> USDT 25     (a real on-chain deposit to the user's address)` : ''
        }
      npx openwaas-sdk listen --config ${demo.sdk_config} --forward http://localhost:3000/hooks   (your app gets the callbacks; then 'openwaas sandbox trigger …')
Ctrl-C stops the sandbox.`);
      }
      const signal = await new Promise<NodeJS.Signals>((ok) => {
        process.once('SIGINT', ok);
        process.once('SIGTERM', ok);
      });
      io.stderr.write(`${signal}: shutting down…\n`);
    } finally {
      await new Promise<void>((ok) => (merchantApp ? merchantApp.close(() => ok()) : ok()));
      await service.close();
      // Last: anvil writes its state on the way out.
      await chain?.anvil.stop();
      lock.release();
    }
    return exitCode.ok;
  },
});

/**
 * `openwaas sandbox` starts everything; `openwaas sandbox deposit …` sends a deposit to it;
 * `openwaas sandbox trigger …` makes it produce a deposit, a withdrawal or a confirmation request.
 * `subcommands` lets a usage error of `sandbox deposit` print that command's help, not the start's.
 */
export const sandbox: Command & { subcommands: Record<string, Command> } = {
  summary: sandboxStart.summary,
  help: sandboxStart.help,
  subcommands: { deposit: sandboxDeposit, trigger: sandboxTrigger },
  run: (argv, io) =>
    argv[0] === 'deposit' ? sandboxDeposit.run(argv.slice(1), io) : argv[0] === 'trigger' ? sandboxTrigger.run(argv.slice(1), io) : sandboxStart.run(argv, io),
};
