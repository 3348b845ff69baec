import type { Actor } from '../operators/index.js';
import { AdminError } from '../../errors/admin-errors.js';
import { adminListLimitMax, approvalsRequiredMax } from '../../limits.js';
import { formatAmount, parseAmount } from '../../money/amount.js';
import type { Db } from '../../store/tx.js';
import { deleteApprovalPolicy, findApprovalPolicies, listApprovalPolicyRows, upsertApprovalPolicy, type ApprovalPolicyRow } from './repository.js';
import { everyMerchant, merchantScope, policyCoin, ScopeNames } from './scope.js';

/**
 * Approval policies: a withdrawal under review whose amount is above `above_amount` needs
 * `approvals_required` distinct platform reviewers; at or below it, one. `company_review`
 * says whether the merchant's side (company_status) is still approved by hand (today's rule,
 * the default) or stands approved by the merchant's second confirmation. A coin's policy holds
 * for every merchant; a merchant's own policy for the coin replaces it.
 */

/** What a withdrawal under review needs before it pays. */
export interface ApprovalRequirement {
  approvalsRequired: number;
  companyReview: boolean;
  /** Which policy decided: none (the default: one reviewer and the merchant's side), the coin's or the merchant's. */
  policy: 'default' | 'coin' | 'merchant';
}

/** With no policy: one platform reviewer and the merchant's side, as before policies existed. */
export const defaultApprovalRequirement: ApprovalRequirement = { approvalsRequired: 1, companyReview: true, policy: 'default' };

/** The requirement for a withdrawal of `amount` (base units) of a coin by a merchant. */
export async function approvalRequirementFor(db: Db, input: { merchantId: number; coinId: number; amount: bigint }): Promise<ApprovalRequirement> {
  const rows = await findApprovalPolicies(db, { coinId: input.coinId, merchantIds: [input.merchantId, everyMerchant] });
  const own = rows.find((r) => r.merchant_id === input.merchantId && input.merchantId !== everyMerchant);
  const row = own ?? rows.find((r) => r.merchant_id === everyMerchant);
  if (!row) return defaultApprovalRequirement;
  return {
    approvalsRequired: input.amount > BigInt(row.above_amount) ? row.approvals_required : 1,
    companyReview: row.company_review === 1,
    policy: own ? 'merchant' : 'coin',
  };
}

/** An approval policy as operators see it (app_id null: every merchant). */
export interface ApprovalPolicyView {
  app_id: string | null;
  symbol: string;
  /** Coin units. */
  above_amount: string;
  approvals_required: number;
  company_review: boolean;
  updated_by: string;
  updated_at: number;
}

async function approvalView(names: ScopeNames, r: ApprovalPolicyRow): Promise<ApprovalPolicyView> {
  const coin = await names.coin(r.coin_id);
  return {
    app_id: await names.appId(r.merchant_id),
    symbol: coin.symbol,
    above_amount: formatAmount(BigInt(r.above_amount), coin.decimals),
    approvals_required: r.approvals_required,
    company_review: r.company_review === 1,
    updated_by: r.updated_by,
    updated_at: r.updated_at,
  };
}

/**
 * Sets the approval policy of a coin (for every merchant, or for the merchant `appId`).
 * @throws AdminError not_found (merchant, coin), invalid (amount, count)
 */
export async function setApprovalPolicy(
  db: Db,
  input: { appId?: string; symbol: string; aboveAmount: string; approvalsRequired: number; companyReview?: boolean; actor: Actor; nowMs: number },
): Promise<ApprovalPolicyView> {
  const merchantId = await merchantScope(db, input.appId);
  const coin = await policyCoin(db, input.symbol);
  const above = parseAmount(input.aboveAmount, coin.decimals, 'above_amount');
  const n = input.approvalsRequired;
  if (!Number.isSafeInteger(n) || n < 1 || n > approvalsRequiredMax) throw AdminError.invalid(`approvals_required must be a whole number from 1 to ${approvalsRequiredMax}`);
  const row = await upsertApprovalPolicy(db, {
    merchant_id: merchantId,
    coin_id: Number(coin.id),
    above_amount: above.toString(),
    approvals_required: n,
    company_review: input.companyReview === false ? 0 : 1,
    updated_by: input.actor.name,
    updated_at: input.nowMs,
  });
  return approvalView(new ScopeNames(db), row);
}

/** Removes an approval policy (the coin's, or the merchant's override). @throws AdminError not_found */
export async function clearApprovalPolicy(db: Db, input: { appId?: string; symbol: string }): Promise<void> {
  const merchantId = await merchantScope(db, input.appId);
  const coin = await policyCoin(db, input.symbol);
  if ((await deleteApprovalPolicy(db, { merchantId, coinId: Number(coin.id) })) === 0) {
    throw AdminError.notFound(`approval policy of ${input.symbol}${input.appId !== undefined ? ` for ${input.appId}` : ''}`);
  }
}

/** Every approval policy (at most adminListLimitMax). */
export async function listApprovalPolicies(db: Db): Promise<ApprovalPolicyView[]> {
  const names = new ScopeNames(db);
  const out: ApprovalPolicyView[] = [];
  for (const r of await listApprovalPolicyRows(db, adminListLimitMax)) out.push(await approvalView(names, r));
  return out;
}
