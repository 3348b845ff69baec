/**
 * The outbox as the delivery worker (workers/notifier.ts) uses it: due rows are leased
 * (`lease_until`) by a conditional UPDATE (on PostgreSQL through a FOR UPDATE SKIP LOCKED
 * subselect), so two workers never hold a row together and a crashed worker's rows are taken
 * over when their lease runs out; an outcome is written only while the lease is still ours.
 */
import type { CallbackProfile, Merchant, NotificationRow } from '../../store/schema.js';
import { inTransaction, type Db } from '../../store/tx.js';
import type { Store } from '../../store/db.js';
import { notifyAnswerExcerptBytesMax, notifyAttemptsKeptMax, notifyErrorLengthMax } from '../../limits.js';
import { findNotifyRecipient } from '../merchants/index.js';
import * as repo from './repository.js';

/** Due rows worth claiming: per merchant at most `perMerchantMax`, merchants in `excluded` (saturated) left out. */
export function findDeliveryCandidates(db: Db, input: { nowMs: number; perMerchantMax: number; excluded: readonly number[]; limit: number }): Promise<Array<{ id: number; merchantId: number }>> {
  return repo.listDeliveryCandidates(db, input);
}

/** Leases `ids` (those still due) until `leaseUntil`; the rows now ours. */
export function leaseDueNotifications(db: Db, input: { ids: readonly number[]; nowMs: number; leaseUntil: number }): Promise<NotificationRow[]> {
  return repo.leaseNotifications(db, input);
}

/** What one delivery attempt leaves on its row. */
export type DeliveryOutcome =
  | { kind: 'delivered'; attempts: number; nowMs: number }
  | { kind: 'failed'; attempts: number; error: string }
  | { kind: 'retry'; attempts: number; nextAttemptAtMs: number; error: string };

/** What one POST to a merchant gave: its answer (status, body) if one came, the error if it failed. */
export interface AttemptRecord {
  atMs: number;
  /** null: no answer (refused, timed out, not sent at all). */
  httpStatus: number | null;
  /** The answer's body as read (cut to notifyAnswerExcerptBytesMax bytes here). */
  answer: string;
  /** '' when delivered (cut to notifyErrorLengthMax characters here). */
  error: string;
  durationMs: number;
}

/** `text` cut to its first `bytesMax` bytes of UTF-8, never in the middle of a character. */
export function utf8Prefix(text: string, bytesMax: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= bytesMax) return text;
  let end = bytesMax;
  // Step back over continuation bytes (10xxxxxx) to the start of the cut character.
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

/** A merchant's text as stored: NUL, which a text column cannot hold, becomes U+FFFD. */
const storable = (text: string) => text.replace(/\u0000/g, '\uFFFD');

/** A failure's text as the outbox row and the attempt log keep it: at most notifyErrorLengthMax characters. */
export function boundedError(text: string): string {
  const bounded = text.length > notifyErrorLengthMax ? text.slice(0, notifyErrorLengthMax - 1) + '…' : text;
  return storable(bounded);
}

/**
 * Appends one delivery attempt to the log of notification `id` (notification_attempts). Every
 * attempt is kept, also one whose outcome could not be written because the lease had passed on,
 * and one cut short by a stopping worker (it counts no attempt on the row, but the request went
 * out). At most notifyAttemptsKeptMax per notification stay (the oldest go first).
 */
export function logDeliveryAttempt(db: Db, id: number, attempt: AttemptRecord): Promise<number> {
  return repo.insertNotificationAttempt(db, {
    notificationId: id,
    atMs: attempt.atMs,
    httpStatus: attempt.httpStatus,
    answerExcerpt: utf8Prefix(storable(attempt.answer), notifyAnswerExcerptBytesMax),
    error: boundedError(attempt.error),
    durationMs: Math.max(0, Math.round(attempt.durationMs)),
    keptMax: notifyAttemptsKeptMax,
  });
}

/**
 * Records an attempt's outcome on the row (if the lease is still ours) and appends the attempt
 * to its log, in one transaction; false when another worker owns the row now (the attempt is
 * logged all the same: it was made).
 */
export function recordDeliveryAttempt(store: Store, input: { id: number; leaseUntil: number; outcome: DeliveryOutcome; attempt: AttemptRecord }): Promise<boolean> {
  return inTransaction(store, async (tx) => {
    const recorded = await recordDelivery(tx, input);
    await logDeliveryAttempt(tx, input.id, input.attempt);
    return recorded;
  });
}

/** Records an attempt's outcome if the lease is still ours; false when another worker owns the row now. */
export function recordDelivery(db: Db, input: { id: number; leaseUntil: number; outcome: DeliveryOutcome }): Promise<boolean> {
  const o = input.outcome;
  const set =
    o.kind === 'delivered'
      ? { state: 'delivered' as const, attempts: o.attempts, delivered_at: o.nowMs, lease_until: 0 as const, last_error: '' as const }
      : o.kind === 'failed'
        ? { state: 'failed' as const, attempts: o.attempts, lease_until: 0 as const, last_error: o.error }
        : { attempts: o.attempts, next_attempt_at: o.nextAttemptAtMs, lease_until: 0 as const, last_error: o.error };
  return repo.recordDeliveryOutcome(db, { id: input.id, leaseUntil: input.leaseUntil, set });
}

/** Gives a row back untouched (no attempt counted), e.g. when stopping mid-delivery. */
export function releaseDelivery(db: Db, input: { id: number; leaseUntil: number }): Promise<void> {
  return repo.releaseNotificationLease(db, input);
}

/** Merchant fields a delivery needs; the wallet private key stays encrypted until sealing. */
export interface Recipient {
  appId: string;
  notifyUrl: string;
  walletKey: Pick<Merchant, 'app_id' | 'wallet_private_key'>;
  /** How the payload's integer fields are typed when it is sent (applyCallbackProfile). */
  callbackProfile: CallbackProfile;
}

/** Where merchant `merchantId`'s notifications go; undefined while it has no notify_url. */
export async function findRecipient(db: Db, merchantId: number): Promise<Recipient | undefined> {
  const m = await findNotifyRecipient(db, merchantId);
  if (!m?.notify_url) return undefined;
  return { appId: m.app_id, notifyUrl: m.notify_url, walletKey: m, callbackProfile: m.callback_profile };
}
