/**
 * Page latency of the operator record lists (GET /withdrawals, GET /deposits) on large tables.
 *
 *   npm run bench:lists
 *
 * For SQLite (a temp dir), then PostgreSQL (a fresh schema of postgres://postgres@127.0.0.1:5432/test,
 * or OPENWAAS_BENCH_DATABASE_URL, when reachable — skipped with a message otherwise), the bench:
 *  1. migrates a fresh database and seeds two merchants, the coins, and 100,000 withdrawals and
 *     100,000 deposits (OPENWAAS_BENCH_ROWS), bulk-inserted through the modules' repositories:
 *     two merchants, two coins, 2 % under review, one txid per row, ~20 rows per address;
 *     (on PostgreSQL then ANALYZEd, as autovacuum does after a bulk load);
 *  2. reads pages of 100 through the list operations the routes call (listWithdrawalPage,
 *     listDepositPage: keyset pages on (created_at, id), newest first), without a filter and
 *     with each selective filter, at the first page, a page in the middle and the last page
 *     (the middle and last pages start from a cursor naming the row there);
 *  3. prints the median and the slowest of several reads of each page, in milliseconds.
 * Figures only: nothing here passes or fails on time. The schema or temp dir is dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { fixedDataKey, insecureDevDataKey } from '../src/keys/data-key.js';
import { upsertCoin } from '../src/modules/coins/index.js';
import { importDepositRows, listDepositPage } from '../src/modules/deposits/index.js';
import { createMerchant } from '../src/modules/merchants/index.js';
import { encodeListCursor, type RecordListFilter } from '../src/modules/records/index.js';
import { importWithdrawalRows, listWithdrawalPage } from '../src/modules/withdrawals/index.js';
import { openStore, type Store } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import type { NewDepositRecord } from '../src/modules/deposits/index.js';
import type { NewWithdrawalRecord } from '../src/modules/withdrawals/index.js';
import { inTransaction } from '../src/store/tx.js';

const rowCount = Number(process.env.OPENWAAS_BENCH_ROWS ?? 100_000);
const pageSize = 100;
const repeats = 7;
const pgUrl = process.env.OPENWAAS_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const baseMs = Date.UTC(2026, 0, 1);
/** Rows seeded per transaction (the repository splits them into INSERTs of its own size). */
const seedBatchRows = 10_000;

/** Row i's time: ten rows a second, two rows sharing each millisecond (the id breaks the tie). */
const createdAt = (i: number) => baseMs + Math.floor(i / 2) * 200;
const txidOf = (prefix: string, i: number) => `0x${prefix}${i.toString(16).padStart(63, '0')}`;
const addressOf = (i: number) => `0x${(i % Math.max(1, Math.floor(rowCount / 20))).toString(16).padStart(40, '0')}`;
const statusOf = (i: number) => (i % 50 === 0 ? 0 : i % 50 === 1 ? 2 : 5);
/** A deposit's: 2 % held by KYT (4), 2 % failed (2), the rest credited (1). */
const depositStatusOf = (i: number) => ({ 0: 4, 2: 2 })[statusOf(i) as 0 | 2] ?? 1;
/** The list's statuses standing for "held" and "held or refused" (withdrawals: 0 and 2; deposits: 4 and 2). */
const heldStatuses = { withdrawals: [0], deposits: [4] } as const;

interface Seeded {
  merchantIds: [number, number];
  coinIds: { ETH: number; USDT: number };
}

async function seed(store: Store): Promise<Seeded> {
  const db = store.db;
  const nowMs = Date.now();
  const eth = await upsertCoin(db, { symbol: 'ETH', name: 'Ether', chain: 'evm:31337', decimals: 18, confirmations: 1, nowMs });
  const usdt = await upsertCoin(db, { symbol: 'USDT', name: 'Tether USD', chain: 'evm:31337', baseSymbol: 'ETH', contractAddress: '0x5fbdb2315678afecb367f032d93f642f64180aa3', decimals: 6, confirmations: 1, nowMs });
  const keys = fixedDataKey(insecureDevDataKey());
  const a = await createMerchant(db, keys, { name: 'Bench A', nowMs });
  const b = await createMerchant(db, keys, { name: 'Bench B', nowMs });
  const merchantIds: [number, number] = [Number(a.id), Number(b.id)];
  const coinIds = { ETH: Number(eth.id), USDT: Number(usdt.id) };
  for (let start = 0; start < rowCount; start += seedBatchRows) {
    const end = Math.min(rowCount, start + seedBatchRows);
    const withdrawals: NewWithdrawalRecord[] = [];
    const deposits: NewDepositRecord[] = [];
    for (let i = start; i < end; i++) {
      const symbol = i % 3 === 0 ? 'USDT' : 'ETH';
      const common = { merchant_id: merchantIds[i % 2]!, uid: 1 + (i % 1000), coin_id: coinIds[symbol], symbol, created_at: createdAt(i), updated_at: createdAt(i) };
      withdrawals.push({
        ...common, request_id: `r-${i}`, amount: BigInt(1_000_000 + i), withdraw_fee: 1000n, withdraw_fee_symbol: symbol, fee_symbol: 'ETH', real_fee: 0n,
        address_from: '', address_to: addressOf(i), txid: txidOf('a', i), confirmations: 12, saas_status: 1, company_status: 1, status: statusOf(i), withdraw_type: 0, review_reason: '',
      });
      deposits.push({ ...common, amount: BigInt(2_000_000 + i), address_from: '', address_to: addressOf(i), txid: txidOf('d', i), tx_index: '0', confirmations: 12, status: depositStatusOf(i), to_collection: 0, withdrawal_id: null });
    }
    await inTransaction(store, async (tx) => {
      await importWithdrawalRows(tx, withdrawals);
      await importDepositRows(tx, deposits);
    });
    process.stdout.write(`\r  seeded ${end.toLocaleString('en')} of ${rowCount.toLocaleString('en')} withdrawals and deposits`);
  }
  process.stdout.write('\n');
  return { merchantIds, coinIds };
}

