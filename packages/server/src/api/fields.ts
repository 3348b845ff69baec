import { ApiError } from '../domain/api-error.js';

/**
 * Validators for decrypted request fields. Real clients send numbers as strings and pad
 * lists with spaces, so these accept both forms; anything else is 100004 naming the field.
 */

type Fields = Record<string, unknown>;

/** Largest id accepted: ids are bigserials read back as JS numbers. */
const idMax = Number.MAX_SAFE_INTEGER;
const digits = /^\d{1,16}$/;

function toId(value: unknown, field: string, { allowZero }: { allowZero: boolean }): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && digits.test(value.trim())) n = Number(value.trim());
  else throw ApiError.invalid(field);
  if (!Number.isSafeInteger(n) || n < (allowZero ? 0 : 1) || n > idMax) throw ApiError.invalid(field);
  return n;
}

/** A required user id (number or numeric string) → number. */
export function uidField(fields: Fields, name = 'uid'): number {
  const value = fields[name];
  if (value === undefined || value === null || value === '') throw ApiError.invalid(name, 'is required');
  return toId(value, name, { allowZero: false });
}

/** Coin symbols: short, printable, no spaces. */
const symbolPattern = /^[A-Za-z0-9._-]{1,32}$/;

/** A required coin symbol (exact case, as configured). */
export function symbolField(fields: Fields, name = 'symbol'): string {
  const value = fields[name];
  if (value === undefined || value === null || value === '') throw ApiError.invalid(name, 'is required');
  if (typeof value !== 'string' || !symbolPattern.test(value.trim())) throw ApiError.invalid(name);
  return value.trim();
}

/** `max_id` of the sync lists: missing or "" → 0. */
export function maxIdField(fields: Fields, name = 'max_id'): number {
  const value = fields[name];
  if (value === undefined || value === null || value === '') return 0;
  return toId(value, name, { allowZero: true });
}

/** A comma-separated id list (`ids`): trimmed, empty items dropped, at most `max` items, each ≤ 64 chars. */
export function idsField(fields: Fields, name = 'ids', options: { max?: number } = {}): string[] {
  const max = options.max ?? 100;
  const value = fields[name];
  let items: string[];
  if (typeof value === 'string') items = value.split(',');
  else if (typeof value === 'number' && Number.isSafeInteger(value)) items = [String(value)];
  else if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) items = value.map(String);
  else throw ApiError.invalid(name, value === undefined || value === null ? 'is required' : 'is not valid');
  const ids = items.map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0) throw ApiError.invalid(name, 'is required');
  if (ids.length > max) throw ApiError.invalid(name, `holds more than ${max} ids`);
  if (ids.some((s) => s.length > requestIdLengthMax)) throw ApiError.invalid(name);
  return [...new Set(ids)];
}

/** Numeric ids from an `ids` list (deposit / miner-fee ids); a non-numeric one → 100004. */
export function numericIds(ids: string[], name = 'ids'): number[] {
  return ids.map((s) => toId(s, name, { allowZero: false }));
}

const requestIdLengthMax = 64;

/** A required `request_id`: 1–64 characters. */
export function requestIdField(fields: Fields, name = 'request_id'): string {
  const value = fields[name];
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string' || value.trim() === '') throw ApiError.invalid(name, 'is required');
  if (value.length > requestIdLengthMax) throw ApiError.invalid(name, `is longer than ${requestIdLengthMax} characters`);
  return value;
}

/**
 * A string field. Required unless `optional` (then missing → undefined); longer than `max`
 * characters → 100004. Numbers are accepted and turned into their decimal text.
 */
export function stringField(fields: Fields, name: string, options: { max: number; optional?: false }): string;
export function stringField(fields: Fields, name: string, options: { max: number; optional: true }): string | undefined;
export function stringField(fields: Fields, name: string, options: { max: number; optional?: boolean }): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null || value === '') {
    if (options.optional) return undefined;
    throw ApiError.invalid(name, 'is required');
  }
  const text = typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
  if (typeof text !== 'string') throw ApiError.invalid(name, 'must be a string');
  if ([...text].length > options.max) throw ApiError.invalid(name, `is longer than ${options.max} characters`);
  return text;
}
