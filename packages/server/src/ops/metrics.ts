/**
 * The service's Prometheus metrics (served at /metrics on the operator listener, metrics-routes.ts).
 * Each service has its own prom-client registry — never the library's global one — so several
 * services in one process (tests, the sandbox) keep their numbers apart.
 *
 * Counters are counted as things happen in this process (API calls, delivery attempts, RSA busy
 * time). Gauges are read at scrape time by their collect() callbacks through module operations,
 * each read bounded (counts capped at metricsCountRowsMax, a handful of lease rows, one head and
 * a few balances per chain within opsNodeReadTimeoutMs), so a scrape stays cheap however large
 * the tables grow. A source that fails (database gone, node down) leaves its gauges empty for
 * that scrape and is logged; the scrape itself still answers.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EndpointName, ExtensionEndpointName } from '@openwaas/sdk';
import type { ServiceContext } from '../context.js';
import type { RsaPoolStats } from '../keys/rsa-pool.js';
import { listCoinsOfChain } from '../modules/coins/index.js';
import { readScanCursor, readWalletStatuses } from '../modules/deposits/index.js';
import { listLeases } from '../modules/leases/index.js';
import { outboxDepth } from '../modules/notifications/index.js';
import { countOpenWithdrawals } from '../modules/withdrawals/index.js';
import { metricsApiLatencyBucketsS, metricsCountRowsMax, metricsLeasesMax, opsNodeReadTimeoutMs } from '../limits.js';
import { withinMs } from './health.js';

/** What the metrics read: the context, and the RSA pool's counters (undefined: the sealer is not a pool). */
export interface MetricsSources {
  ctx: Pick<ServiceContext, 'store' | 'chains' | 'clock' | 'log'>;
  rsaStats?: () => RsaPoolStats;
}

/** What the service records into the metrics as it works. */
export interface ServiceMetrics {
  readonly registry: Registry;
  /** One answered merchant API call. */
  apiCall(call: { endpoint: EndpointName | ExtensionEndpointName; status: number; code: string; seconds: number }): void;
  /** One recorded delivery attempt of a notification: delivered, retry (will try again) or failed (gave up). */
  deliveryAttempt(result: 'delivered' | 'retry' | 'failed'): void;
}

/** The per-chain reads one scrape shares between its gauges (head, cursor, lag, balances). */
interface ChainReading {
  chain: string;
  head: number | null;
  scanned: number | null;
  /** Balance per wallet role and symbol, as the decimal strings the chain status shows. */
  wallets: Array<{ wallet: 'hot' | 'fee'; symbol: string; balance: string }>;
}

/**
 * Runs `read` once for all the collect() callbacks of one scrape: callers that come while a
 * read is under way share it; the next scrape reads again.
 */
function sharedPerScrape<T>(read: () => Promise<T>): () => Promise<T> {
  let current: Promise<T> | undefined;
  return () => {
    current ??= read().finally(() => {
      current = undefined;
    });
    return current;
  };
}