/** Median and worst of `repeats` runs of `read`, in ms. */
async function time(read: () => Promise<unknown>): Promise<{ medianMs: number; maxMs: number }> {
  const runs: number[] = [];
  await read(); // warm the statement cache and the pages
  for (let r = 0; r < repeats; r++) {
    const t0 = process.hrtime.bigint();
    await read();
    runs.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  runs.sort((x, y) => x - y);
  return { medianMs: runs[Math.floor(runs.length / 2)]!, maxMs: runs[runs.length - 1]! };
}

/** The cursor of the page starting just older than row i (ids are 1-based in insertion order). */
const cursorAt = (i: number) => encodeListCursor({ createdAt: createdAt(i), id: i + 1 });

async function benchDatabase(label: string, url: string, afterSeed?: () => Promise<void>): Promise<void> {
  const store = openStore(url);
  try {
    await migrateToLatest(store);
    const t0 = Date.now();
    const seeded = await seed(store);
    console.log(`  ${label}: seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    await afterSeed?.();
    const [merchantA] = seeded.merchantIds;
    const filters: Array<[string, RecordListFilter & { requestId?: string }]> = [
      ['none', {}],
      ['app_id', { merchantId: merchantA }],
      ['status held (2 %)', { statuses: [-1] }],
      ['status held,2', { statuses: [-1, 2] }],
      ['symbol=USDT', { symbol: 'USDT' }],
      ['app_id+status held', { merchantId: merchantA, statuses: [-1] }],
      ['from_ms/to_ms (a tenth)', { fromMs: createdAt(Math.floor(rowCount * 0.4)), toMs: createdAt(Math.floor(rowCount * 0.5)) }],
      ['address', { address: addressOf(rowCount - 1) }],
      ['txid', { txid: txidOf('a', Math.floor(rowCount / 3)) }],
    ];
    const positions: Array<[string, string | undefined]> = [
      ['first', undefined],
      ['middle', cursorAt(Math.floor(rowCount / 2))],
      ['last', cursorAt(pageSize)],
    ];
    console.log(`\n  ${label} — page of ${pageSize}, median / slowest of ${repeats} reads (ms)`);
    console.log(`  ${'list'.padEnd(12)}${'filter'.padEnd(26)}${positions.map(([p]) => p.padStart(18)).join('')}`);
    for (const [list, read] of [
      ['withdrawals', (filter: RecordListFilter & { requestId?: string }, cursor?: string) => listWithdrawalPage(store.db, { filter, limit: pageSize, ...(cursor ? { cursor } : {}) })],
      ['deposits', (filter: RecordListFilter, cursor?: string) => listDepositPage(store.db, { filter: { ...filter, ...(filter.txid ? { txid: filter.txid.replace(/^0xa/, '0xd') } : {}) }, limit: pageSize, ...(cursor ? { cursor } : {}) })],
    ] as const) {
      for (const [name, generic] of filters) {
        // -1 stands for the list's own "held" status.
        const filter = generic.statuses ? { ...generic, statuses: generic.statuses.map((s) => (s === -1 ? heldStatuses[list][0] : s)) } : generic;
        const cells: string[] = [];
        let rows = 0;
        for (const [, cursor] of positions) {
          const page = await read(filter, cursor);
          rows = Math.max(rows, page.rows.length);
          const { medianMs, maxMs } = await time(() => read(filter, cursor));
          cells.push(`${medianMs.toFixed(2)} / ${maxMs.toFixed(2)}`.padStart(18));
        }
        console.log(`  ${list.padEnd(12)}${`${name} [${rows}]`.padEnd(26)}${cells.join('')}`);
      }
    }
  } finally {
    await store.close();
  }
}

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: pgUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    return true;
  } catch (error) {
    console.log(`PostgreSQL at ${new URL(pgUrl).host} not reachable (${(error as Error).message}): skipped; set OPENWAAS_BENCH_DATABASE_URL`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function main(): Promise<void> {
  const databases = (process.env.OPENWAAS_BENCH_DATABASES ?? 'sqlite,postgres').split(',');
  console.log(`operator record lists: ${rowCount.toLocaleString('en')} withdrawals and ${rowCount.toLocaleString('en')} deposits`);
  if (databases.includes('sqlite')) {
    const dir = mkdtempSync(join(tmpdir(), 'openwaas-bench-lists-'));
    try {
      await benchDatabase('SQLite', join(dir, 'bench.sqlite'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  if (databases.includes('postgres') && (await postgresReachable())) {
    const schema = `bench_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    const url = new URL(pgUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    try {
      // Statistics, as autovacuum gathers them shortly after a bulk load: without them the planner
      // guesses a handful of matching rows and sorts a bitmap scan instead of walking an index.
      await benchDatabase('PostgreSQL', url.toString(), async () => {
        const c = new pg.Client({ connectionString: url.toString() });
        await c.connect();
        await c.query('analyze withdrawals');
        await c.query('analyze deposits');
        await c.end();
      });
    } finally {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    }
  }
}

await main();
