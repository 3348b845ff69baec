/**
 * The keyset cursor of the operator record lists (withdrawals, deposits): newest first, ordered
 * by (created_at, id) descending. A cursor names the last row of a page; the next page holds
 * the rows strictly before it in that order, so rows written between two pages (always newer)
 * neither repeat nor shift a row out. It is opaque to callers: base64url of "created_at.id".
 */
import { storedAddressForms } from '../../chains/address-codec.js';
import { AdminError } from '../../errors/admin-errors.js';

/** Where a page starts: the rows strictly older than this one, in (created_at, id) order. */
export interface ListPosition {
  createdAt: number;
  id: number;
}

/** Filters shared by the operator record lists (each list adds its own). */
export interface RecordListFilter {
  merchantId?: number;
  symbol?: string;
  /** One or several statuses. */
  statuses?: readonly number[];
  /** created_at at or after this (ms since the epoch). */
  fromMs?: number;
  /** created_at before this (ms since the epoch). */
  toMs?: number;
  /** The withdrawal's destination or the deposit's (the deposit address), as stored. */
  address?: string;
  txid?: string;
}

/** The cursor naming `row` (the last row of a page). */
export function encodeListCursor(row: ListPosition): string {
  return Buffer.from(`${row.createdAt}.${row.id}`, 'utf8').toString('base64url');
}

/** The position a cursor names. @throws AdminError invalid when it is not one this service made. */
export function decodeListCursor(cursor: string): ListPosition {
  const bad = () => AdminError.invalid('cursor is not one a previous page returned (pass next_cursor as it came)');
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) throw bad();
  const match = /^(\d{1,16})\.(\d{1,16})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw bad();
  const createdAt = Number(match[1]);
  const id = Number(match[2]);
  if (!Number.isSafeInteger(createdAt) || !Number.isSafeInteger(id) || id < 1) throw bad();
  return { createdAt, id };
}

/** A page of a record list: its rows and the cursor of the next page (null: this is the last). */
export interface RecordPage<T> {
  rows: T[];
  next_cursor: string | null;
}

/**
 * Cuts a page from `rows` read with one row more than `limit`: the extra row only says that
 * another page follows, whose cursor names the page's last row.
 */
export function pageOf<R extends { created_at: number; id: number }>(rows: readonly R[], limit: number): { rows: R[]; next: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, next: rows.length > limit && last ? encodeListCursor({ createdAt: Number(last.created_at), id: Number(last.id) }) : null };
}

/**
 * The filter with its address in every form a chain family stores it, for an `address_to in (…)`
 * match: an operator may paste an EVM address checksummed where the store holds it lower-case.
 */
export function withStoredAddressForms<F extends RecordListFilter>(filter: F): Omit<F, 'address'> & { addresses?: string[] } {
  const { address, ...rest } = filter;
  return address === undefined ? rest : { ...rest, addresses: storedAddressForms(address) };
}
