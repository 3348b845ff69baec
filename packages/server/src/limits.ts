/**
 * Every bound of the service in one place: lengths, batch sizes, timeouts, poll intervals,
 * retry counts, cache and queue sizes. The unit is the last word of each name (…Ms, …Max,
 * …Bytes, …LengthMax, …Count) and each says in one line why it is what it is. Change them
 * here only; `checkLimits` (run at start-up) asserts the relations between them.
 */

// ── Merchant notifications (the notifier worker) ─────────────────────────────────────────

/** The notifier looks for due notifications at least this often (wake() makes it sooner). */
export const notifyPollIntervalMs = 500;

/** Deliveries to one merchant at a time, per process: a slow endpoint ties up at most this many slots. */
export const notifyInFlightPerMerchantMax = 4;

/** Deliveries at a time, per process, across all merchants. */
export const notifyInFlightGlobalMax = 32;

/**
 * Due rows inspected per claim. Rows are ranked per merchant first, so one merchant's backlog
 * cannot push another merchant's rows out of this window.
 */
export const notifyClaimScanMax = 256;

/**
 * A claimed row is leased for the merchant timeout plus this margin (sealing, writing the
 * outcome). A crashed worker's rows are taken over once the lease runs out, so the margin is
 * also how late a crash makes their delivery; an overrun at worst delivers twice, and
 * notify_id lets the merchant drop the second.
 */
export const notifyLeaseMarginMs = 5_000;

/** Bytes of a merchant's answer read to look for `SUCCESS`; the rest is discarded. */
export const notifyResponseBytesMax = 4_096;

/** Characters of a failure kept in `last_error` (and logged). */
export const notifyErrorLengthMax = 300;

/** After a database error the loop waits this long before polling again. */
export const notifyErrorBackoffMs = 2_000;

// ── Shown URLs ───────────────────────────────────────────────────────────────────────────

/** A URL path segment longer than this is shown as "***": provider keys are long, versions and network names short. */
export const redactedUrlSegmentLengthMin = 20;
/** Bytes of a merchant's answer kept with each delivery attempt: enough to read what it said, never its whole page. */
export const notifyAnswerExcerptBytesMax = 512;

/**
 * Delivery attempts kept per notification (the oldest go first). The notifier makes at most
 * notifyScheduleMs.length + 1 per delivery; only operator resends add more, so this keeps
 * the history of many resends while a notification resent forever cannot grow without bound.
 */
export const notifyAttemptsKeptMax = 100;

// ── Operator actions and listings ────────────────────────────────────────────────────────

/** Rows changed per statement by bulk operator actions (resend all failed). */
export const adminBatchSizeMax = 1_000;

/** Rows returned by one operator listing. */
export const adminListLimitMax = 1_000;

/** UTC days of daily volumes on the operator overview (today and the days before it): the console's chart. */
export const overviewDaysCount = 30;

/** Newest open alerts shown on the operator overview (the rest are counted, and listed by GET /alerts). */
export const overviewAlertsShownMax = 5;

/** Rows read per query while the overview sums a window's amounts (BigInt, in the service): memory stays bounded. */
export const overviewRowsPerReadMax = 5_000;

/** Enabled admins before sensitive admin changes wait for a second one: four eyes need two people. */
export const fourEyesAdminsMin = 2;

/** Longest reason of a change-request decision: it is stored with the request and shown in listings. */
export const changeRequestReasonLengthMax = 500;

/** Longest JSON of a requested change (before, change, result each): requests hold settings, never bulk data. */
export const changeRequestJsonLengthMax = 64_000;

// ── Operator API authentication ──────────────────────────────────────────────────────────

/** Failures from one address answered normally (401) before back-off starts. */
export const operatorAuthFreeFailuresMax = 5;

/** The first back-off; each further failure doubles it. */
export const operatorAuthBackoffBaseMs = 1_000;

/** The longest back-off: a locked-out operator can try again within a quarter of an hour. */
export const operatorAuthBackoffMaxMs = 15 * 60_000;

/** A failure older than this no longer counts (the address starts afresh). */
export const operatorAuthForgetAfterMs = 60 * 60_000;

