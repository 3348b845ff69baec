/**
 * Crash recovery of the real `openwaas serve` process, on SQLite and PostgreSQL.
 *
 * A merchant (its confirmation and notification endpoints run in this test process, built with
 * the SDK) drives a concurrent stream of withdrawals through WaasClient — internal settlements
 * to other users' deposit addresses (status 5 at once, plus a deposit and two notifications),
 * on-chain withdrawals (status 1) and a few above the auto-approval limit (status 0) — while
 * its notification endpoint refuses, stalls, times out or fails its callback for some
 * deliveries. The client reaches the service through a proxy that holds back some answers, so
 * the mid-stream SIGKILL leaves both kinds of unanswered request: committed and never committed.
 * The server is restarted on the same database, SIGKILLed again while it delivers the backlog
 * of notifications, and restarted once more. Then every request that got no answer is sent
 * again with the same request_id (the never-committed ones twice at once), with a sample of
 * the answered ones.
 *
 * Proved afterwards: one withdrawal per request_id, the ids answered (first time, 110088 or
 * re-created) are the stored ones, each withdrawal's money moved exactly once (one lock
 * journal, one settlement journal for internal ones, one deposit), every user balance the API
 * reports equals initial credit − committed withdrawals + internal receipts, fee accounts hold
 * the settled fees, the ledger audit is clean, and every committed notification reached the
 * merchant, was processed exactly once (SDK dedupe) and reports the record's final state.
 */
import { strict as assert } from 'node:assert';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, test, type TestContext } from 'node:test';
import { sql } from 'kysely';
import { DepositStatus, ErrorCode, WaasClient, WaasError, WithdrawStatus, WithdrawType } from '@openwaas/sdk';
import { adjustBalance } from '../src/modules/ledger/index.js';
import { formatAmount, parseAmount } from '../src/money/amount.js';
import { auditLedger } from '../src/modules/ledger/index.js';
import { systemClock } from '../src/clock.js';
import { setMerchantCoin, upsertCoin, type CoinInput, type CoinRecord } from '../src/modules/coins/index.js';
import { feeAccount } from '../src/modules/ledger/index.js';
import { readBalance } from '../src/modules/ledger/index.js';
import { createMerchant, updateMerchant } from '../src/modules/merchants/index.js';
import { openStore, type Store } from '../src/store/db.js';
import { migrateToLatest } from '../src/store/migrate.js';
import type { Merchant, Withdrawal } from '../src/store/schema.js';
import { notifyLeaseMarginMs } from '../src/limits.js';
import {
  notifyBehaviourOf,
  prng,
  startLossyProxy,
  startMerchantServers,
  startServe,
  waitFor,
  type ConfirmablePlan,
  type LossyProxy,
  type MerchantServers,
  type ServeProcess,
} from './crash-support.js';
import { databaseKinds, freshDatabase, type TestDatabase } from './support/databases.js';
import { devSecrets } from './support/dev-keys.js';

// ---- knobs ---------------------------------------------------------------------------------

const chain = 'evm:31337';
const userCount = 8;
/** Users 0..n-1 get a deposit address: withdrawals to them settle internally. */
const usersWithAddress = 5;
const requestCount = 80;
const clientConcurrency = 12;
/** The first server is SIGKILLed once this many withdrawals were answered. */
const killAfterAnswers = 30;
const internalShare = 0.45;
const reviewShare = 0.07;
/** Delivery timeout of the service; a lease is this plus limits.notifyLeaseMarginMs. */
const notifyTimeoutMs = 1_500;
const notifySchedule = '100,200,400,800,1600';
/** The merchant's "slow" answers stay within the timeout; its "timeout-first" ones do not. */
const slowMs = 300;
const hangMs = 2_500;
/**
 * How long the backlog may take to drain after the last kill: a liveness bound (nothing stuck),
 * not a speed goal. Rows leased by a killed process wait for their lease; then the merchant's
 * random hangs (each costing notifyTimeoutMs of one of notifyInFlightPerMerchantMax slots) set
 * the pace, so a backlog of a hundred rows on a loaded 2-core machine takes tens of seconds.
 */
const deliveryBoundMs = notifyTimeoutMs + notifyLeaseMarginMs + 60_000;

