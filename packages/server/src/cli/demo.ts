import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parsePrivateKey } from '@openwaas/sdk';
import type { ServiceContext } from '../context.js';
import { findCoinBySymbol, setMerchantCoin, upsertCoin, type CoinInput } from '../modules/coins/index.js';
import { createMerchant, findMerchantByAppId, normaliseMerchantKey, updateMerchant } from '../modules/merchants/index.js';
import { checkUrl } from '../operator/actions.js';
import { openStore } from '../store/db.js';
import { migrateToLatest } from '../store/migrate.js';
import type { Db } from '../store/tx.js';
import { describe, exitCode, leaf, print, str } from './args.js';
import { cliConfig, withContext } from './context.js';

/** The demo merchant's fixed app_id: how `demo` finds it again. */
export const demoAppId = 'openwaas-demo';
export const demoDirDefault = '.openwaas/demo';

/** The demo USDT's address: the first contract anvil's first dev account deploys (the sandbox does it on a fresh chain). */
export const demoUsdtContract = '0x5fbdb2315678afecb367f032d93f642f64180aa3';

/**
 * Demo coins on the local dev chain (anvil, chain id 31337); existing coins are left as they
 * are. Three confirmations: with a block a second, a deposit is credited in about three seconds.
 */
export const demoCoins: Array<Omit<CoinInput, 'nowMs'>> = [
  { symbol: 'ETH', name: 'Ether', chain: 'evm:31337', decimals: 18, confirmations: 3, minWithdraw: '0.001', maxWithdraw: '100', withdrawFee: '0.0005', autoApproveMax: '10', explorer: '' },
  // The first contract anvil's default account deploys lands at this address.
  { symbol: 'USDT', name: 'Tether USD (demo)', chain: 'evm:31337', baseSymbol: 'ETH', contractAddress: demoUsdtContract, decimals: 6, confirmations: 3, minWithdraw: '1', maxWithdraw: '100000', withdrawFee: '1', autoApproveMax: '10000' },
];

export interface DemoResult {
  app_id: string;
  base_url: string;
  dir: string;
  merchant_private_key: string;
  merchant_public_key: string;
  wallet_public_key: string;
  sdk_config: string;
  coins: string[];
  /** What happened: created, reused, or a new merchant key registered. */
  merchant: 'created' | 'reused' | 'key-registered';
}

const pem = (key: ReturnType<typeof createPublicKey>) => key.export({ type: 'spki', format: 'pem' }).toString();

/** Adds the demo coins a database lacks (existing ones are left as they are); resolves with their symbols. */
export async function ensureDemoCoins(db: Db, nowMs: number): Promise<string[]> {
  const coins: string[] = [];
  for (const c of demoCoins) {
    const coin = (await findCoinBySymbol(db, c.symbol)) ?? (await upsertCoin(db, { ...c, nowMs }));
    coins.push(coin.symbol);
  }
  return coins;
}

/**
 * Migrates the database at `databaseUrl` and adds the demo coins, before any service runs on it:
 * a scanner started without them passes the wallets' funding blocks as holding no known coin,
 * and the chain audit then finds those funds missing from the ledger.
 */
export async function prepareDemoDatabase(databaseUrl: string, nowMs: number): Promise<void> {
  const store = openStore(databaseUrl);
  try {
    await migrateToLatest(store);
    await ensureDemoCoins(store.db, nowMs);
  } finally {
    await store.close();
  }
}