/** Addresses remembered at most: a bound on memory whatever the number of attackers. */
export const operatorAuthTrackedAddressesMax = 10_000;

// ── Operator accounts, login and tokens ──────────────────────────────────────────────────

/** Longest operator account name: it is printed in tables and recorded with every decision. */
export const operatorAccountNameLengthMax = 64;

/** Longest password looked at: scrypt's cost grows with its input, so a huge one is refused first. */
export const operatorPasswordLengthMax = 1_024;

/** scrypt cost (N) of a new password hash: memory-hard (128·N·r = 16 MiB) and about 50 ms per check. */
export const operatorPasswordScryptCostCount = 2 ** 14;

/** scrypt block size (r) of a new password hash (with N: the memory each guess costs). */
export const operatorPasswordScryptBlockSizeCount = 8;

/** Memory scrypt may use for one hash: room for the stored parameters of any hash written so far. */
export const operatorPasswordScryptMemoryBytesMax = 64 * 1_024 * 1_024;

/** TOTP time step (RFC 6238's default, what authenticator apps use). */
export const operatorTotpStepMs = 30_000;

/** Steps of clock drift accepted either side of now: one step covers a phone a few seconds off. */
export const operatorTotpDriftStepsMax = 1;

/** A login session lasts a working day; after it the operator logs in again. */
export const operatorSessionTtlMs = 12 * 60 * 60_000;

/** An API token's lifetime when none is asked for: a quarter, so forgotten tokens die. */
export const operatorApiTokenExpiresDaysDefault = 90;

/** The longest lifetime an API token may be given: a year, then it is replaced. */
export const operatorApiTokenExpiresDaysMax = 366;

/** Live (unexpired, unrevoked) sessions and API tokens one operator may hold: a bound on rows per account. */
export const operatorTokensPerOperatorMax = 100;
/** How long an ended (expired or logged-out) session row is kept before a new login of its operator deletes it: its id stays traceable for a month. */
export const operatorEndedSessionKeepMs = 30 * 24 * 60 * 60_000;

/** Failed logins of one account answered normally before its lockout starts. */
export const operatorLoginFreeFailuresMax = 5;

/** The first lockout of an account; each further failure doubles it. */
export const operatorLoginLockoutBaseMs = 30_000;

/** The longest lockout: an attacker gets a few guesses an hour, the owner waits at most this. */
export const operatorLoginLockoutMaxMs = 60 * 60_000;

// ── Chains: leases, scanning and backfill ────────────────────────────────────────────────

/** A chain worker's lease lasts this many of its chain's poll intervals: a slow step keeps it. */
export const chainLeasePollIntervalsCount = 5;

/** …and never less than this, however fast the chain polls. */
export const chainLeaseTtlMinMs = 2_000;

/** The lease of the scanner, broadcaster and sweeper of a chain polled every `pollIntervalMs`. */
export function chainLeaseTtlMs(pollIntervalMs: number): number {
  return Math.max(pollIntervalMs * chainLeasePollIntervalsCount, chainLeaseTtlMinMs);
}

/** `chain backfill` prints a progress line at most this often. */
export const backfillProgressEveryMs = 1_000;

/** Scanner steps in a row that fail (or move nothing) before a backfill gives up. */
export const backfillAttemptsMax = 5;

/** Wait after a backfill's first failed step (then doubled), at least the chain's poll interval. */
export const backfillBackoffMs = 500;

/** Longest wait between two backfill tries. */
export const backfillBackoffMaxMs = 10_000;

/** How long the start-up summary waits for a node's head before calling it unreachable. */
export const summaryNodeTimeoutMs = 5_000;

// ── Keys and sealing ─────────────────────────────────────────────────────────────────────

/** Shortest passphrase accepted for a new or rotated key store. */
export const keystorePassphraseLengthMin = 12;

/** Payloads of at most this many RSA segments go to one worker: splitting costs more than it saves. */
export const rsaSegmentsPerWorkerMin = 8;

/** Seal tasks waiting for a worker before seal() refuses: a bound on memory under overload. */
export const rsaQueueTasksMax = 10_000;

