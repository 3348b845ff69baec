/** Why an audit or cancel request could not be applied (the operator API maps it to 404 / 409 conflict / 409 already_approved). */
export class WithdrawalStateError extends Error {
  override name = 'WithdrawalStateError';
  constructor(
    readonly reason: 'not-found' | 'invalid-transition' | 'already-approved',
    readonly withdrawalId: number,
    /** The withdrawal's status when the request was refused (undefined when not found). */
    readonly status?: number,
    message?: string,
  ) {
    super(message ?? (reason === 'not-found' ? `withdrawal ${withdrawalId} not found` : `withdrawal ${withdrawalId} cannot change from status ${status}`));
  }
}
