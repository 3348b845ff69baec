import type { KeyInput } from '../envelope/keys.js';
import type { TransferConfirmationRequest, WithdrawConfirmationRequest } from '../types/callbacks.js';
import { openCallback, type CallbackBody } from './body.js';
import { CallbackError } from './errors.js';

/** A second-confirmation request, tagged with its kind. */
export type ConfirmationRequest =
  | { kind: 'withdraw'; request: WithdrawConfirmationRequest }
  | { kind: 'transfer'; request: TransferConfirmationRequest };

const withdrawFields = ['request_id', 'from_uid', 'to_address', 'amount', 'symbol', 'check_sum'] as const;
const transferFields = ['request_id', 'symbol', 'amount', 'to', 'check_sum'] as const;

function requireStrings(payload: Record<string, unknown>, fields: readonly string[], kind: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...payload };
  for (const field of fields) {
    const value = out[field];
    // Numbers may arrive where strings are documented (API.md §1): accept them as text.
    if (typeof value === 'number' && Number.isFinite(value)) out[field] = String(value);
    else if (typeof value !== 'string' || value === '') {
      throw new CallbackError('invalid-field', `${kind} confirmation request has no ${field}`);
    }
  }
  return out;
}

/**
 * Recognises a decrypted confirmation request: a withdrawal carries `from_uid`/`to_address`,
 * a merchant-to-merchant transfer carries `to`. Checks the fields the merchant must compare
 * against its own records, and `check_sum`, without which nothing can be confirmed.
 * @throws CallbackError ('unknown-request' or 'invalid-field').
 */
export function toConfirmationRequest(payload: Record<string, unknown>): ConfirmationRequest {
  if ('from_uid' in payload || 'to_address' in payload) {
    const request = requireStrings(payload, withdrawFields, 'withdraw');
    return { kind: 'withdraw', request: request as unknown as WithdrawConfirmationRequest };
  }
  if ('to' in payload) {
    const request = requireStrings(payload, transferFields, 'transfer');
    if (typeof request['remark'] !== 'string') request['remark'] = '';
    return { kind: 'transfer', request: request as unknown as TransferConfirmationRequest };
  }
  throw new CallbackError('unknown-request', 'confirmation request is neither a withdrawal nor a transfer', {
    details: `fields: ${Object.keys(payload).join(', ')}`,
  });
}

/**
 * Decrypts and recognises a second-confirmation body, for merchants writing the endpoint by
 * hand; the responders below also build the reply.
 * @throws CallbackError when the body cannot be read, decrypted or recognised.
 */
export function parseConfirmationRequest(body: CallbackBody, walletPublicKey: KeyInput): ConfirmationRequest {
  return toConfirmationRequest(openCallback(body, walletPublicKey).payload);
}
