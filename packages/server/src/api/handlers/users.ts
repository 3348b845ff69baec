import { ErrorCode } from '@openwaas/sdk';
import { ApiError } from '../../errors/api-error.js';
import { findUser, usersAfter } from '../../modules/merchants/index.js';
import { createUserByEmail, createUserByMobile } from '../../modules/merchants/index.js';
import type { User } from '../../store/schema.js';
import { inTransaction } from '../../store/tx.js';
import { identifierField, maxIdField } from '../fields.js';
import type { Handler } from '../handler.js';
import { countryLengthMax, emailLengthMax, mobileLengthMax } from '../../limits.js';
import { pageSizeMax } from './common.js';

/** #1 Registers a user by phone: 110089 bad number, 110023 taken, 110101 at the user limit. */
export const createUser: Handler<'createUser'> = async (ctx, { merchant, fields }) => {
  const country = identifierField(fields, 'country', { max: countryLengthMax });
  const mobile = identifierField(fields, 'mobile', { max: mobileLengthMax });
  const user = await inTransaction(ctx.store, (tx) => createUserByMobile(tx, merchant, { country, mobile, nowMs: ctx.clock.nowMs() }));
  return { uid: Number(user.id) };
};

/** #2 Registers a user by email or any unique "virtual account" string (≤ 100 code points), stored exactly as sent. */
export const registerEmail: Handler<'registerEmail'> = async (ctx, { merchant, fields }) => {
  const email = identifierField(fields, 'email', { max: emailLengthMax });
  const user = await inTransaction(ctx.store, (tx) => createUserByEmail(tx, merchant, { email, nowMs: ctx.clock.nowMs() }));
  return { uid: Number(user.id) };
};

/** #3 Looks a user up by `email`, or by `country` + `mobile`; 110065 when none. */
export const getUserInfo: Handler<'getUserInfo'> = async (ctx, { merchant, fields }) => {
  const email = identifierField(fields, 'email', { max: emailLengthMax, optional: true });
  const by =
    email !== undefined
      ? { email }
      : { country: identifierField(fields, 'country', { max: countryLengthMax }).replace(/^\+/, ''), mobile: identifierField(fields, 'mobile', { max: mobileLengthMax }) };
  const user = await findUser(ctx.store.db, Number(merchant.id), by);
  if (!user) throw new ApiError(ErrorCode.UserNotFound);
  return { uid: Number(user.id), nickname: user.nickname };
};

function userRecord(u: User) {
  return {
    uid: Number(u.id),
    nickname: u.nickname,
    mobile: u.mobile ?? '',
    country: u.country ?? '',
    email: u.email ?? '',
    created_at: Number(u.created_at),
  };
}

/** #18 The merchant's users with uid > `max_id`, ascending, 100 at most. */
export const syncUserList: Handler<'syncUserList'> = async (ctx, { merchant, fields }) => {
  const rows = await usersAfter(ctx.store.db, { merchantId: Number(merchant.id), maxId: maxIdField(fields), limit: pageSizeMax });
  return rows.map(userRecord);
};
