import type { Db } from '../../store/tx.js';
import { findFourEyesEngagedAt, markFourEyesEngaged } from './repository.js';

/** When four eyes for admin changes were first engaged; undefined while never. */
export function fourEyesEngagedAt(db: Db): Promise<number | undefined> {
  return findFourEyesEngagedAt(db);
}

/** Records that four eyes are engaged (two enabled admins seen); they stay engaged from then on. */
export function noteFourEyesEngaged(db: Db, nowMs: number): Promise<void> {
  return markFourEyesEngaged(db, nowMs);
}
