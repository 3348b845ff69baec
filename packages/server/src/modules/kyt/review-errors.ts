import { AdminError } from '../../errors/admin-errors.js';
import { reasonHistoryLengthMax, reviewReasonLengthMax } from '../../limits.js';

export { reviewReasonLengthMax };

/** Which kind of record a KYT decision is about. */
export type ReviewSide = 'deposit' | 'withdrawal';

/**
 * An operator's KYT decision does not fit the record: it does not exist (404 not_found) or
 * is not held for screening or review any more (409 conflict, e.g. another operator or the
 * KYT loop decided first). Being an AdminError, the operator API and CLI answer it as such.
 */
export class ReviewStateError extends AdminError {
  override name = 'ReviewStateError';
  constructor(
    readonly side: ReviewSide,
    readonly recordId: number,
    /** The record's status when the decision was refused (undefined when not found). */
    readonly recordStatus?: number,
  ) {
    super(
      recordStatus === undefined ? 'not_found' : 'conflict',
      recordStatus === undefined ? `${side} ${recordId} not found` : `${side} ${recordId} is not held for KYT (status ${recordStatus})`,
    );
  }
}

/** A reason for a rejection: required, one line, bounded. */
export function checkRejectReason(reason: string): string {
  const text = reason.replace(/\s+/g, ' ').trim();
  if (text === '') throw AdminError.invalid('a reason is required to reject');
  if (text.length > reviewReasonLengthMax) throw AdminError.invalid(`reason is longer than ${reviewReasonLengthMax} characters`);
  return text;
}

/** Appends a note to a record's reason history ("held: x; released by operator"). */
export function appendReason(previous: string, note: string): string {
  const text = previous === '' ? note : `${previous}; ${note}`;
  return text.length > reasonHistoryLengthMax ? text.slice(text.length - reasonHistoryLengthMax) : text;
}
