import type { KeyInput } from '../envelope/keys.js';
import type { Notification } from '../types/callbacks.js';
import { openCallback, type CallbackBody } from './body.js';
import { CallbackError } from './errors.js';

/** The two kinds of notification, by `side`. */
export const notificationSides = ['deposit', 'withdraw'] as const;

// Fields a merchant needs to act on a notification; without them it cannot be processed,
// so it is refused (and the service retries) rather than handed over half-empty.
const requiredFields = {
  deposit: ['id', 'uid', 'symbol', 'amount', 'status'],
  withdraw: ['id', 'uid', 'symbol', 'amount', 'status', 'request_id'],
} as const;

// Documented as strings; numbers are turned into strings so the typed fields hold.
const stringFields = [
  'charset', 'version', 'notify_time', 'notify_id', 'id', 'uid', 'symbol', 'amount', 'address_from', 'address_to',
  'created_at', 'updated_at', 'txid', 'confirmations', 'status', 'request_id', 'withdraw_fee_symbol',
  'withdraw_fee', 'fee_symbol', 'real_fee',
] as const;

/**
 * Checks and normalises an already-decrypted notification object: `side` must be "deposit"
 * or "withdraw", the fields needed to act must be present, and numeric fields become strings.
 * Unknown extra fields are kept.
 */
export function toNotification(payload: Record<string, unknown>): Notification {
  const side = payload['side'];
  if (side !== 'deposit' && side !== 'withdraw') {
    throw new CallbackError('unknown-side', 'notification side is neither deposit nor withdraw', {
      details: JSON.stringify(side) ?? 'undefined',
    });
  }
  const out: Record<string, unknown> = { ...payload };
  for (const field of stringFields) {
    const value = out[field];
    if (typeof value === 'number' || typeof value === 'bigint') out[field] = String(value);
    else if (value !== undefined && value !== null && typeof value !== 'string') {
      throw new CallbackError('invalid-field', `notification field ${field} is not a string`, { details: typeof value });
    }
  }
  for (const field of requiredFields[side]) {
    const value = out[field];
    if (typeof value !== 'string' || value === '') {
      throw new CallbackError('invalid-field', `${side} notification has no ${field}`);
    }
  }
  return out as unknown as Notification;
}

/**
 * Decrypts and checks a notification body (API.md §3). Use it when writing the endpoint by
 * hand; `createNotificationHandler` wraps it with the SUCCESS/FAILURE protocol and dedupe.
 * @param walletPublicKey the service's public key for this merchant; pass a KeyObject when calling repeatedly.
 * @throws CallbackError when the body is not a readable, decryptable notification.
 */
export function parseNotification(body: CallbackBody, walletPublicKey: KeyInput): Notification {
  return toNotification(openCallback(body, walletPublicKey).payload);
}
