import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { isSealed, DataKeyError, type DataKey, type DataKeySource } from '../../keys/data-key.js';
import type { Merchant } from '../../store/schema.js';
import type { Db } from '../../store/tx.js';
import { firstSealedWalletKey, listPlaintextWalletKeys, replaceWalletKey, setWalletKeyPair } from './repository.js';

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

const generateRsaPair = promisify(generateKeyPair);

/** A fresh wallet key pair as stored: the private key sealed under the data key for `appId`, the public one SPKI PEM. */
export async function newWalletKeyPair(keys: DataKeySource, appId: string): Promise<{ sealedPrivateKey: string; publicKeyPem: string }> {
  const dataKey = await keys.dataKey();
  // Off the event loop: an RSA-2048 key takes a noticeable time to find.
  const { privateKey, publicKey } = await generateRsaPair('rsa', { modulusLength: 2048 });
  return {
    sealedPrivateKey: dataKey.encrypt(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), walletKeyAad(appId)),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/**
 * Gives merchant `appId` a new wallet key pair (the kind createMerchant makes, the private key
 * sealed at rest). Every answer and notification sealed after this uses the new key: the
 * merchant opens them with the new public key (in the returned row), and the old pair is gone.
 * Undefined when the merchant is unknown.
 */
export async function rotateWalletKey(db: Db, keys: DataKeySource, appId: string): Promise<Merchant | undefined> {
  const pair = await newWalletKeyPair(keys, appId);
  return setWalletKeyPair(db, { appId, ...pair });
}
