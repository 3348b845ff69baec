import { AuditStatus, WithdrawStatus } from '@openwaas/sdk';
import { listCoinsOfChain, type CoinRecord } from '../coins/index.js';
import { approvalRequirementFor, decideSpending, describeHit, type ApprovalRequirement, type PolicyHit, type SpendingHistory } from '../policies/index.js';
import type { Tx } from '../../store/tx.js';
import { firstWithdrawalToDestinationMs, hasPaidDestination, listWithdrawnAmountsSince, type WithdrawalRecord } from './repository.js';

/** Statuses that no longer count against velocity limits: the money stayed with the user. */
const releasedStatuses = [WithdrawStatus.Rejected, WithdrawStatus.Failed, WithdrawStatus.Cancelled];

/** The policies' verdict on a new withdrawal: what its review needs and the spending rules it broke. */
export interface PolicyVerdict {
  approval: ApprovalRequirement;
  hits: PolicyHit[];
}

/** The history the spending rules read, from the withdrawals table. */
function historyOf(tx: Tx, w: WithdrawalRecord, coin: CoinRecord): SpendingHistory {
  const merchantId = Number(w.merchant_id);
  let chainCoinIds: Promise<number[]> | undefined;
  const coinIds = () => (chainCoinIds ??= listCoinsOfChain(tx, coin.chain).then((cs) => cs.map((c) => Number(c.id))));
  return {
    async withdrawnSince(scope, sinceMs) {
      const amounts = await listWithdrawnAmountsSince(tx, {
        merchantId,
        ...(scope === 'user' ? { uid: Number(w.uid) } : {}),
        coinId: Number(coin.id),
        sinceMs,
        excludeStatuses: releasedStatuses,
        excludeId: Number(w.id),
      });
      return { amount: amounts.reduce((a, b) => a + b, 0n), count: amounts.length };
    },
    async destinationPaid() {
      return hasPaidDestination(tx, { merchantId, coinIds: await coinIds(), toCanonical: w.to_canonical, paidStatus: WithdrawStatus.Succeeded });
    },
    async destinationFirstSeenMs() {
      return firstWithdrawalToDestinationMs(tx, { merchantId, coinIds: await coinIds(), toCanonical: w.to_canonical, excludeId: Number(w.id) });
    },
  };
}

/**
 * Asks the policies about a withdrawal just inserted and locked (its balance rows locked:
 * see decideSpending).
 */
export async function policyVerdict(tx: Tx, w: WithdrawalRecord, coin: CoinRecord, nowMs: number): Promise<PolicyVerdict> {
  const amount = w.amount;
  const approval = await approvalRequirementFor(tx, { merchantId: Number(w.merchant_id), coinId: Number(coin.id), amount });
  const hits = await decideSpending(
    tx,
    { merchantId: Number(w.merchant_id), coinId: Number(coin.id), decimals: coin.decimals, chain: coin.chain, amount, destination: w.to_canonical, nowMs },
    historyOf(tx, w, coin),
  );
  return { approval, hits };
}

/** The fields a verdict writes on the withdrawal: quorum, the merchant's side, the rules broken. */
export function verdictFields(verdict: PolicyVerdict): Pick<WithdrawalRecord, 'approvals_required' | 'company_status' | 'policy_decision'> {
  return {
    approvals_required: verdict.approval.approvalsRequired,
    // Without a manual merchant review, the merchant's second confirmation stands for its approval.
    company_status: verdict.approval.companyReview ? AuditStatus.Pending : AuditStatus.Approved,
    policy_decision: verdict.hits.length > 0 ? JSON.stringify(verdict.hits) : '',
  };
}

/** The review reason of a verdict's hits ('' when none). */
export function verdictReason(verdict: PolicyVerdict, symbol: string): string {
  return verdict.hits.map((h) => describeHit(h, symbol)).join('; ');
}

/** The rules recorded on a withdrawal (none when it broke none). */
export function recordedHits(w: Pick<WithdrawalRecord, 'policy_decision'>): PolicyHit[] {
  return w.policy_decision === '' ? [] : (JSON.parse(w.policy_decision) as PolicyHit[]);
}
