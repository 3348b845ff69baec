import type { OperatorReadDeps } from './deps.js';
import { enabledOperatorsWithRole } from './repository.js';

/** True once an enabled admin exists: until then the host may create the first one without a token. */
export async function adminExists(deps: OperatorReadDeps): Promise<boolean> {
  return (await enabledOperatorsWithRole(deps.store.db, 'admin')).length > 0;
}
