export {
  addressLookupForms,
  allocateAttemptsMax,
  findAddressOwner,
  findUserAddress,
  hdIndexFirst,
  issueDepositAddress,
  listIssuedAddresses,
  type IssuedAddress,
} from '../modules/addresses/index.js';
