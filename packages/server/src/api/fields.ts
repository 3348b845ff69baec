import { ApiError } from '../errors/api-error.js';
import { codePoints, hasSurroundingSpace } from '../input-rules.js';
import { idsMax, numericTextDigitsMax, requestIdLengthMax, symbolLengthMax } from '../limits.js';

/**
 * Validators for decrypted request fields. Numbers may arrive as JSON numbers or as numeric
 * strings; identifiers are taken exactly as sent — one with surrounding whitespace is refused,
 * never trimmed (docs/identifiers.md): a trimmed lookup beside an untrimmed insert once let a
 * padded request_id go unfound and its trimmed twin lock funds a second time. Every failure is
 * 100004 naming the field.
 */

type Fields = Record<string, unknown>;

/** Largest id accepted: ids are bigserials read back as JS numbers. */
const idMax = Number.MAX_SAFE_INTEGER;
const digits = new RegExp(`^\\d{1,${numericTextDigitsMax}}$`);
/** List syntax of `ids`: a comma with the whitespace around it, and whitespace at the list's ends. */
const listSeparator = /\s*,\s*/;
const listEnds = /^\s+|\s+$/g;

/** Refuses an identifier with surrounding whitespace. */
function exact(text: string, field: string): string {
  if (hasSurroundingSpace(text)) throw ApiError.invalid(field, 'has surrounding whitespace');
  return text;
}

function toId(value: unknown, field: string, { allowZero }: { allowZero: boolean }): number {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && digits.test(exact(value, field))) n = Number(value);
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
const symbolPattern = new RegExp(`^[A-Za-z0-9._-]{1,${symbolLengthMax}}$`);

/** A required coin symbol (exact case, as configured). */
export function symbolField(fields: Fields, name = 'symbol'): string {
  const value = fields[name];
  if (value === undefined || value === null || value === '') throw ApiError.invalid(name, 'is required');
  if (typeof value !== 'string' || !symbolPattern.test(exact(value, name))) throw ApiError.invalid(name);
  return value;
}

/** `max_id` of the sync lists: missing or "" → 0. */
export function maxIdField(fields: Fields, name = 'max_id'): number {
  const value = fields[name];
  if (value === undefined || value === null || value === '') return 0;
  return toId(value, name, { allowZero: true });
}

/**
 * A comma-separated id list (`ids`). Real clients write "a, b" (API.md §1): whitespace around
 * a "," or at the list's ends is list syntax, not part of an id — unambiguous because no id is
 * ever created with surrounding whitespace. An empty item ("a,,b", a trailing comma) is refused,
 * never dropped; items of a JSON array are identifiers, taken exactly. At most `max` items,
 * each ≤ 64 characters; repeats are answered once.
 */
export function idsField(fields: Fields, name = 'ids', options: { max?: number } = {}): string[] {
  const max = options.max ?? idsMax;
  const value = fields[name];
  let items: string[];
  if (value === '') throw ApiError.invalid(name, 'is required');
  if (typeof value === 'string') items = value.replace(listEnds, '').split(listSeparator);
  else if (typeof value === 'number' && Number.isSafeInteger(value)) items = [String(value)];
  else if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' || (typeof v === 'number' && Number.isSafeInteger(v)))) items = value.map(String);
  else throw ApiError.invalid(name, value === undefined || value === null || (Array.isArray(value) && value.length === 0) ? 'is required' : 'is not valid');
  if (items.length > max) throw ApiError.invalid(name, `holds more than ${max} ids`);
  for (const item of items) {
    if (item === '') throw ApiError.invalid(name, 'holds an empty id');
    exact(item, name);
    if (codePoints(item) > requestIdLengthMax) throw ApiError.invalid(name, `holds an id longer than ${requestIdLengthMax} characters`);
  }
  return [...new Set(items)];
}

/** Numeric ids from an `ids` list (deposit / miner-fee ids); a non-numeric one → 100004. */
export function numericIds(ids: string[], name = 'ids'): number[] {
  return ids.map((s) => toId(s, name, { allowZero: false }));
}

/** A required `request_id`: 1–64 characters, exactly as sent (a JSON integer → its decimal text). */
export function requestIdField(fields: Fields, name = 'request_id'): string {
  const value = fields[name];
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string' || value === '') throw ApiError.invalid(name, 'is required');
  exact(value, name);
  if (codePoints(value) > requestIdLengthMax) throw ApiError.invalid(name, `is longer than ${requestIdLengthMax} characters`);
  return value;
}

/**
 * A string field. Required unless `optional` (then missing → undefined); longer than `max`
 * code points → 100004. Numbers are accepted and turned into their decimal text.
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
  if (codePoints(text) > options.max) throw ApiError.invalid(name, `is longer than ${options.max} characters`);
  return text;
}

/**
 * An identifier (email, address, app_id, mobile …): a string field that is looked up or stored
 * as a key, so it is taken exactly — surrounding whitespace → 100004.
 */
export function identifierField(fields: Fields, name: string, options: { max: number; optional?: false }): string;
export function identifierField(fields: Fields, name: string, options: { max: number; optional: true }): string | undefined;
export function identifierField(fields: Fields, name: string, options: { max: number; optional?: boolean }): string | undefined {
  const text = options.optional ? stringField(fields, name, { max: options.max, optional: true }) : stringField(fields, name, { max: options.max });
  return text === undefined ? undefined : exact(text, name);
}
