import type { Actor } from '../operators/index.js';
import { AdminError } from '../../errors/admin-errors.js';
import { adminListLimitMax, velocityLimitsPerCoinMax, velocityWindowMaxS } from '../../limits.js';
import { formatAmount, parseAmount } from '../../money/amount.js';
import type { Db } from '../../store/tx.js';
import { countVelocityLimits, deleteVelocityLimit, findVelocityLimits, listVelocityLimitRows, upsertVelocityLimit, type VelocityLimitRow } from './repository.js';
import { everyMerchant, merchantScope, policyCoin, ScopeNames } from './scope.js';

/**
 * Velocity limits: over a rolling window of `window_s` seconds, the withdrawals of a coin by one
 * user ('user') or by all of a merchant's users together ('merchant') may add up to
 * `max_amount` and number `max_count` ("0" / 0: no bound); a withdrawal that would pass either
 * goes to review instead of paying. A coin's limits hold for every merchant; a merchant with
 * limits of its own for the coin is bound by those alone.
 */

export const velocityScopes = ['user', 'merchant'] as const;
export type VelocityScope = (typeof velocityScopes)[number];

/** The limits binding a merchant's withdrawals of a coin, and whether they are the merchant's own. */
export async function velocityLimitsFor(db: Db, key: { merchantId: number; coinId: number }): Promise<{ limits: VelocityLimitRow[]; policy: 'coin' | 'merchant' }> {
  const rows = await findVelocityLimits(db, { coinId: key.coinId, merchantIds: [key.merchantId, everyMerchant] });
  const own = rows.filter((r) => r.merchant_id === key.merchantId && key.merchantId !== everyMerchant);
  if (own.length > 0) return { limits: own, policy: 'merchant' };
  return { limits: rows.filter((r) => r.merchant_id === everyMerchant), policy: 'coin' };
}

/** A velocity limit as operators see it (app_id null: every merchant). */
export interface VelocityLimitView {
  app_id: string | null;
  symbol: string;
  scope: VelocityScope;
  window_s: number;
  /** Coin units; "0": no amount bound. */
  max_amount: string;
  /** 0: no count bound. */
  max_count: number;
  updated_by: string;
  updated_at: number;
}

async function velocityView(names: ScopeNames, r: VelocityLimitRow): Promise<VelocityLimitView> {
  const coin = await names.coin(r.coin_id);
  return {
    app_id: await names.appId(r.merchant_id),
    symbol: coin.symbol,
    scope: r.scope,
    window_s: r.window_s,
    max_amount: formatAmount(BigInt(r.max_amount), coin.decimals),
    max_count: r.max_count,
    updated_by: r.updated_by,
    updated_at: r.updated_at,
  };
}

function checkWindow(windowS: number): number {
  if (!Number.isSafeInteger(windowS) || windowS < 1 || windowS > velocityWindowMaxS) throw AdminError.invalid(`window_s must be a whole number of seconds from 1 to ${velocityWindowMaxS}`);
  return windowS;
}

/**
 * Sets (or replaces) the limit of a coin, scope and window, for every merchant or for `appId`.
 * @throws AdminError not_found (merchant, coin), invalid (window, bounds, too many limits)
 */
export async function setVelocityLimit(
  db: Db,
  input: { appId?: string; symbol: string; scope: VelocityScope; windowS: number; maxAmount?: string; maxCount?: number; actor: Actor; nowMs: number },
): Promise<VelocityLimitView> {
  const merchantId = await merchantScope(db, input.appId);
  const coin = await policyCoin(db, input.symbol);
  const windowS = checkWindow(input.windowS);
  const maxAmount = parseAmount(input.maxAmount ?? '0', coin.decimals, 'max_amount');
  const maxCount = input.maxCount ?? 0;
  if (!Number.isSafeInteger(maxCount) || maxCount < 0) throw AdminError.invalid('max_count must be a whole number, 0 for no bound');
  if (maxAmount === 0n && maxCount === 0) throw AdminError.invalid('give max_amount or max_count (a limit without either bounds nothing)');
  const coinId = Number(coin.id);
  const existing = (await findVelocityLimits(db, { coinId, merchantIds: [merchantId] })).some((r) => r.scope === input.scope && r.window_s === windowS);
  if (!existing && (await countVelocityLimits(db, { merchantId, coinId })) >= velocityLimitsPerCoinMax) {
    throw AdminError.invalid(`at most ${velocityLimitsPerCoinMax} velocity limits per coin and merchant`);
  }
  const row = await upsertVelocityLimit(db, {
    merchant_id: merchantId,
    coin_id: coinId,
    scope: input.scope,
    window_s: windowS,
    max_amount: maxAmount.toString(),
    max_count: maxCount,
    updated_by: input.actor.name,
    updated_at: input.nowMs,
  });
  return velocityView(new ScopeNames(db), row);
}

/** Removes one limit. @throws AdminError not_found */
export async function clearVelocityLimit(db: Db, input: { appId?: string; symbol: string; scope: VelocityScope; windowS: number }): Promise<void> {
  const merchantId = await merchantScope(db, input.appId);
  const coin = await policyCoin(db, input.symbol);
  if ((await deleteVelocityLimit(db, { merchantId, coinId: Number(coin.id), scope: input.scope, windowS: input.windowS })) === 0) {
    throw AdminError.notFound(`velocity limit ${input.scope}/${input.windowS}s of ${input.symbol}${input.appId !== undefined ? ` for ${input.appId}` : ''}`);
  }
}

/** Every velocity limit (at most adminListLimitMax). */
export async function listVelocityLimits(db: Db): Promise<VelocityLimitView[]> {
  const names = new ScopeNames(db);
  const out: VelocityLimitView[] = [];
  for (const r of await listVelocityLimitRows(db, adminListLimitMax)) out.push(await velocityView(names, r));
  return out;
}
