import type { Store } from '../../store/db.js';
import { enabledOperatorsWithRole } from './repository.js';

/** True once an enabled admin exists: until then the host may create the first one without a token. */
export async function adminExists(deps: { store: Store }): Promise<boolean> {
  return (await enabledOperatorsWithRole(deps.store.db, 'admin')).length > 0;
}
