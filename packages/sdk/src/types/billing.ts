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
