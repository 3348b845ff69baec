/**
 * Sweeps (collection of credited deposits into the hot wallet, with gas top-ups) and the
 * miner-fee records of their transactions. Owns the sweeps and miner_fees tables.
 */
export { advanceSweeps } from './advance.js';
export type { SweepDeps, SweepPlanDeps, SweepReadDeps, SweepRetryDeps, SweepThresholdDeps } from './deps.js';
export { SweepStateError } from './errors.js';
export { nativeCoinOf } from './miner-fees.js';
export { listSweeps, retrySweep, sweepView } from './operator.js';
export { sweepOutcomeHandler } from './outcome.js';
export { planSweeps } from './plan.js';
export { minerFeesAfter, minerFeesByIds } from './repository.js';
export { countSweepsInFlight, type MinerFeeRecord, type SweepRecord } from './repository.js';
