/**
 * The outbox as the delivery worker (workers/notifier.ts) uses it: due rows are leased
 * (`lease_until`) by a conditional UPDATE (on PostgreSQL through a FOR UPDATE SKIP LOCKED
 * subselect), so two workers never hold a row together and a crashed worker's rows are taken
 * over when their lease runs out; an outcome is written only while the lease is still ours.
 */
import type { Merchant, NotificationRow } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
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
}

/** Where merchant `merchantId`'s notifications go; undefined while it has no notify_url. */
export async function findRecipient(db: Db, merchantId: number): Promise<Recipient | undefined> {
  const m = await findNotifyRecipient(db, merchantId);
  if (!m?.notify_url) return undefined;
  return { appId: m.app_id, notifyUrl: m.notify_url, walletKey: m };
}
