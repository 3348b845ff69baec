import type { ServiceContext } from '../../context.js';
import type { DepositReadDeps, DepositReviewContext } from '../deposits/index.js';
import type { WithdrawalReadDeps, WithdrawalReleaseDeps } from '../withdrawals/index.js';

/** Asking the provider: the provider and a logger (its failures). */
export type KytProviderDeps = Pick<ServiceContext, 'kyt' | 'log'>;
/** What screening a deposit needs: the provider, the breaker's settings, the database (the breaker's window), a logger. */
export type DepositScreeningContext = KytProviderDeps & Pick<ServiceContext, 'config' | 'store'>;
/** Describing a withdrawal to the provider: the chains (our paying address). */
export type WithdrawalSubjectDeps = Pick<ServiceContext, 'chains'>;
/** What screening a withdrawal needs: the provider, a logger, and the chains (our paying address). */
export type WithdrawalScreeningContext = KytProviderDeps & WithdrawalSubjectDeps;
/** Listing held records: what reading deposits and withdrawals needs. */
export type HeldListDeps = DepositReadDeps & WithdrawalReadDeps;
/** Deciding about a held record: a deposit's review, or a withdrawal's release (the widest) or rejection. */
export type HeldDecisionDeps = DepositReviewContext & WithdrawalReleaseDeps;
