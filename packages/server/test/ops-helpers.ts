/** Helpers of the ops-*.test.ts suites: a service context on a fresh database, merchants and outbox rows. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { loadConfig, type ServiceConfig } from '../src/config/config.js';
import type { ServiceContext } from '../src/context.js';
import { systemClock } from '../src/clock.js';
import { createMerchant, type CreateMerchantInput } from '../src/modules/merchants/index.js';
import { enqueueNotification } from '../src/modules/notifications/index.js';
import { fixedDataKey, insecureDevDataKey } from '../src/keys/data-key.js';
import { HdAddressAllocator } from '../src/keys/address-allocator.js';
import { RsaPool } from '../src/keys/rsa-pool.js';
import { openStore } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { inTransaction } from '../src/store/tx.js';
import type { Merchant } from '../src/store/schema.js';
import { freshDatabase, type TestDatabase } from './support/databases.js';

export interface OpsContext {
  ctx: ServiceContext;
  db: TestDatabase;
  close(): Promise<void>;
}

/** A migrated fresh database of `kind` and a context on it (no HTTP server, no workers). */
export async function openOpsContext(kind: 'sqlite' | 'postgres', overrides: Partial<ServiceConfig> = {}): Promise<OpsContext> {
  const db = await freshDatabase(kind);
  const config = loadConfig({ databaseUrl: db.url, logLevel: 'silent', rsaWorkers: 1, workers: false, ...overrides }, {});
  const store = openStore(config.databaseUrl);
  await migrateToLatest(store);
  const log = pino({ level: process.env.OPS_TEST_LOG ?? 'silent' });
  const sealer = new RsaPool({ size: 1, log });
  const ctx: ServiceContext = {
    config,
    store,
    log,
    clock: systemClock,
    sealer,
    secrets: fixedDataKey(insecureDevDataKey()),
    addresses: new HdAddressAllocator(config.hdMnemonic),
    notifier: { wake() {} },
    chains: new Map(),
    kyt: null,
    chainWorkers: { wake() {} },
  };
  return {
    ctx,
    db,
    async close() {
      await sealer.close();
      await store.close();
      await db.drop();
    },
  };
}

export function addMerchant(ctx: ServiceContext, input: Partial<CreateMerchantInput> = {}): Promise<Merchant> {
  return createMerchant(ctx.store.db, ctx.secrets, { name: 'm', nowMs: Date.now(), ...input });
}

/** Writes `count` deposit notifications for a merchant; returns their ids. */
export async function enqueueDeposits(ctx: ServiceContext, merchantId: number, count: number, firstRecordId = 1): Promise<number[]> {
  const ids: number[] = [];
  await inTransaction(ctx.store, async (tx) => {
    for (let i = 0; i < count; i++) {
      const recordId = firstRecordId + i;
      const now = Date.now();
      ids.push(
        await enqueueNotification(tx, {
          merchantId,
          side: 'deposit',
          recordId,
          payload: {
            id: String(recordId), uid: '7', symbol: 'ETH', amount: '1.5', address_from: '', address_to: '0xabc',
            txid: `0x${recordId}`, confirmations: '1', status: '1', created_at: String(now), updated_at: String(now),
          },
          nowMs: now,
        }),
      );
    }
  });
  return ids;
}

/** A local HTTP server standing in for a merchant's notify endpoint. */
export interface MerchantServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

export async function startMerchantServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<MerchantServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/notify`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls `check` until it returns true, or fails after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function notificationRow(ctx: ServiceContext, id: number) {
  return ctx.store.db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

