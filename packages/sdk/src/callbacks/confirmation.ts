import { seal, type SealOptions } from '../envelope/envelope.js';
import { parsePrivateKey, parsePublicKey, type KeyInput } from '../envelope/keys.js';
import { ErrorCode } from '../errors/codes.js';
import type { TransferConfirmationRequest, WithdrawConfirmationRequest } from '../types/callbacks.js';
import { openCallback, type CallbackBody } from './body.js';
import { toConfirmationRequest, type ConfirmationRequest } from './confirmation-request.js';
import { CallbackError } from './errors.js';
import { safeReport } from './report.js';
import { jsonResponse, type CallbackHandler, type CallbackResponse } from './response.js';

/** What an approver learns besides the request. */
export interface ConfirmationContext {
  /** The `app_id` form field. */
  appId: string | undefined;
}

/**
 * Decides whether a withdrawal or transfer the service is about to execute was really
 * initiated by this merchant (typically: look `request_id` up and compare amount, address,
 * user). Only `true` confirms: a forgotten `return` must never approve a payment.
 */
export type Approver<R> = (request: R, context: ConfirmationContext) => boolean | Promise<boolean>;

/** Keys and hooks shared by every confirmation responder. */
export interface ConfirmationKeys {
  /** The service's public key for this merchant (`rsa_wallet_pub`): opens the request. */
  walletPublicKey: KeyInput;
  /** The merchant's private key (`rsa_third_prv`): seals the reply. */
  privateKey: KeyInput;
  /** Told why a request was refused other than by the approver (bad body, approver threw). */
  onError?: (error: unknown) => void;
  /** Envelope segment size of the reply (see SealOptions). */
  segmentBytes?: number;
}

/** Options of createWithdrawConfirmation. */
export interface WithdrawConfirmationOptions extends ConfirmationKeys {
  approve: Approver<WithdrawConfirmationRequest>;
}

/** Options of createTransferConfirmation. */
export interface TransferConfirmationOptions extends ConfirmationKeys {
  approve: Approver<TransferConfirmationRequest>;
}

/** Options of createConfirmationResponder: one URL for both kinds; a kind without approver is refused. */
export interface ConfirmationResponderOptions extends ConfirmationKeys {
  approveWithdraw?: Approver<WithdrawConfirmationRequest>;
  approveTransfer?: Approver<TransferConfirmationRequest>;
}

/**
 * The merchant's second-confirmation endpoint, framework-free; mount it with an adapter.
 * `handle` answers:
 * - approved: 200 JSON `{"data": envelope}` sealed with the merchant key, holding `{check_sum, time}`;
 * - refused (approver said no or threw, malformed or unrecognised request, no approver for
 *   the kind): 200 JSON `{"data": envelope}` holding `{"code":"120206","msg":…,"time":…}` and no check_sum;
 * - unreadable body: 400 plain JSON `{"code":"100004"}`; undecryptable `data`: 400 plain
 *   `{"code":"100005"}` — it cannot be answered in an envelope the service would trust.
 * Never rejects.
 */
export interface ConfirmationResponder extends CallbackHandler {
  handle(body: CallbackBody): Promise<CallbackResponse>;
}

/**
 * Responder for both withdrawals and transfers on one URL, dispatching on the request's shape.
 * @throws KeyParseError at construction when a key is unusable.
 */
export function createConfirmationResponder(options: ConfirmationResponderOptions): ConfirmationResponder {
  const walletKey = parsePublicKey(options.walletPublicKey, 'walletPublicKey');
  const privateKey = parsePrivateKey(options.privateKey, 'privateKey');
  const sealOptions: SealOptions = options.segmentBytes === undefined ? {} : { segmentBytes: options.segmentBytes };
  const { approveWithdraw, approveTransfer, onError } = options;

  const reply = (value: object): CallbackResponse =>
    jsonResponse({ data: seal({ ...value, time: String(Date.now()) }, privateKey, sealOptions) });
  const refuse = (msg: string): CallbackResponse => reply({ code: ErrorCode.ConfirmationFailed, msg });

  function approverFor(parsed: ConfirmationRequest, context: ConfirmationContext): (() => boolean | Promise<boolean>) | undefined {
    if (parsed.kind === 'withdraw') return approveWithdraw && (() => approveWithdraw(parsed.request, context));
    return approveTransfer && (() => approveTransfer(parsed.request, context));
  }

  async function answer(body: CallbackBody): Promise<CallbackResponse> {
    let payload: Record<string, unknown>;
    let context: ConfirmationContext;
    try {
      const opened = openCallback(body, walletKey);
      payload = opened.payload;
      context = { appId: opened.appId };
    } catch (error) {
      safeReport(onError, error);
      const reason = error instanceof CallbackError ? error.reason : undefined;
      if (reason === 'bad-body' || reason === 'missing-data') {
        return jsonResponse({ code: ErrorCode.InvalidParameter, msg: 'request parameter is not valid' }, 400);
      }
      if (reason === 'bad-envelope') {
        return jsonResponse({ code: ErrorCode.DecryptFailed, msg: 'signature verification failed' }, 400);
      }
      return refuse('invalid request'); // decrypted, so the service can read an envelope
    }

    let parsed: ConfirmationRequest;
    try {
      parsed = toConfirmationRequest(payload);
    } catch (error) {
      safeReport(onError, error);
      return refuse('invalid request');
    }
    const approve = approverFor(parsed, context);
    if (!approve) {
      safeReport(onError, new CallbackError('unknown-request', `no approver configured for ${parsed.kind} confirmations`));
      return refuse(`${parsed.kind} confirmations are not accepted here`);
    }
    let approved: boolean;
    try {
      approved = (await approve()) === true;
    } catch (error) {
      safeReport(onError, error);
      return refuse('refused');
    }
    // Echo check_sum exactly as received (string or number): the service compares it to its own.
    return approved ? reply({ check_sum: payload['check_sum'] }) : refuse('refused');
  }

  return {
    async handle(body) {
      try {
        return await answer(body);
      } catch (error) {
        // Only sealing could get here (e.g. a segmentBytes too large for the key).
        safeReport(onError, error);
        return jsonResponse({ code: ErrorCode.SystemError, msg: 'system error' }, 500);
      }
    },
  };
}

/**
 * Responder for the withdrawal second confirmation (seed: "Second confirmation of
 * withdrawal information"). Transfer requests reaching it are refused.
 */
export function createWithdrawConfirmation(options: WithdrawConfirmationOptions): ConfirmationResponder {
  const { approve, ...keys } = options;
  return createConfirmationResponder({ ...keys, approveWithdraw: approve });
}

/** Responder for merchant-to-merchant transfer confirmations (API.md §2 #15). Withdrawal requests reaching it are refused. */
export function createTransferConfirmation(options: TransferConfirmationOptions): ConfirmationResponder {
  const { approve, ...keys } = options;
  return createConfirmationResponder({ ...keys, approveTransfer: approve });
}
