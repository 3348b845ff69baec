/**
 * Fixtures of the money tests (money-*.test.ts): a migrated store with coins, merchants and
 * users, a ServiceContext around it, and a merchant confirmation endpoint (node:http) whose
 * behaviour each test chooses.
 */
import { fundAccount } from './support/funding.js';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import {
  createConfirmationResponder,
  openCallback,
  parsePrivateKey,
  seal,
  toNodeHttpHandler,
  type TransferConfirmationRequest,
  type WithdrawConfirmationRequest,
} from '@openwaas/sdk';
import { loadConfig } from '../src/config/config.js';
import type { EnvelopeSealer, ServiceContext } from '../src/context.js';
import type { Clock } from '../src/clock.js';
import { setMerchantCoin, upsertCoin, type CoinInput, type CoinRecord } from '../src/modules/coins/index.js';
import { readBalance, type AccountRef } from '../src/modules/ledger/index.js';
import { createMerchant } from '../src/modules/merchants/index.js';
import { createUserByEmail } from '../src/modules/merchants/index.js';
import { auditLedger } from '../src/modules/ledger/index.js';
import { fixedDataKey, insecureDevDataKey } from '../src/keys/data-key.js';
import { HdAddressAllocator } from '../src/keys/address-allocator.js';
import { openStore, type Store } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { inTransaction } from '../src/store/tx.js';
import type { Merchant } from '../src/store/schema.js';
import { freshDatabase, type TestDatabase } from './support/databases.js';

/** One merchant key pair for every test merchant: generating RSA keys costs ~100 ms each. */
const merchantKeys = generateKeyPairSync('rsa', { modulusLength: 2048 });
export const merchantPrivateKey: KeyObject = merchantKeys.privateKey;
export const merchantPublicPem = merchantKeys.publicKey.export({ type: 'spki', format: 'pem' }).toString();

/** Signs like the service's RSA pool, in-process. */
export function inlineSealer(): EnvelopeSealer {
  const keys = new Map<string, KeyObject>();
  return {
    async seal(_merchantId, pem, value) {
      let key = keys.get(pem);
      if (!key) keys.set(pem, (key = parsePrivateKey(pem)));
      return seal(value, key);
    },
    async close() {},
  };
}

/** How the merchant's confirmation endpoint answers. */
export type ConfirmMode = 'approve' | 'refuse' | 'wrong-checksum' | 'timeout' | 'bad-envelope' | 'http-500' | 'bare-envelope';

/** A merchant's second-confirmation endpoint on 127.0.0.1. */
export interface ConfirmEndpoint {
  url: string;
  mode: ConfirmMode;
  /** Requests received, decrypted. */
  withdrawals: WithdrawConfirmationRequest[];
  transfers: TransferConfirmationRequest[];
  close(): Promise<void>;
}

/**
 * Starts a confirmation endpoint for a merchant whose wallet public key is `walletPublicKey`,
 * answering with `privateKey` (the merchant's; the shared test key by default).
 */
