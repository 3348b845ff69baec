import { generateKeyPairSync } from 'node:crypto';
import { describe } from 'node:test';
import { open, parsePrivateKey, parsePublicKey, seal, WaasClient } from '@openwaas/sdk';
import { loadConfig, type ServiceConfig } from '../../src/config/config.js';
import type { ServiceContext } from '../../src/context.js';
import type { Clock } from '../../src/clock.js';
import { setMerchantCoin, upsertCoin, type CoinInput, type CoinRecord } from '../../src/modules/coins/index.js';
import { createMerchant, type CreateMerchantInput } from '../../src/modules/merchants/index.js';
import { addOperator, createApiToken, type OperatorRole } from '../../src/modules/operators/index.js';
import { parseAmount } from '../../src/money/amount.js';
import { createService, type Service } from '../../src/service.js';
import type { Merchant } from '../../src/store/schema.js';
import { databaseKinds, freshDatabase, skippedWithoutPostgres, type TestDatabase } from './databases.js';
import { fundAccount } from './funding.js';

export type DatabaseKind = 'sqlite' | 'postgres';

/**
 * Registers `describe(title)` with one nested `describe(kind)` per database available here
 * (SQLite always, PostgreSQL when reachable — see databases.ts; when it is not, the runner counts
 * a skipped test in its place). `fn` registers the tests.
 * @example
 * eachDatabase('withdraw', (kind) => {
 *   let t: TestService;
 *   before(async () => { t = await startTestService({ kind }); });
 *   after(() => t.close());
 *   it('works', async () => { ... });
 * });
 */
export function eachDatabase(title: string, fn: (kind: DatabaseKind) => void): void {
  describe(title, async () => {
    const kinds = await databaseKinds();
    for (const kind of kinds) describe(kind, () => fn(kind));
    skippedWithoutPostgres(kinds);
  });
}

