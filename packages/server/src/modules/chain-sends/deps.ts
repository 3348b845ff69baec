import type { ServiceContext } from '../../context.js';

/** Storing, sending and following outgoing transactions, and their alerts: the database, the clock and the log. */
export type ChainSendDeps = Pick<ServiceContext, 'store' | 'clock' | 'log'>;
/** Making sure a sender's sequence row exists: the database only. */
export type SequenceDeps = Pick<ServiceContext, 'store'>;
/** Signing and storing in the caller's transaction: the clock (the row's times). */
export type SignDeps = Pick<ServiceContext, 'clock'>;
/** Resolving an alert: the database and the clock. */
export type AlertResolveDeps = Pick<ServiceContext, 'store' | 'clock'>;