/** RSA worker crashes in a row (no task completed in between), per worker slot, before the pool gives up. */
export const rsaCrashStreakPerWorkerMax = 4;

// ── Command line ─────────────────────────────────────────────────────────────────────────

/** Key files given to `merchant` commands are small; anything bigger is not a key. */
export const keyFileBytesMax = 64 * 1024;

/** `audit` prints progress every this many ledger entries. */
export const auditProgressEveryEntries = 50_000;

/** Attempts at taking the sandbox lock when it keeps being released or taken over under us. */
export const sandboxLockAttemptsMax = 3;

// ── Store ────────────────────────────────────────────────────────────────────────────────

/** PostgreSQL connections per process: enough for the workers and the API's concurrent requests. */
export const postgresPoolConnectionsMax = 10;

// ── Ledger, merchants, coins, transfers, alerts, replay guard, operator input ─────────────

/** Longest decimal amount string accepted: far beyond any 256-bit amount, short enough to refuse abuse. */
export const amountLengthMax = 100;
/** Entries the ledger audit reads per query, so a large ledger is audited in bounded memory. */
export const auditEntriesBatchMax = 5_000;
/** A balance adjustment's reason is kept in the journal memo; this long at most. */
export const adjustmentReasonLengthMax = 500;
/** Adjustments an operator listing shows when it names no limit. */
export const adjustmentsPageDefaultMax = 100;
/** Most adjustments one operator listing returns. */
export const adjustmentsPageMax = 1_000;
/** Users a merchant may register when its settings name no cap. */
export const merchantUsersDefaultMax = 50_000;
/** "Virtual account" strings (email registration) are up to 100 characters (API.md #2). */
export const emailLengthMax = 100;
/** Confirmations a coin waits for when its settings name none. */
export const coinConfirmationsDefaultCount = 12;
/** Longest transfer remark (API.md #15). */
export const transferRemarkLengthMax = 32;
/** Alerts an operator listing shows when it names no limit. */
export const alertsPageDefaultMax = 100;
/** Most alerts one operator listing returns. */
export const alertsPageMax = 1_000;
/** Slack for clocks of API processes that disagree a little; added to every seen-envelope row's lifetime. */
export const replayClockMarginMs = 60_000;
/** Each process prunes expired envelope rows at most this often while the last batch came back short. */
export const replayPruneIntervalMs = 10_000;
/** Envelope rows deleted per prune statement: the cost one API call may pay. */
export const replayPruneBatchMax = 1_000;
/** Longest merchant name an operator may set. */
export const merchantNameLengthMax = 100;
/** Longest notify/confirm URL an operator may set. */
export const urlLengthMax = 2_048;
/** Most entries in a merchant's IP allowlist (each is checked on every API call). */
export const ipAllowlistEntriesMax = 256;
/** Highest per-merchant user cap an operator may set. */
export const userLimitMax = 100_000_000;
/** Most decimals a coin may have (beyond any real token; keeps 10^decimals small). */
export const coinDecimalsMax = 36;
/** Most confirmations a coin may wait for (about a day and a half on a 12 s chain). */
export const coinConfirmationsMax = 10_000;
/** Longest app_id an operator may choose (random ones are 32 hex characters); the transfer API's `to` takes the same. */
export const merchantAppIdLengthMax = 64;

// ── Merchant API fields and the operator contract ─────────────────────────────────────────

