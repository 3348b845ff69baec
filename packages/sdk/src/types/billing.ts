import type { AuditStatus, DepositStatus, TxidType, WithdrawStatus, WithdrawType } from './statuses.js';
import type { DecimalString } from './common.js';

/** #8 `/billing/withdraw`. */
export interface WithdrawRequest {
  /** Unique per merchant, ≤ 64 chars: a retry with the same id never pays twice (110088). */
  request_id: string;
  /** The paying user. */
  from_uid: number | string;
  /** Destination; memo chains use "address_memo". */
  to_address: string;
  /** Amount including the withdrawal fee, as a decimal string. */
  amount: DecimalString;
  symbol: string;
}

/** Answer of #8. */
export interface WithdrawResponse {
  id: number;
  status: WithdrawStatus;
  /** 1 on-chain, 2 internal (alliance address). */
  withdraw_type?: WithdrawType;
}

/** A withdrawal record (#9, #10). Times are ms numbers. */
export interface WithdrawRecord {
  id: number;
  request_id: string;
  uid: number;
  symbol: string;
  amount: DecimalString;
  /** Currency the withdrawal fee is charged in (may differ from `symbol`). */
  withdraw_fee_symbol: string;
  withdraw_fee: DecimalString;
  /** Currency of the miner fee. */
  fee_symbol: string;
  /** Miner fee actually paid. */
  real_fee: DecimalString;
  address_from: string;
  address_to: string;
  txid: string;
  confirmations: number;
  saas_status: AuditStatus;
  company_status: AuditStatus;
  status: WithdrawStatus;
  created_at: number;
  updated_at: number;
  /** The chain's native coin (the coin itself when native). */
  base_symbol: string;
  /** Token contract; "" for a native coin. */
  contract_address: string;
  /** The paying user's email ("" when registered by phone). */
  email: string;
  /** The withdrawal fee (same as `withdraw_fee`, in `withdraw_fee_symbol`). */
  fee: DecimalString;
  /** "0" on-chain, "1" internal (to an alliance address: settled in the ledger, no chain transaction). */
  txid_type: `${TxidType}`;
  [extra: string]: unknown;
}

/** A deposit record (#11, #12). Times are ms numbers. */
export interface DepositRecord {
  id: number;
  uid: number;
  symbol: string;
  amount: DecimalString;
  address_from?: string;
  address_to: string;
  txid: string;
  confirmations: number;
  status: DepositStatus;
  created_at: number;
  updated_at: number;
  /** The chain's native coin (the coin itself when native). */
  base_symbol: string;
  /** Token contract; "" for a native coin. */
  contract_address: string;
  /** The receiving user's email ("" when registered by phone). */
  email: string;
  /** "0" on-chain, "1" internal (from an alliance address: an internal withdrawal of another user). */
  txid_type: `${TxidType}`;
  /** 0: an ordinary deposit (the service never credits mining rewards). */
  is_mining: 0;
  [extra: string]: unknown;
}

/** A collection (sweep) miner-fee record (#13, #14). */
export interface MinerFeeRecord {
  id: number;
  symbol: string;
  /** Amount swept. */
  amount: DecimalString;
  /** Miner fee paid for it. */
  fee: DecimalString;
  address_from: string;
  address_to: string;
  txid: string;
  /** "0" on-chain, "1" internal. */
  txid_type: TxidType | `${TxidType}`;
  confirmations: number;
  status: DepositStatus;
  base_symbol: string;
  contract_address: string;
  email: string;
  created_at: number;
  updated_at: number;
  [extra: string]: unknown;
}