/** Builds the registry of one service: its counters, and gauges that read their sources at each scrape. */
export function createServiceMetrics(sources: MetricsSources): ServiceMetrics {
  const { ctx } = sources;
  const registry = new Registry();
  const registers = [registry];
  /** A gauge's read failed: logged, and its series left out of this scrape. */
  const readFailed = (what: string, error: unknown) => ctx.log.warn({ metric: what, err: (error as Error).message?.split('\n')[0] }, 'metrics: a source did not answer');

  // ── The merchant API ──────────────────────────────────────────────────────────────────
  const apiCalls = new Counter({ name: 'openwaas_api_calls_total', help: 'Merchant API calls answered, by endpoint, HTTP status and API code.', labelNames: ['endpoint', 'status', 'code'] as const, registers });
  const apiLatency = new Histogram({
    name: 'openwaas_api_call_duration_seconds',
    help: 'Time from the request read to the answer sealed, by endpoint.',
    labelNames: ['endpoint'] as const,
    buckets: [...metricsApiLatencyBucketsS],
    registers,
  });

  // ── The RSA pool ──────────────────────────────────────────────────────────────────────
  const rsaStats = sources.rsaStats;
  if (rsaStats) {
    new Gauge({ name: 'openwaas_rsa_pool_workers', help: 'RSA worker threads of this process.', registers, collect() { this.set(rsaStats().size); } });
    new Gauge({ name: 'openwaas_rsa_pool_queue_depth', help: 'Sealing tasks waiting for an RSA worker.', registers, collect() { this.set(rsaStats().queued); } });
    new Gauge({
      name: 'openwaas_rsa_pool_busy_ratio',
      help: 'Share of the RSA workers holding a task at the scrape (0..1); rate(openwaas_rsa_pool_busy_seconds_total) / workers is the average.',
      registers,
      collect() {
        const s = rsaStats();
        this.set(s.size === 0 ? 0 : s.busy / s.size);
      },
    });
    let counted = 0;
    new Counter({
      name: 'openwaas_rsa_pool_busy_seconds_total',
      help: 'Seconds the RSA workers spent sealing, summed over the workers.',
      registers,
      collect() {
        const busy = rsaStats().busySeconds;
        if (busy > counted) this.inc(busy - counted);
        counted = Math.max(counted, busy);
      },
    });
  }

  // ── The outbox ────────────────────────────────────────────────────────────────────────
  const outbox = sharedPerScrape(() => outboxDepth(ctx.store.db, metricsCountRowsMax));
  new Gauge({
    name: 'openwaas_outbox_notifications',
    help: `Notifications waiting (state pending) or given up (state failed, waiting for a resend); counted up to ${metricsCountRowsMax}.`,
    labelNames: ['state'] as const,
    registers,
    async collect() {
      this.reset();
      try {
        const depth = await outbox();
        this.set({ state: 'pending' }, depth.pending);
        this.set({ state: 'failed' }, depth.failed);
      } catch (error) {
        readFailed('openwaas_outbox_notifications', error);
      }
    },
  });
  new Gauge({
    name: 'openwaas_outbox_oldest_pending_age_seconds',
    help: 'Age of the oldest notification not delivered yet (0 when none waits).',
    registers,
    async collect() {
      this.reset();
      try {
        const depth = await outbox();
        this.set(depth.oldestPendingCreatedMs === null ? 0 : Math.max(0, ctx.clock.nowMs() - depth.oldestPendingCreatedMs) / 1_000);
      } catch (error) {
        readFailed('openwaas_outbox_oldest_pending_age_seconds', error);
      }
    },
  });
  const deliveries = new Counter({
    name: 'openwaas_notification_deliveries_total',
    help: 'Delivery attempts recorded by this process, by result: delivered, retry (failed, tried again later), failed (failed for good).',
    labelNames: ['result'] as const,
    registers,
  });
  for (const result of ['delivered', 'retry', 'failed']) deliveries.inc({ result }, 0);

  // ── Chains: scanner position and wallets ──────────────────────────────────────────────
  const chains = sharedPerScrape(() =>
    Promise.all(
      [...ctx.chains.values()].map(async (chain): Promise<ChainReading> => {
        const reading: ChainReading = { chain: chain.id, head: null, scanned: null, wallets: [] };
        try {
          reading.scanned = (await readScanCursor(ctx.store.db, chain.id))?.scannedHeight ?? null;
        } catch (error) {
          readFailed(`cursor of ${chain.id}`, error);
        }
        try {
          reading.head = await withinMs(chain.reader.headNumber(), opsNodeReadTimeoutMs, `the node of ${chain.id}`);
        } catch (error) {
          readFailed(`head of ${chain.id}`, error);
          return reading;
        }
        try {
          const coins = await listCoinsOfChain(ctx.store.db, chain.id);
          const wallets = await withinMs(readWalletStatuses(chain, coins), opsNodeReadTimeoutMs, `the node of ${chain.id}`);
          for (const wallet of ['hot', 'fee'] as const) {
            for (const [symbol, balance] of Object.entries(wallets[wallet].balances)) reading.wallets.push({ wallet, symbol, balance });
          }
        } catch (error) {
          readFailed(`wallets of ${chain.id}`, error);
        }
        return reading;
      }),
    ),
  );
  new Gauge({
    name: 'openwaas_chain_node_up',
    help: "1 when the chain's node answered its head at the scrape, 0 when not.",
    labelNames: ['chain'] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of await chains()) this.set({ chain: r.chain }, r.head === null ? 0 : 1);
    },
  });
  new Gauge({
    name: 'openwaas_chain_head_block',
    help: "The chain node's newest block.",
    labelNames: ['chain'] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of await chains()) if (r.head !== null) this.set({ chain: r.chain }, r.head);
    },
  });
  new Gauge({
    name: 'openwaas_chain_scanned_block',
    help: 'The highest block the scanner has read (-1 before the first).',
    labelNames: ['chain'] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of await chains()) if (r.scanned !== null) this.set({ chain: r.chain }, r.scanned);
    },
  });
  new Gauge({
    name: 'openwaas_chain_scanner_lag_blocks',
    help: "Blocks between the node's head and the scanner's position.",
    labelNames: ['chain'] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of await chains()) if (r.head !== null && r.scanned !== null) this.set({ chain: r.chain }, Math.max(0, r.head - r.scanned));
    },
  });
  new Gauge({
    name: 'openwaas_wallet_balance',
    // A metrics sample is a float by the format's nature: these values are for graphs and alerts
    // only. Money logic never reads them back; it works on BigInt base units (money/amount.ts).
    help: 'Balance of the hot and fee wallets per coin, in coin units (a float sample: for graphs and alerts only).',
    labelNames: ['chain', 'wallet', 'symbol'] as const,
    registers,
    async collect() {
      this.reset();
      for (const r of await chains()) for (const w of r.wallets) this.set({ chain: r.chain, wallet: w.wallet, symbol: w.symbol }, Number(w.balance));
    },
  });

  // ── Withdrawals and worker leases ─────────────────────────────────────────────────────
  new Gauge({
    name: 'openwaas_withdrawals',
    help: `Withdrawals in each open status (review, paying, awaiting_kyt, kyt_manual_review); counted up to ${metricsCountRowsMax}.`,
    labelNames: ['status'] as const,
    registers,
    async collect() {
      this.reset();
      try {
        for (const [status, n] of Object.entries(await countOpenWithdrawals(ctx.store.db, metricsCountRowsMax))) this.set({ status }, n);
      } catch (error) {
        readFailed('openwaas_withdrawals', error);
      }
    },
  });
  new Gauge({
    name: 'openwaas_worker_lease_held',
    help: 'Per worker lease, the process that took it last (holder): 1 while its lease runs, 0 once it expired (nobody holds it).',
    labelNames: ['lease', 'holder'] as const,
    registers,
    async collect() {
      this.reset();
      try {
        for (const lease of await listLeases(ctx.store.db, { nowMs: ctx.clock.nowMs(), limit: metricsLeasesMax })) this.set({ lease: lease.name, holder: lease.holder }, lease.held ? 1 : 0);
      } catch (error) {
        readFailed('openwaas_worker_lease_held', error);
      }
    },
  });

  return {
    registry,
    apiCall(call) {
      apiCalls.inc({ endpoint: call.endpoint, status: String(call.status), code: call.code });
      apiLatency.observe({ endpoint: call.endpoint }, call.seconds);
    },
    deliveryAttempt(result) {
      deliveries.inc({ result });
    },
  };
}
