/** Why a sweep could not be retried (the operator API maps it to 404 / 409). */
export class SweepStateError extends Error {
  override name = 'SweepStateError';
  constructor(
    readonly reason: 'not-found' | 'not-failed',
    readonly sweepId: number,
  ) {
    super(reason === 'not-found' ? `sweep ${sweepId} not found` : `sweep ${sweepId} has not failed: only failed sweeps are retried`);
  }
}
