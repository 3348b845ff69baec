/** A new or reset account's one-time credentials: its password and TOTP enrolment, shown once. */
import type { OperatorEnrolment } from '../../../server/src/contracts/operator.js';
import { Copyable } from './copy.js';
import { TotpEnrolment } from './totp-enrolment.js';

export function OneTimeCredentials({ enrolment, onDone }: { enrolment: OperatorEnrolment; onDone: () => void }) {
  return (
    <section className="credentials" aria-labelledby="credentials-title">
      <h2 id="credentials-title">Credentials of {enrolment.operator.name}</h2>
      <p className="warning">Shown once: hand them to {enrolment.operator.name} now. The service keeps only a hash of the password and the secret sealed.</p>
      <p>
        Account <code>{enrolment.operator.name}</code>
      </p>
      <p>
        Password <Copyable value={enrolment.password} label="password" />
      </p>
      <TotpEnrolment uri={enrolment.otpauth_uri} />
      <button type="button" onClick={onDone}>
        Done, hide them
      </button>
    </section>
  );
}
