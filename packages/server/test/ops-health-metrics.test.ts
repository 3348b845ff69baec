/**
 * Health, readiness and metrics (docs/monitoring.md), through real services over HTTP on SQLite
 * and PostgreSQL: /health and /ready on both listeners without a token; /ready names the check
 * that fails when the database is gone, a migration is missing, a chain's node does not answer (a
 * port nothing listens on, an anvil stopped and started again) or its scanner lags; /metrics on the
 * operator listener only, with the API counters by endpoint and code, the outbox gauges following
 * a pending notification to its delivery, and a chain's head, scanner position and lag.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { ChainConfig } from '../src/config/config.js';
import { startAnvil, type AnvilInstance } from '../src/chains/evm/anvil.js';
import { setMerchantCoin, upsertCoin } from '../src/modules/coins/index.js';
import { updateMerchant } from '../src/modules/merchants/index.js';
import { enqueueNotification } from '../src/modules/notifications/index.js';
import { sql } from 'kysely';
import { readOrCreateCursor } from '../src/modules/deposits/index.js';
import { readyAnswerReuseMs, readyScannerLagBlocksMax } from '../src/limits.js';
import { latestMigrationName } from '../src/store/migrate.js';
import { inTransaction } from '../src/store/tx.js';
import { chainTestMnemonic } from './support/chain-world.js';
import { registerMemoryChain, type MemoryChainNode } from './support/memory-chain.js';
import { eachDatabase, startTestService, type TestService } from './support/service.js';

const chainId = 'mem:ops';

interface ReadyBody {
  ready: boolean;
  checks: Array<{ name: string; ok: boolean; detail?: string }>;
  failed: string[];
}

async function getJson(url: string): Promise<{ status: number; body: ReadyBody }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as ReadyBody };
}

/** Polls `check` until it returns a value (not undefined), or fails after `deadlineMs`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, deadlineMs = 20_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Polls /ready at `root` until its answer satisfies `wanted` (answers are reused for readyAnswerReuseMs). */
function readyWhen(root: string, what: string, wanted: (r: { status: number; body: ReadyBody }) => boolean): Promise<{ status: number; body: ReadyBody }> {
  return until(what, async () => {
    const r = await getJson(`${root}/ready`);
    return wanted(r) ? r : undefined;
  });
}

/** The samples of a Prometheus text answer: `name{labels}` → value. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** The value of the sample named `name` whose labels include every one of `labels`. */
function sample(all: Map<string, number>, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const [key, value] of all) {
    const brace = key.indexOf('{');
    const metric = brace < 0 ? key : key.slice(0, brace);
    if (metric !== name) continue;
    const text = brace < 0 ? '' : key.slice(brace);
    if (Object.entries(labels).every(([k, v]) => text.includes(`${k}="${v}"`))) return value;
  }
  return undefined;
}

