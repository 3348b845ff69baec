import { ErrorCode } from '@openwaas/sdk';
import { ApiError } from '../../errors/api-error.js';
import { emailLengthMax } from '../../limits.js';
import { isUniqueViolation } from '../../store/db.js';
import type { Merchant, User } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import { countMerchantUsers, findMerchantUser, findUserById, findUserWithAppId, insertUser, lockMerchant, updateUserFlags } from './repository.js';

const mobilePattern = /^\d{4,20}$/;
const countryPattern = /^\d{1,4}$/;

/**
 * Counts then inserts, so concurrent registrations must not interleave: the merchant row is
 * locked for the rest of the transaction (on SQLite the single writer serialises them).
 */
async function assertUnderLimit(tx: Db, merchant: Merchant): Promise<void> {
  await lockMerchant(tx, Number(merchant.id));
  if ((await countMerchantUsers(tx, Number(merchant.id))) >= merchant.user_limit) throw new ApiError(ErrorCode.RegistrationFailed, 'user limit reached');
}

export interface MobileRegistration {
  country: string;
  mobile: string;
  nowMs: number;
}

/** Registers a user by phone (#1): 110089 for a bad number, 110023 when taken. `tx` is an open transaction. */
export async function createUserByMobile(tx: Db, merchant: Merchant, input: MobileRegistration): Promise<User> {
  const country = input.country.replace(/^\+/, '');
  if (!countryPattern.test(country)) throw ApiError.invalid('country');
  if (!mobilePattern.test(input.mobile)) throw new ApiError(ErrorCode.InvalidMobile);
  await assertUnderLimit(tx, merchant);
  try {
    return await insertUser(tx, { merchant_id: Number(merchant.id), country, mobile: input.mobile, email: null, nickname: '', frozen: 0, at_risk: 0, created_at: input.nowMs });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ApiError(ErrorCode.MobileRegistered);
    throw e;
  }
}

export interface EmailRegistration {
  email: string;
  nowMs: number;
}

/** Registers a user by email or any unique account string ≤ 100 chars (#2). `tx` is an open transaction. */
export async function createUserByEmail(tx: Db, merchant: Merchant, input: EmailRegistration): Promise<User> {
  // Stored exactly as sent (docs/identifiers.md); the limit counts code points, as the API does.
  const email = input.email;
  if (email.length === 0 || [...email].length > emailLengthMax) throw ApiError.invalid('email');
  await assertUnderLimit(tx, merchant);
  try {
    return await insertUser(tx, { merchant_id: Number(merchant.id), country: null, mobile: null, email, nickname: '', frozen: 0, at_risk: 0, created_at: input.nowMs });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ApiError(ErrorCode.RegistrationFailed, 'email already registered');
    throw e;
  }
}

/** A merchant's user by uid, or 110065. */
export async function requireUser(db: Db, merchantId: number, uid: number): Promise<User> {
  const user = await findMerchantUser(db, { merchantId, uid });
  if (!user) throw new ApiError(ErrorCode.UserNotFound);
  return user;
}

/** Freezes / unfreezes a user or flags it at risk (operator action). */
export async function setUserFlags(db: Db, uid: number, flags: { frozen?: boolean; atRisk?: boolean }): Promise<User | undefined> {
  const set: { frozen?: number; at_risk?: number } = {};
  if (flags.frozen !== undefined) set.frozen = flags.frozen ? 1 : 0;
  if (flags.atRisk !== undefined) set.at_risk = flags.atRisk ? 1 : 0;
  if (Object.keys(set).length > 0) await updateUserFlags(db, uid, set);
  return findUserById(db, uid);
}

export { findUser, findUserById, findUserEmails, findUserWithAppId, usersAfter } from './repository.js';
