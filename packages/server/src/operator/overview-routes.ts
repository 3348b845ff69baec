/**
 * GET /overview: everything the console's first page shows, in one answer (views in
 * contracts/operator.ts): per chain the node, the scanner and the wallets against their low
 * thresholds; open alerts; the queues operators work through, each with the route that lists it;
 * and per UTC day of the last overviewDaysCount the credited deposits and paid withdrawals of
 * every coin (counts and exact sums) and the notifications by state. Days with nothing are
 * present with zeros.
 */
import type { FastifyInstance } from 'fastify';
import type { ServiceContext } from '../context.js';
import { alertView, type OverviewChain, type OverviewView } from '../contracts/operator.js';
import { overviewAlertsShownMax, overviewDaysCount } from '../limits.js';
import { countOpenAlerts, listAlerts } from '../modules/alerts/index.js';
import { countPendingChangeRequests } from '../modules/change-requests/index.js';
import { listCoins } from '../modules/coins/index.js';
import { chainStatuses, countHeldDeposits, creditedDepositTotals } from '../modules/deposits/index.js';
import { countNotifications, notificationsPerDay } from '../modules/notifications/index.js';
import { countHeldWithdrawals, countWithdrawalsInReview, paidWithdrawalTotals } from '../modules/withdrawals/index.js';
import { formatAmount } from '../money/amount.js';
import { dayMs, utcDayOf } from '../money/daily-totals.js';
import { operatorRoute } from './typed-route.js';

/** "YYYY-MM-DD" of UTC day `day` (days since the epoch). */
const dayName = (day: number) => new Date(day * dayMs).toISOString().slice(0, 10);

/** The overview as GET /overview answers it. */
export async function overviewView(ctx: ServiceContext): Promise<OverviewView> {
  const db = ctx.store.db;
  const at = ctx.clock.nowMs();
  const today = utcDayOf(at);
  const first = today - overviewDaysCount + 1;
  const dayNumbers = Array.from({ length: overviewDaysCount }, (_, i) => first + i);
  const window = { fromMs: first * dayMs, toMs: (today + 1) * dayMs };

  const chains: OverviewChain[] = (await chainStatuses(ctx)).map((s) => ({
    chain: s.chain,
    rpc_url: s.rpc_url,
    node: s.node_error === undefined ? { ok: true, error: null } : { ok: false, error: s.node_error },
    head: s.head,
    scanned: s.scanned,
    lag: s.behind,
    last_scanner_error: s.scanner_error ?? null,
    hot_wallet: s.hot_wallet,
    fee_wallet: s.fee_wallet,
  }));

  const coins = await listCoins(db);
  const deposits = new Map((await creditedDepositTotals(db, window)).map((t) => [`${t.day}:${t.coinId}`, t]));
  const withdrawals = new Map((await paidWithdrawalTotals(db, window)).map((t) => [`${t.day}:${t.coinId}`, t]));
  const volumes = coins.map((coin) => ({
    symbol: coin.symbol,
    chain: coin.chain,
    days: dayNumbers.map((day) => {
      const d = deposits.get(`${day}:${Number(coin.id)}`);
      const w = withdrawals.get(`${day}:${Number(coin.id)}`);
      return {
        day: dayName(day),
        deposits: { count: d?.count ?? 0, amount: formatAmount(d?.units ?? 0n, coin.decimals) },
        withdrawals: { count: w?.count ?? 0, amount: formatAmount(w?.units ?? 0n, coin.decimals) },
      };
    }),
  }));

  const perDay = new Map((await notificationsPerDay(db, window)).map((n) => [n.day, n]));
  const notifications = dayNumbers.map((day) => {
    const n = perDay.get(day);
    return { day: dayName(day), delivered: n?.delivered ?? 0, failed: n?.failed ?? 0, pending: n?.pending ?? 0 };
  });

  return {
    at,
    chains,
    alerts: { open: await countOpenAlerts(db), latest: (await listAlerts(db, { limit: overviewAlertsShownMax })).map(alertView), route: 'GET /alerts', query: {} },
    queues: {
      withdrawals_review: { count: await countWithdrawalsInReview(db), route: 'GET /withdrawals/review', query: {} },
      kyt_deposits: { count: await countHeldDeposits(db), route: 'GET /kyt', query: { side: 'deposit' } },
      kyt_withdrawals: { count: await countHeldWithdrawals(db), route: 'GET /kyt', query: { side: 'withdrawal' } },
      change_requests_pending: { count: await countPendingChangeRequests(db), route: 'GET /change-requests', query: { state: 'pending' } },
      notifications_failed: { count: (await countNotifications(db)).failed, route: 'GET /notifications', query: { state: 'failed' } },
    },
    days: dayNumbers.map(dayName),
    volumes,
    notifications,
  };
}

/** Registers GET /overview on the operator plugin instance (inside its auth hook and error handler). */
export function registerOverviewRoutes(app: FastifyInstance, ctx: ServiceContext): void {
  operatorRoute(app, 'GET /overview', async () => overviewView(ctx));
}
