import type { ServiceContext } from '../../context.js';

/** The replay guard: the database, the clock, a logger (failed prunes), and the accepted time window of a request. */
export type ReplayGuardDeps = Pick<ServiceContext, 'store' | 'clock' | 'log'> & { windowMs: number };