/** Longest `app_id`: the service issues 32 hex characters (the seeds' form) and the operator API accepts at most this many. */
export const appIdLengthMax = 64;
/** Longest `request_id` (and item of an `ids` list): API.md §2 says ≤ 64 characters. */
export const requestIdLengthMax = 64;
/** Longest deposit-address text looked up (#19): every address the service issues is far shorter. */
export const depositAddressLengthMax = 128;
/** Longest withdrawal destination (#8): memo chains append "_memo" to the address, so it is longer than a deposit address. */
export const withdrawAddressLengthMax = 256;
/** Digits of a numeric id or millisecond timestamp read from text: more cannot be a safe integer. */
export const numericTextDigitsMax = 16;
/** Longest coin symbol: symbols are short tickers. */
export const symbolLengthMax = 32;
/** Longest mobile number text considered at all (the domain then checks its digits). */
export const mobileLengthMax = 32;
/** Longest country calling code text considered at all. */
export const countryLengthMax = 8;
/** Longest `ids_type` value read (the two valid values are shorter). */
export const idsTypeLengthMax = 16;
/** Records per page of every sync list (API.md §2: 100 at most). */
export const pageSizeMax = 100;
/** Ids per by-id list request (API.md §2: ≤ 100). */
export const idsMax = 100;
/** Merchants whose parsed key / allowlist are cached: a bound on memory. */
export const gatewayCacheEntriesMax = 10_000;
/** Characters of an unknown caller's `app_id` written to the access log. */
export const loggedAppIdLengthMax = appIdLengthMax;
/** Rows per page of the operator lists (alerts, chain transactions, sweeps, notifications, reviews). */
export const operatorPageSizeMax = 1_000;
/** Rows per page of the operator record lists (withdrawals, deposits, users) when the caller gives no limit. */
export const recordListPageSizeDefault = 100;
/** Rows per INSERT of a bulk insert of records (SQLite caps bound parameters: ~30 columns × this). */
export const recordRowsPerInsertMax = 500;
/** Rows a record's timeline reads from each source (notifications, audit entries, chain transactions). */
export const timelineSourceRowsMax = 200;
/** Longest cursor of a record list (it names a page's last row: base64url of "created_at.id"). */
export const listCursorLengthMax = 64;
/** Longest transaction id a record list filters by. */
export const txidFilterLengthMax = 256;
/** Statuses one record-list filter may name at once. */
export const statusFilterValuesMax = 16;
/** Longest coin display name. */
export const coinNameLengthMax = 100;
/** Longest token contract address text of a coin. */
export const contractAddressLengthMax = 128;
/** Longest icon / explorer URL of a coin. */
export const coinUrlLengthMax = 2_048;
/** Longest operator name given with a KYT decision (`by`). */
export const operatorNameLengthMax = 100;
/** Entries of the operator audit trail per page of GET /audit/operators and `audit operators` lists (default 100). */
export const operatorAuditPageSizeMax = 1_000;
/** Entries the audit trail's verification and export read per query: bounded memory, whatever its length. */
export const operatorAuditBatchMax = 1_000;
/** Longest target recorded in an audit entry (a path naming the record acted on). */
export const operatorAuditTargetLengthMax = 500;
/** Largest before/after snapshot kept in an audit entry; a bigger one is kept as its size and hash only. */
export const operatorAuditSnapshotBytesMax = 64 * 1024;
/** Longest reason given when rejecting a withdrawal (the KYT review reason has the same bound). */
export const rejectReasonLengthMax = 500;
/**
 * Held records per side and page of GET /kyt; the same value as the KYT module's
 * heldPageSizeMax (a test keeps the two equal until they are one bound).
 */
export const heldPageSizeMax = 500;
/** Longest reason of a KYT decision; the same value as the KYT module's reviewReasonLengthMax (a test keeps them equal). */
export const heldReasonLengthMax = 500;

// ── Deposits, scanning, addresses, notifications, KYT ─────────────────────────────────────

