import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/**
 * Amounts are integers of a coin's base unit. They are stored as numeric(78,0) on PostgreSQL
 * (any 256-bit value) and as decimal TEXT on SQLite; both come back as strings and are
 * turned into BigInt at the store boundary, never into a JS number.
 */
export type AmountColumn = ColumnType<string, string, string>;
/** Milliseconds since the epoch (bigint on PostgreSQL, parsed into a number: far below 2^53). */
export type MsColumn = number;
/** References to serial ids (bigint on PostgreSQL, parsed into a number). */
export type RefId = number;

export interface MerchantTable {
  id: Generated<number>;
  app_id: string;
  name: string;
  /** The service's RSA pair for this merchant: the private key encrypted under the data key ("v1:…", see keys/data-key.ts), the public one SPKI PEM. */
  wallet_private_key: string;
  wallet_public_key: string;
  /** The merchant's registered public key (SPKI PEM); null until the operator registers it. */
  merchant_public_key: string | null;
  notify_url: string | null;
  confirm_url: string | null;
  /** JSON array of IPs / CIDRs; empty array = any. */
  ip_allowlist: string;
  auto_collect: number;
  user_limit: number;
  /** 1 active, 0 disabled (answers 100016). */
  active: number;
  /** How the integer fields of callbacks sent to this merchant are typed (docs/callbacks.md). */
  callback_profile: Generated<CallbackProfile>;
  created_at: MsColumn;
}

/** JSON type of the integer fields in a merchant's callbacks: 'strings' as the seeds, or 'numbers'. */
export type CallbackProfile = 'strings' | 'numbers';

export interface CoinTable {
  id: Generated<number>;
  symbol: string;
  name: string;
  chain: string;
  base_symbol: string;
  contract_address: string;
  decimals: number;
  confirmations: number;
  min_withdraw: AmountColumn;
  max_withdraw: AmountColumn;
  withdraw_fee: AmountColumn;
  /** Symbol the withdrawal fee is charged in (may differ from `symbol`). */
  withdraw_fee_symbol: string;
  /** Withdrawals at or below this amount are approved automatically; above it, manual review. */
  auto_approve_max: AmountColumn;
  /** Per-user total per UTC day before manual review; "0" = no limit. */
  daily_limit: AmountColumn;
  min_deposit: AmountColumn;
  icon: string;
  /** Transaction-link template of the coin's block explorer (`{txid}` stands for the hash). */
  explorer: string;
  /** Address-link template of the coin's block explorer (`{address}` stands for the address). */
  address_explorer: Generated<string>;
  enabled: number;
  created_at: MsColumn;
}

export interface MerchantCoinTable {
  merchant_id: RefId;
  coin_id: RefId;
}

export interface UserTable {
  id: Generated<number>;
  merchant_id: RefId;
  country: string | null;
  mobile: string | null;
  email: string | null;
  nickname: string;
  frozen: number;
  /** Flagged by risk control: withdrawals answer 900006. */
  at_risk: number;
  created_at: MsColumn;
}

/** One address per user per chain (shared by the chain's native coin and tokens). */
export interface ChainAddressTable {
  id: Generated<number>;
  chain: string;
  address: string;
  merchant_id: RefId;
  uid: RefId;
  hd_index: number;
  created_at: MsColumn;
}

/** The (user, symbol) → address assignments issued through the API. */
export interface UserAddressTable {
  id: Generated<number>;
  merchant_id: RefId;
  uid: RefId;
  symbol: string;
  chain_address_id: RefId;
  address: string;
  created_at: MsColumn;
}

/**
 * user / collection / fee: what the service owes merchants and their users.
 * external: the world outside the ledger for manual adjustments (may go negative).
 * chain: the mirror of what arrived on and left our chain addresses (always ≤ 0); the on-chain
 *   audit compares −chain with the real balances of deposit, hot and fee wallets.
 * treasury: the operator's own funds in hot and fee wallets (refills, withdrawal gas).
 * suspense: funds confirmed on chain but credited to nobody (below the minimum deposit, KYT hold).
 */
export type AccountKind = 'user' | 'collection' | 'fee' | 'external' | 'chain' | 'treasury' | 'suspense';

export interface AccountTable {
  id: Generated<number>;
  kind: AccountKind;
  /** null for the service-wide external account. */
  merchant_id: RefId | null;
  uid: RefId | null;
  coin_id: RefId;
  normal: AmountColumn;
  lock: AmountColumn;
  /** Unique key: kind:merchant:uid:coin, so accounts are created once under concurrency. */
  key: string;
}