const coinInputs = {
  ETH: { symbol: 'ETH', name: 'Ether', chain, decimals: 18, confirmations: 2, minWithdraw: '0.01', maxWithdraw: '100', withdrawFee: '0.001', autoApproveMax: '10' },
  USDT: { symbol: 'USDT', name: 'Tether USD', chain, baseSymbol: 'ETH', contractAddress: '0x5fbdb2315678afecb367f032d93f642f64180aa3', decimals: 6, confirmations: 2, minWithdraw: '10', maxWithdraw: '100000', withdrawFee: '1', autoApproveMax: '10000' },
  /** Its fee is charged in ETH: locked and settled beside the amount. */
  TKN: { symbol: 'TKN', name: 'Test Token', chain, baseSymbol: 'ETH', contractAddress: '0xe7f1725e7734ce288f8367e1bb143e90bb3f0512', decimals: 8, confirmations: 2, minWithdraw: '1', maxWithdraw: '1000000', withdrawFee: '0.002', withdrawFeeSymbol: 'ETH', autoApproveMax: '100000' },
} satisfies Record<string, Omit<CoinInput, 'nowMs'>>;
type CoinSymbol = keyof typeof coinInputs;
const symbols = Object.keys(coinInputs) as CoinSymbol[];
/** What every user is credited with (by operator adjustment) before the stream. */
const credits: Record<CoinSymbol, string> = { ETH: '40', USDT: '30000', TKN: '300000' };

// ---- plans ---------------------------------------------------------------------------------

interface Plan extends ConfirmablePlan {
  index: number;
  symbol: CoinSymbol;
  units: bigint;
  /** To another user's deposit address (settled in the ledger). */
  internal: boolean;
  /** Above the coin's auto-approval limit: waits in review (status 0). */
  review: boolean;
}

const randomBelow = (rand: () => number, n: number) => BigInt(Math.floor(rand() * n));

/** Units of a withdrawal of `symbol`: the range of ordinary ones, or just above the auto-approval limit. */
function plannedUnits(rand: () => number, symbol: CoinSymbol, review: boolean): bigint {
  switch (symbol) {
    case 'ETH':
      return review ? 10_500_000_000_000_000_000n + randomBelow(rand, 1e9) : 20_000_000_000_000_000n + randomBelow(rand, 1_500_000) * 10n ** 12n + randomBelow(rand, 1e9);
    case 'USDT':
      return review ? 10_500_000_000n + randomBelow(rand, 1e6) : 10_000_000n + randomBelow(rand, 400_000_000);
    case 'TKN':
      return review ? 10_050_000_000_000n + randomBelow(rand, 1e8) : 100_000_000n + randomBelow(rand, 2_000) * 100_000_000n + randomBelow(rand, 1e8);
  }
}

/**
 * A deterministic mix of withdrawals that all fit the senders' balances (90 % of the initial
 * credit, ignoring what they receive), so each must end as exactly one accepted withdrawal.
 */
function makePlans(seed: number, prefix: string, uids: number[], addressOwner: ReadonlyMap<string, number>): Plan[] {
  const rand = prng(seed);
  const budget = new Map<string, bigint>();
  for (const uid of uids) for (const s of symbols) budget.set(`${uid}:${s}`, (parseAmount(credits[s], coinInputs[s].decimals) * 9n) / 10n);
  const addresses = [...addressOwner];
  const plans: Plan[] = [];
  for (let index = 0; plans.length < requestCount; ) {
    const uid = uids[Math.floor(rand() * uids.length)]!;
    const r = rand();
    const symbol: CoinSymbol = r < 0.5 ? 'ETH' : r < 0.75 ? 'USDT' : 'TKN';
    const coin = coinInputs[symbol];
    const targets = addresses.filter(([, owner]) => owner !== uid);
    const internal = rand() < internalShare && targets.length > 0;
    const review = rand() < reviewShare;
    const units = plannedUnits(rand, symbol, review);
    const toAddress = internal
      ? targets[Math.floor(rand() * targets.length)]![0]
      : '0x' + Array.from({ length: 40 }, () => Math.floor(rand() * 16).toString(16)).join('');
    if (!internal && addressOwner.has(toAddress)) continue;
    const feeSymbol = ('withdrawFeeSymbol' in coin ? coin.withdrawFeeSymbol : symbol) as CoinSymbol;
    const fee = parseAmount(coin.withdrawFee, coinInputs[feeSymbol].decimals);
    const key = `${uid}:${symbol}`;
    const feeKey = `${uid}:${feeSymbol}`;
    if (feeSymbol === symbol) {
      if (budget.get(key)! < units) continue;
      budget.set(key, budget.get(key)! - units);
    } else {
      if (budget.get(key)! < units || budget.get(feeKey)! < fee) continue;
      budget.set(key, budget.get(key)! - units);
      budget.set(feeKey, budget.get(feeKey)! - fee);
    }
    plans.push({
      index,
      requestId: `${prefix}-${String(index).padStart(3, '0')}`,
      uid,
      toAddress,
      amount: formatAmount(units, coin.decimals),
      symbol,
      units,
      internal,
      review,
    });
    index += 1;
  }
  return plans;
}

