/**
 * Deposit scanner throughput and notification latency against a real anvil node.
 *
 *   npm run bench:chain
 *
 *  1. starts a fresh anvil, deploys the demo USDT and creates (directly in the database, in
 *     bulk) 100,000 users with a deposit address each: the watch set the scanner carries;
 *  2. produces 10,000 blocks holding 1,000 deposits (half ETH, half USDT) to watched addresses,
 *     packed 4 per block every 40 blocks (automine off + evm_mine; empty blocks with anvil_mine;
 *     anvil's cost per mined block grows with the chain, so this step takes a few minutes);
 *  3. times `chain backfill` of those blocks in this process (the real scanner: watch set,
 *     batched block + trace + log reads, one transaction per batch, confirmations, crediting):
 *     blocks/s and deposits/s;
 *  4. starts the deposit path of the service (the scanner loop and the notifier) and a merchant
 *     endpoint on 127.0.0.1, then, per sample, sends a deposit, waits for its status-0 notification, mines the
 *     block that gives it its last confirmation and measures until the status-1 notification
 *     arrives: p50 / max.
 * Prints the machine (CPU, cores, Node). SQLite in a temp dir by default; OPENWAAS_BENCH_DATABASE_URL
 * (postgres://…) runs it on a fresh schema of that server instead. Takes a couple of minutes;
 * not part of npm test. Everything it started is stopped (and the database dropped) at the end.
 *
 * Environment (all optional): OPENWAAS_BENCH_DATABASE_URL, OPENWAAS_BENCH_POLL_MS (scanner poll
 * interval of the latency phase, default 500), OPENWAAS_BENCH_BATCH_BLOCKS (default: the
 * service's default), OPENWAAS_BENCH_SAMPLES (latency samples, default 10).
 */
import { WakeRelay } from '../src/context.js';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNotificationHandler, toNodeHttpHandler } from '@openwaas/sdk';
import { encodeFunctionData, erc20Abi, getAddress, parseEther, type Hex } from 'viem';
import pg from 'pg';
import { startAnvil, type AnvilInstance } from '../src/chains/evm/anvil.js';
import { createEvmClients, mine, setAutomine, type EvmPublicClient } from '../src/chains/evm/client.js';
import { devAccount } from '../src/chains/evm/dev-setup.js';
import { deployDemoToken, mintDemoToken } from '../src/chains/evm/erc20.js';
import { backfill } from '../src/cli/chain.js';
import { loadConfig, type ChainConfig, type ServiceConfig } from '../src/config/config.js';
import { upsertCoin } from '../src/modules/coins/index.js';
import { createMerchant, updateMerchant } from '../src/modules/merchants/index.js';
import { createService, type Service } from '../src/service.js';
import { openStore } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { startLoop } from '../src/workers/loop.js';
import { startNotifier } from '../src/workers/notifier.js';
import { scanTick } from '../src/workers/scanner.js';
import { fixedDataKey, insecureDevDataKey } from '../src/keys/data-key.js';

// ---- settings ------------------------------------------------------------------------------------

const watchedAddresses = 100_000;
const blocks = 10_000;
const deposits = 1_000;
const depositsPerBlock = 4;
const blockSpacing = blocks / (deposits / depositsPerBlock); // every 40th block holds deposits
const rowsPerInsert = 1_000;
const samples = Number(process.env.OPENWAAS_BENCH_SAMPLES ?? 10);
const pollIntervalMs = Number(process.env.OPENWAAS_BENCH_POLL_MS ?? 500);
const batchBlocks = process.env.OPENWAAS_BENCH_BATCH_BLOCKS ? Number(process.env.OPENWAAS_BENCH_BATCH_BLOCKS) : undefined;
const pgUrl = process.env.OPENWAAS_BENCH_DATABASE_URL;
/**
 * trace_block: anvil (like any node without archive state) cannot replay old blocks for
 * debug_traceBlockByNumber, but serves the traces it recorded when mining them.
 */
