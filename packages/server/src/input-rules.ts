import { ApiError } from './errors/api-error.js';

/**
 * Characters no request field may hold (docs/identifiers.md). PostgreSQL refuses NUL in text,
 * so letting one through answered 100001 after the merchant had already confirmed; the rest
 * rewrite what an operator's terminal or a log viewer shows (ANSI escapes, line separators,
 * bidirectional overrides that reorder an address on screen).
 * - C0 controls U+0000–U+001F (tab and newline included: no field needs them), DEL U+007F
 *   and C1 controls U+0080–U+009F;
 * - line and paragraph separators U+2028, U+2029;
 * - bidirectional embeddings, overrides and isolates U+202A–U+202E, U+2066–U+2069;
 * - lone UTF-16 surrogates (a JSON "\ud800" escape): no UTF-8 form, so each database would
 *   store U+FFFD instead and two different ids would collide.
 */
// With the `u` flag a surrogate pair is one code point, so the range below matches lone halves only.
const forbidden = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]/u;

/** What no database stores faithfully: NUL (PostgreSQL refuses it in text) and lone surrogates (no UTF-8 form). */
const unstorable = /[\u0000\ud800-\udfff]/u;

/** Walks at most this deep into nested request values; deeper ones are refused. */
const depthMax = 8;

/** The first forbidden character of `text` as "U+XXXX", or undefined when there is none. */
export function forbiddenCharacter(text: string, pattern: RegExp = forbidden): string | undefined {
  const match = pattern.exec(text);
  if (!match) return undefined;
  return `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Refuses (100004 naming the field) a request whose fields — names and values, nested values
 * included — hold a forbidden character. Runs before any handler, so before any lookup, any
 * write and any merchant confirmation.
 */
export function assertCleanFields(fields: Record<string, unknown>): void {
  visit(fields, '', 0, forbidden);
}

/**
 * Refuses (100004 naming the field) operator input holding a character no database can store
 * as given (NUL, lone surrogates): PostgreSQL answered those with an internal error. Operators'
 * free text may hold line breaks; the CLI escapes whatever it prints.
 */
export function assertStorableFields(fields: Record<string, unknown>): void {
  visit(fields, '', 0, unstorable);
}

/** Field names are the client's text: bounded before they go into an answer or a log line. */
const shownNameLengthMax = 64;

function shown(path: string): string {
  if (path === '') return 'data';
  const chars = [...path];
  return chars.length > shownNameLengthMax ? `${chars.slice(0, shownNameLengthMax).join('')}…` : path;
}

function visit(value: unknown, path: string, depth: number, pattern: RegExp): void {
  if (typeof value === 'string') {
    const bad = forbiddenCharacter(value, pattern);
    if (bad) throw ApiError.invalid(shown(path), `holds a control or formatting character (${bad})`);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  if (depth >= depthMax) throw ApiError.invalid(shown(path), 'is nested too deeply');
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [key, inner] of entries) {
    const name = path ? `${path}.${key}` : key;
    const badKey = forbiddenCharacter(key, pattern);
    if (badKey) throw ApiError.invalid('data', `holds a field name with a control or formatting character (${badKey})`);
    visit(inner, name, depth + 1, pattern);
  }
}

/** Leading or trailing whitespace as JavaScript's `\s` knows it (Unicode spaces and BOM included). */
const surroundingSpace = /^\s|\s$/;

/** True when `text` starts or ends with whitespace. */
export function hasSurroundingSpace(text: string): boolean {
  return surroundingSpace.test(text);
}

/** Length in Unicode code points, the unit every length limit of the API is written in. */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