/** Deposits settled per scanner tick at most; the rest wait for the next (immediate) tick. */
export const settleBatchMax = 200;
/** Rows looked up per query when matching a batch's transfers (deposits, address owners): SQLite caps bound parameters. */
export const lookupChunkMax = 500;
/** Block hashes kept beyond reorgDepth: a reorg a little deeper than configured is still undone. */
export const extraBlocksKeptCount = 16;
/** chain_blocks rows written per INSERT (SQLite caps bound parameters). */
export const blockRowsPerInsertMax = 1_000;
/** Longest node error kept on a scanner's cursor row (shown by `chain status`). */
export const scannerErrorLengthMax = 300;
/** Untraced blocks named in a `scanner-untraced` alert; the rest are summarised. */
export const untracedBlocksShownMax = 5;
/** `sandbox deposit` waits at most this many seconds by default. */
export const sandboxDepositTimeoutDefaultSeconds = 60;
/** Longest `sandbox deposit --timeout` accepted. */
export const sandboxDepositTimeoutMaxSeconds = 3_600;
/** `sandbox deposit` waits this long for its transaction's receipt. */
export const sandboxReceiptTimeoutMs = 30_000;
/** How often `sandbox deposit --wait` looks at the deposit's status. */
export const sandboxDepositPollMs = 250;
/** Attempts at allocating an address when concurrent callers collide on a unique index. */
export const allocateAttemptsMax = 8;
/** chain_addresses rows read per query while a watch set catches up (the first refresh of a large service). */
export const watchSetRefreshPageMax = 10_000;
/** Largest merchant confirmation reply read; a real one is a few hundred bytes. */
export const confirmReplyBytesMax = 64 * 1024;
/** Parsed merchant public keys cached, by PEM; bounded so a key rotation storm cannot grow it forever. */
export const merchantKeyCacheSizeMax = 1_000;
/** Largest answer read from the KYT screening service; a real one is a few hundred bytes. */
export const kytAnswerBytesMax = 64 * 1024;
/** Longest KYT provider reason kept (stored with the record and shown to operators). */
export const kytReasonLengthMax = 500;
/** Deposits read per query while the circuit breaker sums a window. */
export const breakerPageMax = 1_000;
/** Longest reason an operator may give when rejecting a held record. */
export const reviewReasonLengthMax = 500;
/** Longest reason history kept on a record; older notes are dropped first. */
export const reasonHistoryLengthMax = 2_000;
/** A crashed KYT leader is replaced after this long; renewed before every screening. */
export const kytLeaseTtlMs = 60_000;
/** Waiting records looked at per KYT tick and side (oldest first); those in back-off are skipped. */
export const kytCandidatesMax = 1_000;
/** Records screened per KYT tick and side; more → the next tick runs at once. */
export const kytBatchMax = 20;
/** Cap on the exponent of the KYT retry back-off (the delay is capped by retryMaxMs anyway). */
export const kytBackoffDoublingsMax = 30;

// ── Withdrawals, chain sends, sweeps, chain audit ─────────────────────────────────────────

/** One page of the operators' review list: keeps a listing a bounded read. */
export const reviewPageSizeMax = 500;
/** Longest withdrawal address (memo excluded) on a chain without a configured pattern. */
export const withdrawAddressPartLengthMax = 128;
/** Longest memo/tag after "_" on memo chains. */
export const withdrawMemoLengthMax = 64;
/** Longest address (with memo) accepted on the blacklist: any destination a withdrawal may name. */
export const blacklistAddressLengthMax = withdrawAddressLengthMax;
/** Longest reason an operator may give a blacklisted address. */
export const blacklistReasonLengthMax = 500;
/** Most distinct reviewers a policy may require: more than a review team has would leave withdrawals stuck. */
export const approvalsRequiredMax = 10;
/** Review decisions shown per withdrawal: a quorum is at most approvalsRequiredMax plus the merchant side and a rejection. */
export const approvalsShownMax = approvalsRequiredMax + 2;
/** Longest velocity window (30 days): each decision reads the withdrawals inside it. */
export const velocityWindowMaxS = 30 * 86_400;
/** Velocity limits per coin and merchant (or for every merchant): each one is a read per withdrawal decided. */
export const velocityLimitsPerCoinMax = 8;
/** Longest cool-down for a first payment to an address (30 days). */
export const newAddressCooldownMaxS = 30 * 86_400;
/** Destinations on one merchant's allowlist: the operator list reads them in one page. */
export const allowlistEntriesPerMerchantMax = 1_000;
/** Longest label an operator may give an allowlisted destination. */
export const allowlistLabelLengthMax = 100;
/** Withdrawals the broadcaster considers per tick: one tick stays short; more wait for the next. */
export const withdrawalsPerTickMax = 20;
/** An unchanged alert is raised again (count + 1) at most this often per process: no alert storm per tick. */
export const alertRepeatMs = 60_000;
/** Nonce slots followed per tick; more waits for the next tick (which runs at once). */
export const slotsPerTickMax = 100;
/** Longest last_error kept on a stored transaction (and on a sweep). */
export const chainTxErrorLengthMax = 500;
/** Rows of an operator listing of stored transactions or sweeps when no limit is asked. */
export const chainListPageSizeDefault = 100;
/** Most rows of one operator listing of stored transactions or sweeps. */
export const chainListPageSizeMax = 1_000;
/** New sweeps started per tick: signing is slow, a tick stays short. */
export const sweepsPerTickMax = 20;
/** Deposit addresses with unswept credited deposits looked at per tick. */
export const sweepCandidatesPerTickMax = 200;
/** Failed transactions (reverted, dropped) after which a sweep stops and alerts. */
export const sweepAttemptsMax = 3;
/** Balance reads in flight at once against the node during the chain audit. */
export const auditBalanceReadsInFlightMax = 32;
/** The chain audit reports progress only for chains with more addresses than this. */
export const auditProgressAddressCountMin = 1_000;
/** The chain audit reports progress once per this many batches of balance reads. */
export const auditProgressBatchCount = 100;
/** The KYT loop polls for work at least this often. */
export const kytPollIntervalMs = 1_000;

