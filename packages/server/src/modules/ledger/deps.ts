import type { ServiceContext } from '../../context.js';

/** Listing operator adjustments: the database only. */
export type LedgerReadDeps = Pick<ServiceContext, 'store'>;
/** An operator's adjustment: the database and the clock (the journal's time). */
export type AdjustmentDeps = Pick<ServiceContext, 'store' | 'clock'>;
