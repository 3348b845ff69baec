import type { DecimalString } from './common.js';

/** #15 `/account/transfer`: from this merchant's collection account to another merchant's. */
export interface TransferRequest {
  /** Unique per merchant, ≤ 64 chars. */
  request_id: string;
  symbol: string;
  amount: DecimalString;
  /** The receiving merchant's app_id. */
  to: string;
  /** ≤ 32 chars. */
  remark?: string;
}

/** Answer of #15. */
export interface TransferResponse {
  receipt: string;
}

/** #16 `/account/transferList`. */
export interface TransferListRequest {
  /** Comma-separated request ids or receipts, 100 at most (an array is joined for you); matched exactly, as in IdsRequest. */
  ids: string | ReadonlyArray<string | number>;
  /** Which ids `ids` holds: request ids (default) or receipts. */
  ids_type?: 'request_id' | 'receipt';
}

/** A transfer record (#16, #17). */
export interface TransferRecord {
  id: number;
  symbol: string;
  amount: DecimalString;
  /** Sending merchant's app_id. */
  from: string;
  /** Receiving merchant's app_id. */
  to: string;
  created_at: number;
  request_id: string;
  receipt: string;
  remark: string;
}
