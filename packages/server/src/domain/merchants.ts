import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { parsePublicKey } from '@openwaas/sdk';
import { isSealed, sealedPrefix, DataKeyError, type DataKey, type DataKeySource } from '../keys/data-key.js';
import type { Db } from '../store/tx.js';
import type { Merchant } from '../store/schema.js';

/** Default cap on users per merchant. */
export const userLimitDefault = 50_000;

export interface CreateMerchantInput {
  name: string;
  /** The merchant's RSA public key (PEM or base64 DER); may be registered later. */
  merchantPublicKey?: string;
  notifyUrl?: string;
  confirmUrl?: string;
  ipAllowlist?: string[];
  autoCollect?: boolean;
  userLimit?: number;
  /** Fixed app_id (demo setups); random otherwise. */
  appId?: string;
  nowMs: number;
}

/** Normalises a merchant public key to SPKI PEM, refusing what does not parse. */
export function normaliseMerchantKey(key: string): string {
  return parsePublicKey(key, 'merchant public key').export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * The wallet private key's additional data: the column and the merchant's app_id (unique and
 * never changed), so a ciphertext copied onto another merchant's row does not open.
 */
const walletKeyAad = (appId: string) => `merchants.wallet_private_key:${appId}`;

/**
 * Creates a merchant with a fresh wallet key pair (RSA-2048) for its envelopes; the private key
 * is stored encrypted under the data key.
 */
export async function createMerchant(db: Db, keys: DataKeySource, input: CreateMerchantInput): Promise<Merchant> {
  const dataKey = await keys.dataKey();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const appId = input.appId ?? randomBytes(16).toString('hex');
  const row = await db
    .insertInto('merchants')
    .values({
      app_id: appId,
      name: input.name,
      wallet_private_key: dataKey.encrypt(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), walletKeyAad(appId)),
      wallet_public_key: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      merchant_public_key: input.merchantPublicKey ? normaliseMerchantKey(input.merchantPublicKey) : null,
      notify_url: input.notifyUrl ?? null,
      confirm_url: input.confirmUrl ?? null,
      ip_allowlist: JSON.stringify(input.ipAllowlist ?? []),
      auto_collect: input.autoCollect ? 1 : 0,
      user_limit: input.userLimit ?? userLimitDefault,
      active: 1,
      created_at: input.nowMs,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return row;
}

export interface UpdateMerchantInput {
  name?: string;
  merchantPublicKey?: string;
  notifyUrl?: string | null;
  confirmUrl?: string | null;
  ipAllowlist?: string[];
  autoCollect?: boolean;
  userLimit?: number;
  active?: boolean;
}

/** Changes a merchant's settings; returns the updated row or undefined when unknown. */
export async function updateMerchant(db: Db, appId: string, input: UpdateMerchantInput): Promise<Merchant | undefined> {
  const set: Partial<Record<string, unknown>> = {};
  if (input.name !== undefined) set.name = input.name;
  if (input.merchantPublicKey !== undefined) set.merchant_public_key = normaliseMerchantKey(input.merchantPublicKey);
  if (input.notifyUrl !== undefined) set.notify_url = input.notifyUrl;
  if (input.confirmUrl !== undefined) set.confirm_url = input.confirmUrl;
  if (input.ipAllowlist !== undefined) set.ip_allowlist = JSON.stringify(input.ipAllowlist);
  if (input.autoCollect !== undefined) set.auto_collect = input.autoCollect ? 1 : 0;
  if (input.userLimit !== undefined) set.user_limit = input.userLimit;
  if (input.active !== undefined) set.active = input.active ? 1 : 0;
  if (Object.keys(set).length > 0) await db.updateTable('merchants').set(set).where('app_id', '=', appId).execute();
  return findMerchantByAppId(db, appId);
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

/**
 * The merchant's wallet private key (PKCS#8 PEM), decrypted for sealing an envelope. Only this
 * module opens the column; a value that is not in the encrypted format is refused (start-up
 * encrypts what an earlier version left in plaintext).
 */
export async function merchantWalletKey(keys: DataKeySource, m: Pick<Merchant, 'app_id' | 'wallet_private_key'>): Promise<string> {
  if (!isSealed(m.wallet_private_key)) throw new DataKeyError(`merchant ${m.app_id}: the wallet key is not encrypted at rest; restart the service to encrypt it`);
  return (await keys.dataKey()).decrypt(m.wallet_private_key, walletKeyAad(m.app_id));
}

/**
 * Encrypts every wallet private key still stored in plaintext (rows written before secrets at
 * rest) and checks that one already encrypted value opens with `dataKey`. Each row is updated
 * only if it still holds the plaintext read, so two processes starting at once agree.
 * Returns how many rows it encrypted.
 */
export async function encryptPlaintextWalletKeys(db: Db, dataKey: DataKey): Promise<number> {
  const plain = await db.selectFrom('merchants').select(['id', 'app_id', 'wallet_private_key']).where('wallet_private_key', 'not like', `${sealedPrefix}%`).execute();
  for (const m of plain) {
    await db
      .updateTable('merchants')
      .set({ wallet_private_key: dataKey.encrypt(m.wallet_private_key, walletKeyAad(m.app_id)) })
      .where('id', '=', m.id)
      .where('wallet_private_key', '=', m.wallet_private_key)
      .execute();
  }
  const sample = await db.selectFrom('merchants').select(['app_id', 'wallet_private_key']).where('wallet_private_key', 'like', `${sealedPrefix}%`).orderBy('id').limit(1).executeTakeFirst();
  if (sample) dataKey.decrypt(sample.wallet_private_key, walletKeyAad(sample.app_id));
  return plain.length;
}

/** The merchant fields safe to show an operator (never the wallet private key). */
export function publicMerchantView(m: Merchant) {
  return {
    id: Number(m.id),
    app_id: m.app_id,
    name: m.name,
    rsa_wallet_pub: m.wallet_public_key,
    merchant_public_key: m.merchant_public_key,
    notify_url: m.notify_url,
    confirm_url: m.confirm_url,
    ip_allowlist: JSON.parse(m.ip_allowlist) as string[],
    auto_collect: m.auto_collect === 1,
    user_limit: m.user_limit,
    active: m.active === 1,
    created_at: Number(m.created_at),
  };
}
