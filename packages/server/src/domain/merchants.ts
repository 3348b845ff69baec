export {
  createMerchant,
  encryptPlaintextWalletKeys,
  findMerchantByAppId,
  findMerchantById,
  listMerchants,
  merchantWalletKey,
  normaliseMerchantKey,
  publicMerchantView,
  updateMerchant,
  userLimitDefault,
  type CreateMerchantInput,
  type UpdateMerchantInput,
} from '../modules/merchants/index.js';