const tracing = 'trace' as const;
/** The service's seed: not anvil's, so its wallets are not anvil's dev accounts. */
const mnemonic = 'abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about';
const sampleTimeoutMs = 60_000;

// ---- cleanup -------------------------------------------------------------------------------------

const cleanups: Array<() => Promise<void>> = [];
async function cleanupAll(): Promise<void> {
  for (let c = cleanups.pop(); c; c = cleanups.pop()) await c().catch((e: unknown) => console.error(`cleanup failed: ${(e as Error).message}`));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping everything the bench started…`);
    void cleanupAll().finally(() => process.exit(130));
  });
}

const log = (line: string) => console.error(line);

// ---- database ------------------------------------------------------------------------------------

async function freshDatabase(): Promise<{ url: string; label: string }> {
  if (pgUrl) {
    const schema = `bench_chain_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    await admin.query(`create schema ${schema}`);
    await admin.end();
    cleanups.push(async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop schema if exists ${schema} cascade`);
      await c.end();
    });
    const url = new URL(pgUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    return { url: url.toString(), label: 'PostgreSQL' };
  }
  const dir = mkdtempSync(join(tmpdir(), 'openwaas-bench-chain-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  return { url: join(dir, 'openwaas.sqlite'), label: 'SQLite' };
}

/** Coins, a merchant, and `watchedAddresses` users with a (random) deposit address each, inserted in bulk. */
async function seed(databaseUrl: string, chain: string, usdt: string): Promise<{ addresses: string[]; merchantId: number }> {
  const store = openStore(databaseUrl);
  try {
    await migrateToLatest(store);
    const nowMs = Date.now();
    await upsertCoin(store.db, { symbol: 'ETH', chain, decimals: 18, confirmations: 2, nowMs });
    await upsertCoin(store.db, { symbol: 'USDT', chain, baseSymbol: 'ETH', contractAddress: usdt.toLowerCase(), decimals: 6, confirmations: 2, nowMs });
    const merchant = await createMerchant(store.db, fixedDataKey(insecureDevDataKey()), { name: 'Bench Merchant', nowMs });
    const merchantId = Number(merchant.id);
    const addresses: string[] = [];
    await store.db.transaction().execute(async (tx) => {
      for (let start = 0; start < watchedAddresses; start += rowsPerInsert) {
        const n = Math.min(rowsPerInsert, watchedAddresses - start);
        const users = await tx
          .insertInto('users')
          .values(Array.from({ length: n }, (_, i) => ({ merchant_id: merchantId, country: null, mobile: null, email: `bench-${start + i}@example.test`, nickname: '', frozen: 0, at_risk: 0, created_at: nowMs })))
          .returning('id')
          .execute();
        const rows = users.map((u, i) => {
          const address = `0x${randomBytes(20).toString('hex')}`;
          addresses.push(address);
          return { chain, address, merchant_id: merchantId, uid: Number(u.id), hd_index: start + i, created_at: nowMs };
        });
        await tx.insertInto('chain_addresses').values(rows).execute();
      }
    });
    return { addresses, merchantId };
  } finally {
    await store.close();
  }
}

// ---- chain ---------------------------------------------------------------------------------------

async function rpc(client: EvmPublicClient, method: string, params: unknown[]): Promise<unknown> {
  return client.request({ method, params } as never);
}

/** Mines `blocks` blocks, `deposits` of them... spread: every `blockSpacing`-th block holds `depositsPerBlock` transfers. */
async function produceChain(client: EvmPublicClient, usdt: Hex, targets: string[]): Promise<{ firstBlock: number; lastBlock: number }> {
  const ethSender = devAccount(1).address;
  const usdtSender = devAccount(2).address;
  const firstBlock = Number(await client.getBlockNumber()) + 1;
  await setAutomine(client, false);
  let sent = 0;
  try {
    for (let group = 0; group < deposits / depositsPerBlock; group++) {
      await mine(client, blockSpacing - 1);
      for (let k = 0; k < depositsPerBlock; k++, sent++) {
        const to = getAddress(targets[sent]!);
        if (sent % 2 === 0) {
          await rpc(client, 'eth_sendTransaction', [{ from: ethSender, to, value: `0x${(parseEther('0.01') + BigInt(sent)).toString(16)}` }]);
        } else {
          const data = encodeFunctionData({ abi: erc20Abi, functionName: 'transfer', args: [to, 1_000_000n + BigInt(sent)] });
          await rpc(client, 'eth_sendTransaction', [{ from: usdtSender, to: usdt, data }]);
        }
      }
      await rpc(client, 'evm_mine', []);
      if ((group + 1) % 50 === 0) log(`  produced ${(group + 1) * blockSpacing} blocks, ${sent} deposits`);
    }
  } finally {
    await setAutomine(client, true);
  }
  return { firstBlock, lastBlock: Number(await client.getBlockNumber()) };
}

// ---- merchant endpoint ---------------------------------------------------------------------------

/** The merchant's notification endpoint: remembers when each (deposit id, status) arrived. */
async function startMerchantEndpoint(walletPublicKey: string): Promise<{ url: string; arrivals: Map<string, number>; server: Server }> {
  const arrivals = new Map<string, number>();
  const handler = toNodeHttpHandler(
    createNotificationHandler({
      walletPublicKey,
      onNotification: (n) => {
        if (n.side === 'deposit') arrivals.set(`${n.id}:${n.status}`, performance.now());
      },
    }),
  );
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify`, arrivals, server };
}

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = sampleTimeoutMs): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

