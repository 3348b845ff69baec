import type { ServiceContext } from '../../context.js';
import type { ChainSendDeps } from '../chain-sends/index.js';
import type { ConfirmationDeps } from '../notifications/index.js';

/** Reading withdrawals for operators: the database only. */
export type WithdrawalReadDeps = Pick<ServiceContext, 'store'>;
/** A decision that ends or holds a withdrawal (reject, cancel): written at the clock's time, the notifier woken after. */
export type WithdrawalDecisionDeps = Pick<ServiceContext, 'store' | 'clock' | 'notifier'>;
/** Moving an approved withdrawal on: whether KYT screens it next. */
export type AfterApprovalDeps = Pick<ServiceContext, 'kyt'>;
/** An approval: a decision, then the approved withdrawal moved on. */
export type WithdrawalApprovalDeps = WithdrawalDecisionDeps & AfterApprovalDeps;
/** A release to the chain (KYT passed or an operator released it): a decision that also wakes the chain worker. */
export type WithdrawalReleaseDeps = WithdrawalDecisionDeps & Pick<ServiceContext, 'chainWorkers'>;
/** A merchant's request: the merchant's second confirmation, then an approval when no review is due. */
export type WithdrawalRequestDeps = WithdrawalApprovalDeps & ConfirmationDeps;
/** Paying withdrawals on chain and settling their outcome: what chain sends read. */
export type WithdrawalPaymentDeps = ChainSendDeps;