/** A balanced set of entries: one money movement. */
export interface JournalTable {
  id: Generated<number>;
  /** What caused it: withdrawal, deposit, transfer, adjustment. */
  ref_type: string;
  ref_id: RefId;
  /** Short machine-readable reason, e.g. "withdraw.lock". */
  reason: string;
  memo: string;
  created_at: MsColumn;
  /** The operator who posted it by hand (manual adjustments); null for the service's own journals. */
  operator_id: ColumnType<number | null, number | null | undefined, number | null>;
  operator_name: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface EntryTable {
  id: Generated<number>;
  journal_id: RefId;
  account_id: RefId;
  coin_id: RefId;
  bucket: 'normal' | 'lock';
  /** Signed change of the bucket. */
  delta: AmountColumn;
}

export interface WithdrawalTable {
  id: Generated<number>;
  merchant_id: RefId;
  request_id: string;
  uid: RefId;
  coin_id: RefId;
  symbol: string;
  amount: AmountColumn;
  withdraw_fee: AmountColumn;
  withdraw_fee_symbol: string;
  fee_symbol: string;
  real_fee: AmountColumn;
  address_from: string;
  address_to: string;
  txid: string;
  confirmations: number;
  saas_status: number;
  company_status: number;
  status: number;
  withdraw_type: number;
  /** Why the withdrawal went to review, for operators. */
  review_reason: string;
  /** The KYT provider's reason for status 8. */
  kyt_reason: Generated<string>;
  /** Distinct platform reviewers whose approvals make saas_status approved (fixed at request). */
  approvals_required: Generated<number>;
  /** JSON of the spending rules that sent it to review (which rule, which figures); '' when none. */
  policy_decision: Generated<string>;
  /** address_to in its chain's canonical form ('' on rows older than the policies). */
  to_canonical: Generated<string>;
  created_at: MsColumn;
  updated_at: MsColumn;
}

/** One review decision on a withdrawal, by one operator. */
export interface WithdrawalApprovalTable {
  id: Generated<number>;
  withdrawal_id: RefId;
  /** 'saas' (a platform reviewer) or 'company' (the merchant's side, recorded by an operator). */
  side: string;
  decision: 'approve' | 'reject';
  operator_id: number;
  operator_name: string;
  source_ip: string;
  reason: string;
  created_at: MsColumn;
}

/** How many reviewers a withdrawal above an amount needs, per coin (merchant_id 0: every merchant). */
export interface ApprovalPolicyTable {
  id: Generated<number>;
  merchant_id: RefId;
  coin_id: RefId;
  above_amount: AmountColumn;
  approvals_required: number;
  /** 1: the merchant's side (company_status) is approved by hand too; 0: its second confirmation stands for it. */
  company_review: number;
  updated_by: string;
  updated_at: MsColumn;
}

/** A rolling-window limit on withdrawals of a coin, per user or per merchant (merchant_id 0: every merchant). */
export interface VelocityLimitTable {
  id: Generated<number>;
  merchant_id: RefId;
  coin_id: RefId;
  scope: 'user' | 'merchant';
  window_s: number;
  /** '0': no amount limit. */
  max_amount: AmountColumn;
  /** 0: no count limit. */
  max_count: number;
  updated_by: string;
  updated_at: MsColumn;
}

/** Locked while a merchant's velocity limits decide a withdrawal of a coin. */
export interface VelocityLockTable {
  merchant_id: RefId;
  coin_id: RefId;
}

/** Destination rules of a merchant (merchant_id 0: every merchant without its own row). */
export interface DestinationSettingsTable {
  merchant_id: RefId;
  allowlist_enabled: number;
  new_address_cooldown_s: number;
  updated_by: string;
  updated_at: MsColumn;
}

/** A destination a merchant's withdrawals may pay without review when its allowlist is on. */
export interface AllowlistedDestinationTable {
  id: Generated<number>;
  merchant_id: RefId;
  chain: string;
  address: string;
  label: string;
  created_by: string;
  created_at: MsColumn;
}

export interface DepositTable {
  id: Generated<number>;
  merchant_id: RefId;
  uid: RefId;
  coin_id: RefId;
  symbol: string;
  amount: AmountColumn;
  address_from: string;
  address_to: string;
  txid: string;
  /** Distinguishes several deposits in one transaction (log index, or the withdrawal id for internal ones). */
  tx_index: string;
  confirmations: number;
  status: number;
  /** Credited to the collection account (auto-collection) instead of the user. */
  to_collection: number;
  /** The internal withdrawal that produced it, when it came from an alliance address. */
  withdrawal_id: RefId | null;
  /** On-chain deposits: the block holding the transaction (null for internal ones). */
  block_number: Generated<number | null>;
  block_hash: Generated<string>;
  /** Why the deposit is held (statuses 4/5/6) or failed. */
  review_reason: Generated<string>;
  /** The sweep that moved these funds to the hot wallet. */
  sweep_id: Generated<RefId | null>;
  created_at: MsColumn;
  updated_at: MsColumn;
}

export interface MinerFeeTable {
  id: Generated<number>;
  merchant_id: RefId;
  coin_id: RefId;
  symbol: string;
  amount: AmountColumn;
  fee: AmountColumn;
  address_from: string;
  address_to: string;
  txid: string;
  txid_type: string;
  confirmations: number;
  status: number;
  base_symbol: string;
  contract_address: string;
  email: string;
  sweep_id: Generated<RefId | null>;
  chain_tx_id: Generated<RefId | null>;
  created_at: MsColumn;
  updated_at: MsColumn;
}

export interface TransferTable {
  id: Generated<number>;
  from_merchant_id: RefId;
  to_merchant_id: RefId;
  request_id: string;
  receipt: string;
  coin_id: RefId;
  symbol: string;
  amount: AmountColumn;
  remark: string;
  created_at: MsColumn;
}

export interface BlacklistTable {
  id: Generated<number>;
  /** Lower-cased address. */
  address: string;
  reason: string;
  created_at: MsColumn;
}

/** Outbox: written in the same transaction as the status change it reports. */
export interface NotificationTable {
  id: Generated<number>;
  merchant_id: RefId;
  side: 'deposit' | 'withdraw';
  record_id: RefId;
  /** The record's fields at the time of the change (JSON). */
  payload: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: MsColumn;
  /** A worker holds the row until then; expired leases are taken over (crash recovery). */
  lease_until: MsColumn;
  last_error: string;
  created_at: MsColumn;
  delivered_at: MsColumn | null;
}

/** One delivery attempt of a notification (at most notifyAttemptsKeptMax per notification). */
export interface NotificationAttemptTable {
  id: Generated<number>;
  notification_id: RefId;
  /** 1, 2, … over the notification's whole life (a resend goes on counting). */
  attempt: number;
  at_ms: MsColumn;
  /** The merchant's HTTP status; null when no answer came (refused, timed out, not sent). */
  http_status: number | null;
  /** The first notifyAnswerExcerptBytesMax bytes of the merchant's answer, as text. */
  answer_excerpt: string;
  /** Why the attempt failed ('' when delivered), at most notifyErrorLengthMax characters. */
  error: string;
  duration_ms: number;
}

/** The scanner's position on one chain. */
export interface ChainCursorTable {
  chain: string;
  /** Highest block fully scanned (-1 before the first). */
  scanned_height: number;
  /** The node's head when last seen. */
  head_height: number;
  updated_at: MsColumn;
  /** The node's error that stops the scanner (null while it scans). */
  last_error: string | null;
  /** The block the scanner could not read. */
  error_block: number | null;
  /** Since when that block fails (the stall's start). */
  error_since: MsColumn | null;
  /** When it last failed. */
  error_at: MsColumn | null;
}

/** Hashes of recently scanned blocks: a parent hash that no longer matches means a reorg. */
export interface ChainBlockTable {
  chain: string;
  number: number;
  hash: string;
  parent_hash: string;
}

export type ChainTxPurpose = 'withdrawal' | 'sweep' | 'topup';
/**
 * signed: stored, not yet sent; broadcast: sent at least once; mined: in a block, not yet at
 * the coin's confirmations; confirmed: final; reverted: mined but failed; replaced: another
 * transaction with the same sequence won; dropped: the node forgot it and its sequence was used by another.
 */
export type ChainTxState = 'signed' | 'broadcast' | 'mined' | 'confirmed' | 'reverted' | 'replaced' | 'dropped';

/**
 * An outgoing transaction: stored (signed) before it is broadcast, so a crash never re-creates
 * it. Family-neutral: the payment, its sequence and the family's terms (chains/adapter.ts Payer).
 */
export interface ChainTxTable {
  id: Generated<number>;
  chain: string;
  purpose: ChainTxPurpose;
  /** withdrawal id or sweep id. */
  ref_id: RefId;
  from_address: string;
  /** The recipient of the payment (canonical; on memo chains with its memo). */
  to_address: string;
  /** Token contract, or '' for the native coin. */
  token: string;
  /** The sender's sequence the service keeps (EVM: the nonce); attempts at one payment share it. */
  sequence: number;
  /** Base units of `token` paid. */
  value: AmountColumn;
  /** The most the fees can cost, in the native coin's base units (funds checks, reservations). */
  fee_max: AmountColumn;
  /** The family's terms as it serialises them (EVM: JSON of gas limit, fees per gas, gas used once mined). */
  terms: string;
  /** The signed transaction as the family serialises it. */
  raw: string;
  hash: string;
  state: ChainTxState;
  /** The transaction this one replaced (same sequence, higher fee). */
  replaces_id: RefId | null;
  block_number: number | null;
  block_hash: string;
  /** The fee paid, in the native coin's base units, once mined. */
  fee: AmountColumn;
  broadcasts: number;
  last_error: string;
  broadcast_at: MsColumn;
  created_at: MsColumn;
  updated_at: MsColumn;
}

/** Each sender's next sequence: taken in the same transaction that stores the signed transaction. */
export interface ChainSequenceTable {
  chain: string;
  address: string;
  next_sequence: number;
}

export type SweepState = 'topup' | 'topup_pending' | 'sweep_pending' | 'done' | 'failed';

/** Moving one coin's deposits from a deposit address to the hot wallet. */
export interface SweepTable {
  id: Generated<number>;
  chain: string;
  merchant_id: RefId;
  coin_id: RefId;
  chain_address_id: RefId;
  address: string;
  amount: AmountColumn;
  state: SweepState;
  topup_tx_id: RefId | null;
  sweep_tx_id: RefId | null;
  attempts: number;
  last_error: string;
  created_at: MsColumn;
  updated_at: MsColumn;
}

/** Something an operator must act on (hot wallet low, reorg after credit, failing sweep). */
export interface OperatorAlertTable {
  id: Generated<number>;
  kind: string;
  key: string;
  message: string;
  count: number;
  created_at: MsColumn;
  updated_at: MsColumn;
  resolved_at: MsColumn | null;
}

/** Value an outsider sent to the hot or fee wallet (a refill): journaled chain −a / treasury +a once. */
export interface TreasuryReceiptTable {
  id: Generated<number>;
  chain: string;
  coin_id: RefId;
  txid: string;
  tx_index: string;
  address_from: string;
  address_to: string;
  amount: AmountColumn;
  block_number: number;
  block_hash: string;
  /** credited: journaled; reorged: its block left the chain and the journal was reversed. */
  state: 'credited' | 'reorged';
  created_at: MsColumn;
  updated_at: MsColumn;
}

/** Single-leader loops (one scanner per chain) hold a lease row. */
export interface WorkerLeaseTable {
  name: string;
  holder: string;
  lease_until: MsColumn;
}

/** The fingerprint of the data key the database's secrets are encrypted under (one row). */
export interface DataKeyTable {
  key_id: string;
  created_at: MsColumn;
}

/** An operator account (modules/operators). */
export interface OperatorTable {
  id: Generated<number>;
  name: string;
  /** Comma-separated roles (viewer, reviewer, treasurer, admin). */
  roles: string;
  /** 1 = refused everywhere; its tokens stop working at once. */
  disabled: number;
  /** "scrypt$N$r$p$salt$hash" (base64 salt and hash). */
  password_hash: string;
  /** The TOTP secret sealed under the data key ("v1:…"), bound to the account's id. */
  totp_secret: string;
  /** The last TOTP step accepted: a code is never accepted twice. */
  totp_last_step: Generated<number>;
  failed_logins: Generated<number>;
  last_failure_at: Generated<MsColumn>;
  /** No login is looked at before this time (the account's back-off). */
  locked_until: Generated<MsColumn>;
  created_at: MsColumn;
  updated_at: MsColumn;
}

/** A session or API token of an operator: only the token's sha256 is kept. */
export interface OperatorTokenTable {
  id: Generated<number>;
  operator_id: RefId;
  kind: 'session' | 'api';
  token_hash: string;
  created_at: MsColumn;
  expires_at: MsColumn;
  revoked_at: MsColumn | null;
  /** Where it was issued from (a login's client address, or "cli"). */
  source_ip: string;
}

export interface Database {
  merchants: MerchantTable;
  coins: CoinTable;
  merchant_coins: MerchantCoinTable;
  users: UserTable;
  chain_addresses: ChainAddressTable;
  user_addresses: UserAddressTable;
  accounts: AccountTable;
  journals: JournalTable;
  entries: EntryTable;
  withdrawals: WithdrawalTable;
  deposits: DepositTable;
  miner_fees: MinerFeeTable;
  transfers: TransferTable;
  blacklist: BlacklistTable;
  notifications: NotificationTable;
  notification_attempts: NotificationAttemptTable;
  chain_cursors: ChainCursorTable;
  chain_blocks: ChainBlockTable;
  chain_txs: ChainTxTable;
  chain_sequences: ChainSequenceTable;
  sweeps: SweepTable;
  operator_alerts: OperatorAlertTable;
  worker_leases: WorkerLeaseTable;
  treasury_receipts: TreasuryReceiptTable;
  seen_envelopes: SeenEnvelopeTable;
  data_keys: DataKeyTable;
  withdrawal_approvals: WithdrawalApprovalTable;
  approval_policies: ApprovalPolicyTable;
  velocity_limits: VelocityLimitTable;
  velocity_locks: VelocityLockTable;
  destination_settings: DestinationSettingsTable;
  allowlisted_destinations: AllowlistedDestinationTable;
  operator_audit: OperatorAuditTable;
  operator_audit_head: OperatorAuditHeadTable;
  operators: OperatorTable;
  operator_tokens: OperatorTokenTable;
  change_requests: ChangeRequestTable;
  four_eyes_engaged: FourEyesEngagedTable;
}

export type Merchant = Selectable<MerchantTable>;
export type Coin = Selectable<CoinTable>;
export type User = Selectable<UserTable>;
export type Account = Selectable<AccountTable>;
export type Withdrawal = Selectable<WithdrawalTable>;
export type Deposit = Selectable<DepositTable>;
export type MinerFee = Selectable<MinerFeeTable>;
export type Transfer = Selectable<TransferTable>;
export type NotificationRow = Selectable<NotificationTable>;
export type NotificationAttemptRow = Selectable<NotificationAttemptTable>;
export type ChainTx = Selectable<ChainTxTable>;
export type TreasuryReceipt = Selectable<TreasuryReceiptTable>;
export type Sweep = Selectable<SweepTable>;
export type OperatorAlert = Selectable<OperatorAlertTable>;
export type NewWithdrawal = Insertable<WithdrawalTable>;
export type WithdrawalUpdate = Updateable<WithdrawalTable>;

/** An accepted request envelope, kept while its `time` is inside the window (the replay guard). */
export interface SeenEnvelopeTable {
  merchant_id: RefId;
  /** sha256 (hex) of the decoded ciphertext bytes. */
  digest: string;
  /** The endpoint (SDK endpoint name) it was first accepted on. */
  endpoint: string;
  /** After this the envelope's `time` is outside every window: the row may go. */
  expires_at: MsColumn;
  created_at: MsColumn;
}

/** One operator action in the audit trail; `hash` covers every other column but `id` (modules/operator-audit). */
export interface OperatorAuditTable {
  id: number;
  at: MsColumn;
  operator_id: number;
  operator_name: string;
  /** JSON array of role names. */
  roles: string;
  action: string;
  target: string;
  before_json: string | null;
  after_json: string | null;
  outcome: string;
  error_code: string | null;
  source_ip: string;
  prev_hash: string;
  hash: string;
}

/** The one row naming the audit trail's last entry: appenders lock it. */
export interface OperatorAuditHeadTable {
  id: number;
  last_id: number;
  last_hash: string;
}

/** A sensitive admin change waiting for (or decided by) a second admin (modules/change-requests). */
export interface ChangeRequestTable {
  id: Generated<number>;
  kind: string;
  target: string;
  change_json: string;
  before_json: string | null;
  requested_by_id: number;
  requested_by_name: string;
  /** pending, approved, rejected or failed (approved, but the change was refused: nothing changed). */
  state: string;
  result_json: string | null;
  error_code: string | null;
  error_message: string | null;
  decided_by_id: number | null;
  decided_by_name: string | null;
  reason: string | null;
  created_at: MsColumn;
  decided_at: MsColumn | null;
}

/** The moment four eyes for admin changes were first engaged (at most one row, id 1). */
export interface FourEyesEngagedTable {
  id: number;
  engaged_at: MsColumn;
}
