/**
 * The merchants, users and data_keys tables: the only SQL that touches them. These tables hold
 * no amounts; rows cross as stored, their ids, flags and timestamps as numbers (the store parses
 * PostgreSQL bigint into numbers, SQLite answers numbers), and ids go in as numbers.
 */
import { sealedPrefix } from '../../keys/data-key.js';
import type { Merchant, MerchantTable, User, UserTable } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import type { Insertable, Updateable } from 'kysely';
import { lookupChunkMax } from '../../limits.js';

// ---- merchants ---------------------------------------------------------------------------------

export function insertMerchant(db: Db, values: Insertable<MerchantTable>): Promise<Merchant> {
  return db.insertInto('merchants').values(values).returningAll().executeTakeFirstOrThrow();
}

export async function updateMerchantByAppId(db: Db, appId: string, set: Updateable<MerchantTable>): Promise<void> {
  await db.updateTable('merchants').set(set).where('app_id', '=', appId).execute();
}

export function findMerchantByAppId(db: Db, appId: string): Promise<Merchant | undefined> {
  return db.selectFrom('merchants').selectAll().where('app_id', '=', appId).executeTakeFirst();
}

export function findMerchantById(db: Db, id: number): Promise<Merchant | undefined> {
  return db.selectFrom('merchants').selectAll().where('id', '=', id).executeTakeFirst();
}

export function listMerchants(db: Db): Promise<Merchant[]> {
  return db.selectFrom('merchants').selectAll().orderBy('id').execute();
}

/** Locks merchant `id` (FOR UPDATE) for the rest of the caller's transaction. */
export async function lockMerchant(db: Db, id: number): Promise<void> {
  await db.selectFrom('merchants').select('id').where('id', '=', id).forUpdate().execute();
}

export interface StoredWalletKey {
  id: number;
  appId: string;
  walletPrivateKey: string;
}

/** Merchants whose wallet private key is not in the encrypted format. */
export async function listPlaintextWalletKeys(db: Db): Promise<StoredWalletKey[]> {
  const rows = await db.selectFrom('merchants').select(['id', 'app_id', 'wallet_private_key']).where('wallet_private_key', 'not like', `${sealedPrefix}%`).execute();
  return rows.map((r) => ({ id: Number(r.id), appId: r.app_id, walletPrivateKey: r.wallet_private_key }));
}

/** Replaces merchant `id`'s wallet private key only if it still holds `expected`. */
export async function replaceWalletKey(db: Db, input: { id: number; expected: string; replacement: string }): Promise<void> {
  await db.updateTable('merchants').set({ wallet_private_key: input.replacement }).where('id', '=', input.id).where('wallet_private_key', '=', input.expected).execute();
}

/** The first merchant whose wallet private key is encrypted, or undefined. */
export async function firstSealedWalletKey(db: Db): Promise<Omit<StoredWalletKey, 'id'> | undefined> {
  const row = await db.selectFrom('merchants').select(['app_id', 'wallet_private_key']).where('wallet_private_key', 'like', `${sealedPrefix}%`).orderBy('id').limit(1).executeTakeFirst();
  return row && { appId: row.app_id, walletPrivateKey: row.wallet_private_key };
}

// ---- users ------------------------------------------------------------------------------------

export async function countMerchantUsers(db: Db, merchantId: number): Promise<number> {
  const { count } = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('merchant_id', '=', merchantId)
    .executeTakeFirstOrThrow();
  return Number(count);
}

export function insertUser(db: Db, values: Insertable<UserTable>): Promise<User> {
  return db.insertInto('users').values(values).returningAll().executeTakeFirstOrThrow();
}

export function findUserById(db: Db, uid: number): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', uid).executeTakeFirst();
}

/** The emails of users `uids` (one query per lookupChunkMax ids); unknown ids are left out. */
export async function findUserEmails(db: Db, uids: readonly number[]): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  const ids = [...new Set(uids)];
  for (let i = 0; i < ids.length; i += lookupChunkMax) {
    const rows = await db.selectFrom('users').select(['id', 'email']).where('id', 'in', ids.slice(i, i + lookupChunkMax)).execute();
    for (const r of rows) out.set(Number(r.id), r.email ?? '');
  }
  return out;
}

export function findMerchantUser(db: Db, key: { merchantId: number; uid: number }): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', key.uid).where('merchant_id', '=', key.merchantId).executeTakeFirst();
}

/** A user with its merchant's app_id. */
export function findUserWithAppId(db: Db, uid: number): Promise<(User & { app_id: string }) | undefined> {
  return db
    .selectFrom('users')
    .innerJoin('merchants', 'merchants.id', 'users.merchant_id')
    .selectAll('users')
    .select('merchants.app_id')
    .where('users.id', '=', uid)
    .executeTakeFirst();
}

export async function updateUserFlags(db: Db, uid: number, set: { frozen?: number; at_risk?: number }): Promise<void> {
  await db.updateTable('users').set(set).where('id', '=', uid).execute();
}

/** A merchant's users after `maxId`, ascending. */
export function usersAfter(db: Db, q: { merchantId: number; maxId: number; limit: number }): Promise<User[]> {
  return db.selectFrom('users').selectAll().where('merchant_id', '=', q.merchantId).where('id', '>', q.maxId).orderBy('id').limit(q.limit).execute();
}

/** A merchant's user by its exact email (or "virtual account" string), or by country and mobile. */
export function findUser(db: Db, merchantId: number, by: { email: string } | { country: string; mobile: string }): Promise<User | undefined> {
  let query = db.selectFrom('users').selectAll().where('merchant_id', '=', merchantId);
  query = 'email' in by ? query.where('email', '=', by.email) : query.where('country', '=', by.country).where('mobile', '=', by.mobile);
  return query.executeTakeFirst();
}

// ---- data keys --------------------------------------------------------------------------------

export async function insertDataKeyIfMissing(db: Db, input: { keyId: string; nowMs: number }): Promise<void> {
  await db.insertInto('data_keys').values({ key_id: input.keyId, created_at: input.nowMs }).onConflict((oc) => oc.column('key_id').doNothing()).execute();
}

/** Ids of the recorded data keys other than `keyId`. */
export async function otherDataKeyIds(db: Db, keyId: string): Promise<string[]> {
  const rows = await db.selectFrom('data_keys').select('key_id').where('key_id', '!=', keyId).execute();
  return rows.map((r) => r.key_id);
}

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
export function findNotifyRecipient(db: Db, id: number): Promise<Pick<Merchant, 'app_id' | 'notify_url' | 'wallet_private_key' | 'callback_profile'> | undefined> {
  return db.selectFrom('merchants').select(['app_id', 'notify_url', 'wallet_private_key', 'callback_profile']).where('id', '=', id).executeTakeFirst();
}

/** Ids of merchants with a notify_url (a subquery for the notifier's claim; not executed here). */
export function merchantsWithNotifyUrlQuery(db: Db) {
  return db.selectFrom('merchants').select('id').where('notify_url', 'is not', null).where('notify_url', '<>', '');
}


// ---- wallet key rotation -----------------------------------------------------------------------

/** Replaces merchant `appId`'s wallet key pair (the private key already sealed); the row as written, or undefined when unknown. */
export function setWalletKeyPair(db: Db, input: { appId: string; sealedPrivateKey: string; publicKeyPem: string }): Promise<Merchant | undefined> {
  return db
    .updateTable('merchants')
    .set({ wallet_private_key: input.sealedPrivateKey, wallet_public_key: input.publicKeyPem })
    .where('app_id', '=', input.appId)
    .returningAll()
    .executeTakeFirst();
}
