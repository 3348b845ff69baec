import type { CallbackBody } from './body.js';

/**
 * What a callback handler wants sent back over HTTP. Every handler returns this one shape so
 * the framework adapters stay uniform (and a merchant with another framework can map it in
 * three lines): write `status`, set `Content-Type` to `contentType`, send `body`.
 */
export interface CallbackResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Anything that turns a callback body into an HTTP reply without throwing; the adapters accept it. */
export interface CallbackHandler {
  /** Reads, decrypts and answers one callback. Never rejects. */
  handle(body: CallbackBody): Promise<CallbackResponse>;
}

/** Content type of the notification answers (`SUCCESS` / `FAILURE`). */
export const textContentType = 'text/plain; charset=utf-8';
/** Content type of the confirmation answers. */
export const jsonContentType = 'application/json; charset=utf-8';

/** A 200 text/plain answer. */
export function textResponse(body: string, status = 200): CallbackResponse {
  return { status, contentType: textContentType, body };
}

/** A JSON answer (200 unless told). */
export function jsonResponse(value: unknown, status = 200): CallbackResponse {
  return { status, contentType: jsonContentType, body: JSON.stringify(value) };
}