/** The coins every test service configures (amounts in coin units, as the operator writes them). */
export const testCoins = {
  ETH: { symbol: 'ETH', name: 'Ether', chain: 'evm:31337', decimals: 18, confirmations: 2, minWithdraw: '0.01', maxWithdraw: '100', withdrawFee: '0.001', autoApproveMax: '10', icon: 'https://example.test/eth.png', explorer: 'https://explorer.test/tx/{txid}' },
  USDT: { symbol: 'USDT', name: 'Tether USD', chain: 'evm:31337', baseSymbol: 'ETH', contractAddress: '0x5fbdb2315678afecb367f032d93f642f64180aa3', decimals: 6, confirmations: 2, minWithdraw: '10', maxWithdraw: '100000', withdrawFee: '1', autoApproveMax: '10000' },
  /** A token whose withdrawal fee is charged in ETH. */
  TKN: { symbol: 'TKN', name: 'Test Token', chain: 'evm:31337', baseSymbol: 'ETH', contractAddress: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512', decimals: 8, confirmations: 2, minWithdraw: '1', maxWithdraw: '1000000', withdrawFee: '0.002', withdrawFeeSymbol: 'ETH', autoApproveMax: '100000' },
  /** Configured but enabled for no merchant by default (→ 120202). */
  OFF: { symbol: 'OFF', name: 'Disabled CoinRecord', chain: 'evm:31337', decimals: 18, confirmations: 2 },
} satisfies Record<string, Omit<CoinInput, 'nowMs'>>;

/** Symbols enabled for merchants unless addMerchant says otherwise. */
export const enabledSymbolsDefault = ['ETH', 'USDT', 'TKN'];

/** A merchant of the test service with its keys and an SDK client. */
export interface TestMerchant {
  merchant: Merchant;
  appId: string;
  /** The merchant's own private key (PKCS#8 PEM): what it seals requests with. */
  merchantPrivateKeyPem: string;
  merchantPublicKeyPem: string;
  /** The service's public key for this merchant: what responses open with. */
  walletPublicKeyPem: string;
  client: WaasClient;
}

export interface AddMerchantOptions extends Partial<Omit<CreateMerchantInput, 'nowMs' | 'merchantPublicKey'>> {
  /** Register the merchant's public key (default true; false → every call answers 100005). */
  registerKey?: boolean;
  /** Symbols to enable (default ETH, USDT, TKN). */
  symbols?: string[];
  /** Disabled merchant (answers 100016). */
  inactive?: boolean;
  /** Options for the SDK client. */
  clientMethod?: 'documented' | 'POST';
  /** Give this merchant its own RSA pair instead of the one test merchants share. */
  freshKeys?: boolean;
}

/** A raw HTTP exchange for tests that go around the SDK. */
export interface RawRequest {
  /** Path under /api/v2, e.g. "/user/info". */
  path: string;
  method?: 'GET' | 'POST';
  /** Form fields (query string for GET, urlencoded body for POST). */
  form?: Record<string, string>;
  /** A verbatim body (overrides `form` for POST). */
  body?: string;
  contentType?: string;
}

export interface RawResponse {
  status: number;
  text: string;
  /** The parsed JSON body, if it is JSON. */
  json: Record<string, unknown> | undefined;
}

export interface TestService extends TestMerchant {
  kind: DatabaseKind;
  baseUrl: string;
  /** The operator API's routes on its own listener, e.g. "http://127.0.0.1:4321/operator/v1"; undefined when off. */
  operatorUrl: string | undefined;
  /** With config.operatorApi: an API token of the operator "test-admin" (every role); '' when off. */
  operatorToken: string;
  /** An API token of a new operator holding exactly `roles` (named `name`, default from the roles). */
  operatorTokenFor(roles: OperatorRole[], name?: string): Promise<string>;
  ctx: ServiceContext;
  service: Service;
  database: TestDatabase;
  /** Coins by symbol, as configured. */
  coins: Record<keyof typeof testCoins, CoinRecord>;
  /** Creates another merchant (fresh keys, coins enabled) with its own client. */
  addMerchant(options?: AddMerchantOptions): Promise<TestMerchant>;
  /** Credits a user's (uid given) or the merchant's collection account from the external account. */
  credit(input: { symbol: string; amount: string; uid?: number; merchant?: Merchant }): Promise<void>;
  /** Seals request fields (time/charset/version added unless given) with a merchant's private key. */
  sealRequest(fields: Record<string, unknown>, merchant?: TestMerchant): string;
  /** Opens a response `data` with the merchant's wallet public key. */
  openReply(data: string, merchant?: TestMerchant): { code: string; msg: string; data?: unknown };
  /** Sends a raw request. */
  raw(request: RawRequest): Promise<RawResponse>;
  close(): Promise<void>;
}

export interface StartTestServiceOptions {
  kind: DatabaseKind;
  config?: Partial<ServiceConfig>;
  clock?: Clock;
}

let sharedMerchantKeys: { privateKeyPem: string; publicKeyPem: string } | undefined;

/**
 * The merchants' own key pair. RSA key generation costs ~200 ms, so test merchants share one
 * pair per process unless `fresh`; each still has its own wallet pair (createMerchant makes it).
 */
function rsaPair(fresh = false) {
  if (!fresh && sharedMerchantKeys) return sharedMerchantKeys;
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pair = {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  if (!fresh) sharedMerchantKeys = pair;
  return pair;
}

/**
 * A real service on 127.0.0.1:0 over a fresh database of `kind`, with coins ETH/USDT/TKN
 * (enabled) and OFF (not enabled), and a demo merchant with its SDK client. Logs are silent and
 * the notifier is off unless `config` says otherwise. Always `close()` it (drops the database).
 */
export async function startTestService(options: StartTestServiceOptions): Promise<TestService> {
  const database = await freshDatabase(options.kind);
  let service: Service | undefined;
  try {
    const config = loadConfig(
      // Development keys, said explicitly: test services hold no real funds.
      { databaseUrl: database.url, host: '127.0.0.1', port: 0, operatorHost: '127.0.0.1', operatorPort: 0, logLevel: 'silent', workers: false, rsaWorkers: 2, insecureDevKeys: true, ...options.config },
      {},
    );
    service = await createService(config, options.clock ? { clock: options.clock } : {});
    const ctx = service.ctx;
    const baseUrl = await service.listen();
    const nowMs = () => ctx.clock.nowMs();

    const coins = {} as Record<keyof typeof testCoins, CoinRecord>;
    for (const [symbol, input] of Object.entries(testCoins)) {
      coins[symbol as keyof typeof testCoins] = await upsertCoin(ctx.store.db, { ...input, nowMs: nowMs() });
    }

    const addMerchant = async (opts: AddMerchantOptions = {}): Promise<TestMerchant> => {
      const { registerKey = true, symbols = enabledSymbolsDefault, inactive = false, clientMethod, freshKeys = false, ...input } = opts;
      const keys = rsaPair(freshKeys);
      let merchant = await createMerchant(ctx.store.db, ctx.secrets, {
        name: 'Test Merchant',
        ...input,
        ...(registerKey ? { merchantPublicKey: keys.publicKeyPem } : {}),
        nowMs: nowMs(),
      });
      for (const symbol of symbols) {
        const coin = coins[symbol as keyof typeof testCoins];
        if (!coin) throw new Error(`unknown test coin ${symbol}`);
        await setMerchantCoin(ctx.store.db, Number(merchant.id), Number(coin.id), true);
      }
      if (inactive) {
        await ctx.store.db.updateTable('merchants').set({ active: 0 }).where('id', '=', Number(merchant.id)).execute();
        merchant = { ...merchant, active: 0 };
      }
      const client = new WaasClient({
        baseUrl,
        appId: merchant.app_id,
        privateKey: keys.privateKeyPem,
        walletPublicKey: merchant.wallet_public_key,
        ...(clientMethod ? { method: clientMethod } : {}),
      });
      return {
        merchant,
        appId: merchant.app_id,
        merchantPrivateKeyPem: keys.privateKeyPem,
        merchantPublicKeyPem: keys.publicKeyPem,
        walletPublicKeyPem: merchant.wallet_public_key,
        client,
      };
    };

    const demo = await addMerchant({ name: 'Demo Merchant' });
    const running = service;
    let operators = 0;
    const operatorTokenFor = async (roles: OperatorRole[], name = `test-${roles.join('-') || 'none'}-${++operators}`) => {
      await addOperator(ctx, { name, roles });
      return (await createApiToken(ctx, { name, sourceIp: 'cli' })).token;
    };
    const operatorToken = ctx.config.operatorApi ? await operatorTokenFor(['admin'], 'test-admin') : '';

    const t: TestService = {
      ...demo,
      kind: options.kind,
      baseUrl,
      operatorUrl: running.operatorUrl === undefined ? undefined : `${running.operatorUrl}/operator/v1`,
      operatorToken,
      operatorTokenFor,
      ctx,
      service: running,
      database,
      coins,
      addMerchant,
      async credit({ symbol, amount, uid, merchant = demo.merchant }) {
        const coin = coins[symbol as keyof typeof testCoins];
        if (!coin) throw new Error(`unknown test coin ${symbol}`);
        const units = parseAmount(amount, coin.decimals);
        const merchantId = Number(merchant.id);
        const coinId = Number(coin.id);
        const account = uid === undefined ? { kind: 'collection' as const, merchantId, uid: null, coinId } : { kind: 'user' as const, merchantId, uid, coinId };
        await fundAccount(ctx, account, units);
      },
      sealRequest(fields, merchant = demo) {
        const full = { time: Date.now(), charset: 'utf-8', version: 'v2', ...fields };
        return seal(full, parsePrivateKey(merchant.merchantPrivateKeyPem));
      },
      openReply(data, merchant = demo) {
        return open(data, parsePublicKey(merchant.walletPublicKeyPem));
      },
      async raw(request) {
        const method = request.method ?? 'POST';
        const form = new URLSearchParams(request.form ?? {}).toString();
        const url = `${baseUrl}/api/v2${request.path}${method === 'GET' && form ? `?${form}` : ''}`;
        const init: RequestInit = { method };
        if (method === 'POST') {
          init.body = request.body ?? form;
          init.headers = { 'content-type': request.contentType ?? 'application/x-www-form-urlencoded' };
        }
        const response = await fetch(url, init);
        const text = await response.text();
        let json: Record<string, unknown> | undefined;
        try {
          json = JSON.parse(text) as Record<string, unknown>;
        } catch {
          json = undefined;
        }
        return { status: response.status, text, json };
      },
      close: async () => {
        await running.close();
        await database.drop();
      },
    };
    return t;
  } catch (error) {
    await service?.close();
    await database.drop();
    throw error;
  }
}

/** Row counts of every table a refused API request could have written to. */
export async function rowCounts(t: TestService): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of ['users', 'chain_addresses', 'user_addresses', 'accounts', 'journals', 'withdrawals', 'transfers', 'notifications'] as const) {
    const row = await t.ctx.store.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}
