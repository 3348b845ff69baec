/** Fields every notification carries (all strings, as the hosted service sends them). */
interface NotificationBase {
  charset: string;
  version: string;
  /** When the service sent this notification (ms, as a string). */
  notify_time: string;
  /**
   * Stable id of this notification across retries (OpenWaaS extra field): drop duplicates by it.
   * Absent when the sender is the hosted service.
   */
  notify_id?: string;
  id: string;
  uid: string;
  symbol: string;
  amount: string;
  address_to: string;
  created_at: string;
  updated_at: string;
  txid: string;
  confirmations: string;
  /** Decimal status as a string; see DepositStatus / WithdrawStatus. */
  status: string;
  [extra: string]: unknown;
}

/** A deposit notification (`side` = "deposit"). */
export interface DepositNotification extends NotificationBase {
  side: 'deposit';
  address_from?: string;
}

/** A withdrawal notification (`side` = "withdraw"). */
export interface WithdrawNotification extends NotificationBase {
  side: 'withdraw';
  request_id: string;
  withdraw_fee_symbol: string;
  withdraw_fee: string;
  fee_symbol: string;
  real_fee: string;
  address_from?: string;
}

/** Any notification, discriminated by `side`. */
export type Notification = DepositNotification | WithdrawNotification;

/** What the service sends to the merchant's confirmation URL before a withdrawal. */
export interface WithdrawConfirmationRequest {
  time: string | number;
  charset: string;
  version: string;
  request_id: string;
  from_uid: string;
  to_address: string;
  amount: string;
  symbol: string;
  /** Random code the merchant echoes to confirm. */
  check_sum: string;
  [extra: string]: unknown;
}

/** What the service sends to the merchant's confirmation URL before a merchant-to-merchant transfer. */
export interface TransferConfirmationRequest {
  time: string | number;
  charset: string;
  version: string;
  request_id: string;
  symbol: string;
  amount: string;
  /** Receiving merchant's app_id. */
  to: string;
  remark: string;
  check_sum: string;
  [extra: string]: unknown;
}

/** The merchant's reply to a confirmation request: echo `check_sum` to confirm. */
export interface ConfirmationReply {
  check_sum: string;
  time: string;
}