export async function startConfirmEndpoint(options: { walletPublicKey: string; privateKey?: string | KeyObject; mode?: ConfirmMode }): Promise<ConfirmEndpoint> {
  const { walletPublicKey } = options;
  const privateKey = options.privateKey === undefined ? merchantPrivateKey : parsePrivateKey(options.privateKey);
  const endpoint: ConfirmEndpoint = { url: '', mode: options.mode ?? 'approve', withdrawals: [], transfers: [], close: async () => {} };
  const responder = toNodeHttpHandler(
    createConfirmationResponder({
      walletPublicKey,
      privateKey,
      approveWithdraw: (r) => {
        endpoint.withdrawals.push(r);
        return endpoint.mode === 'approve';
      },
      approveTransfer: (r) => {
        endpoint.transfers.push(r);
        return endpoint.mode === 'approve';
      },
    }),
  );
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    if (endpoint.mode === 'approve' || endpoint.mode === 'refuse') return responder(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { payload } = openCallback(Buffer.concat(chunks).toString('utf8'), walletPublicKey);
      if ('to' in payload) endpoint.transfers.push(payload as TransferConfirmationRequest);
      else endpoint.withdrawals.push(payload as WithdrawConfirmationRequest);
      switch (endpoint.mode) {
        case 'timeout':
          return setTimeout(() => res.end('{}'), 1_000).unref();
        case 'http-500':
          res.statusCode = 500;
          return res.end(JSON.stringify({ data: seal({ check_sum: payload['check_sum'] }, privateKey) }));
        case 'wrong-checksum':
          return res.end(JSON.stringify({ data: seal({ check_sum: 'not-' + String(payload['check_sum']), time: '1' }, privateKey) }));
        case 'bad-envelope':
          return res.end(JSON.stringify({ data: 'not-an-envelope' }));
        case 'bare-envelope':
          return res.end(seal({ check_sum: payload['check_sum'], time: '1' }, privateKey));
        default:
          res.statusCode = 500;
          return res.end();
      }
    });
  };
  const server: Server = createServer(handler);
  server.keepAliveTimeout = 1;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/confirm`;
  endpoint.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return endpoint;
}

/** A clock tests can move. */
export class TestClock implements Clock {
  constructor(public ms = Date.UTC(2030, 0, 15, 12)) {}
  nowMs(): number {
    return this.ms;
  }
}

export interface MoneyWorld {
  db: TestDatabase;
  store: Store;
  ctx: ServiceContext;
  clock: TestClock;
  wakes: { count: number };
  /** ETH (18 decimals, fee 0.01 ETH, auto-approve ≤ 5, daily limit 8, min 0.02, max 100). */
  eth: CoinRecord;
  /** USDT on the same chain (6 decimals, fee 1 USDT, auto ≤ 1000, no daily limit). */
  usdt: CoinRecord;
  /** LTC with its fee (0.4) charged in ETH, as in the seed example. */
  ltc: CoinRecord;
  merchant: Merchant;
  confirm: ConfirmEndpoint;
  /** Runs `fn` when the world closes (extra endpoints, servers). */
  onClose(fn: () => Promise<void>): void;
  close(): Promise<void>;
}

export const evmChain = 'evm:31337';

/** Creates a merchant with ETH/USDT/LTC enabled and its own confirmation endpoint. */
export async function addMerchant(world: Pick<MoneyWorld, 'store' | 'clock' | 'ctx'> & { coins: CoinRecord[] }, options: { name: string; autoCollect?: boolean; mode?: ConfirmMode }) {
  const db = world.store.db;
  let merchant = await createMerchant(db, world.ctx.secrets, { name: options.name, merchantPublicKey: merchantPublicPem, autoCollect: options.autoCollect ?? false, nowMs: world.clock.nowMs() });
  const confirm = await startConfirmEndpoint({ walletPublicKey: merchant.wallet_public_key, ...(options.mode ? { mode: options.mode } : {}) });
  await db.updateTable('merchants').set({ confirm_url: confirm.url }).where('id', '=', merchant.id).execute();
  merchant = await db.selectFrom('merchants').selectAll().where('id', '=', merchant.id).executeTakeFirstOrThrow();
  for (const c of world.coins) await setMerchantCoin(db, merchant.id, c.id, true);
  return { merchant, confirm };
}

/** A fresh database with coins, one merchant (approving confirmations) and a ServiceContext. */
export async function createMoneyWorld(kind: 'sqlite' | 'postgres', options: { confirmTimeoutMs?: number } = {}): Promise<MoneyWorld> {
  const db = await freshDatabase(kind);
  const store = openStore(db.url);
  await migrateToLatest(store);
  const clock = new TestClock();
  const wakes = { count: 0 };
  // Generous: the concurrency tests send 200 second confirmations at once to one local
  // merchant, and on a loaded machine the last answers take more than the service's default
  // 10 s; a test of the timeout itself sets its own.
  const config = loadConfig({ databaseUrl: db.url, confirmTimeoutMs: options.confirmTimeoutMs ?? 120_000, logLevel: 'silent' }, {});
  const sealer = inlineSealer();
  const ctx: ServiceContext = {
    config,
    store,
    log: pino({ level: 'silent' }),
    clock,
    sealer,
    secrets: fixedDataKey(insecureDevDataKey()),
    addresses: new HdAddressAllocator(config.hdMnemonic),
    notifier: { wake: () => void wakes.count++ },
    chains: new Map(),
    kyt: null,
    chainWorkers: { wake() {} },
  };
  const nowMs = clock.nowMs();
  const coin = (input: Omit<CoinInput, 'nowMs'>) => upsertCoin(store.db, { ...input, nowMs });
  const eth = await coin({ symbol: 'ETH', chain: evmChain, decimals: 18, minWithdraw: '0.02', maxWithdraw: '100', withdrawFee: '0.01', autoApproveMax: '5', dailyLimit: '8' });
  const usdt = await coin({ symbol: 'USDT', chain: evmChain, baseSymbol: 'ETH', contractAddress: '0x' + 'ab'.repeat(20), decimals: 6, withdrawFee: '1', autoApproveMax: '1000' });
  const ltc = await coin({ symbol: 'LTC', chain: 'ltc', decimals: 8, withdrawFee: '0.4', withdrawFeeSymbol: 'ETH', autoApproveMax: '1000' });
  const { merchant, confirm } = await addMerchant({ store, clock, coins: [eth, usdt, ltc], ctx }, { name: 'money-a' });
  const closers: Array<() => Promise<void>> = [];
  return {
    db,
    store,
    ctx,
    clock,
    wakes,
    eth,
    usdt,
    ltc,
    merchant,
    confirm,
    onClose: (fn) => void closers.push(fn),
    async close() {
      await confirm.close();
      for (const fn of closers.reverse()) await fn();
      await sealer.close();
      await store.close();
      await db.drop();
    },
  };
}

/** Registers a user of `merchant`. */
export async function addUser(world: Pick<MoneyWorld, 'store' | 'clock'>, merchant: Merchant, email: string): Promise<number> {
  const user = await inTransaction(world.store, (tx) => createUserByEmail(tx, merchant, { email, nowMs: world.clock.nowMs() }));
  return Number(user.id);
}

/** Gives `uid` an issued deposit address on `chain` (what the address allocator would write). */
export async function addChainAddress(world: Pick<MoneyWorld, 'store' | 'clock'>, input: { merchantId: number; uid: number; chain: string; address: string; hdIndex: number }): Promise<void> {
  await world.store.db
    .insertInto('chain_addresses')
    .values({ chain: input.chain, address: input.address, merchant_id: input.merchantId, uid: input.uid, hd_index: input.hdIndex, created_at: world.clock.nowMs() })
    .execute();
}

/** Credits `units` to an account from the external account (a manual adjustment). */
export function fund(world: Pick<MoneyWorld, 'store' | 'clock'>, account: AccountRef, units: bigint): Promise<void> {
  return fundAccount(world, account, units);
}

/** normal/lock of an account. */
export function balance(world: Pick<MoneyWorld, 'store'>, account: AccountRef) {
  return readBalance(world.store.db, account);
}

/** Units of `decimals` from a decimal string (tests only; the service uses parseAmount). */
export function units(text: string, decimals: number): bigint {
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole!) * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}

/** Fails the test when the ledger audit finds anything. */
export async function assertLedgerClean(store: Store): Promise<void> {
  const report = await auditLedger(store.db);
  if (report.findings.length > 0) throw new Error('ledger audit: ' + JSON.stringify(report.findings));
}

/** Counts of the rows a refused withdrawal must not write. */
export async function rowCounts(store: Store) {
  const count = async (table: 'withdrawals' | 'journals' | 'notifications' | 'deposits' | 'transfers') =>
    Number((await store.db.selectFrom(table).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow()).n);
  return { withdrawals: await count('withdrawals'), journals: await count('journals'), notifications: await count('notifications'), deposits: await count('deposits'), transfers: await count('transfers') };
}
