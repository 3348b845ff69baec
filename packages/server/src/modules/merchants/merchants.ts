import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Updateable } from 'kysely';
import { parsePublicKey } from '@openwaas/sdk';
import type { DataKeySource } from '../../keys/data-key.js';
import { merchantUsersDefaultMax } from '../../limits.js';
import type { CallbackProfile, Merchant, MerchantTable } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import { findMerchantByAppId, findMerchantById, insertMerchant, updateMerchantByAppId } from './repository.js';
import { walletKeyAad } from './wallet-keys.js';

/** Default cap on users per merchant. */
export const userLimitDefault = merchantUsersDefaultMax;

/**
 * How the integer fields of the callbacks sent to a merchant are typed in their JSON:
 * 'strings' as the seeds (the default), 'numbers' for clients that decode them into integers.
 */
export const callbackProfiles = ['strings', 'numbers'] as const satisfies readonly CallbackProfile[];
export type { CallbackProfile };

export interface CreateMerchantInput {
  name: string;
  /** The merchant's RSA public key (PEM or base64 DER); may be registered later. */
  merchantPublicKey?: string;
  notifyUrl?: string;
  confirmUrl?: string;
  ipAllowlist?: string[];
  autoCollect?: boolean;
  userLimit?: number;
  /** JSON type of the callbacks' integer fields (default 'strings'). */
  callbackProfile?: CallbackProfile;
  /** Fixed app_id (demo setups); random otherwise. */
  appId?: string;
  nowMs: number;
}

/** Normalises a merchant public key to SPKI PEM, refusing what does not parse. */
export function normaliseMerchantKey(key: string): string {
  return parsePublicKey(key, 'merchant public key').export({ type: 'spki', format: 'pem' }).toString();
}

/**
 * Creates a merchant with a fresh wallet key pair (RSA-2048) for its envelopes; the private key
 * is stored encrypted under the data key.
 */
export async function createMerchant(db: Db, keys: DataKeySource, input: CreateMerchantInput): Promise<Merchant> {
  const dataKey = await keys.dataKey();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const appId = input.appId ?? randomBytes(16).toString('hex');
  return insertMerchant(db, {
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
    ...(input.callbackProfile !== undefined ? { callback_profile: input.callbackProfile } : {}),
    created_at: input.nowMs,
  });
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
  callbackProfile?: CallbackProfile;
}

/** Changes a merchant's settings; returns the updated row or undefined when unknown. */
export async function updateMerchant(db: Db, appId: string, input: UpdateMerchantInput): Promise<Merchant | undefined> {
  const set: Updateable<MerchantTable> = {};
  if (input.name !== undefined) set.name = input.name;
  if (input.merchantPublicKey !== undefined) set.merchant_public_key = normaliseMerchantKey(input.merchantPublicKey);
  if (input.notifyUrl !== undefined) set.notify_url = input.notifyUrl;
  if (input.confirmUrl !== undefined) set.confirm_url = input.confirmUrl;
  if (input.ipAllowlist !== undefined) set.ip_allowlist = JSON.stringify(input.ipAllowlist);
  if (input.autoCollect !== undefined) set.auto_collect = input.autoCollect ? 1 : 0;
  if (input.userLimit !== undefined) set.user_limit = input.userLimit;
  if (input.active !== undefined) set.active = input.active ? 1 : 0;
  if (input.callbackProfile !== undefined) set.callback_profile = input.callbackProfile;
  if (Object.keys(set).length > 0) await updateMerchantByAppId(db, appId, set);
  return findMerchantByAppId(db, appId);
}

/** Whether merchant `id` collects its users' incoming funds into its collection account. */
export async function merchantAutoCollects(db: Db, id: number): Promise<boolean> {
  const merchant = await findMerchantById(db, id);
  if (!merchant) throw new Error(`merchant ${id} does not exist`);
  return merchant.auto_collect === 1;
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
    callback_profile: m.callback_profile,
    created_at: Number(m.created_at),
  };
}
