/**
 * What counts as a merchant acknowledging a notification (API.md §3): the plain text
 * `SUCCESS` in any case with surrounding whitespace, or a JSON object whose `code` is 0 or
 * "0" (what the vendor's PHP webhook example answers, `{"code":0,"msg":"Success"}`).
 * Anything else — FAILURE, an empty body, another code, a JSON array — is a failed delivery.
 */

/** Whether `answer` (the body of a 2xx answer, read whole) acknowledges the notification. */
export function isAcknowledgement(answer: string): boolean {
  const text = answer.trim();
  if (text.toUpperCase() === 'SUCCESS') return true;
  if (!text.startsWith('{')) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return false;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return false;
  const code = (parsed as Record<string, unknown>)['code'];
  return code === 0 || code === '0';
}
