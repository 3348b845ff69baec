import type { Merchant, User } from '../store/schema.js';
import type { Db } from '../store/tx.js';
import { createUserByEmail as registerByEmail, createUserByMobile as registerByMobile } from '../modules/merchants/index.js';

export { requireUser, setUserFlags } from '../modules/merchants/index.js';

// Compatibility for callers not yet moved to modules/merchants: the old signatures took the
// dialect to decide row locking, which the store now does; it is accepted and ignored.

export function createUserByMobile(tx: Db, merchant: Merchant, input: { country: string; mobile: string; nowMs: number; dialect?: unknown }): Promise<User> {
  return registerByMobile(tx, merchant, { country: input.country, mobile: input.mobile, nowMs: input.nowMs });
}

export function createUserByEmail(tx: Db, merchant: Merchant, input: { email: string; nowMs: number; dialect?: unknown }): Promise<User> {
  return registerByEmail(tx, merchant, { email: input.email, nowMs: input.nowMs });
}
