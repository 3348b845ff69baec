import { ErrorCode, errorMessages } from '../contracts/errors.js';

/**
 * An expected failure answered to the merchant with an API code (API.md §5; the registry is
 * the SDK's `errorRegistry`, re-exported by contracts/errors.ts). Anything else thrown inside
 * a request is a bug and is answered 100001 without details.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: ErrorCode;
  /** Payload sent with the error, e.g. the existing withdrawal for 110088. */
  readonly data: unknown;

  constructor(code: ErrorCode, msg?: string, data?: unknown) {
    super(msg ?? errorMessages[code]);
    this.code = code;
    this.data = data;
  }

  /** 100004 naming the offending field. */
  static invalid(field: string, why = 'is not valid'): ApiError {
    return new ApiError(ErrorCode.InvalidParameter, `${field} ${why}`);
  }
}