export async function setUpDemo(ctx: ServiceContext, input: { dir: string; baseUrl: string; notifyUrl?: string; confirmUrl?: string }): Promise<DemoResult> {
  const db = ctx.store.db;
  const nowMs = ctx.clock.nowMs();
  const coins = await ensureDemoCoins(db, nowMs);

  mkdirSync(input.dir, { recursive: true });
  const files = {
    privateKey: join(input.dir, 'merchant-private.pem'),
    publicKey: join(input.dir, 'merchant-public.pem'),
    walletPublicKey: join(input.dir, 'wallet-public.pem'),
    config: join(input.dir, 'waas.json'),
  };
  // Reuse the key pair already written, so a merchant app configured from it keeps working.
  let privatePem: string | undefined = existsSync(files.privateKey) ? readFileSync(files.privateKey, 'utf8') : undefined;
  let publicPem: string;
  if (privatePem !== undefined) {
    publicPem = pem(createPublicKey(parsePrivateKey(privatePem, files.privateKey)));
  } else {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    privatePem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    publicPem = pem(pair.publicKey);
    writeFileSync(files.privateKey, privatePem, { mode: 0o600 });
    chmodSync(files.privateKey, 0o600);
  }

  let merchant = await findMerchantByAppId(db, demoAppId);
  let what: DemoResult['merchant'];
  const urls = {
    ...(input.notifyUrl !== undefined ? { notifyUrl: input.notifyUrl } : {}),
    ...(input.confirmUrl !== undefined ? { confirmUrl: input.confirmUrl } : {}),
  };
  if (!merchant) {
    merchant = await createMerchant(db, ctx.secrets, { name: 'Demo Merchant', appId: demoAppId, merchantPublicKey: publicPem, ...urls, nowMs });
    what = 'created';
  } else {
    const registered = merchant.merchant_public_key === normaliseMerchantKey(publicPem);
    merchant = (await updateMerchant(db, demoAppId, { ...urls, ...(registered ? {} : { merchantPublicKey: publicPem }) }))!;
    what = registered ? 'reused' : 'key-registered';
  }
  for (const symbol of coins) {
    const coin = (await findCoinBySymbol(db, symbol))!;
    await setMerchantCoin(db, Number(merchant.id), Number(coin.id), true);
  }

  writeFileSync(files.publicKey, publicPem);
  writeFileSync(files.walletPublicKey, merchant.wallet_public_key);
  // The SDK's config file shape (openwaas-sdk call --config): key paths may be absolute.
  const sdkConfig = { baseUrl: input.baseUrl, appId: demoAppId, privateKey: files.privateKey, walletPublicKey: files.walletPublicKey };
  writeFileSync(files.config, JSON.stringify(sdkConfig, null, 2) + '\n');
  return {
    app_id: demoAppId,
    base_url: input.baseUrl,
    dir: input.dir,
    merchant_private_key: files.privateKey,
    merchant_public_key: files.publicKey,
    wallet_public_key: files.walletPublicKey,
    sdk_config: files.config,
    coins,
    merchant: what,
  };
}

export const demo = leaf({
  name: 'demo',
  summary: 'create (or reuse) a demo merchant and write its keys and SDK config',
  help: `demo [--dir DIR] [--base-url URL] [--notify-url URL] [--confirm-url URL]

Sets up a demo merchant (app_id "${demoAppId}") with a generated merchant key pair and demo
coins (ETH, USDT on the local chain evm:31337), migrating the database if needed, and writes
to DIR: merchant-private.pem, merchant-public.pem, wallet-public.pem (rsa_wallet_pub) and
waas.json (baseUrl, appId, key paths) for the SDK. Running it again reuses the merchant and the
keys in DIR.

  --dir DIR          where to write (default ${demoDirDefault})
  --base-url URL     the service URL for waas.json (default http://HOST:PORT of the config)
  --notify-url URL   the demo merchant's notification endpoint
  --confirm-url URL  its second-confirmation endpoint`,
  options: { dir: { type: 'string' }, 'base-url': { type: 'string' }, 'notify-url': { type: 'string' }, 'confirm-url': { type: 'string' } },
  async run(p, io) {
    const config = cliConfig(io);
    const dir = resolve(io.cwd, str(p, 'dir') ?? demoDirDefault);
    const baseUrl = checkUrl('--base-url', str(p, 'base-url') ?? `http://${config.host}:${config.port}`);
    const notifyUrl = str(p, 'notify-url');
    const confirmUrl = str(p, 'confirm-url');
    const result = await withContext(
      io,
      (ctx) =>
        setUpDemo(ctx, {
          dir,
          baseUrl,
          ...(notifyUrl !== undefined ? { notifyUrl: checkUrl('--notify-url', notifyUrl) } : {}),
          ...(confirmUrl !== undefined ? { confirmUrl: checkUrl('--confirm-url', confirmUrl) } : {}),
        }),
      { migrate: true },
    );
    print(io, p, result, () =>
      describe(result) +
        `\nNext: 'openwaas serve', then 'openwaas-sdk call getCoinList --config ${result.sdk_config}'\n`,
    );
    return exitCode.ok;
  },
});
