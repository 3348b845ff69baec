import type { ServiceContext } from '../../context.js';

/** Comparing the ledger with the chains: the database and the chains followed. */
export type ChainAuditDeps = Pick<ServiceContext, 'store' | 'chains'>;
