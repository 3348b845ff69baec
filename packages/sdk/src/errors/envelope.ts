import { WaasBaseError } from './base.js';

/** Why an envelope could not be opened or produced. */
export type EnvelopeErrorReason =
  | 'bad-base64'
  | 'truncated-block'
  | 'wrong-key'
  | 'bad-utf8'
  | 'not-json'
  | 'too-large-segment'
  | 'encrypt-failed';

/** An envelope (`data` field) could not be decrypted, decoded or encrypted. */
export class EnvelopeError extends WaasBaseError {
  override name = 'EnvelopeError';
  readonly reason: EnvelopeErrorReason;

  constructor(reason: EnvelopeErrorReason, message: string, options: { details?: string; cause?: unknown } = {}) {
    super(message, options);
    this.reason = reason;
  }
}

/** A key could not be parsed. `which` names the key (e.g. "walletPublicKey"). */
export class KeyParseError extends WaasBaseError {
  override name = 'KeyParseError';
  readonly which: string;

  constructor(which: string, why: string, options: { cause?: unknown } = {}) {
    super(`cannot parse ${which}: ${why}`, options);
    this.which = which;
  }
}
