import type { Db } from '../store/tx.js';
import { AdminError } from './admin-errors.js';
import { adminListLimitMax } from '../workers/limits.js';

/** Longest address (with memo) accepted on the blacklist. */
const addressLengthMax = 200;
const reasonLengthMax = 500;

/** A blacklisted address as operators see it. */
export interface BlacklistEntry {
  address: string;
  reason: string;
  created_at: number;
}

/** Addresses are compared lower-cased (EVM checksums differ only in case), never trimmed: any whitespace is refused. */
export function normaliseAddress(address: string): string {
  const a = address.toLowerCase();
  if (a.length === 0 || a.length > addressLengthMax || /\s/.test(a)) throw AdminError.invalid(`address "${address}" is not valid`);
  return a;
}

/** Adds an address (withdrawals to it answer 110037); adding it again updates the reason. */
export async function addToBlacklist(db: Db, input: { address: string; reason?: string; nowMs: number }): Promise<BlacklistEntry> {
  const address = normaliseAddress(input.address);
  const reason = (input.reason ?? '').trim();
  if (reason.length > reasonLengthMax) throw AdminError.invalid(`reason is longer than ${reasonLengthMax} characters`);
  await db
    .insertInto('blacklist')
    .values({ address, reason, created_at: input.nowMs })
    .onConflict((oc) => oc.column('address').doUpdateSet({ reason }))
    .execute();
  const row = await db.selectFrom('blacklist').select(['address', 'reason', 'created_at']).where('address', '=', address).executeTakeFirstOrThrow();
  return { ...row, created_at: Number(row.created_at) };
}

/** Removes an address; not_found when it was not listed. */
export async function removeFromBlacklist(db: Db, address: string): Promise<void> {
  const result = await db.deleteFrom('blacklist').where('address', '=', normaliseAddress(address)).executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw AdminError.notFound(`blacklisted address ${address}`);
}

/** Listed addresses, oldest first (at most adminListLimitMax). */
export async function listBlacklist(db: Db): Promise<BlacklistEntry[]> {
  const rows = await db.selectFrom('blacklist').select(['address', 'reason', 'created_at']).orderBy('id').limit(adminListLimitMax).execute();
  return rows.map((r) => ({ ...r, created_at: Number(r.created_at) }));
}

/** True when `address` (any case) is blacklisted. */
export async function isBlacklisted(db: Db, address: string): Promise<boolean> {
  const row = await db.selectFrom('blacklist').select('id').where('address', '=', address.toLowerCase()).executeTakeFirst();
  return row !== undefined;
}