// ── Chain nodes: reads, retries, batching, the local dev node ─────────────────────────────

/** Tries of one EVM JSON-RPC read (block, trace, receipt, logs) within a scanner step; beyond them the step fails and the scanner retries next tick. */
export const nodeReadAttemptsMax = 3;
/** Wait before the second try of a node read, doubled before each further try: a brief node hiccup passes within one step. */
export const nodeReadBackoffMs = 100;
/** Characters of a node's error kept (alerts, status, logs): enough for the node's words, short enough for an alert line. */
export const nodeErrorLengthMax = 300;
/** Causes followed down a viem error's chain for the node's words: viem nests a few levels, a loop would never end. */
export const nodeErrorCauseDepthMax = 6;
/** Transport-level retries of a JSON-RPC call on a real node (none on a dev chain, where a failure is a test's signal). */
export const rpcRetryCount = 3;
/** JSON-RPC calls per batched HTTP request of a block scan: many blocks per round trip, below common node caps. */
export const rpcBatchCallsMax = 200;
/** viem's polling interval on a dev chain (anvil mines at once). */
export const devRpcPollingIntervalMs = 50;
/** viem's polling interval on a real chain without a configured one: about a third of an Ethereum block. */
export const rpcPollingIntervalMs = 4_000;
/** Margin on estimated gas of contract calls, percent: token transfers cost more when a balance slot is new. */
export const contractGasMarginPercent = 25n;
/** How long a local anvil node may take to print that it listens. */
export const anvilStartTimeoutMs = 15_000;
/** After SIGTERM, how long a local anvil node may take to exit before SIGKILL. */
export const anvilStopGraceMs = 3_000;

// ── The operator console (static files on the operator listener) ──────────────────────────

/** A hashed console asset (its name changes with its content) is cached by browsers for a year. */
export const consoleAssetMaxAgeS = 31_536_000;

/** The longest path under /console the static handler looks up: longer ones are not files of the build. */
export const consolePathLengthMax = 512;

// ── Health, readiness and metrics (ops/) ─────────────────────────────────────────────────

/** /ready fails a chain whose scanner is more blocks than this behind its node's head (a few minutes of blocks on a fast chain). */
export const readyScannerLagBlocksMax = 100;

/** A readiness or metrics read of a node (head, balance) gives up after this long: a hung node answers "down", not a hung probe. */
export const opsNodeReadTimeoutMs = 2_000;

/** A readiness check of the database gives up after this long (a load balancer's probe times out in seconds). */
export const readyDatabaseTimeoutMs = 2_000;

/**
 * A /ready answer younger than this is given again instead of checked anew (concurrent calls
 * share one check too): /ready is unauthenticated on the public merchant listener, so a flood of
 * calls costs at most one database and node round per this interval.
 */
