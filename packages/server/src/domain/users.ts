import { ErrorCode } from '@openwaas/sdk';
import type { Db, Tx } from '../store/tx.js';
import type { Merchant, User } from '../store/schema.js';
import type { DialectName } from '../store/dialect.js';
import { isUniqueViolation } from '../store/db.js';
import { ApiError } from './api-error.js';

const mobilePattern = /^\d{4,20}$/;
const countryPattern = /^\d{1,4}$/;
/** "Virtual account" strings are up to 100 characters (API.md #2). */
const emailLengthMax = 100;

/**
 * Counts then inserts, so concurrent registrations must not interleave: on PostgreSQL the
 * merchant row is locked for the rest of the transaction (SQLite serialises transactions).
 */
async function assertUnderLimit(tx: Tx, dialect: DialectName, merchant: Merchant): Promise<void> {
  if (dialect === 'postgres') {
    await tx.selectFrom('merchants').select('id').where('id', '=', Number(merchant.id)).forUpdate().execute();
  }
  const { count } = await tx
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number | string>().as('count'))
    .where('merchant_id', '=', Number(merchant.id))
    .executeTakeFirstOrThrow();
  if (Number(count) >= merchant.user_limit) throw new ApiError(ErrorCode.RegistrationFailed, 'user limit reached');
}

/** Registers a user by phone (#1): 110089 for a bad number, 110023 when taken. */
export async function createUserByMobile(tx: Tx, merchant: Merchant, input: { country: string; mobile: string; nowMs: number; dialect: DialectName }): Promise<User> {
  const country = input.country.replace(/^\+/, '');
  if (!countryPattern.test(country)) throw ApiError.invalid('country');
  if (!mobilePattern.test(input.mobile)) throw new ApiError(ErrorCode.InvalidMobile);
  await assertUnderLimit(tx, input.dialect, merchant);
  try {
    return await tx
      .insertInto('users')
      .values({ merchant_id: Number(merchant.id), country, mobile: input.mobile, email: null, nickname: '', frozen: 0, at_risk: 0, created_at: input.nowMs })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (e) {
    if (isUniqueViolation(e)) throw new ApiError(ErrorCode.MobileRegistered);
    throw e;
  }
}

/** Registers a user by email or any unique account string ≤ 100 chars (#2). */
export async function createUserByEmail(tx: Tx, merchant: Merchant, input: { email: string; nowMs: number; dialect: DialectName }): Promise<User> {
  // Stored exactly as sent (docs/identifiers.md); the limit counts code points, as the API does.
  const email = input.email;
  if (email.length === 0 || [...email].length > emailLengthMax) throw ApiError.invalid('email');
  await assertUnderLimit(tx, input.dialect, merchant);
  try {
    return await tx
      .insertInto('users')
      .values({ merchant_id: Number(merchant.id), country: null, mobile: null, email, nickname: '', frozen: 0, at_risk: 0, created_at: input.nowMs })
      .returningAll()
      .executeTakeFirstOrThrow();
  } catch (e) {
    if (isUniqueViolation(e)) throw new ApiError(ErrorCode.RegistrationFailed, 'email already registered');
    throw e;
  }
}

/** A merchant's user by uid, or 110065. */
export async function requireUser(db: Db, merchantId: number, uid: number): Promise<User> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', uid).where('merchant_id', '=', merchantId).executeTakeFirst();
  if (!user) throw new ApiError(ErrorCode.UserNotFound);
  return user;
}

/** Freezes / unfreezes a user or flags it at risk (operator action). */
export async function setUserFlags(db: Db, uid: number, flags: { frozen?: boolean; atRisk?: boolean }): Promise<User | undefined> {
  const set: { frozen?: number; at_risk?: number } = {};
  if (flags.frozen !== undefined) set.frozen = flags.frozen ? 1 : 0;
  if (flags.atRisk !== undefined) set.at_risk = flags.atRisk ? 1 : 0;
  if (Object.keys(set).length > 0) await db.updateTable('users').set(set).where('id', '=', uid).execute();
  return db.selectFrom('users').selectAll().where('id', '=', uid).executeTakeFirst();
}