// ---- main ----------------------------------------------------------------------------------------

/** The service's settings; its own workers stay off (the bench runs the loops it measures). */
function serviceConfig(databaseUrl: string, chain: ChainConfig): ServiceConfig {
  return loadConfig({ databaseUrl, host: '127.0.0.1', port: 0, logLevel: 'error', workers: false, rsaWorkers: 1, insecureDevKeys: true, hdMnemonic: mnemonic, notifyScheduleMs: [200, 1_000], chains: [chain] }, {});
}

async function main(): Promise<void> {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`machine: ${cpu}, ${availableParallelism()} cores, Node ${process.version}`);

  // No state history kept (fast mining, like a pruned node); trace_block still serves old blocks' traces.
  const anvil: AnvilInstance = await startAnvil({ extraArgs: ['--prune-history'] });
  cleanups.push(() => anvil.stop());
  const chainId = `evm:${anvil.chainId}`;
  const owner = devAccount(0);
  const { publicClient: client, walletClient } = createEvmClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, dev: true }, owner);
  const usdt = await deployDemoToken(walletClient, client);
  await mintDemoToken(walletClient, client, usdt, devAccount(2).address, 10n ** 15n);

  const database = await freshDatabase();
  console.log(`database: ${database.label}`);
  let t0 = performance.now();
  const { addresses, merchantId } = await seed(database.url, chainId, usdt);
  log(`seeded ${watchedAddresses} users with deposit addresses in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  // Targets: distinct watched addresses chosen across the whole set.
  const targets = Array.from({ length: deposits }, (_, i) => addresses[Math.floor((i * watchedAddresses) / deposits)]!);
  t0 = performance.now();
  const { firstBlock } = await produceChain(client, usdt, targets);
  // Two more blocks: the last deposits reach their 2 confirmations inside the backfilled range.
  await mine(client, 2);
  const head = Number(await client.getBlockNumber());
  log(`produced blocks ${firstBlock}..${head} with ${deposits} deposits in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const chain: ChainConfig = {
    ...serviceConfig(database.url, { id: chainId, rpcUrl: anvil.rpcUrl } as ChainConfig).chains[0]!,
    pollIntervalMs,
    tracing,
    startBlock: firstBlock,
    ...(batchBlocks ? { batchBlocks } : {}),
  };

  // ---- backfill ----
  let service: Service = await createService(serviceConfig(database.url, chain));
  const scanning = service;
  cleanups.push(() => scanning.close());
  const handle = service.ctx.chains.get(chainId)!;
  t0 = performance.now();
  const summary = await backfill(service.ctx, handle, { from: firstBlock, to: head }, { stderr: process.stderr });
  const seconds = (performance.now() - t0) / 1000;
  const db = service.ctx.store.db;
  const credited = Number((await db.selectFrom('deposits').select((eb) => eb.fn.countAll<number>().as('n')).where('status', '=', 1).executeTakeFirstOrThrow()).n);
  const scannedBlocks = summary.scanned_to - firstBlock + 1;
  if (credited !== deposits) throw new Error(`expected ${deposits} credited deposits after the backfill, found ${credited}`);
  console.log(
    `backfill: ${scannedBlocks} blocks, ${deposits} deposits (recorded and credited), ${watchedAddresses} watched addresses, batch ${chain.batchBlocks} blocks, tracing ${chain.tracing}: ` +
      `${seconds.toFixed(1)} s → ${(scannedBlocks / seconds).toFixed(0)} blocks/s, ${(deposits / seconds).toFixed(0)} deposits/s`,
  );
  // The backlog of the backfill's notifications is not what the latency phase measures.
  await db.updateTable('notifications').set({ state: 'delivered', delivered_at: Date.now() }).where('state', '=', 'pending').execute();
  const walletPublicKey = (await db.selectFrom('merchants').select('wallet_public_key').where('id', '=', merchantId).executeTakeFirstOrThrow()).wallet_public_key;
  await service.close();

  // ---- latency: confirmation block mined → merchant notified ----
  const endpoint = await startMerchantEndpoint(walletPublicKey);
  // The deposit path only: the scanner loop and the notifier (the sweeper and broadcaster would
  // compete for the same two cores, and the bench's addresses are not derived from its seed).
  service = await createService(serviceConfig(database.url, chain));
  const running = service;
  cleanups.push(() => running.close());
  const notifier = startNotifier(running.ctx);
  (running.ctx.notifier as WakeRelay).connect(() => notifier.wake());
  cleanups.push(() => notifier.stop());
  const liveHandle = running.ctx.chains.get(chainId)!;
  const scanner = startLoop({ name: 'scanner', intervalMs: pollIntervalMs, log: running.ctx.log, tick: (signal) => scanTick(running.ctx, liveHandle, signal) });
  cleanups.push(() => scanner.stop());
  await updateMerchant(service.ctx.store.db, (await service.ctx.store.db.selectFrom('merchants').select('app_id').where('id', '=', merchantId).executeTakeFirstOrThrow()).app_id, { notifyUrl: endpoint.url });
  const sender = createEvmClients({ rpcUrl: anvil.rpcUrl, chainId: anvil.chainId, dev: true }, devAccount(3)).walletClient;
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    const to = addresses[watchedAddresses - 1 - i]!;
    const hash = await sender.sendTransaction({ to: getAddress(to), value: parseEther('0.02'), account: sender.account, chain: sender.chain });
    await client.waitForTransactionReceipt({ hash });
    const id = await until('the deposit row', async () => {
      const row = await service.ctx.store.db.selectFrom('deposits').select('id').where('txid', '=', hash.toLowerCase()).executeTakeFirst();
      return row ? Number(row.id) : undefined;
    });
    await until('the status-0 notification', () => endpoint.arrivals.get(`${id}:0`));
    const minedAt = performance.now();
    await mine(client, 1);
    const arrived = await until('the status-1 notification', () => endpoint.arrivals.get(`${id}:1`));
    latencies.push(arrived - minedAt);
  }
  latencies.sort((a, b) => a - b);
  const p50 = latencies[Math.floor((latencies.length - 1) / 2)]!;
  console.log(
    `notification latency (last confirmation mined → merchant notified), scanner poll ${pollIntervalMs} ms, ${samples} samples: ` +
      `p50 ${p50.toFixed(0)} ms, max ${latencies[latencies.length - 1]!.toFixed(0)} ms`,
  );
}

try {
  await main();
} catch (error) {
  console.error(`bench:chain failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanupAll();
}
