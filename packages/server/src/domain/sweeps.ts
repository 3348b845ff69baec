/** Moved to modules/sweeps: re-exported here for importers not yet rewritten. */
export { listSweeps, planSweeps, retrySweep, SweepStateError, sweepView } from '../modules/sweeps/index.js';
