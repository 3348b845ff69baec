import { WaasBaseError } from '../errors/base.js';

/** Why a callback from the wallet service could not be used. */
export type CallbackErrorReason =
  /** The body is neither a form string, bytes, URLSearchParams nor a `{app_id, data}` object. */
  | 'bad-body'
  /** The form has no (or an empty) `data` field. */
  | 'missing-data'
  /** `data` does not decrypt with the wallet public key (cause: the EnvelopeError). */
  | 'bad-envelope'
  /** `data` decrypted to JSON that is not an object. */
  | 'not-object'
  /** A notification whose `side` is neither "deposit" nor "withdraw". */
  | 'unknown-side'
  /** A required field is missing or has the wrong type (`details` names it). */
  | 'invalid-field'
  /** A confirmation request that is neither a withdrawal nor a transfer. */
  | 'unknown-request'
  /** The HTTP body exceeded the adapter's size limit. */
  | 'body-too-large';

/**
 * A callback the wallet service sent to one of the merchant's endpoints (notification,
 * second confirmation) could not be read. Handlers never throw it — they answer FAILURE or
 * refuse — but `parseNotification` and the handlers' `onError` hooks expose it.
 */
export class CallbackError extends WaasBaseError {
  override name = 'CallbackError';
  readonly reason: CallbackErrorReason;

  constructor(reason: CallbackErrorReason, message: string, options: { details?: string; cause?: unknown } = {}) {
    super(message, options);
    this.reason = reason;
  }
}
