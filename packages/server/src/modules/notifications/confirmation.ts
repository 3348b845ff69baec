import { randomBytes, type KeyObject } from 'node:crypto';
import { ErrorCode, parsePublicKey, readConfirmationReply } from '@openwaas/sdk';
import { ApiError } from '../../errors/api-error.js';
import { merchantWalletKey } from '../merchants/index.js';
import { readLimited } from '../../http/read-limited.js';
import { confirmReplyBytesMax as replyBytesMax, merchantKeyCacheSizeMax as keyCacheSizeMax } from '../../limits.js';
import type { Merchant } from '../../store/schema.js';
import type { ConfirmationDeps } from './deps.js';
import { applyCallbackProfile } from './callback-profile.js';

const keyCache = new Map<string, KeyObject>();

function merchantKey(pem: string): KeyObject {
  let key = keyCache.get(pem);
  if (!key) {
    key = parsePublicKey(pem, 'merchant public key');
    if (keyCache.size >= keyCacheSizeMax) keyCache.clear();
    keyCache.set(pem, key);
  }
  return key;
}

/** The fields a confirmation request carries besides time/charset/version/check_sum. */
export type ConfirmationFields = Record<string, string>;

/** Why a confirmation was not obtained (logged; the merchant only sees 120206). */
export type ConfirmationFailure = 'no-url' | 'no-key' | 'network' | 'timeout' | 'http-status' | 'too-large' | 'not-confirmed';

/**
 * Second confirmation (API.md §3): POSTs `app_id` and `data` (the fields plus a random
 * `check_sum`, sealed with the merchant's wallet private key) to the merchant's confirm_url
 * and accepts only a reply that opens with the merchant's public key and echoes check_sum.
 * The request's integer fields are typed by the merchant's callback profile.
 * Anything else — no URL, timeout, network error, bad envelope, wrong echo — throws 120206.
 * Callers must not hold a database transaction open across this call.
 */
export async function confirmWithMerchant(ctx: ConfirmationDeps, merchant: Merchant, fields: ConfirmationFields): Promise<void> {
  const fail = (why: ConfirmationFailure, detail?: string): never => {
    ctx.log.warn({ appId: merchant.app_id, requestId: fields['request_id'], why, detail }, 'second confirmation failed');
    throw new ApiError(ErrorCode.ConfirmationFailed, `second confirmation failed (${why})`);
  };
  if (!merchant.confirm_url) return fail('no-url');
  if (!merchant.merchant_public_key) return fail('no-key');
  const checkSum = randomBytes(16).toString('hex');
  // The merchant's callback profile types the integer fields (from_uid) as it decodes them.
  const payload = applyCallbackProfile(merchant.callback_profile, { time: ctx.clock.nowMs(), charset: 'utf-8', version: 'v2', ...fields, check_sum: checkSum });
  const data = await ctx.sealer.seal(Number(merchant.id), await merchantWalletKey(ctx.secrets, merchant), payload);

  let text: string | undefined;
  try {
    const res = await fetch(merchant.confirm_url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ app_id: merchant.app_id, data }).toString(),
      // A redirect could send the sealed request elsewhere; the configured URL must answer itself.
      redirect: 'error',
      signal: AbortSignal.timeout(ctx.config.confirmTimeoutMs),
    });
    if (res.status < 200 || res.status > 299) {
      await res.body?.cancel().catch(() => {});
      return fail('http-status', String(res.status));
    }
    const body = await readLimited(res, replyBytesMax);
    // Longer than the bound: refused whole, never checked from a cut-off prefix.
    text = body.overLimit ? undefined : body.text;
  } catch (e) {
    const name = (e as Error).name;
    return fail(name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network', (e as Error).message);
  }
  if (text === undefined) return fail('too-large');
  let key: KeyObject;
  try {
    key = merchantKey(merchant.merchant_public_key);
  } catch (e) {
    return fail('no-key', (e as Error).message);
  }
  if (!readConfirmationReply(text, key, checkSum).confirmed) return fail('not-confirmed');
}