export const readyAnswerReuseMs = 1_000;

/** Rows counted per status at a metrics scrape: a larger backlog shows as this number (the scrape stays cheap). */
export const metricsCountRowsMax = 100_000;

/** Worker lease rows read at a scrape (one per loop and chain: a handful). */
export const metricsLeasesMax = 200;

/** Upper bounds (seconds) of the merchant API's latency histogram buckets. */
export const metricsApiLatencyBucketsS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

/** A bound that does not hold its relation to another: the service refuses to start. */
export class LimitsError extends Error {
  override name = 'LimitsError';
}

/** The settings that bounds relate to: the configured chains' intervals. */
export interface LimitsSettings {
  chains: ReadonlyArray<{ id: string; pollIntervalMs: number; stallAlertAfterMs: number; stuckAfterMs: number; dropAfterMs: number }>;
}

/**
 * Asserts the relations between bounds (and between bounds and settings) at start-up: a
 * lease shorter than two polls of its loop would be lost between two steps and taken over
 * while its holder still works; a limit per merchant above the global one could never be
 * reached; and so on. Throws LimitsError naming the bounds.
 */
export function checkLimits(settings: LimitsSettings): void {
  const failures: string[] = [];
  const atLeast = (what: string, value: number, min: number, minWhat: string) => {
    if (!(value >= min)) failures.push(`${what} (${value}) must be at least ${minWhat} (${min})`);
  };
  atLeast('notifyInFlightGlobalMax', notifyInFlightGlobalMax, notifyInFlightPerMerchantMax, 'notifyInFlightPerMerchantMax');
  atLeast('notifyClaimScanMax', notifyClaimScanMax, notifyInFlightGlobalMax, 'notifyInFlightGlobalMax');
  atLeast('notifyResponseBytesMax', notifyResponseBytesMax, notifyAnswerExcerptBytesMax, 'notifyAnswerExcerptBytesMax');
  atLeast('notifyLeaseMarginMs', notifyLeaseMarginMs, 2 * notifyPollIntervalMs, 'twice notifyPollIntervalMs');
  atLeast('operatorAuthBackoffMaxMs', operatorAuthBackoffMaxMs, operatorAuthBackoffBaseMs, 'operatorAuthBackoffBaseMs');
  atLeast('operatorAuthForgetAfterMs', operatorAuthForgetAfterMs, operatorAuthBackoffMaxMs, 'operatorAuthBackoffMaxMs');
  atLeast('operatorLoginLockoutMaxMs', operatorLoginLockoutMaxMs, operatorLoginLockoutBaseMs, 'operatorLoginLockoutBaseMs');
  atLeast('operatorApiTokenExpiresDaysMax', operatorApiTokenExpiresDaysMax, operatorApiTokenExpiresDaysDefault, 'operatorApiTokenExpiresDaysDefault');
  atLeast('backfillBackoffMaxMs', backfillBackoffMaxMs, backfillBackoffMs, 'backfillBackoffMs');
  atLeast('chainLeasePollIntervalsCount', chainLeasePollIntervalsCount, 2, 'two polls');
  atLeast('metricsCountRowsMax', metricsCountRowsMax, 1, 'one row');
  atLeast('rsaQueueTasksMax', rsaQueueTasksMax, rsaSegmentsPerWorkerMin, 'rsaSegmentsPerWorkerMin');
  for (const chain of settings.chains) {
    atLeast(`the worker lease of ${chain.id}`, chainLeaseTtlMs(chain.pollIntervalMs), 2 * chain.pollIntervalMs, 'twice its pollIntervalMs');
    // A stall is called only after the scanner looked again; a send is dropped only after it was found stuck.
    atLeast(`${chain.id} stallAlertAfterMs`, chain.stallAlertAfterMs, chain.pollIntervalMs, 'its pollIntervalMs');
    atLeast(`${chain.id} dropAfterMs`, chain.dropAfterMs, chain.stuckAfterMs, 'its stuckAfterMs');
  }
  if (failures.length > 0) throw new LimitsError(`inconsistent bounds: ${failures.join('; ')}`);
}
