import type { DataKey } from '../../keys/data-key.js';
import type { Store } from '../../store/db.js';
import { inTransaction } from '../../store/tx.js';
import { DataKeyMismatchError } from './errors.js';
import { insertDataKeyIfMissing, otherDataKeyIds } from './repository.js';
import { encryptPlaintextWalletKeys } from './wallet-keys.js';

/**
 * Binds the database to `dataKey` and brings it up to date, in one transaction: records the
 * key's fingerprint on first use (refusing a database whose secrets belong to another key),
 * then encrypts every secret an earlier version stored in plaintext. Runs at every start and
 * before a CLI command first uses the key; idempotent, and safe for several processes at once.
 * Returns how many values it encrypted.
 */
export async function adoptDataKey(store: Store, dataKey: DataKey, nowMs: number): Promise<{ encrypted: number }> {
  return inTransaction(store, async (tx) => {
    await insertDataKeyIfMissing(tx, { keyId: dataKey.id, nowMs });
    const others = await otherDataKeyIds(tx, dataKey.id);
    if (others.length > 0) {
      throw new DataKeyMismatchError(
        `the database's secrets are encrypted under another data key (${others.join(', ')}), not this key store's (${dataKey.id}): start with the key store (or the development-keys setting) this database was used with`,
      );
    }
    return { encrypted: await encryptPlaintextWalletKeys(tx, dataKey) };
  });
}
