import { isSealed, DataKeyError, type DataKey, type DataKeySource } from '../../keys/data-key.js';
import type { Merchant } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import { firstSealedWalletKey, listPlaintextWalletKeys, replaceWalletKey } from './repository.js';

/**
 * The wallet private key's additional data: the column and the merchant's app_id (unique and
 * never changed), so a ciphertext copied onto another merchant's row does not open.
 */
export const walletKeyAad = (appId: string) => `merchants.wallet_private_key:${appId}`;

/**
 * The merchant's wallet private key (PKCS#8 PEM), decrypted for sealing an envelope. Only this
 * module opens the column; a value that is not in the encrypted format is refused (start-up
 * encrypts what an earlier version left in plaintext).
 */
export async function merchantWalletKey(keys: DataKeySource, m: Pick<Merchant, 'app_id' | 'wallet_private_key'>): Promise<string> {
  if (!isSealed(m.wallet_private_key)) throw new DataKeyError(`merchant ${m.app_id}: the wallet key is not encrypted at rest; restart the service to encrypt it`);
  return (await keys.dataKey()).decrypt(m.wallet_private_key, walletKeyAad(m.app_id));
}

/**
 * Encrypts every wallet private key still stored in plaintext (rows written before secrets at
 * rest) and checks that one already encrypted value opens with `dataKey`. Each row is updated
 * only if it still holds the plaintext read, so two processes starting at once agree.
 * Returns how many rows it encrypted.
 */
export async function encryptPlaintextWalletKeys(db: Db, dataKey: DataKey): Promise<number> {
  const plain = await listPlaintextWalletKeys(db);
  for (const m of plain) {
    await replaceWalletKey(db, { id: m.id, expected: m.walletPrivateKey, replacement: dataKey.encrypt(m.walletPrivateKey, walletKeyAad(m.appId)) });
  }
  const sample = await firstSealedWalletKey(db);
  if (sample) dataKey.decrypt(sample.walletPrivateKey, walletKeyAad(sample.appId));
  return plain.length;
}
