/**
 * A merchant's callback profile applied to a payload right before it is sealed and sent (the
 * second-confirmation request, a notification); stored records and outbox rows keep their own
 * shape. API.md §3 "Field types in callbacks", docs/callbacks.md.
 */
import type { CallbackProfile } from '../merchants/index.js';

/**
 * The integer fields of confirmation requests and notifications: ids, statuses, counts, kinds
 * and times. Amounts are never among them (decimal strings under every profile), nor
 * request_id, txid or addresses, which are text.
 */
export const callbackIntegerFields: ReadonlySet<string> = new Set([
  'id', 'uid', 'from_uid', 'to_uid', 'status', 'saas_status', 'company_status', 'confirmations',
  'withdraw_type', 'txid_type', 'is_mining', 'time', 'notify_time', 'notify_id', 'created_at', 'updated_at',
]);

const integerText = /^-?\d+$/;

/**
 * `payload` as a merchant of `profile` receives it. 'strings': unchanged (the seeds' shape).
 * 'numbers': each integer field holding a decimal integer string becomes a JSON number; a
 * value that is not an integer within JavaScript's safe range (or is empty) is left as it is,
 * never rounded.
 */
export function applyCallbackProfile(profile: CallbackProfile, payload: Readonly<Record<string, unknown>>): Record<string, unknown> {
  if (profile !== 'numbers') return { ...payload };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (callbackIntegerFields.has(key) && typeof value === 'string' && integerText.test(value)) {
      const n = Number(value);
      out[key] = Number.isSafeInteger(n) ? n : value;
    } else {
      out[key] = value;
    }
  }
  return out;
}
