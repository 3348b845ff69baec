import type { DataKey } from '../keys/data-key.js';
import type { Store } from '../store/db.js';
import { inTransaction } from '../store/tx.js';
import { encryptPlaintextWalletKeys } from './merchants.js';

/** The database's secrets are encrypted under another data key than the one unlocked. */
export class DataKeyMismatchError extends Error {
  override name = 'DataKeyMismatchError';
}

/**
 * Binds the database to `dataKey` and brings it up to date, in one transaction: records the
 * key's fingerprint on first use (refusing a database whose secrets belong to another key),
 * then encrypts every secret an earlier version stored in plaintext. Runs at every start and
 * before a CLI command first uses the key; idempotent, and safe for several processes at once.
 * Returns how many values it encrypted.
 */
export async function adoptDataKey(store: Store, dataKey: DataKey, nowMs: number): Promise<{ encrypted: number }> {
  return inTransaction(store, async (tx) => {
    await tx.insertInto('data_keys').values({ key_id: dataKey.id, created_at: nowMs }).onConflict((oc) => oc.column('key_id').doNothing()).execute();
    const others = await tx.selectFrom('data_keys').select('key_id').where('key_id', '!=', dataKey.id).execute();
    if (others.length > 0) {
      throw new DataKeyMismatchError(
        `the database's secrets are encrypted under another data key (${others.map((o) => o.key_id).join(', ')}), not this key store's (${dataKey.id}): start with the key store (or the development-keys setting) this database was used with`,
      );
    }
    return { encrypted: await encryptPlaintextWalletKeys(tx, dataKey) };
  });
}
