import type { OperatorReadDeps } from './deps.js';
import { enabledOperatorsWithRole } from './repository.js';

/** Names of the enabled admins. */
export function enabledAdmins(deps: OperatorReadDeps): Promise<string[]> {
  return enabledOperatorsWithRole(deps.store.db, 'admin');
}

/** True once an enabled admin exists: until then the host may create the first one without a token. */
export async function adminExists(deps: OperatorReadDeps): Promise<boolean> {
  return (await enabledAdmins(deps)).length > 0;
}
