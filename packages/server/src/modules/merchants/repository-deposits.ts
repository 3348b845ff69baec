/**
 * Queries on merchants and users the deposits, notifications and KYT modules need (folded
 * into merchants/repository.ts at merge).
 */
import type { Merchant, User } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';

/** The app_id of merchant `id` (which exists: records reference it). */
export async function merchantAppId(db: Db, id: number): Promise<string> {
  const m = await db.selectFrom('merchants').select('app_id').where('id', '=', id).executeTakeFirstOrThrow();
  return m.app_id;
}

/** app_id and notify_url of the merchants `ids`. */
export async function merchantNotifyTargets(db: Db, ids: readonly number[]): Promise<Map<number, { appId: string; notifyUrl: string | null }>> {
  const out = new Map<number, { appId: string; notifyUrl: string | null }>();
  const unique = [...new Set(ids)];
  if (unique.length === 0) return out;
  const rows = await db.selectFrom('merchants').select(['id', 'app_id', 'notify_url']).where('id', 'in', unique).execute();
  for (const r of rows) out.set(Number(r.id), { appId: r.app_id, notifyUrl: r.notify_url });
  return out;
}

/** What a notification delivery to merchant `id` needs; the wallet key stays encrypted. */
export function findNotifyRecipient(db: Db, id: number): Promise<Pick<Merchant, 'app_id' | 'notify_url' | 'wallet_private_key'> | undefined> {
  return db.selectFrom('merchants').select(['app_id', 'notify_url', 'wallet_private_key']).where('id', '=', id).executeTakeFirst();
}

/** Ids of merchants with a notify_url (a subquery for the notifier's claim; not executed here). */
export function merchantsWithNotifyUrlQuery(db: Db) {
  return db.selectFrom('merchants').select('id').where('notify_url', 'is not', null).where('notify_url', '<>', '');
}

/** The user with `id`. */
export function findUserById(db: Db, id: number): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}
