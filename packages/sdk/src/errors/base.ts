/**
 * Root of every error the SDK throws. `name` tells the kind; `details` carries what a
 * developer needs to act; `cause` keeps the underlying error.
 */
export class WaasBaseError extends Error {
  override name = 'WaasBaseError';
  /** Extra, human-readable context (never secrets). */
  readonly details: string | undefined;

  constructor(message: string, options: { details?: string; cause?: unknown } = {}) {
    super(options.details ? `${message}: ${options.details}` : message, { cause: options.cause });
    this.details = options.details;
  }
}
