/** The merchants module: merchants (settings, wallet keys), their users, and the data-key binding. */
export { adoptDataKey } from './data-keys.js';
export { DataKeyMismatchError } from './errors.js';
export {
  callbackProfiles,
  createMerchant,
  merchantAutoCollects,
  normaliseMerchantKey,
  publicMerchantView,
  updateMerchant,
  userLimitDefault,
  type CallbackProfile,
  type CreateMerchantInput,
  type UpdateMerchantInput,
} from './merchants.js';
export { findMerchantByAppId, findMerchantById, listMerchants } from './repository.js';
export {
  createUserByEmail,
  createUserByMobile,
  findUser,
  findUserById,
  findUserEmails,
  findUserWithAppId,
  requireUser,
  setUserFlags,
  usersAfter,
  type EmailRegistration,
  type MobileRegistration,
} from './users.js';
export { encryptPlaintextWalletKeys, merchantWalletKey, rotateWalletKey } from './wallet-keys.js';
export { merchantAppId, merchantNotifyTargets, findNotifyRecipient, merchantsWithNotifyUrlQuery } from './repository.js';
