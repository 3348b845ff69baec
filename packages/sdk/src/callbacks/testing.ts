import { randomBytes } from 'node:crypto';
import { open, seal, type SealOptions } from '../envelope/envelope.js';
import { parsePrivateKey, parsePublicKey, type KeyInput } from '../envelope/keys.js';
import type {
  Notification,
  TransferConfirmationRequest,
  WithdrawConfirmationRequest,
} from '../types/callbacks.js';

// Omit<> would flatten these index-signature types to `{[k: string]: unknown}`; key remapping keeps the fields.
type Without<T, K extends PropertyKey> = T extends unknown ? { [P in keyof T as P extends K ? never : P]: T[P] } : never;

type Filled = 'charset' | 'version' | 'notify_time';

/** A notification for createTestNotification: charset, version and notify_time may be left out. */
export type TestNotificationInput = Without<Notification, Filled> & Partial<Pick<Notification, Filled>>;

/** A confirmation request for createTestConfirmationRequest: time, charset, version and check_sum may be left out. */
export type TestConfirmationInput =
  | (Without<WithdrawConfirmationRequest, 'time' | 'charset' | 'version' | 'check_sum'> &
      Partial<Pick<WithdrawConfirmationRequest, 'time' | 'charset' | 'version' | 'check_sum'>>)
  | (Without<TransferConfirmationRequest, 'time' | 'charset' | 'version' | 'check_sum' | 'remark'> &
      Partial<Pick<TransferConfirmationRequest, 'time' | 'charset' | 'version' | 'check_sum' | 'remark'>>);

/** Options of createTestNotification. */
export interface TestNotificationOptions extends SealOptions {
  /** A wallet private key of the test's own making (the service's real one is never available). */
  walletPrivateKey: KeyInput;
  appId: string;
  notification: TestNotificationInput;
}

/** Options of createTestConfirmationRequest. */
export interface TestConfirmationOptions extends SealOptions {
  walletPrivateKey: KeyInput;
  appId: string;
  request: TestConfirmationInput;
}

function formBody(appId: string, data: string): string {
  return new URLSearchParams({ app_id: appId, data }).toString();
}

/**
 * Builds the form body (`app_id=…&data=…`) the wallet service would POST to the notification
 * URL, so a merchant can test its endpoint end to end without the service. Configure the
 * handler under test with the public half of `walletPrivateKey`.
 */
export function createTestNotification(options: TestNotificationOptions): string {
  const key = parsePrivateKey(options.walletPrivateKey, 'walletPrivateKey');
  const payload = { charset: 'utf-8', version: 'v2', notify_time: String(Date.now()), ...options.notification };
  return formBody(options.appId, seal(payload, key, options));
}

/**
 * Builds the form body the service would POST to the second-confirmation URL, with a random
 * `check_sum` unless one is given; returns both so the test can check the echo.
 */
export function createTestConfirmationRequest(options: TestConfirmationOptions): { body: string; checkSum: string } {
  const key = parsePrivateKey(options.walletPrivateKey, 'walletPrivateKey');
  const checkSum = options.request.check_sum ?? randomBytes(8).toString('hex');
  const payload = { time: Date.now(), charset: 'utf-8', version: 'v2', ...options.request, check_sum: checkSum };
  return { body: formBody(options.appId, seal(payload, key, options)), checkSum };
}

/** What readConfirmationReply found in a merchant's reply. */
export interface ConfirmationReplyResult {
  /** True only when the reply opens with the merchant public key and echoes the expected check_sum. */
  confirmed: boolean;
  /** The decrypted reply, when it was a readable envelope. */
  payload: Record<string, unknown> | undefined;
  /** The reply as plain JSON when it carried no envelope (e.g. `{"code":"100005"}`). */
  plain: Record<string, unknown> | undefined;
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/**
 * Judges a confirmation reply the way the service does (API.md §3): `{"data": envelope}` or
 * the bare envelope, opened with the merchant public key, must echo `check_sum`; anything
 * else is "not confirmed". Never throws.
 */
export function readConfirmationReply(reply: string, merchantPublicKey: KeyInput, expectedCheckSum: string): ConfirmationReplyResult {
  const key = parsePublicKey(merchantPublicKey, 'merchantPublicKey');
  let plain: Record<string, unknown> | undefined;
  let envelope = reply.trim();
  if (envelope.startsWith('{')) {
    try {
      plain = asObject(JSON.parse(envelope));
    } catch {
      plain = undefined;
    }
    const data = plain?.['data'];
    if (typeof data !== 'string') return { confirmed: false, payload: undefined, plain };
    envelope = data;
  }
  let payload: Record<string, unknown> | undefined;
  try {
    payload = asObject(open(envelope, key));
  } catch {
    return { confirmed: false, payload: undefined, plain: undefined };
  }
  const echoed = payload?.['check_sum'];
  const confirmed = (typeof echoed === 'string' || typeof echoed === 'number') && String(echoed) === expectedCheckSum;
  return { confirmed, payload, plain: undefined };
}
