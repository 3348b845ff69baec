/** Withdrawal `status` (API.md §4). */
export enum WithdrawStatus {
  /** Under risk-control review. */
  Review = 0,
  /** Paying: approved, waiting for or on the chain. */
  Paying = 1,
  /** Rejected by audit; the locked funds were returned. */
  Rejected = 2,
  /** Failed on chain; the locked funds were returned. */
  Failed = 4,
  /** Succeeded. */
  Succeeded = 5,
  /** Cancelled before payment; the locked funds were returned. */
  Cancelled = 6,
  /** Awaiting KYT screening. */
  AwaitingKyt = 7,
  /** Awaiting manual review (KYT risk too high). */
  KytManualReview = 8,
}

/** Deposit `status`, also used by miner-fee records (API.md §4). */
export enum DepositStatus {
  /** Awaiting confirmations. */
  Confirming = 0,
  /** Succeeded: credited. */
  Succeeded = 1,
  /** Failed (e.g. its block was reorganised away). */
  Failed = 2,
  /** Awaiting KYT screening. */
  AwaitingKyt = 4,
  /** Awaiting manual review (KYT risk too high). */
  KytManualReview = 5,
  /** Awaiting manual review (deposit circuit breaker tripped). */
  CircuitBreakerReview = 6,
}

/** Platform (`saas_status`) and merchant (`company_status`) audit state. */
export enum AuditStatus {
  Pending = 0,
  Approved = 1,
  Rejected = 2,
}

/** `withdraw_type` of a withdraw response. */
export enum WithdrawType {
  /** Paid on chain. */
  OnChain = 1,
  /** Settled inside the service (alliance address): no chain transaction, no miner fee. */
  Internal = 2,
}

/** `txid_type` of a miner-fee record (a string on the wire). */
export enum TxidType {
  OnChain = '0',
  Internal = '1',
}
