import type { Clock } from '../../clock.js';
import type { DataKeySource } from '../../keys/data-key.js';
import type { Store } from '../../store/db.js';

/** Reading accounts or tokens: the database only. */
export interface OperatorReadDeps {
  store: Store;
}

/** Changing an account or a token, or checking one against the time: the database and the clock. */
export interface OperatorDeps extends OperatorReadDeps {
  clock: Clock;
}

/** Enrolling, resetting or logging in an operator: also the data key that seals TOTP secrets. */
export interface AccountDeps extends OperatorDeps {
  secrets: DataKeySource;
}
