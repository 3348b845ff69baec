import type { ServiceContext } from '../../context.js';
import type { DepositScreeningContext } from '../kyt/index.js';

/** Reading deposits for operators: the database only. */
export type DepositReadDeps = Pick<ServiceContext, 'store'>;
/** What an operator watches per chain: the database and the chains followed. */
export type ChainStatusDeps = Pick<ServiceContext, 'store' | 'chains'>;
/** What an operator's or the KYT loop's decision needs: the database, the clock, and the notifier to wake. */
export type DepositReviewContext = Pick<ServiceContext, 'store' | 'clock' | 'notifier'>;
/** Comparing the wallets with their low thresholds and raising or resolving their alerts: the database, the clock, a logger. */
export type WalletCheckDeps = Pick<ServiceContext, 'store' | 'clock' | 'log'>;
/** The scanner's storage steps (its cursor, faults, untraced blocks): the database, the clock, a logger. */
export type ScanStorageDeps = Pick<ServiceContext, 'store' | 'clock' | 'log'>;
/** Writing a scanned batch or undoing a reorg: the storage steps' needs, and the notifier to wake. */
export type ScanWriteDeps = ScanStorageDeps & Pick<ServiceContext, 'notifier'>;
/** What settling needs: screening's needs, the clock, and the notifier to wake. */
export type SettleContext = DepositScreeningContext & Pick<ServiceContext, 'clock' | 'notifier'>;
/** What a scanner step needs: what settling needs (database, clock, logger, notifier, KYT); the chain comes as its handle. */
export type ScanContext = SettleContext;
