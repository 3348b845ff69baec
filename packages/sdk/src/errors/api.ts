import { WaasBaseError } from './base.js';
import { errorMessages, isKnownErrorCode, type ErrorCode } from './codes.js';

/** The wallet service answered with a non-zero `code` (API.md §5). */
export class WaasError extends WaasBaseError {
  override name = 'WaasError';
  /** The result code as sent (a string such as "110088"). */
  readonly code: string;
  /** The service's message for the code. */
  readonly msg: string;
  /** The `data` that came with the error, if any (e.g. the existing withdrawal for 110088). */
  readonly data: unknown;

  constructor(code: string, msg?: string, data?: unknown) {
    const text = msg ?? (isKnownErrorCode(code) ? errorMessages[code] : 'unknown error');
    super(`WaaS error ${code}: ${text}`);
    this.code = code;
    this.msg = text;
    this.data = data;
  }

  /** True when this error carries `code`. */
  is(code: ErrorCode): boolean {
    return this.code === code;
  }
}

/** The request never got a usable HTTP answer (connection refused, reset, non-2xx status…). */
export class WaasTransportError extends WaasBaseError {
  override name = 'WaasTransportError';
  /** HTTP status when a response arrived, undefined when the connection failed. */
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; details?: string; cause?: unknown } = {}) {
    super(message, options);
    this.status = options.status;
  }
}

/** The request took longer than the client's `timeoutMs`. */
export class WaasTimeoutError extends WaasBaseError {
  override name = 'WaasTimeoutError';
  readonly timeoutMs: number;

  constructor(timeoutMs: number, url: string) {
    super(`request timed out after ${timeoutMs} ms`, { details: url });
    this.timeoutMs = timeoutMs;
  }
}
