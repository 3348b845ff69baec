import type { DecimalString } from './common.js';

/** #5 `/account/getDepositAddress`. */
export interface DepositAddressRequest {
  uid: number | string;
  symbol: string;
}

/** Answer of #5. Memo chains give `address_memo` as `address_memo`. */
export interface DepositAddressResponse {
  uid: number;
  address: string;
}

/** #6 `/account/getByUidAndSymbol`. */
export interface BalanceRequest {
  uid: number | string;
  symbol: string;
}

/** Answer of #6. */
export interface BalanceResponse {
  /** Spendable balance. */
  normal_balance: DecimalString;
  /** Balance locked by pending withdrawals. */
  lock_balance: DecimalString;
  /** The user's deposit address for the coin ("" when none was issued yet). */
  deposit_address: string;
}

/** #7 `/account/getCompanyBySymbol`. */
export interface CompanyBalanceRequest {
  symbol: string;
}

/** Answer of #7: the merchant's collection account and its fee account. */
export interface CompanyBalanceResponse {
  symbol: string;
  /** Spendable balance of the collection account. */
  balance: DecimalString;
  /** Withdrawal fees collected in this coin from the merchant's users (the fee account). */
  fee_account_balance: DecimalString;
  /** `balance` + `fee_account_balance`: everything the merchant holds in this coin outside its users' accounts. */
  total_balance: DecimalString;
}

/** #19 `/account/getDepositAddressInfo`. */
export interface DepositAddressInfoRequest {
  address: string;
}

/** Answer of #19 (110055 when the address is not ours). */
export interface DepositAddressInfoResponse {
  uid: number;
  symbol: string;
  address: string;
}

/** #20 `/address/syncList` record. */
export interface AddressRecord {
  id: number;
  uid: number;
  symbol: string;
  address: string;
}
