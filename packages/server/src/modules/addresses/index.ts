/**
 * The addresses module: deposit addresses issued to users (user_addresses) and the chain
 * addresses behind them (chain_addresses, one per user per chain at an HD index). Its SQL is
 * in repository.ts.
 */
export type { AddressIssueDeps } from './deps.js';
export {
  addressLookupForms,
  addressOwners,
  allocateAttemptsMax,
  chainAddressesAfter,
  findAddressOwner,
  findUserAddress,
  hdIndexFirst,
  issueDepositAddress,
  listIssuedAddresses,
  type AddressOwner,
  type IssuedAddress,
} from './issue.js';
export { findChainAddressOwner, lockChainAddress, findChainAddressById, listChainAddresses } from './repository.js';
export { issuedAddressesOf } from './owners.js';
