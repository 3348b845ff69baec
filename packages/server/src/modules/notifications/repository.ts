/**
 * The only SQL on the notifications tables: the outbox, enqueued with the status change it
 * reports, leased and recorded by the delivery worker, listed and re-queued by operators; and
 * notification_attempts, one row per delivery attempt. The tables hold no amount columns (a
 * payload's amounts are already the decimal strings the merchant receives, inside its JSON);
 * rows cross as stored, ids and times as numbers, and ids go in as numbers.
 */
import { sql } from 'kysely';
import type { NotificationAttemptRow, NotificationRow } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import { merchantsWithNotifyUrlQuery } from '../merchants/index.js';

export async function insertNotification(
  db: Db,
  input: { merchantId: number; side: 'deposit' | 'withdraw'; recordId: number; payload: string; nowMs: number },
): Promise<number> {
  const row = await db
    .insertInto('notifications')
    .values({
      merchant_id: input.merchantId,
      side: input.side,
      record_id: input.recordId,
      payload: input.payload,
      state: 'pending',
      attempts: 0,
      next_attempt_at: input.nowMs,
      lease_until: 0,
      last_error: '',
      created_at: input.nowMs,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** The notification with `id`. */
export function findNotification(db: Db, id: number): Promise<NotificationRow | undefined> {
  return db.selectFrom('notifications').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Notifications in id order above `afterId`, filtered by state and merchant, at most `limit`. */
export function listNotificationRows(db: Db, input: { afterId: number; limit: number; state?: NotificationRow['state']; merchantId?: number }): Promise<NotificationRow[]> {
  let q = db.selectFrom('notifications').selectAll().where('id', '>', input.afterId);
  if (input.state) q = q.where('state', '=', input.state);
  if (input.merchantId !== undefined) q = q.where('merchant_id', '=', input.merchantId);
  return q.orderBy('id').limit(input.limit).execute();
}

/** Ids of failed notifications above `afterId` (of one merchant, or all), at most `limit`. */
export async function listFailedNotificationIds(db: Db, input: { afterId: number; limit: number; merchantId?: number }): Promise<number[]> {
  let q = db.selectFrom('notifications').select('id').where('state', '=', 'failed').where('id', '>', input.afterId);
  if (input.merchantId !== undefined) q = q.where('merchant_id', '=', input.merchantId);
  return (await q.orderBy('id').limit(input.limit).execute()).map((r) => Number(r.id));
}

/** Makes a pending notification due at `nowMs` (a delivery in flight keeps its lease). */
export async function makeNotificationDue(db: Db, input: { id: number; nowMs: number }): Promise<void> {
  await db.updateTable('notifications').set({ next_attempt_at: input.nowMs }).where('id', '=', input.id).where('state', '=', 'pending').execute();
}

/** Re-queues notifications `ids` still in `fromState`: pending, due now, attempts reset. How many changed. */
export async function requeueNotifications(db: Db, input: { ids: readonly number[]; fromState: NotificationRow['state']; nowMs: number }): Promise<number> {
  if (input.ids.length === 0) return 0;
  const result = await db
    .updateTable('notifications')
    .set({ state: 'pending', attempts: 0, next_attempt_at: input.nowMs, lease_until: 0, last_error: '', delivered_at: null })
    .where('id', 'in', [...input.ids])
    .where('state', '=', input.fromState)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Counts by state (of one merchant, or all). */
export async function countNotificationsByState(db: Db, merchantId?: number): Promise<Array<{ state: NotificationRow['state']; n: number }>> {
  let q = db.selectFrom('notifications').select(['state', (eb) => eb.fn.countAll<number | string>().as('n')]).groupBy('state');
  if (merchantId !== undefined) q = q.where('merchant_id', '=', merchantId);
  return (await q.execute()).map((r) => ({ state: r.state, n: Number(r.n) }));
}

/**
 * Due pending rows of merchants with a notify_url, ranked per merchant (at most `perMerchantMax`
 * each, so a merchant with a large backlog fills only its own slots), merchants in `excluded`
 * left out; soonest first, at most `limit`.
 */
export async function listDeliveryCandidates(
  db: Db,
  input: { nowMs: number; perMerchantMax: number; excluded: readonly number[]; limit: number },
): Promise<Array<{ id: number; merchantId: number }>> {
  const { nowMs } = input;
  const excluded = input.excluded.length > 0 ? sql`and n.merchant_id not in (${sql.join([...input.excluded])})` : sql``;
  const candidates = await sql<{ id: number | string; merchant_id: number | string }>`
    select id, merchant_id from (
      select n.id, n.merchant_id, n.next_attempt_at,
        row_number() over (partition by n.merchant_id order by n.next_attempt_at, n.id) as rn
      from notifications n
      where n.state = 'pending' and n.next_attempt_at <= ${nowMs} and n.lease_until < ${nowMs}
        and n.merchant_id in (${merchantsWithNotifyUrlQuery(db)}) ${excluded}
    ) ranked
    where rn <= ${input.perMerchantMax}
    order by next_attempt_at, id
    limit ${input.limit}`.execute(db);
  return candidates.rows.map((c) => ({ id: Number(c.id), merchantId: Number(c.merchant_id) }));
}

/**
 * Leases the rows `ids` still pending and due until `leaseUntil`; the rows leased. Rows another
 * process is claiming at the same moment are skipped instead of waited for.
 */
export function leaseNotifications(db: Db, input: { ids: readonly number[]; nowMs: number; leaseUntil: number }): Promise<NotificationRow[]> {
  const due = db
    .selectFrom('notifications')
    .select('id')
    .where('id', 'in', [...input.ids])
    .where('state', '=', 'pending')
    .where('next_attempt_at', '<=', input.nowMs)
    .where('lease_until', '<', input.nowMs)
    .forUpdate()
    .skipLocked();
  return db.updateTable('notifications').set({ lease_until: input.leaseUntil }).where('id', 'in', due).returningAll().execute();
}

/** The outcome of a delivery, written only while the lease `leaseUntil` is still held; false when it had passed on. */
export async function recordDeliveryOutcome(
  db: Db,
  input: {
    id: number;
    leaseUntil: number;
    set:
      | { state: 'delivered'; attempts: number; delivered_at: number; lease_until: 0; last_error: '' }
      | { state: 'failed'; attempts: number; lease_until: 0; last_error: string }
      | { attempts: number; next_attempt_at: number; lease_until: 0; last_error: string };
  },
): Promise<boolean> {
  const result = await db
    .updateTable('notifications')
    .set(input.set)
    .where('id', '=', input.id)
    .where('state', '=', 'pending')
    .where('lease_until', '=', input.leaseUntil)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Gives a leased row back untouched (no attempt counted), if the lease is still `leaseUntil`. */
export async function releaseNotificationLease(db: Db, input: { id: number; leaseUntil: number }): Promise<void> {
  await db.updateTable('notifications').set({ lease_until: 0 }).where('id', '=', input.id).where('state', '=', 'pending').where('lease_until', '=', input.leaseUntil).execute();
}

// ---- notification_attempts: every delivery attempt ----------------------------------------------

/**
 * Appends one delivery attempt of notification `notificationId`, numbered after its last one
 * (a resend goes on counting), and drops its attempts older than the newest `keptMax`.
 * Returns the attempt's number.
 */
export async function insertNotificationAttempt(
  db: Db,
  input: { notificationId: number; atMs: number; httpStatus: number | null; answerExcerpt: string; error: string; durationMs: number; keptMax: number },
): Promise<number> {
  const last = await db
    .selectFrom('notification_attempts')
    .select((eb) => eb.fn.max('attempt').as('n'))
    .where('notification_id', '=', input.notificationId)
    .executeTakeFirst();
  const attempt = Number(last?.n ?? 0) + 1;
  await db
    .insertInto('notification_attempts')
    .values({
      notification_id: input.notificationId,
      attempt,
      at_ms: input.atMs,
      http_status: input.httpStatus,
      answer_excerpt: input.answerExcerpt,
      error: input.error,
      duration_ms: input.durationMs,
    })
    .execute();
  await db.deleteFrom('notification_attempts').where('notification_id', '=', input.notificationId).where('attempt', '<=', attempt - input.keptMax).execute();
  return attempt;
}

/** The attempts of notification `notificationId`, oldest first. */
export function listNotificationAttemptRows(db: Db, notificationId: number): Promise<NotificationAttemptRow[]> {
  return db.selectFrom('notification_attempts').selectAll().where('notification_id', '=', notificationId).orderBy('attempt').execute();
}

/**
 * Notifications created in [fromMs, toMs), counted per UTC day (day = floor(created_at / 86400000))
 * and state: one row per day and state that has any.
 */
export async function countNotificationsPerDay(db: Db, input: { fromMs: number; toMs: number }): Promise<Array<{ day: number; state: NotificationRow['state']; n: number }>> {
  const day = sql<number | string>`(created_at - (created_at % 86400000)) / 86400000`;
  const rows = await db
    .selectFrom('notifications')
    .select([day.as('day'), 'state', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('created_at', '>=', input.fromMs)
    .where('created_at', '<', input.toMs)
    .groupBy([day, 'state'])
    .execute();
  return rows.map((r) => ({ day: Number(r.day), state: r.state, n: Number(r.n) }));
}

/** The notifications of one record (its status changes, oldest first), at most `limit`. */
export function listNotificationsOfRecord(db: Db, input: { side: NotificationRow['side']; recordId: number; limit: number }): Promise<NotificationRow[]> {
  return db.selectFrom('notifications').selectAll().where('side', '=', input.side).where('record_id', '=', input.recordId).orderBy('id').limit(input.limit).execute();
}

/** Notifications in `state`, counted up to `countMax` (a bounded read on the state index: the metrics scrape). */
export async function countNotificationsInStateUpTo(db: Db, input: { state: NotificationRow['state']; countMax: number }): Promise<number> {
  const capped = db.selectFrom('notifications').select('id').where('state', '=', input.state).limit(input.countMax).as('capped');
  const row = await db.selectFrom(capped).select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirst();
  return Number(row?.n ?? 0);
}

/** When the oldest pending notification was enqueued (ms); undefined when none is pending. */
export async function oldestPendingCreatedAt(db: Db): Promise<number | undefined> {
  const row = await db.selectFrom('notifications').select('created_at').where('state', '=', 'pending').orderBy('created_at').limit(1).executeTakeFirst();
  return row === undefined ? undefined : Number(row.created_at);
}
