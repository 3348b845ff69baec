/**
 * A merchant's first calls, against a running OpenWaaS sandbox.
 *
 *   npm run sandbox                     # terminal 1: the service, a demo merchant, .openwaas/demo/waas.json
 *   npm run example -w @openwaas/sdk    # terminal 2: this file
 *
 * The settings are the sandbox's `waas.json` (the file `openwaas-sdk call --config` reads):
 * WAAS_CONFIG names it, default `.openwaas/demo/waas.json` in the directory npm was started
 * from. Running it again reuses the same user.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ErrorCode, WaasClient, WaasError, WaasTransportError } from '@openwaas/sdk';

interface SdkConfig {
  baseUrl: string;
  appId: string;
  /** Key file paths, relative to the config file (the sandbox writes absolute ones). */
  privateKey: string;
  walletPublicKey: string;
}

const startedIn = process.env['INIT_CWD'] ?? process.cwd();
const configPath = resolve(startedIn, process.env['WAAS_CONFIG'] ?? '.openwaas/demo/waas.json');

function readConfig(): SdkConfig {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch {
    console.error(`No SDK settings at ${configPath}.\nStart the sandbox first (npm run sandbox), or set WAAS_CONFIG to a waas.json.`);
    process.exit(2);
  }
  return JSON.parse(text) as SdkConfig;
}

const config = readConfig();
const keyFile = (path: string) => readFileSync(resolve(dirname(configPath), path), 'utf8');

const client = new WaasClient({
  baseUrl: config.baseUrl,
  appId: config.appId,
  privateKey: keyFile(config.privateKey), // the merchant's own key: seals every request
  walletPublicKey: keyFile(config.walletPublicKey), // the service's key for this merchant: opens every answer
  timeoutMs: 10_000,
});

/** The user with this email: looked up, or registered on the first run. */
async function userFor(email: string): Promise<number> {
  try {
    return (await client.getUserInfo({ email })).uid;
  } catch (error) {
    if (error instanceof WaasError && error.is(ErrorCode.UserNotFound)) return (await client.registerEmail({ email })).uid;
    throw error;
  }
}

async function main(): Promise<void> {
  const coins = await client.getCoinList();
  console.log(`coins: ${coins.map((c) => `${c.symbol} (${c.decimals} decimals)`).join(', ')}`);
  const coin = coins[0];
  if (!coin) throw new Error('no coin is enabled for this merchant');

  const uid = await userFor(process.env['WAAS_EXAMPLE_EMAIL'] ?? 'quickstart@example.com');
  console.log(`user: uid ${uid}`);

  const { address } = await client.getDepositAddress({ uid, symbol: coin.symbol });
  console.log(`deposit address for ${coin.symbol}: ${address}`);

  // Amounts are decimal strings, exact: never turn them into a JavaScript number.
  const balance = await client.getByUidAndSymbol({ uid, symbol: coin.symbol });
  console.log(`balance: ${balance.normal_balance} ${coin.symbol} spendable, ${balance.lock_balance} locked`);

  let deposits = 0;
  for await (const deposit of client.iterateDeposits({ maxId: 0 })) {
    if (deposit.uid === uid) console.log(`deposit #${deposit.id}: ${deposit.amount} ${deposit.symbol}, status ${deposit.status}`);
    deposits += 1;
  }
  console.log(`deposits of this merchant so far: ${deposits}`);
}

main().catch((error: unknown) => {
  if (error instanceof WaasError) console.error(`the service answered ${error.code}: ${error.msg}`);
  else if (error instanceof WaasTransportError) console.error(`cannot reach ${config.baseUrl} (is the sandbox running?): ${error.message}`);
  else console.error(error);
  process.exitCode = 1;
});
