/** The operator API's error codes in words, for the places where the code alone decides what to say. */
import { OperatorApiError } from '../api/client.js';
import { formatTime } from './time.js';

/** What the login page says about a refused login: wrong credentials, a locked account, a throttled address. */
export function loginErrorText(error: unknown, nowMs: number = Date.now()): string {
  if (!(error instanceof OperatorApiError)) return 'The service did not answer. Is it running?';
  const until = error.retryAfterS ? formatTime(nowMs + error.retryAfterS * 1_000) : undefined;
  switch (error.code) {
    case 'unauthorized':
      return 'Wrong account name, password or authenticator code.';
    case 'too_many_attempts':
      if (/account/.test(error.message)) return `Too many failed logins of this account: it is locked${until ? ` until ${until}` : ' for a while'}.`;
      return `Too many failed attempts from this address: try again${until ? ` at ${until}` : ' later'}.`;
    case 'invalid':
      return `Check the fields: ${error.message}.`;
    case 'disabled':
      return 'The operator API is switched off on this service.';
    default:
      return error.message;
  }
}

/** What an action's failure says, in words for the codes an operator meets in the console. */
export function actionErrorText(error: unknown): string {
  if (!(error instanceof OperatorApiError)) return 'The service did not answer. Is it running?';
  switch (error.code) {
    case 'forbidden':
      return `Your roles do not allow this: ${error.message}.`;
    case 'own_change_request':
      return 'You asked for this change: another admin decides it.';
    default:
      return error.message;
  }
}
