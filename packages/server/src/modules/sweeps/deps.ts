import type { ServiceContext } from '../../context.js';
import type { AlertResolveDeps, ChainSendDeps } from '../chain-sends/index.js';

/** Reading a chain's state for a tick: the database only (the chain comes as its handle). */
export type SweepReadDeps = Pick<ServiceContext, 'store'>;
/** Signing, sending and settling sweep and top-up transactions: what chain sends read. */
export type SweepDeps = ChainSendDeps;
/** The sweep thresholds of the configuration. */
export type SweepThresholdDeps = Pick<ServiceContext, 'config'>;
/** Planning sweeps: what sweeping reads, and the thresholds. */
export type SweepPlanDeps = SweepDeps & SweepThresholdDeps;
/** An operator's retry: the sweep rewritten, its alert resolved, the chain worker woken. */
export type SweepRetryDeps = AlertResolveDeps & Pick<ServiceContext, 'chainWorkers'>;