// ---- outcomes ------------------------------------------------------------------------------

type Outcome =
  | { kind: 'answered'; id: number; status: number; withdrawType: number | undefined }
  /** The service answered an error code. */
  | { kind: 'refused'; code: string; data: unknown }
  /** No answer: connection refused or reset, timeout, a cut-off body. */
  | { kind: 'lost'; error: string };

async function send(client: WaasClient, p: Plan): Promise<Outcome> {
  try {
    const r = await client.withdraw({ request_id: p.requestId, from_uid: p.uid, to_address: p.toAddress, amount: p.amount, symbol: p.symbol });
    return { kind: 'answered', id: Number(r.id), status: Number(r.status), withdrawType: r.withdraw_type === undefined ? undefined : Number(r.withdraw_type) };
  } catch (error) {
    if (error instanceof WaasError) return { kind: 'refused', code: error.code, data: error.data };
    return { kind: 'lost', error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

/** Runs `tasks` with at most `limit` at a time. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function expectedStatus(p: Plan): number {
  if (p.review) return WithdrawStatus.Review;
  return p.internal ? WithdrawStatus.Succeeded : WithdrawStatus.Paying;
}

const elapsed = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

// ---- the suites ----------------------------------------------------------------------------

const kinds = await databaseKinds();
// The databases run side by side: most of each run is waiting for leases of the killed processes.
describe('crash recovery of openwaas serve', { concurrency: kinds.length }, () => {
  for (const kind of kinds) {
    // Subtests inherit the parent's concurrency: the steps of one run must go one after the other.
    describe(`serve SIGKILLed mid-stream, restarted, requests re-sent (${kind})`, { concurrency: 1 }, () => {
      let startedAt = Date.now();
      const seed = kind === 'sqlite' ? 0x5eed1 : 0x5eed2;
      let database: TestDatabase;
      let store: Store;
      let merchant: Merchant;
      let merchantServers: MerchantServers;
      let client: WaasClient;
      let server: ServeProcess | undefined;
      /** The merchant's client talks to the service through this proxy, which can lose answers. */
      let proxy: LossyProxy;
      const serverLogs: string[] = [];
      const coins = {} as Record<CoinSymbol, CoinRecord>;
      const coinById = new Map<number, CoinRecord>();
      const uids: number[] = [];
      /** Lower-cased deposit address → owning uid. */
      const addressOwner = new Map<string, number>();
      const planByRequestId = new Map<string, Plan>();
      let plans: Plan[] = [];
      const firstOutcome = new Map<string, Outcome>();
      /** request_id → withdrawal id, from every answer (first, re-created or 110088). */
      const answeredIds = new Map<string, number>();
      let lastKillAt = 0;
      const stats: Record<string, number | string> = {};

      let env: Record<string, string>;
      /** This suite's processes (the other database's suite runs beside it). */
      const started: ServeProcess[] = [];
      const start = async () => {
        server = await startServe(env, 0);
        started.push(server);
        proxy.setTarget(server.url);
        return server;
      };
      const kill = async () => {
        const s = server!;
        await s.kill('SIGKILL');
        lastKillAt = Date.now();
        const { signal } = await s.exited;
        assert.equal(signal, 'SIGKILL');
        serverLogs.push(`--- serve pid ${s.pid} (SIGKILLed) ---\n${s.output()}`);
        server = undefined;
      };
      /** Runs a test body; on failure, shows what the server processes wrote. */
      const withLogs = (fn: (t: TestContext) => Promise<void>) => async (t: TestContext) => {
        try {
          await fn(t);
        } catch (error) {
          const running = server ? `--- serve pid ${server.pid} (running) ---\n${server.output().slice(-8_000)}` : '';
          t.diagnostic(`seed ${seed}; server output:\n${serverLogs.join('\n').slice(-6_000)}\n${running}`);
          throw error;
        }
      };

      before(async () => {
        startedAt = Date.now();
        database = await freshDatabase(kind);
        store = openStore(database.url);
        await migrateToLatest(store);
        const nowMs = Date.now();
        for (const s of symbols) {
          coins[s] = await upsertCoin(store.db, { ...coinInputs[s], nowMs });
          coinById.set(Number(coins[s].id), coins[s]);
        }
        const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
        const merchantPrivateKeyPem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
        merchant = await createMerchant(store.db, devSecrets(), { name: 'Crash Merchant', merchantPublicKey: keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(), nowMs });
        for (const s of symbols) await setMerchantCoin(store.db, Number(merchant.id), Number(coins[s].id), true);
        const delays = prng(seed ^ 0xc0ffee);
        const confirmDelays = new Map<string, number>();
        merchantServers = await startMerchantServers({
          walletPublicKeyPem: merchant.wallet_public_key,
          merchantPrivateKeyPem,
          plans: planByRequestId,
          confirmDelayMs: (requestId) => {
            if (!confirmDelays.has(requestId)) confirmDelays.set(requestId, Math.floor(delays() * 150));
            return confirmDelays.get(requestId)!;
          },
          slowMs,
          hangMs,
        });
        merchant = (await updateMerchant(store.db, merchant.app_id, { confirmUrl: merchantServers.confirmUrl, notifyUrl: merchantServers.notifyUrl }))!;

        env = {
          DATABASE_URL: database.url,
          LOG_LEVEL: 'warn',
          OPENWAAS_NOTIFY_SCHEDULE_MS: notifySchedule,
          OPENWAAS_NOTIFY_TIMEOUT_MS: String(notifyTimeoutMs),
          OPENWAAS_CONFIRM_TIMEOUT_MS: '5000',
          OPENWAAS_RSA_WORKERS: '2',
        };
        proxy = await startLossyProxy('http://127.0.0.1:1');
        await start();
        client = new WaasClient({ baseUrl: proxy.url, appId: merchant.app_id, privateKey: merchantPrivateKeyPem, walletPublicKey: merchant.wallet_public_key, timeoutMs: 20_000 });

        for (let i = 0; i < userCount; i++) uids.push(Number((await client.registerEmail({ email: `crash-${i}@${kind}.example` })).uid));
        for (const uid of uids.slice(0, usersWithAddress)) {
          const { address } = await client.getDepositAddress({ uid, symbol: 'ETH' });
          addressOwner.set(address.toLowerCase(), uid);
        }
        assert.equal(addressOwner.size, usersWithAddress, 'every user got its own deposit address');
        for (const uid of uids) {
          for (const s of symbols) {
            await adjustBalance({ store, clock: systemClock }, { target: { uid }, symbol: s, amount: credits[s], direction: 'credit', reason: 'crash test funding', actor: { operatorId: 0, name: 'crash-test' } });
          }
        }
        plans = makePlans(seed, `crash-${kind}-${seed.toString(16)}`, uids, addressOwner);
        for (const p of plans) planByRequestId.set(p.requestId, p);
        stats.setup = elapsed(startedAt);
      });

      after(async () => {
        await Promise.all(started.map((s) => s.kill('SIGKILL').catch(() => {})));
        await proxy?.close();
        await merchantServers?.close();
        await store?.close();
        await database?.drop();
      });

      test(
        'a stream of concurrent withdrawals is cut by SIGKILL',
        withLogs(async () => {
          const phaseAt = Date.now();
          let answers = 0;
          let killing: Promise<void> | undefined;
          // Every third answer (six at most) is held back by the proxy and lost with the crash: committed, never answered.
          proxy.holdEvery(3, '/api/v2/billing/withdraw', 6);
          await pool(plans, clientConcurrency, async (p) => {
            const outcome = await send(client, p);
            firstOutcome.set(p.requestId, outcome);
            if (outcome.kind === 'answered') {
              answers += 1;
              answeredIds.set(p.requestId, outcome.id);
              if (answers >= killAfterAnswers) {
                killing ??= kill().then(() => {
                  stats.answersLostInTransit = proxy.dropHeld();
                  proxy.holdEvery(0);
                });
              }
            }
          });
          await killing;
          stats.stream = elapsed(phaseAt);

          const outcomes = [...firstOutcome.values()];
          const refused = [...firstOutcome].filter(([, o]) => o.kind === 'refused');
          assert.deepEqual(refused, [], 'no withdrawal of the stream is refused (all fit the balances)');
          stats.answered = outcomes.filter((o) => o.kind === 'answered').length;
          stats.lost = outcomes.filter((o) => o.kind === 'lost').length;
          assert.ok(Number(stats.answered) >= killAfterAnswers);
          assert.ok(Number(stats.lost) > 0, 'the kill left requests without an answer');
          assert.ok(Number(stats.answersLostInTransit) > 0, 'some answers were lost after their withdrawal committed');

          // Answers are final: the answered withdrawal is stored, with the answered status.
          const rows = await store.db.selectFrom('withdrawals').selectAll().execute();
          const byRequest = new Map(rows.map((w) => [w.request_id, w]));
          for (const [requestId, o] of firstOutcome) {
            if (o.kind !== 'answered') continue;
            const w = byRequest.get(requestId);
            assert.ok(w, `answered ${requestId} (id ${o.id}) is stored`);
            assert.equal(Number(w.id), o.id, requestId);
            assert.equal(o.status, expectedStatus(planByRequestId.get(requestId)!), `status answered for ${requestId}`);
            assert.equal(w.status, o.status, requestId);
          }
          const pending = await store.db.selectFrom('notifications').select(['id', 'lease_until']).where('state', '=', 'pending').execute();
          stats.notificationsPendingAtKill = pending.length;
          stats.leasedAtKill = pending.filter((n) => Number(n.lease_until) > Date.now()).length;
          assert.ok(pending.length > 0, 'the outbox had undelivered work when the server died');
        }),
      );

      test(
        'restarted, it is SIGKILLed again while delivering the backlog, and restarted once more',
        withLogs(async () => {
          const phaseAt = Date.now();
          await start();
          stats.restart = elapsed(phaseAt);
          // The backlog goes out at once; a delivery held open by the merchant (slow / timing out)
          // means a lease dies with the process.
          const busy = await waitFor('a notification delivery in flight', 5_000, () => (merchantServers.inFlight() > 0 ? true : undefined), 20).catch(() => false);
          stats.deliveriesInFlightAtSecondKill = busy ? merchantServers.inFlight() : 0;
          await kill();
          await start();
          stats.secondKillAndRestart = elapsed(phaseAt);
        }),
      );

      test(
        'after the restarts, every re-sent request_id creates its withdrawal once or answers 110088 with the stored id',
        withLogs(async () => {
          const phaseAt = Date.now();

          // What survived the kills (read after the restarts, once every dead transaction is settled).
          const committed = new Map((await store.db.selectFrom('withdrawals').select(['id', 'request_id', 'status']).execute()).map((w) => [w.request_id, w]));
          const lost = plans.filter((p) => firstOutcome.get(p.requestId)?.kind === 'lost');
          const lostCommitted = lost.filter((p) => committed.has(p.requestId));
          const lostUncommitted = lost.filter((p) => !committed.has(p.requestId));
          stats.lostButCommitted = lostCommitted.length;
          stats.lostNeverCommitted = lostUncommitted.length;
          const answeredSample = plans.filter((p, i) => firstOutcome.get(p.requestId)?.kind === 'answered' && i % 3 === 0);
          const resend = [...lost, ...answeredSample];
          stats.resent = resend.length;

          const results = new Map<string, Outcome[]>();
          await pool(resend, clientConcurrency, async (p) => {
            // Never-committed requests go twice at once: only one may win.
            const copies = committed.has(p.requestId) ? 1 : 2;
            results.set(p.requestId, await Promise.all(Array.from({ length: copies }, () => send(client, p))));
          });
          stats.resend = elapsed(phaseAt);

          const stored = new Map((await store.db.selectFrom('withdrawals').selectAll().execute()).map((w) => [w.request_id, w]));
          for (const p of resend) {
            const outs = results.get(p.requestId)!;
            const w = stored.get(p.requestId);
            assert.ok(w, `${p.requestId} exists after the re-send: ${JSON.stringify(outs)}`);
            const id = Number(w.id);
            const created = outs.filter((o) => o.kind === 'answered');
            const duplicates = outs.filter((o): o is Extract<Outcome, { kind: 'refused' }> => o.kind === 'refused' && o.code === ErrorCode.DuplicateRequest);
            assert.equal(created.length + duplicates.length, outs.length, `${p.requestId}: only a creation or 110088: ${JSON.stringify(outs)}`);
            if (committed.has(p.requestId)) {
              assert.equal(created.length, 0, `${p.requestId} was committed before the kill: never created again`);
              assert.equal(id, Number(committed.get(p.requestId)!.id));
            } else {
              assert.equal(created.length, 1, `${p.requestId} never committed: created exactly once: ${JSON.stringify(outs)}`);
              assert.equal((created[0] as Extract<Outcome, { kind: 'answered' }>).id, id);
              assert.equal((created[0] as Extract<Outcome, { kind: 'answered' }>).status, expectedStatus(p));
            }
            for (const d of duplicates) {
              const data = d.data as { id?: unknown; status?: unknown } | undefined;
              assert.equal(Number(data?.id), id, `110088 for ${p.requestId} names the stored withdrawal`);
              assert.equal(Number(data?.status), w.status, `110088 for ${p.requestId} gives its status`);
            }
            const first = firstOutcome.get(p.requestId)!;
            if (first.kind === 'answered') assert.equal(first.id, id, `${p.requestId}: the first answer and the re-send agree`);
            answeredIds.set(p.requestId, id);
          }
          assert.ok(lostCommitted.length > 0, 'some re-sent requests had committed before the kill');
          assert.ok(lostUncommitted.length > 0, 'some re-sent requests had never committed');
          assert.ok(merchantServers.refusedConfirmations.length === 0, `confirmations matched plans: ${JSON.stringify(merchantServers.refusedConfirmations)}`);
        }),
      );

      test(
        'one withdrawal per request_id; money moved once; balances match the committed withdrawals; audit clean',
        withLogs(async () => {
          const withdrawals = await store.db.selectFrom('withdrawals').selectAll().where('merchant_id', '=', Number(merchant.id)).orderBy('id').execute();
          const perRequest = new Map<string, Withdrawal[]>();
          for (const w of withdrawals) perRequest.set(w.request_id, [...(perRequest.get(w.request_id) ?? []), w]);
          for (const [requestId, rows] of perRequest) assert.equal(rows.length, 1, `request_id ${requestId} has ${rows.length} withdrawals`);
          assert.deepEqual([...perRequest.keys()].sort(), plans.map((p) => p.requestId).sort(), 'exactly the planned request_ids, every one');

          for (const p of plans) {
            const w = perRequest.get(p.requestId)![0]!;
            const coin = coins[p.symbol];
            assert.equal(Number(w.uid), p.uid, p.requestId);
            assert.equal(w.symbol, p.symbol, p.requestId);
            assert.equal(BigInt(w.amount), parseAmount(p.amount, coin.decimals), p.requestId);
            assert.equal(w.address_to, p.toAddress, p.requestId);
            assert.equal(w.status, expectedStatus(p), `status of ${p.requestId}`);
            assert.equal(w.withdraw_type, p.internal ? WithdrawType.Internal : WithdrawType.OnChain, `type of ${p.requestId}`);
            assert.equal(answeredIds.get(p.requestId) ?? Number(w.id), Number(w.id), `the id answered for ${p.requestId} is the stored one`);
          }

          // Journals: one lock per withdrawal, one settlement per internal one, nothing else.
          const journals = await store.db.selectFrom('journals').select(['ref_id', 'reason']).where('ref_type', '=', 'withdrawal').execute();
          const journalCount = new Map<string, number>();
          for (const j of journals) journalCount.set(`${j.ref_id}:${j.reason}`, (journalCount.get(`${j.ref_id}:${j.reason}`) ?? 0) + 1);
          const expectedJournals = new Map<string, number>();
          for (const w of withdrawals) {
            expectedJournals.set(`${w.id}:withdraw.lock`, 1);
            if (w.status === WithdrawStatus.Succeeded) expectedJournals.set(`${w.id}:withdraw.internal`, 1);
          }
          assert.deepEqual(journalCount, expectedJournals, 'each withdrawal journaled exactly once per step');

          // Expected balances from the initial credits and the stored withdrawals.
          const key = (uid: number, coinId: number) => `${uid}:${coinId}`;
          const normal = new Map<string, bigint>();
          const lock = new Map<string, bigint>();
          const fees = new Map<number, bigint>();
          const add = (m: Map<string, bigint>, uid: number, coinId: number, delta: bigint) => m.set(key(uid, coinId), (m.get(key(uid, coinId)) ?? 0n) + delta);
          for (const uid of uids) for (const s of symbols) add(normal, uid, Number(coins[s].id), parseAmount(credits[s], coins[s].decimals));
          const expectedDeposits = new Map<number, { uid: number; amount: bigint }>();
          for (const w of withdrawals) {
            const coinId = Number(w.coin_id);
            const feeCoinId = Number(coins[w.withdraw_fee_symbol as CoinSymbol].id);
            const sameCoin = feeCoinId === coinId;
            const amount = BigInt(w.amount);
            const fee = BigInt(w.withdraw_fee);
            const uid = Number(w.uid);
            add(normal, uid, coinId, -amount);
            if (!sameCoin) add(normal, uid, feeCoinId, -fee);
            if (w.status === WithdrawStatus.Review || w.status === WithdrawStatus.Paying) {
              add(lock, uid, coinId, amount);
              if (!sameCoin) add(lock, uid, feeCoinId, fee);
            } else {
              assert.equal(w.status, WithdrawStatus.Succeeded, `withdrawal ${w.id} status`);
              const receiver = addressOwner.get(w.address_to.toLowerCase());
              assert.ok(receiver !== undefined, `settled withdrawal ${w.id} paid one of our addresses`);
              const credit = sameCoin ? amount - fee : amount;
              add(normal, receiver, coinId, credit);
              fees.set(feeCoinId, (fees.get(feeCoinId) ?? 0n) + fee);
              expectedDeposits.set(Number(w.id), { uid: receiver, amount: credit });
            }
          }
          const mismatches: string[] = [];
          for (const uid of uids) {
            for (const s of symbols) {
              const coin = coins[s];
              const b = await client.getByUidAndSymbol({ uid, symbol: s });
              const got = { normal: parseAmount(b.normal_balance, coin.decimals), lock: parseAmount(b.lock_balance, coin.decimals) };
              const want = { normal: normal.get(key(uid, Number(coin.id))) ?? 0n, lock: lock.get(key(uid, Number(coin.id))) ?? 0n };
              if (got.normal !== want.normal || got.lock !== want.lock) {
                mismatches.push(`uid ${uid} ${s}: API ${b.normal_balance}/${b.lock_balance}, expected ${formatAmount(want.normal, coin.decimals)}/${formatAmount(want.lock, coin.decimals)}`);
              }
            }
          }
          assert.deepEqual(mismatches, [], 'user balances (normal/lock) equal what the committed withdrawals imply');
          for (const s of symbols) {
            const coinId = Number(coins[s].id);
            const held = await readBalance(store.db, feeAccount(Number(merchant.id), coinId));
            assert.equal(held.normal, fees.get(coinId) ?? 0n, `fee account ${s}`);
          }

          // One deposit per settled withdrawal, to the address owner, amount less a same-coin fee.
          const deposits = await store.db.selectFrom('deposits').selectAll().execute();
          assert.equal(deposits.length, expectedDeposits.size, 'one deposit per internal settlement');
          for (const d of deposits) {
            const want = expectedDeposits.get(Number(d.withdrawal_id));
            assert.ok(want, `deposit ${d.id} comes from a settled withdrawal`);
            assert.equal(Number(d.uid), want.uid);
            assert.equal(BigInt(d.amount), want.amount);
            assert.equal(d.status, DepositStatus.Succeeded);
          }

          const report = await auditLedger(store.db);
          assert.deepEqual(report.findings, [], 'ledger audit');
          stats.withdrawals = withdrawals.length;
          stats.internal = expectedDeposits.size;
          stats.review = withdrawals.filter((w) => w.status === WithdrawStatus.Review).length;
        }),
      );

      test(
        'every committed notification is delivered, processed once by the SDK handler, and reports the final state',
        withLogs(async (t) => {
          const phaseAt = Date.now();
          const bound = Math.max(1_000, lastKillAt + deliveryBoundMs - Date.now());
          let undelivered: unknown[] = [];
          const left = await waitFor(`the outbox to drain (bound ${bound} ms after the last kill)`, bound, async () => {
            const rows = await store.db.selectFrom('notifications').selectAll().execute();
            const failed = rows.filter((r) => r.state === 'failed');
            if (failed.length > 0) return failed; // gave up for good: report below
            const now = Date.now();
            undelivered = rows
              .filter((r) => r.state !== 'delivered' || !merchantServers.processed.has(String(r.id)))
              .map((r) => ({ id: Number(r.id), state: r.state, attempts: r.attempts, dueInMs: Number(r.next_attempt_at) - now, leaseLeftMs: Number(r.lease_until) - now, error: r.last_error, received: merchantServers.receipts.get(String(r.id)) ?? 0 }));
            return undelivered.length === 0 ? [] : undefined;
          }, 200).catch(async (error: Error) => {
            let activity = '';
            if (kind === 'postgres') {
              const r = await sql<Record<string, unknown>>`select pid, state, wait_event_type, wait_event, backend_xid, left(query, 160) as query, extract(epoch from now() - xact_start) as xact_s, extract(epoch from now() - state_change) as state_s from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`.execute(store.db);
              const l = await sql<Record<string, unknown>>`select pid, locktype, relation::regclass::text as rel, mode, granted from pg_locks where pid <> pg_backend_pid() and locktype in ('relation','tuple','transactionid') and not granted`.execute(store.db);
              activity = `\nactivity: ${JSON.stringify(r.rows, null, 1)}\nwaiting locks: ${JSON.stringify(l.rows)}`;
            }
            let alive = 'no server';
            if (server) {
              try {
                process.kill(server.pid, 0);
                alive = `pid ${server.pid} alive`;
              } catch (e) {
                alive = `pid ${server.pid} gone: ${(e as Error).message}`;
              }
              const probe = await fetch(`${server.url}/api/v2/user/getCoinList`, { method: 'POST', body: 'app_id=x&data=y', headers: { 'content-type': 'application/x-www-form-urlencoded' }, signal: AbortSignal.timeout(3000) }).then((r) => `HTTP ${r.status}`, (e: Error) => e.message);
              alive += `; probe ${probe}`;
            }
            throw new Error(`${error.message}; ${alive}; undelivered: ${JSON.stringify(undelivered)}${activity}`);
          });
          assert.deepEqual(left, [], 'no notification failed for good');
          stats.drain = elapsed(phaseAt);

          const rows = await store.db.selectFrom('notifications').selectAll().where('merchant_id', '=', Number(merchant.id)).orderBy('id').execute();
          const withdrawals = await store.db.selectFrom('withdrawals').selectAll().execute();
          const deposits = await store.db.selectFrom('deposits').selectAll().execute();
          assert.equal(rows.length, withdrawals.length + deposits.length, 'one notification per state change: each withdrawal once, each deposit once');

          for (const row of rows) {
            const id = String(row.id);
            assert.equal(merchantServers.processedCount.get(id), 1, `notification ${id} processed exactly once (received ${merchantServers.receipts.get(id)} times)`);
            const got = merchantServers.processed.get(id)!;
            assert.equal(got.side, row.side);
            const payload = JSON.parse(row.payload) as Record<string, string>;
            for (const [field, value] of Object.entries(payload)) assert.equal(got[field], value, `notification ${id} field ${field}`);
          }
          const notified = (side: 'withdraw' | 'deposit', recordId: number) => rows.filter((r) => r.side === side && Number(r.record_id) === recordId).map((r) => merchantServers.processed.get(String(r.id))!);
          for (const w of withdrawals) {
            const got = notified('withdraw', Number(w.id));
            assert.equal(got.length, 1, `withdrawal ${w.id} notified once`);
            assert.equal(got[0]!.status, String(w.status), `withdrawal ${w.id}: the merchant was told its final status`);
            assert.equal(got[0]!['request_id'], w.request_id);
            assert.equal(parseAmount(got[0]!.amount, coinById.get(Number(w.coin_id))!.decimals), BigInt(w.amount));
          }
          for (const d of deposits) {
            const got = notified('deposit', Number(d.id));
            assert.equal(got.length, 1, `deposit ${d.id} notified once`);
            assert.equal(got[0]!.status, String(DepositStatus.Succeeded));
            assert.equal(got[0]!.uid, String(d.uid));
          }

          assert.deepEqual(merchantServers.unreadable, [], 'every delivery was a readable notification');
          for (const e of merchantServers.handlerErrors) assert.match(String((e as Error).message), /merchant database busy/);
          const receipts = [...merchantServers.receipts.values()].reduce((a, b) => a + b, 0);
          stats.notifications = rows.length;
          stats.deliveries = receipts;
          stats.dedupeHits = merchantServers.dedupeHits();
          stats.maxAttempts = Math.max(...rows.map((r) => r.attempts));
          assert.ok(merchantServers.dedupeHits() > 0, 'some notifications arrived again after being processed, and dedupe answered them');
          const behaviours = new Set(rows.map((r) => notifyBehaviourOf(Number(r.id))));
          assert.equal(behaviours.size, 5, 'every merchant behaviour was exercised');
          stats.total = elapsed(startedAt);
          t.diagnostic(`${kind} seed ${seed}: ${Object.entries(stats).map(([k, v]) => `${k}=${v}`).join(' ')}`);
        }),
      );
    });
  }
});
