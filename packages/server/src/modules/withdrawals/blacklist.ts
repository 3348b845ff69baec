import type { Db } from '../../store/tx.js';
import { AdminError } from '../../errors/admin-errors.js';
import { blacklistAddressLengthMax, blacklistReasonLengthMax } from '../../limits.js';
import { adminListLimitMax } from '../../limits.js';
import { splitAddress } from './address-rules.js';
import { anyBlacklisted, deleteBlacklistEntry, listBlacklistEntries, upsertBlacklistEntry } from './repository.js';

/** A blacklisted address as operators see it. */
export interface BlacklistEntry {
  address: string;
  reason: string;
  created_at: number;
}

/**
 * The list has no chain column, so it cannot use a family's canonical form: addresses are
 * compared case-folded on every family (EVM checksums differ only in case; a case-sensitive
 * family's address can only be over-refused, never paid wrongly), never trimmed: any
 * whitespace is refused.
 */
export function normaliseAddress(address: string): string {
  const a = address.toLowerCase();
  if (a.length === 0 || a.length > blacklistAddressLengthMax || /\s/.test(a)) throw AdminError.invalid(`address "${address}" is not valid`);
  return a;
}

/** Adds an address (withdrawals to it answer 110037); adding it again updates the reason. */
export async function addToBlacklist(db: Db, input: { address: string; reason?: string; nowMs: number }): Promise<BlacklistEntry> {
  const address = normaliseAddress(input.address);
  const reason = (input.reason ?? '').trim();
  if (reason.length > blacklistReasonLengthMax) throw AdminError.invalid(`reason is longer than ${blacklistReasonLengthMax} characters`);
  return upsertBlacklistEntry(db, { address, reason, nowMs: input.nowMs });
}

/** Removes an address; not_found when it was not listed. */
export async function removeFromBlacklist(db: Db, address: string): Promise<void> {
  if ((await deleteBlacklistEntry(db, normaliseAddress(address))) === 0) throw AdminError.notFound(`blacklisted address ${address}`);
}

/** Listed addresses, oldest first (at most adminListLimitMax). */
export function listBlacklist(db: Db): Promise<BlacklistEntry[]> {
  return listBlacklistEntries(db, adminListLimitMax);
}

/** True when a withdrawal to `address` on `chain` is refused (110037): the address, with or without its memo, is listed (any case). */
export function isBlacklisted(db: Db, chain: string, address: string): Promise<boolean> {
  return anyBlacklisted(db, [...new Set([address.toLowerCase(), splitAddress(chain, address).address.toLowerCase()])]);
}