eachDatabase('health, readiness and metrics', (kind) => {
  describe('a service with a chain, its workers and the operator listener', () => {
    let t: TestService;
    let node: MemoryChainNode;
    let unregister: () => void;
    let merchantSide: Server;
    let operatorRoot: string;

    before(async () => {
      const registered = registerMemoryChain(chainId);
      node = registered.node;
      unregister = registered.unregister;
      const chain = { id: chainId, rpcUrl: registered.rpcUrl, pollIntervalMs: 50, startBlock: 0, stuckAfterMs: 60_000, dropAfterMs: 120_000 } as ChainConfig;
      t = await startTestService({ kind, config: { workers: true, operatorApi: true, notifyScheduleMs: [200, 500, 1_000], hdMnemonic: chainTestMnemonic, sweepThresholds: { MEM: '1000000' }, chains: [chain] } });
      operatorRoot = new URL(t.operatorUrl!).origin;
      const coin = await upsertCoin(t.ctx.store.db, { symbol: 'MEM', name: 'Memory coin', chain: chainId, decimals: 6, confirmations: 2, minWithdraw: '1', maxWithdraw: '1000', withdrawFee: '0.5', autoApproveMax: '100', nowMs: Date.now() });
      await setMerchantCoin(t.ctx.store.db, Number(t.merchant.id), Number(coin.id), true);
      merchantSide = createServer((_req, res) => res.end('SUCCESS'));
      await new Promise<void>((resolve) => merchantSide.listen(0, '127.0.0.1', resolve));
    });
    after(async () => {
      await t?.close();
      await new Promise<void>((resolve) => (merchantSide ? merchantSide.close(() => resolve()) : resolve()));
      unregister?.();
    });

    it('/health answers 200 on both listeners, without a token; other unknown paths still answer 404', async () => {
      for (const root of [t.baseUrl, operatorRoot]) {
        const res = await fetch(`${root}/health`);
        assert.equal(res.status, 200, root);
        assert.deepEqual(await res.json(), { status: 'ok' });
      }
      assert.equal((await fetch(`${t.baseUrl}/healthz`)).status, 404);
    });

    it('/ready answers 200 on both listeners once the scanner runs, naming every check', async () => {
      for (const root of [t.baseUrl, operatorRoot]) {
        const ready = await until('ready', async () => {
          const r = await getJson(`${root}/ready`);
          return r.status === 200 ? r : undefined;
        });
        assert.equal(ready.body.ready, true);
        assert.deepEqual(ready.body.failed, []);
        assert.deepEqual(
          ready.body.checks.map((c) => c.name),
          ['database', 'migrations', 'keys', `node:${chainId}`, `scanner:${chainId}`],
        );
        assert.ok(ready.body.checks.every((c) => c.ok));
        assert.ok(!JSON.stringify(ready.body).includes('memory://'), 'no node URL in the answer');
      }
    });

    it(`/ready's scanner check gives the lag, which passes while at most ${readyScannerLagBlocksMax} blocks`, async () => {
      // The scanner keeps up with a few blocks: the check passes, its detail gives the lag.
      node.mine(3);
      const r = await getJson(`${t.baseUrl}/ready`);
      const scanner = r.body.checks.find((c) => c.name === `scanner:${chainId}`);
      assert.equal(scanner?.ok, true, JSON.stringify(r.body));
      assert.match(scanner?.detail ?? '', /^\d+ block\(s\) behind$/);
    });

    it('/metrics is on the operator listener only', async () => {
      assert.equal((await fetch(`${t.baseUrl}/metrics`)).status, 404);
      const res = await fetch(`${operatorRoot}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    });

    it('/metrics counts API calls by endpoint, status and code, with a latency histogram', async () => {
      await t.client.getCoinList();
      await t.client.getCoinList();
      const refused = await t.raw({ path: '/user/getCoinList', form: { app_id: 'no-such-app', data: 'x' } });
      const refusedCode = String(refused.json?.['code']);
      const all = samples(await (await fetch(`${operatorRoot}/metrics`)).text());
      assert.equal(sample(all, 'openwaas_api_calls_total', { endpoint: 'getCoinList', status: '200', code: '0' }), 2);
      assert.equal(sample(all, 'openwaas_api_calls_total', { endpoint: 'getCoinList', code: refusedCode }), 1);
      assert.equal(sample(all, 'openwaas_api_call_duration_seconds_count', { endpoint: 'getCoinList' }), 3);
      assert.equal(sample(all, 'openwaas_api_call_duration_seconds_bucket', { endpoint: 'getCoinList', le: '+Inf' }), 3);
      assert.equal(sample(all, 'openwaas_rsa_pool_workers'), 2);
      assert.ok(sample(all, 'openwaas_rsa_pool_queue_depth') !== undefined);
      assert.ok((sample(all, 'openwaas_rsa_pool_busy_seconds_total') ?? 0) > 0, 'sealing two answers took some worker time');
      const ratio = sample(all, 'openwaas_rsa_pool_busy_ratio');
      assert.ok(ratio !== undefined && ratio >= 0 && ratio <= 1);
      assert.equal(sample(all, 'openwaas_withdrawals', { status: 'review' }), 0);
    });

    it('the outbox gauges follow a pending notification until it is delivered, and the delivery is counted', async () => {
      const metrics = async () => samples(await (await fetch(`${operatorRoot}/metrics`)).text());
      const before = await metrics();
      assert.equal(sample(before, 'openwaas_outbox_notifications', { state: 'pending' }), 0);
      assert.equal(sample(before, 'openwaas_outbox_oldest_pending_age_seconds'), 0);
      assert.equal(sample(before, 'openwaas_notification_deliveries_total', { result: 'delivered' }), 0);

      // The merchant has no notify_url yet: the row waits, and the gauges show it.
      await inTransaction(t.ctx.store, (tx) =>
        enqueueNotification(tx, { merchantId: Number(t.merchant.id), side: 'deposit', recordId: 1, payload: { id: '1' }, nowMs: Date.now() - 5_000 }),
      );
      const waiting = await metrics();
      assert.equal(sample(waiting, 'openwaas_outbox_notifications', { state: 'pending' }), 1);
      assert.ok((sample(waiting, 'openwaas_outbox_oldest_pending_age_seconds') ?? 0) >= 5, 'the oldest row waits since it was enqueued');

      await updateMerchant(t.ctx.store.db, t.appId, { notifyUrl: `http://127.0.0.1:${(merchantSide.address() as AddressInfo).port}/notify` });
      t.ctx.notifier.wake();
      const delivered = await until('the delivery', async () => {
        const m = await metrics();
        return sample(m, 'openwaas_notification_deliveries_total', { result: 'delivered' }) === 1 ? m : undefined;
      });
      assert.equal(sample(delivered, 'openwaas_outbox_notifications', { state: 'pending' }), 0);
      assert.equal(sample(delivered, 'openwaas_outbox_oldest_pending_age_seconds'), 0);
    });

    it("/metrics shows the chain's head, the scanner's position and lag, the wallets, and who holds the scanner's lease", async () => {
      node.fund(t.ctx.chains.get(chainId)!.hotAddress, 2_500_000n);
      node.mine(2);
      const all = await until('the scanner at the head', async () => {
        const m = samples(await (await fetch(`${operatorRoot}/metrics`)).text());
        return sample(m, 'openwaas_chain_scanned_block', { chain: chainId }) === node.head ? m : undefined;
      });
      assert.equal(sample(all, 'openwaas_chain_node_up', { chain: chainId }), 1);
      assert.equal(sample(all, 'openwaas_chain_head_block', { chain: chainId }), node.head);
      assert.equal(sample(all, 'openwaas_chain_scanner_lag_blocks', { chain: chainId }), 0);
      assert.equal(sample(all, 'openwaas_wallet_balance', { chain: chainId, wallet: 'hot', symbol: 'MEM' }), 2.5);
      assert.equal(sample(all, 'openwaas_wallet_balance', { chain: chainId, wallet: 'fee', symbol: 'MEM' }), 0);
      const leases = [...all].filter(([key, value]) => key.startsWith('openwaas_worker_lease_held{') && key.includes(chainId) && value === 1);
      assert.ok(leases.length > 0, `a lease of ${chainId} is held: ${[...all.keys()].filter((k) => k.startsWith('openwaas_worker_lease')).join(', ')}`);
      assert.ok(leases.every(([key]) => /holder="[^"]+"/.test(key)), 'each names its holder');
    });

    it('every metric the alert rules and the dashboard description name is one the service exposes', async () => {
      const exposed = new Set<string>();
      for (const line of (await (await fetch(`${operatorRoot}/metrics`)).text()).split('\n')) {
        const m = /^# TYPE (\S+) (\w+)/.exec(line);
        if (!m) continue;
        exposed.add(m[1]!);
        if (m[2] === 'histogram') for (const part of ['_bucket', '_sum', '_count']) exposed.add(m[1]! + part);
      }
      for (const file of ['../../../docs/monitoring/alerts.yml', '../../../docs/monitoring.md']) {
        const text = readFileSync(new URL(file, import.meta.url), 'utf8');
        const named = new Set(text.match(/openwaas_[a-z_]+[a-z]/g) ?? []);
        assert.ok(named.size > 5, file);
        for (const name of named) assert.ok(exposed.has(name), `${file} names ${name}, which /metrics does not expose`);
      }
    });
  });

  describe('a chain whose node does not answer', () => {
    let t: TestService;
    const evmChain = 'evm:31337';
    before(async () => {
      // Nothing listens on port 9 of the loopback: the node is down.
      const chain = { id: evmChain, rpcUrl: 'http://127.0.0.1:9', pollIntervalMs: 1_000, startBlock: 0 } as ChainConfig;
      t = await startTestService({ kind, config: { workers: false, operatorApi: true, hdMnemonic: chainTestMnemonic, chains: [chain] } });
    });
    after(() => t?.close());

    it('/ready answers 503 naming the node (and the scanner it keeps from being checked); /health stays 200; /metrics says the node is down', async () => {
      for (const root of [t.baseUrl, new URL(t.operatorUrl!).origin]) {
        const r = await getJson(`${root}/ready`);
        assert.equal(r.status, 503);
        assert.equal(r.body.ready, false);
        assert.deepEqual(r.body.failed, [`node:${evmChain}`, `scanner:${evmChain}`]);
        assert.equal(r.body.checks.find((c) => c.name === 'database')?.ok, true);
        assert.ok(!JSON.stringify(r.body).includes('127.0.0.1:9'), 'no node URL in the answer');
        assert.equal((await fetch(`${root}/health`)).status, 200);
      }
      const all = samples(await (await fetch(`${new URL(t.operatorUrl!).origin}/metrics`)).text());
      assert.equal(sample(all, 'openwaas_chain_node_up', { chain: evmChain }), 0);
      assert.equal(sample(all, 'openwaas_chain_head_block', { chain: evmChain }), undefined);
    });
  });

  describe('an EVM node (anvil) that stops and comes back', () => {
    const evmChain = 'evm:31337';
    let anvil: AnvilInstance;
    let port: number;
    let t: TestService;
    before(async () => {
      anvil = await startAnvil();
      port = Number(new URL(anvil.rpcUrl).port);
      const chain = { id: evmChain, rpcUrl: anvil.rpcUrl, pollIntervalMs: 100, startBlock: 0 } as ChainConfig;
      t = await startTestService({ kind, config: { workers: true, operatorApi: true, hdMnemonic: chainTestMnemonic, chains: [chain] } });
    });
    after(async () => {
      await t?.close();
      await anvil?.stop();
    });

    it('/ready is 200 while the node runs, 503 naming the node once it stops, and 200 again once it is back', async () => {
      const operatorRoot = new URL(t.operatorUrl!).origin;
      await readyWhen(t.baseUrl, 'ready with the node up', (r) => r.status === 200);

      await anvil.stop();
      for (const root of [t.baseUrl, operatorRoot]) {
        const down = await readyWhen(root, 'unready with the node stopped', (r) => r.status === 503);
        assert.deepEqual(down.body.failed, [`node:${evmChain}`, `scanner:${evmChain}`]);
        assert.equal(down.body.checks.find((c) => c.name === `node:${evmChain}`)?.detail, 'the node did not answer its head');
        assert.ok(!JSON.stringify(down.body).includes(String(port)), 'no node URL in the answer');
      }
      const all = samples(await (await fetch(`${operatorRoot}/metrics`)).text());
      assert.equal(sample(all, 'openwaas_chain_node_up', { chain: evmChain }), 0);

      anvil = await startAnvil({ port });
      await readyWhen(t.baseUrl, 'ready with the node back', (r) => r.status === 200);
      const back = samples(await (await fetch(`${operatorRoot}/metrics`)).text());
      assert.equal(sample(back, 'openwaas_chain_node_up', { chain: evmChain }), 1);
      assert.ok(sample(back, 'openwaas_chain_head_block', { chain: evmChain }) !== undefined);
    });
  });

  describe('a scanner behind its node', () => {
    const lagChain = 'mem:lag';
    let t: TestService;
    let node: MemoryChainNode;
    let unregister: () => void;
    before(async () => {
      const registered = registerMemoryChain(lagChain);
      node = registered.node;
      unregister = registered.unregister;
      // No workers in this process: the scanner moves only when the test says.
      const chain = { id: lagChain, rpcUrl: registered.rpcUrl, pollIntervalMs: 50, startBlock: 0 } as ChainConfig;
      t = await startTestService({ kind, config: { workers: false, operatorApi: true, hdMnemonic: chainTestMnemonic, chains: [chain] } });
    });
    after(async () => {
      await t?.close();
      unregister?.();
    });

    /** The answer once the scanner check's detail satisfies `wanted`. */
    const scannerCheck = async (what: string, wanted: (detail: string) => boolean) => {
      const detailOf = (body: ReadyBody) => body.checks.find((c) => c.name === `scanner:${lagChain}`)?.detail ?? '';
      const r = await readyWhen(t.baseUrl, what, (answer) => wanted(detailOf(answer.body)));
      return { status: r.status, failed: r.body.failed, check: r.body.checks.find((c) => c.name === `scanner:${lagChain}`) };
    };

    it('a flood of /ready calls on both listeners costs one round of checks; a scrape asks each node its head once', async () => {
      const operatorRoot = new URL(t.operatorUrl!).origin;
      // Past any answer kept from before: wait for a fresh round.
      const before = node.headReads;
      await until('a fresh round', async () => {
        await getJson(`${t.baseUrl}/ready`);
        return node.headReads > before ? true : undefined;
      });
      const start = node.headReads;
      const startedMs = performance.now();
      const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => getJson(`${i % 2 === 0 ? t.baseUrl : operatorRoot}/ready`)));
      // At most one round per readyAnswerReuseMs while the calls lasted (one, unless the machine is very slow).
      const rounds = Math.floor((performance.now() - startedMs) / readyAnswerReuseMs) + 1;
      assert.ok(answers.every((a) => a.status === answers[0]!.status));
      assert.ok(node.headReads - start <= rounds, `${node.headReads - start} head reads for 40 calls (at most ${rounds})`);

      const scrapeStart = node.headReads;
      await fetch(`${operatorRoot}/metrics`);
      assert.equal(node.headReads - scrapeStart, 1, 'the chain gauges share one read per scrape');
    });

    it(`/ready fails the scanner before it started, passes at ${readyScannerLagBlocksMax} blocks behind and fails at one more`, async () => {
      const notStarted = await scannerCheck('the first answer', () => true);
      assert.equal(notStarted.status, 503);
      assert.deepEqual(notStarted.failed, [`scanner:${lagChain}`]);
      assert.equal(notStarted.check?.detail, 'the scanner has not started');

      // The cursor before block 0 (scanned −1): the lag is head + 1.
      await readOrCreateCursor(t.ctx, { chain: lagChain, head: 0, startBlock: 0 });
      node.mine(readyScannerLagBlocksMax - 1);
      const atBound = await scannerCheck('the lag at the bound', (d) => d.startsWith(`${readyScannerLagBlocksMax} `));
      assert.equal(atBound.status, 200, JSON.stringify(atBound));
      assert.equal(atBound.check?.detail, `${readyScannerLagBlocksMax} block(s) behind`);

      node.mine(1);
      const beyond = await scannerCheck('the lag beyond the bound', (d) => d.startsWith(`${readyScannerLagBlocksMax + 1} `));
      assert.equal(beyond.status, 503);
      assert.deepEqual(beyond.failed, [`scanner:${lagChain}`]);
      assert.equal(beyond.check?.detail, `${readyScannerLagBlocksMax + 1} block(s) behind, more than ${readyScannerLagBlocksMax}`);
      const all = samples(await (await fetch(`${new URL(t.operatorUrl!).origin}/metrics`)).text());
      assert.equal(sample(all, 'openwaas_chain_scanner_lag_blocks', { chain: lagChain }), readyScannerLagBlocksMax + 1);
      assert.equal(sample(all, 'openwaas_chain_scanned_block', { chain: lagChain }), -1);
    });
  });

  describe('a service whose database is gone', () => {
    let t: TestService;
    before(async () => {
      t = await startTestService({ kind, config: { operatorApi: true } });
    });
    after(async () => {
      // The store was closed (or its schema dropped) by the test: closing again may fail; the files go anyway.
      await t?.close().catch(() => {});
    });

    it('/ready answers 503 naming the migrations when the database lacks one this version knows (e.g. restored from an older backup)', async () => {
      const latest = latestMigrationName();
      const row = await sql<{ name: string; timestamp: string }>`select name, timestamp from kysely_migration where name = ${latest}`.execute(t.ctx.store.db);
      assert.equal(row.rows.length, 1);
      await sql`delete from kysely_migration where name = ${latest}`.execute(t.ctx.store.db);
      try {
        const r = await readyWhen(t.baseUrl, 'the migration missed', (answer) => answer.status === 503);
        assert.deepEqual(r.body.failed, ['migrations']);
        assert.match(r.body.checks.find((c) => c.name === 'migrations')?.detail ?? '', /1 migration\(s\) not applied/);
      } finally {
        await sql`insert into kysely_migration (name, timestamp) values (${latest}, ${row.rows[0]!.timestamp})`.execute(t.ctx.store.db);
      }
      await readyWhen(t.baseUrl, 'ready again', (answer) => answer.status === 200);
    });

    it('/ready answers 503 naming the database (and the migrations it could not check); /health stays 200; /metrics still answers', async () => {
      const operatorRoot = new URL(t.operatorUrl!).origin;
      if (kind === 'postgres') await t.database.drop();
      else await t.ctx.store.close();
      for (const root of [t.baseUrl, operatorRoot]) {
        const r = await readyWhen(root, 'the database gone', (answer) => answer.status === 503);
        assert.deepEqual(r.body.failed, ['database', 'migrations']);
        assert.equal(r.body.checks.find((c) => c.name === 'keys')?.ok, true);
        assert.equal((await fetch(`${root}/health`)).status, 200);
      }
      const res = await fetch(`${operatorRoot}/metrics`);
      assert.equal(res.status, 200);
      const all = samples(await res.text());
      assert.equal(sample(all, 'openwaas_outbox_notifications', { state: 'pending' }), undefined, 'a source that does not answer leaves its gauge out');
      assert.equal(sample(all, 'openwaas_rsa_pool_workers'), 2);
    });
  });
});
