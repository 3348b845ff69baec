/**
 * The operator API's contract as data, in one place: every route of /operator/v1 with its
 * request schemas (zod: path params, query, body) and its success status, and the response
 * view type of each (`OperatorResponses`). The routes (operator/*-routes.ts) parse with these
 * schemas and are typed by these views; the CLI prints the same views with --json; a web
 * console imports this module: at run time it needs only zod and the bounds (domain types are
 * erased). Errors: contracts/operator-errors.ts.
 */
import { z } from 'zod';
import type { AdjustmentEntry, AdjustmentResult } from '../modules/ledger/index.js';
import type { BlacklistEntry, ReviewItem, WithdrawalListItem } from '../modules/withdrawals/index.js';
import type { ChainStatus, DepositDetail, DepositListItem, WalletLevel, WalletStatus } from '../modules/deposits/index.js';
import type { HeldRecords } from '../modules/kyt/index.js';
import type { NotificationAttemptView, NotificationDetailView, NotificationState, NotificationView } from '../modules/notifications/index.js';
import type { chainTxView } from '../modules/chain-sends/index.js';
import type { sweepView } from '../modules/sweeps/index.js';
import type { decideHeldAction } from '../modules/kyt/index.js';
import type { resendAllFailed } from '../modules/notifications/index.js';
import type { auditAction, chainAuditAction, CoinView, MerchantView, UserView, WithdrawalView } from '../operator/actions.js';
import type { ReviewSide } from '../modules/kyt/index.js';
import type { Auditor } from '../modules/withdrawals/index.js';
import type { AllowlistEntryView, ApprovalPolicyView, DestinationSettingsView, VelocityLimitView, VelocityScope } from '../modules/policies/index.js';
import type { AuditEntryView, AuditOutcome, OperatorAuditVerdict } from '../modules/operator-audit/index.js';
import type { ChangeRequestState, ChangeRequestView } from '../modules/change-requests/index.js';
import type { ApiTokenView, IssuedToken, LoginResult, OperatorEnrolment, OperatorRole, OperatorView } from '../modules/operators/index.js';
import type { CallbackProfile, ChainTxPurpose, ChainTxState, OperatorAlert, SweepState } from '../store/schema.js';
import {
  appIdLengthMax,
  coinNameLengthMax,
  heldPageSizeMax,
  heldReasonLengthMax,
  coinUrlLengthMax,
  contractAddressLengthMax,
  operatorAuditPageSizeMax,
  operatorAuditTargetLengthMax,
  operatorAccountNameLengthMax,
  operatorApiTokenExpiresDaysMax,
  operatorNameLengthMax,
  operatorPasswordLengthMax,
  operatorPageSizeMax,
  rejectReasonLengthMax,
  changeRequestReasonLengthMax,
  symbolLengthMax,
  allowlistLabelLengthMax,
  approvalsRequiredMax,
  newAddressCooldownMaxS,
  velocityWindowMaxS,
  listCursorLengthMax,
  requestIdLengthMax,
  txidFilterLengthMax,
  withdrawAddressLengthMax,
  statusFilterValuesMax,
} from '../limits.js';

/** The prefix every operator route is mounted under. */
export const operatorBasePath = '/operator/v1';

// ---- vocabulary shared by the routes and the CLI ----------------------------------------------

/** Which audit a withdrawal decision records: the platform's or the merchant's. */
export const auditors = ['saas', 'company'] as const;
/** States of a collection sweep. */
export const sweepStates = ['topup', 'topup_pending', 'sweep_pending', 'done', 'failed'] as const;
/** What an outgoing chain transaction pays for. */
export const chainTxPurposes = ['withdrawal', 'sweep', 'topup'] as const;
/** States of an outgoing chain transaction. */
export const chainTxStates = ['signed', 'broadcast', 'mined', 'confirmed', 'reverted', 'replaced', 'dropped'] as const;
/** The two kinds of record a KYT hold applies to. */
export const reviewSides = ['deposit', 'withdrawal'] as const;
/** Whose withdrawals a velocity limit adds up: one user's, or all of a merchant's users'. */
export const velocityScopes = ['user', 'merchant'] as const;
/** Delivery states of a notification. */
export const notificationStates = ['pending', 'delivered', 'failed'] as const;
/** How the integer fields of a merchant's callbacks are typed: as the seeds (strings) or as JSON numbers (docs/callbacks.md). */
export const callbackProfiles = ['strings', 'numbers'] as const satisfies readonly CallbackProfile[];
/** How an operator action ended in the audit trail. */
export const auditOutcomes = ['done', 'refused', 'failed'] as const;

/** What a record's timeline event tells (GET /withdrawals/:id/timeline, GET /deposits/:id/timeline). */
export const timelineKinds = ['created', 'confirmation', 'policy', 'status', 'notification', 'review', 'kyt', 'operator', 'chain_tx'] as const;

/** States of a change request (four eyes for admin changes). */
export const changeRequestStates = ['pending', 'approved', 'rejected', 'failed'] as const;

/** The operator roles (the operators module's list, repeated here: this module needs only zod and the bounds at run time). */
export const operatorRoles = ['viewer', 'reviewer', 'treasurer', 'admin'] as const;

// ---- request schemas --------------------------------------------------------------------------

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const decimal = z.string().trim().regex(/^\d+(\.\d+)?$/, 'must be a decimal number like "1.5"');
const operatorName = z.string().trim().min(1).max(operatorNameLengthMax);
const page = z.coerce.number().int().positive().max(operatorPageSizeMax);
const afterIdPage = { after_id: z.coerce.number().int().min(0).optional(), limit: page.optional() };
const beforeIdPage = { before_id: id.optional(), limit: z.coerce.number().int().min(1).max(operatorPageSizeMax).optional() };

export const appIdParams = z.object({ appId: z.string().min(1).max(appIdLengthMax) });
export const idParams = z.object({ id });
export const uidParams = z.object({ uid: id });
export const symbolParams = z.object({ symbol: z.string() });
export const merchantCoinParams = z.object({ appId: z.string(), symbol: z.string() });
export const addressParams = z.object({ address: z.string() });
export const pageQuery = z.object(afterIdPage);

const merchantSettings = {
  name: z.string().optional(),
  merchant_public_key: z.string().min(1).optional(),
  notify_url: z.string().nullable().optional(),
  confirm_url: z.string().nullable().optional(),
  ip_allowlist: z.array(z.string()).optional(),
  auto_collect: z.boolean().optional(),
  user_limit: z.number().int().optional(),
  active: z.boolean().optional(),
  callback_profile: z.enum(callbackProfiles).optional(),
};
/** An app_id given at creation must be one the routes and the merchant API accept. */
export const createMerchantBody = z.strictObject({ ...merchantSettings, name: z.string(), app_id: z.string().max(appIdLengthMax).optional() });
export const updateMerchantBody = z.strictObject(merchantSettings);

const coinFields = {
  name: z.string().min(1).max(coinNameLengthMax).optional(),
  chain: z.string(),
  base_symbol: z.string().max(symbolLengthMax).optional(),
  contract_address: z.string().max(contractAddressLengthMax).optional(),
  decimals: z.number().int(),
  confirmations: z.number().int().optional(),
  min_withdraw: decimal.optional(),
  max_withdraw: decimal.optional(),
  withdraw_fee: decimal.optional(),
  withdraw_fee_symbol: z.string().optional(),
  auto_approve_max: decimal.optional(),
  daily_limit: decimal.optional(),
  min_deposit: decimal.optional(),
  icon: z.string().max(coinUrlLengthMax).optional(),
  explorer: z.string().max(coinUrlLengthMax).optional(),
  address_explorer: z.string().max(coinUrlLengthMax).optional(),
  enabled: z.boolean().optional(),
};
export const upsertCoinBody = z.strictObject(coinFields);
export const patchCoinBody = z.strictObject({ ...coinFields, chain: coinFields.chain.optional(), decimals: coinFields.decimals.optional() });

export const userFlagsBody = z.strictObject({ frozen: z.boolean().optional(), at_risk: z.boolean().optional() });
export const adjustmentBody = z
  .strictObject({
    uid: id.optional(),
    app_id: z.string().min(1).optional(),
    symbol: z.string().min(1),
    amount: z.string().min(1),
    reason: z.string(),
  })
  .refine((b) => (b.uid === undefined) !== (b.app_id === undefined), 'give either uid (a user) or app_id (the collection account)');
export const auditorBody = z.strictObject({ by: z.enum(auditors).default('saas') });
export const rejectWithdrawalBody = z.strictObject({ by: z.enum(auditors).default('saas'), reason: z.string().max(rejectReasonLengthMax).default('') });
const policyAppId = z.string().min(1).max(appIdLengthMax).optional();
const windowS = z.coerce.number().int().min(1).max(velocityWindowMaxS);
export const approvalPolicyBody = z.strictObject({
  app_id: policyAppId,
  above_amount: decimal,
  approvals_required: z.number().int().min(1).max(approvalsRequiredMax),
  company_review: z.boolean().optional(),
});
export const policyScopeQuery = z.object({ app_id: policyAppId });
export const velocityLimitBody = z
  .strictObject({ app_id: policyAppId, scope: z.enum(velocityScopes), window_s: windowS, max_amount: decimal.optional(), max_count: z.number().int().min(0).optional() })
  .refine((b) => (b.max_amount !== undefined && Number(b.max_amount) > 0) || (b.max_count ?? 0) > 0, 'give max_amount or max_count');
export const velocityLimitQuery = z.object({ app_id: policyAppId, scope: z.enum(velocityScopes), window_s: windowS });
export const destinationSettingsBody = z.strictObject({
  app_id: policyAppId,
  allowlist_enabled: z.boolean().optional(),
  new_address_cooldown_s: z.number().int().min(0).max(newAddressCooldownMaxS).optional(),
});
export const allowlistBody = z.strictObject({ symbol: z.string().min(1).max(symbolLengthMax), address: z.string().min(1), label: z.string().max(allowlistLabelLengthMax).optional() });
export const allowlistQuery = z.object({ symbol: z.string().min(1).max(symbolLengthMax), address: z.string().min(1) });
export const blacklistBody = z.strictObject({ address: z.string(), reason: z.string().optional() });
export const notificationsQuery = z.object({ state: z.enum(notificationStates).optional(), app_id: z.string().optional(), ...afterIdPage });
export const resendAllBody = z.strictObject({ app_id: z.string().optional() });

export const heldQuery = z
  .object({
    side: z.enum(reviewSides).optional(),
    after_id: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().positive().max(heldPageSizeMax).optional(),
  })
  .refine((q) => q.after_id === undefined || q.side !== undefined, 'after_id pages within one side: give side too');
export const heldReleaseBody = z.strictObject({ by: operatorName.optional() });
export const heldRejectBody = z.strictObject({ reason: z.string().max(heldReasonLengthMax), by: operatorName.optional() });

const ms = z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
export const operatorAuditQuery = z
  .strictObject({
    operator_id: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
    action: z.string().min(1).max(operatorAuditTargetLengthMax).optional(),
    target: z.string().min(1).max(operatorAuditTargetLengthMax).optional(),
    outcome: z.enum(auditOutcomes).optional(),
    /** Entries at or after this time (ms since the epoch). */
    from: ms.optional(),
    /** Entries before this time (ms since the epoch). */
    to: ms.optional(),
    after_id: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().positive().max(operatorAuditPageSizeMax).optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, 'from must not be after to');
/** One status or several ("0,1" or status=0&status=1). */
const statusFilter = z.preprocess(
  (v) => (Array.isArray(v) ? v : [v]).flatMap((x) => (typeof x === 'string' ? x.split(',') : [x])),
  z
    .array(z.string().regex(/^\d{1,3}$/, 'a status is a whole number like 1').transform(Number))
    .min(1)
    .max(statusFilterValuesMax),
);
const recordListFields = {
  /** The merchant's records only. */
  app_id: z.string().min(1).max(appIdLengthMax).optional(),
  symbol: z.string().min(1).max(symbolLengthMax).optional(),
  status: statusFilter.optional(),
  /** created_at at or after this (ms since the epoch). */
  from_ms: ms.optional(),
  /** created_at before this (ms since the epoch). */
  to_ms: ms.optional(),
  /** The destination of a withdrawal, the deposit address of a deposit (as stored). */
  address: z.string().min(1).max(withdrawAddressLengthMax).optional(),
  txid: z.string().min(1).max(txidFilterLengthMax).optional(),
  /** The previous page's next_cursor. */
  cursor: z.string().min(1).max(listCursorLengthMax).optional(),
  limit: page.optional(),
};
const fromBeforeTo = (q: { from_ms?: number | undefined; to_ms?: number | undefined }) => q.from_ms === undefined || q.to_ms === undefined || q.from_ms <= q.to_ms;
export const withdrawalListQuery = z
  .strictObject({ ...recordListFields, request_id: z.string().min(1).max(requestIdLengthMax).optional() })
  .refine(fromBeforeTo, 'from_ms must not be after to_ms');
export const depositListQuery = z.strictObject(recordListFields).refine(fromBeforeTo, 'from_ms must not be after to_ms');
export const userSearchQuery = z
  .strictObject({
    app_id: z.string().min(1).max(appIdLengthMax).optional(),
    uid: id.optional(),
    /** A deposit address: its user. */
    address: z.string().min(1).max(withdrawAddressLengthMax).optional(),
    after_id: z.coerce.number().int().min(0).optional(),
    limit: page.optional(),
  })
  .refine((q) => q.app_id !== undefined || q.uid !== undefined || q.address !== undefined, 'give app_id (its users), app_id and uid, or address');
export const loginBody = z.strictObject({
  name: z.string().min(1).max(operatorAccountNameLengthMax),
  password: z.string().min(1).max(operatorPasswordLengthMax),
  totp: z.string().regex(/^\d{6}$/, 'must be the 6-digit code of your authenticator'),
});

export const operatorNameParams = z.object({ name: z.string().min(1).max(operatorAccountNameLengthMax) });
export const operatorRolesBody = z.strictObject({ roles: z.array(z.enum(operatorRoles)).min(1).max(operatorRoles.length) });
export const createOperatorBody = z.strictObject({ name: z.string().min(1).max(operatorAccountNameLengthMax), roles: operatorRolesBody.shape.roles });
export const createTokenBody = z.strictObject({ expires_days: z.number().int().min(1).max(operatorApiTokenExpiresDaysMax).optional() });
export const operatorTokensQuery = z.object({ name: z.string().min(1).max(operatorAccountNameLengthMax).optional() });

export const changeRequestsQuery = z.strictObject({ state: z.enum(changeRequestStates).optional(), ...afterIdPage });
export const approveChangeBody = z.strictObject({ reason: z.string().max(changeRequestReasonLengthMax).optional() });
export const rejectChangeBody = z.strictObject({ reason: z.string().trim().min(1).max(changeRequestReasonLengthMax) });

export const alertsQuery = z.object({ all: z.enum(['0', '1', 'true', 'false']).optional(), limit: z.coerce.number().int().min(1).max(operatorPageSizeMax).optional() });
export const sweepsQuery = z.strictObject({ chain: z.string().optional(), state: z.enum(sweepStates).optional(), ...beforeIdPage });
export const chainTxsQuery = z.strictObject({
  chain: z.string().optional(),
  purpose: z.enum(chainTxPurposes).optional(),
  ref_id: id.optional(),
  state: z.enum(chainTxStates).optional(),
  ...beforeIdPage,
});

// ---- response views ---------------------------------------------------------------------------

export type { AllowlistEntryView, ApprovalPolicyView, DestinationSettingsView, VelocityLimitView };
export type { AdjustmentEntry, AdjustmentResult, BlacklistEntry, ChainStatus, CoinView, HeldRecords, MerchantView, NotificationView, ReviewItem, UserView, WithdrawalView };
export type { NotificationAttemptView, NotificationDetailView };
export type SweepView = ReturnType<typeof sweepView>;
export type ChainTxView = ReturnType<typeof chainTxView>;
export type HeldDecisionView = Awaited<ReturnType<typeof decideHeldAction>>;
export type LedgerAuditView = Awaited<ReturnType<typeof auditAction>>;
export type ChainAuditView = Awaited<ReturnType<typeof chainAuditAction>>;
export type ResendAllView = Awaited<ReturnType<typeof resendAllFailed>>;

export type { AuditEntryView, OperatorAuditVerdict };
export type { DepositDetail, DepositListItem, WithdrawalListItem };
/** One event of a record's life, in time order. */
export interface TimelineEvent {
  /** When it happened (ms since the epoch). */
  at_ms: number;
  kind: (typeof timelineKinds)[number];
  /** One line saying what happened. */
  summary: string;
  /** Who did it (an operator's name; the merchant or the service when not an operator). */
  actor?: string;
  /** The event's figures (the notification, the decision, the transaction...). */
  detail?: unknown;
}
/** Where a withdrawal's platform review quorum stands. */
export interface ApprovalQuorum {
  approvals_required: number;
  approvals_given: number;
  /** Approvals still needed (0: the platform side is approved, or needs no more). */
  approvals_needed: number;
  /** The reviewers who approved, in order. */
  approved_by: string[];
}
/** A withdrawal's timeline and its review quorum. */
export interface WithdrawalTimeline {
  withdrawal_id: number;
  status: number;
  quorum: ApprovalQuorum;
  events: TimelineEvent[];
}
/** A deposit's timeline. */
export interface DepositTimeline {
  deposit_id: number;
  status: number;
  events: TimelineEvent[];
}
/** A page of the operator audit trail, oldest first; `next_after_id` pages on (null: no more). */
export interface OperatorAuditPage {
  entries: AuditEntryView[];
  next_after_id: number | null;
}
/** Who a request acts as (GET /auth/me). */
export interface AuthMeView {
  operator: { id: number; name: string; roles: OperatorRole[] };
  /** Which kind of token the request carries. */
  token: { id: number; kind: 'session' | 'api' };
}
export type { ApiTokenView, IssuedToken, LoginResult, OperatorEnrolment, OperatorView };
/** A new or reset account's one-time credentials, and the role change that waits for a second admin (null: none waits). */
export type GuardedEnrolment = OperatorEnrolment & { pending_roles: ChangeRequestView | null };
export type { ChangeRequestView };

// ---- the overview (GET /overview): everything the console's first page shows, in one answer ----

/** One chain on the overview: its node, the scanner's progress, the wallets against their low thresholds. */
export interface OverviewChain {
  chain: string;
  /** The node's URL with user info, query and long path segments (keys) replaced by "***". */
  rpc_url: string;
  /** ok: the node answered this request; otherwise its error. */
  node: { ok: boolean; error: string | null };
  head: number | null;
  /** Highest block scanned (-1 before the first). */
  scanned: number;
  /** head − scanned (null when the node did not answer). */
  lag: number | null;
  /** What keeps the scanner from reading a block (null: nothing). */
  last_scanner_error: { block: number; error: string; since: number; at: number } | null;
  hot_wallet: WalletStatus;
  fee_wallet: WalletStatus;
}
export type { WalletLevel, WalletStatus };

/** A queue of work for operators: how many wait, and the route (with its query) the console lists them with. */
export interface OverviewQueue {
  count: number;
  route: OperatorRoute;
  query: Record<string, string>;
}

/** One UTC day of one coin: credited deposits and paid withdrawals, counts and exact sums (decimal strings in coin units). */
export interface OverviewCoinDay {
  /** "YYYY-MM-DD" (UTC). */
  day: string;
  deposits: { count: number; amount: string };
  withdrawals: { count: number; amount: string };
}

/** One UTC day of notifications: those created that day, by their state now. */
export interface OverviewNotificationDay {
  day: string;
  delivered: number;
  failed: number;
  pending: number;
}

/** GET /overview. */
export interface OverviewView {
  /** When the answer was made (ms since the epoch). */
  at: number;
  chains: OverviewChain[];
  /** Open alerts: their count and the newest few (overviewAlertsShownMax). */
  alerts: { open: number; latest: AlertView[]; route: OperatorRoute; query: Record<string, string> };
  queues: {
    withdrawals_review: OverviewQueue;
    kyt_deposits: OverviewQueue;
    kyt_withdrawals: OverviewQueue;
    change_requests_pending: OverviewQueue;
    notifications_failed: OverviewQueue;
  };
  /** The UTC days of the daily figures, oldest first: the last overviewDaysCount, today included, none missing. */
  days: string[];
  /** Per coin, one entry per day of `days` (zeros on days without any). */
  volumes: Array<{ symbol: string; chain: string; days: OverviewCoinDay[] }>;
  /** One entry per day of `days`. */
  notifications: OverviewNotificationDay[];
}

/** An operator alert as the operator API and the CLI show it. */
export type AlertView = Omit<OperatorAlert, 'id'> & { id: number };

/** The one view of an alert row (routes and CLI). */
export function alertView(a: OperatorAlert): AlertView {
  return { ...a, id: Number(a.id) };
}

// ---- the route table --------------------------------------------------------------------------

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One operator route: its request schemas and its success status (200 unless said). */
export interface OperatorEndpoint {
  readonly params?: z.ZodType;
  readonly query?: z.ZodType;
  readonly body?: z.ZodType;
  readonly status?: 200 | 201 | 204;
  /**
   * The least role that may call it (docs/operators.md says what each role grants); null only
   * for logging in, the one route that takes no token.
   */
  readonly role: OperatorRole | null;
  /** What it does, for docs and the console. */
  readonly summary: string;
  /**
   * A sensitive admin change: once two admins exist it may answer 202 with a change request
   * (ChangeRequestView) that another admin approves or rejects (docs/operators.md "Change requests").
   */
  readonly fourEyes?: true;
}

/** Every route under /operator/v1, keyed "METHOD /path" (paths in Fastify's `:param` form). */
export const operatorEndpoints = {
  'POST /auth/login': { role: null, body: loginBody, summary: 'log in with name, password and TOTP code: a session token (shown once)' },
  'POST /auth/logout': { role: 'viewer', status: 204, summary: 'end the session the request carries' },
  'GET /auth/me': { role: 'viewer', summary: 'the operator the request acts as, with its roles' },
  'POST /auth/tokens': { role: 'viewer', body: createTokenBody, status: 201, summary: 'a new API token of the operator the request acts as (in this answer only)' },
  'GET /operators': { role: 'viewer', summary: 'operator accounts and their roles' },
  'POST /operators': { role: 'admin', body: createOperatorBody, status: 201, summary: 'create an operator account (its initial password and TOTP enrolment are in this answer only; once four eyes are engaged, roles beyond viewer wait for a second admin)' },
  'PUT /operators/:name/roles': { fourEyes: true, role: 'admin', params: operatorNameParams, body: operatorRolesBody, summary: "replace an operator's roles" },
  'POST /operators/:name/disable': { fourEyes: true, role: 'admin', params: operatorNameParams, summary: 'disable an operator: its sessions and tokens are revoked (an admin: once a second admin approves)' },
  'POST /operators/:name/reset': { role: 'admin', params: operatorNameParams, summary: "new password and TOTP enrolment (in this answer only); sessions and tokens revoked (another's roles beyond viewer then wait for a second admin)" },
  'GET /operator-tokens': { role: 'viewer', query: operatorTokensQuery, summary: 'API tokens (never the tokens themselves)' },
  'POST /operators/:name/tokens': { role: 'admin', params: operatorNameParams, body: createTokenBody, status: 201, summary: "a new API token of an operator (in this answer only; once four eyes are engaged, only one's own)" },
  'DELETE /operator-tokens/:id': { role: 'admin', params: idParams, summary: 'revoke an API token' },
  'GET /merchants': { role: 'viewer', summary: 'list merchants' },
  'POST /merchants': { role: 'admin', body: createMerchantBody, status: 201, summary: 'create a merchant (its wallet key pair is generated)' },
  'GET /merchants/:appId': { role: 'viewer', params: appIdParams, summary: 'show a merchant' },
  'PATCH /merchants/:appId': { fourEyes: true, role: 'admin', params: appIdParams, body: updateMerchantBody, summary: "change a merchant's settings" },
  'POST /merchants/:appId/rotate-key': { fourEyes: true, role: 'admin', params: appIdParams, summary: "give a merchant a new wallet key pair: answers from then on are sealed with it (the answer's rsa_wallet_pub is the new public key to hand the merchant)" },
  'PUT /merchants/:appId/coins/:symbol': { role: 'admin', params: merchantCoinParams, summary: 'enable a coin for a merchant' },
  'DELETE /merchants/:appId/coins/:symbol': { role: 'admin', params: merchantCoinParams, summary: 'disable a coin for a merchant' },
  'GET /coins': { role: 'viewer', summary: 'list coins' },
  'PUT /coins/:symbol': { fourEyes: true, role: 'admin', params: symbolParams, body: upsertCoinBody, summary: 'create or replace a coin' },
  'PATCH /coins/:symbol': { fourEyes: true, role: 'admin', params: symbolParams, body: patchCoinBody, summary: "change a coin's settings" },
  'GET /users': { role: 'viewer', query: userSearchQuery, summary: "find users with balances: a merchant's (app_id, paged with after_id), one (uid), or a deposit address's owner (address)" },
  'GET /users/:uid': { role: 'viewer', params: uidParams, summary: 'show a user with balances' },
  'PATCH /users/:uid': { role: 'reviewer', params: uidParams, body: userFlagsBody, summary: 'set frozen / at_risk' },
  'POST /users/:uid/freeze': { role: 'reviewer', params: uidParams, summary: 'freeze a user' },
  'POST /users/:uid/unfreeze': { role: 'reviewer', params: uidParams, summary: 'unfreeze a user' },
  'POST /balances/credit': { fourEyes: true, role: 'treasurer', body: adjustmentBody, summary: 'credit a user or collection account by hand (journaled)' },
  'POST /balances/debit': { fourEyes: true, role: 'treasurer', body: adjustmentBody, summary: 'debit a user or collection account by hand (journaled)' },
  'GET /adjustments': { role: 'viewer', summary: 'manual balance adjustments, newest first' },
  'GET /withdrawals/review': { role: 'viewer', query: pageQuery, summary: 'withdrawals waiting for review' },
  'GET /withdrawals': { role: 'viewer', query: withdrawalListQuery, summary: 'withdrawals, newest first, filtered (app_id, symbol, status, from_ms/to_ms, request_id, address, txid); pages with next_cursor' },
  'GET /withdrawals/:id': { role: 'viewer', params: idParams, summary: 'show a withdrawal with its review quorum (approvals required, given, needed, by whom)' },
  'GET /withdrawals/:id/timeline': { role: 'viewer', params: idParams, summary: "a withdrawal's events in time order (created, policy, reviews, KYT, statuses notified, chain transactions, operator actions) and its review quorum" },
  'GET /deposits': { role: 'viewer', query: depositListQuery, summary: 'deposits, newest first, filtered (app_id, symbol, status, from_ms/to_ms, address, txid); pages with next_cursor' },
  'GET /deposits/:id': { role: 'viewer', params: idParams, summary: 'show a deposit with its merchant, KYT reason and chain position' },
  'GET /deposits/:id/timeline': { role: 'viewer', params: idParams, summary: "a deposit's events in time order (seen, statuses notified, KYT, operator actions, its sweep)" },
  'POST /withdrawals/:id/approve': { role: 'reviewer', params: idParams, body: auditorBody, summary: "approve a withdrawal as the requesting operator (side saas: one of its quorum of distinct reviewers; company: the merchant's side)" },
  'POST /withdrawals/:id/reject': { role: 'reviewer', params: idParams, body: rejectWithdrawalBody, summary: 'reject a withdrawal; funds back to the user' },
  'POST /withdrawals/:id/cancel': { role: 'reviewer', params: idParams, summary: 'cancel a withdrawal before payment' },
  'GET /policies': { role: 'viewer', summary: 'approval policies, velocity limits and destination settings' },
  'PUT /policies/approval/:symbol': { fourEyes: true, role: 'admin', params: symbolParams, body: approvalPolicyBody, summary: "set a coin's approval policy (app_id: that merchant's override)" },
  'DELETE /policies/approval/:symbol': { fourEyes: true, role: 'admin', params: symbolParams, query: policyScopeQuery, status: 204, summary: "remove a coin's approval policy (app_id: the merchant's override)" },
  'PUT /policies/velocity/:symbol': { fourEyes: true, role: 'admin', params: symbolParams, body: velocityLimitBody, summary: 'set a velocity limit of a coin (per user or per merchant, over window_s seconds)' },
  'DELETE /policies/velocity/:symbol': { fourEyes: true, role: 'admin', params: symbolParams, query: velocityLimitQuery, status: 204, summary: 'remove a velocity limit' },
  'PUT /policies/destinations': { fourEyes: true, role: 'admin', body: destinationSettingsBody, summary: 'set the allowlist switch and new-address cool-down (app_id: one merchant)' },
  'DELETE /policies/destinations': { fourEyes: true, role: 'admin', query: policyScopeQuery, status: 204, summary: 'remove destination settings (app_id: one merchant)' },
  'GET /merchants/:appId/allowlist': { role: 'viewer', params: appIdParams, summary: "a merchant's allowlisted destinations" },
  'POST /merchants/:appId/allowlist': { fourEyes: true, role: 'admin', params: appIdParams, body: allowlistBody, status: 201, summary: "add a destination to a merchant's allowlist (canonical form of the coin's chain)" },
  'DELETE /merchants/:appId/allowlist': { role: 'admin', params: appIdParams, query: allowlistQuery, status: 204, summary: "take a destination off a merchant's allowlist" },
  'GET /kyt': { role: 'viewer', query: heldQuery, summary: 'deposits (4/5/6) and withdrawals (7/8) held by KYT' },
  'POST /kyt/deposits/:id/release': { role: 'reviewer', params: idParams, body: heldReleaseBody, summary: 'credit a held deposit (→ 1)' },
  'POST /kyt/deposits/:id/reject': { role: 'reviewer', params: idParams, body: heldRejectBody, summary: 'fail a held deposit (→ 2); funds stay in suspense' },
  'POST /kyt/withdrawals/:id/release': { role: 'reviewer', params: idParams, body: heldReleaseBody, summary: 'let a held withdrawal be paid (→ 1)' },
  'POST /kyt/withdrawals/:id/reject': { role: 'reviewer', params: idParams, body: heldRejectBody, summary: 'reject a held withdrawal (→ 2); funds back to the user' },
  'GET /blacklist': { role: 'viewer', summary: 'blacklisted withdrawal addresses' },
  'POST /blacklist': { role: 'admin', body: blacklistBody, status: 201, summary: 'refuse withdrawals to an address (110037)' },
  'DELETE /blacklist/:address': { fourEyes: true, role: 'admin', params: addressParams, status: 204, summary: 'take an address off the blacklist' },
  'GET /notifications': { role: 'viewer', query: notificationsQuery, summary: 'notification outbox with counts per state' },
  'GET /notifications/:id': { role: 'viewer', params: idParams, summary: 'show a notification with attempts_log: every delivery attempt, oldest first (status, answer excerpt, error, duration; a resend appends)' },
  'POST /notifications/:id/resend': { role: 'treasurer', params: idParams, summary: 'deliver a notification again' },
  'POST /notifications/resend-failed': { role: 'treasurer', body: resendAllBody, summary: 'deliver every failed notification again' },
  'GET /audit': { role: 'viewer', summary: 'ledger audit (always 200; `ok` and `findings` carry the verdict)' },
  'POST /audit': { role: 'viewer', summary: 'ledger audit (always 200; `ok` and `findings` carry the verdict)' },
  'GET /audit/operators': { role: 'viewer', query: operatorAuditQuery, summary: 'the operator audit trail, oldest first, filtered' },
  'GET /audit/operators/verify': { role: 'viewer', summary: 'verify the operator audit trail’s hash chain (always 200; `ok` and `broken` carry the verdict)' },
  'GET /change-requests': { role: 'viewer', query: changeRequestsQuery, summary: 'change requests of sensitive admin changes, oldest first (state: one state only)' },
  'GET /change-requests/:id': { role: 'viewer', params: idParams, summary: 'show a change request: the change, the record before it, who asked and who decided' },
  'POST /change-requests/:id/approve': { role: 'admin', params: idParams, body: approveChangeBody, summary: "approve another admin's change request: the change is applied now" },
  'POST /change-requests/:id/reject': { role: 'admin', params: idParams, body: rejectChangeBody, summary: "reject another admin's change request with a reason: nothing changes" },
  'GET /overview': {
    role: 'viewer',
    summary:
      'the console overview in one answer: per chain node, head, scanned, lag, scanner error and wallet balances against their low thresholds; open alerts; queues (review, KYT holds, change requests, failed notifications) with their routes; per UTC day of the last 30 and coin, credited deposits and paid withdrawals (count, exact sum); notifications per day by state',
  },
  'GET /chains': { role: 'viewer', summary: 'scanner progress and wallet balances (each with its low threshold and `low`) per chain' },
  'GET /chains/audit': { role: 'viewer', summary: 'ledger against chain balances (always 200; `ok` and `findings` carry the verdict)' },
  'GET /alerts': { role: 'viewer', query: alertsQuery, summary: 'open operator alerts (all=1: resolved ones too)' },
  'POST /alerts/:id/resolve': { role: 'treasurer', params: idParams, summary: 'close an alert by hand' },
  'GET /chain-txs': { role: 'viewer', query: chainTxsQuery, summary: 'outgoing chain transactions, newest first' },
  'GET /sweeps': { role: 'viewer', query: sweepsQuery, summary: 'collection sweeps, newest first' },
  'POST /sweeps/:id/retry': { role: 'treasurer', params: idParams, summary: 'start a failed sweep again' },
} as const satisfies Record<`${Method} /${string}`, OperatorEndpoint>;

/** A route's key, e.g. "GET /merchants". */
export type OperatorRoute = keyof typeof operatorEndpoints;

/** The response body of every route. */
export interface OperatorResponses {
  'POST /auth/login': LoginResult;
  /** 204: no body. */
  'POST /auth/logout': void;
  'GET /auth/me': AuthMeView;
  'POST /auth/tokens': IssuedToken & { name: string };
  'GET /operators': { operators: OperatorView[] };
  'POST /operators': GuardedEnrolment;
  'PUT /operators/:name/roles': OperatorView;
  'POST /operators/:name/disable': OperatorView;
  'POST /operators/:name/reset': GuardedEnrolment;
  'GET /operator-tokens': { tokens: ApiTokenView[] };
  'POST /operators/:name/tokens': IssuedToken & { name: string };
  'DELETE /operator-tokens/:id': { id: number; revoked: true };
  'GET /merchants': { merchants: MerchantView[] };
  'POST /merchants': MerchantView;
  'GET /merchants/:appId': MerchantView;
  'PATCH /merchants/:appId': MerchantView;
  'POST /merchants/:appId/rotate-key': MerchantView;
  'PUT /merchants/:appId/coins/:symbol': { app_id: string; coins: string[] };
  'DELETE /merchants/:appId/coins/:symbol': { app_id: string; coins: string[] };
  'GET /coins': { coins: CoinView[] };
  'PUT /coins/:symbol': CoinView;
  'PATCH /coins/:symbol': CoinView;
  'GET /users': { users: UserView[]; next_after_id: number | null };
  'GET /users/:uid': UserView;
  'PATCH /users/:uid': UserView;
  'POST /users/:uid/freeze': UserView;
  'POST /users/:uid/unfreeze': UserView;
  'POST /balances/credit': AdjustmentResult;
  'POST /balances/debit': AdjustmentResult;
  'GET /adjustments': { adjustments: AdjustmentEntry[] };
  'GET /withdrawals/review': { withdrawals: ReviewItem[] };
  'GET /withdrawals': { withdrawals: WithdrawalListItem[]; next_cursor: string | null };
  'GET /withdrawals/:id': WithdrawalView;
  'GET /withdrawals/:id/timeline': WithdrawalTimeline;
  'GET /deposits': { deposits: DepositListItem[]; next_cursor: string | null };
  'GET /deposits/:id': DepositDetail;
  'GET /deposits/:id/timeline': DepositTimeline;
  'POST /withdrawals/:id/approve': WithdrawalView;
  'POST /withdrawals/:id/reject': WithdrawalView;
  'POST /withdrawals/:id/cancel': WithdrawalView;
  'GET /policies': { approval: ApprovalPolicyView[]; velocity: VelocityLimitView[]; destinations: DestinationSettingsView[] };
  'PUT /policies/approval/:symbol': ApprovalPolicyView;
  /** 204: no body. */
  'DELETE /policies/approval/:symbol': void;
  'PUT /policies/velocity/:symbol': VelocityLimitView;
  /** 204: no body. */
  'DELETE /policies/velocity/:symbol': void;
  'PUT /policies/destinations': DestinationSettingsView;
  /** 204: no body. */
  'DELETE /policies/destinations': void;
  'GET /merchants/:appId/allowlist': { destinations: AllowlistEntryView[] };
  'POST /merchants/:appId/allowlist': AllowlistEntryView;
  /** 204: no body. */
  'DELETE /merchants/:appId/allowlist': void;
  'GET /kyt': HeldRecords;
  'POST /kyt/deposits/:id/release': HeldDecisionView;
  'POST /kyt/deposits/:id/reject': HeldDecisionView;
  'POST /kyt/withdrawals/:id/release': HeldDecisionView;
  'POST /kyt/withdrawals/:id/reject': HeldDecisionView;
  'GET /blacklist': { addresses: BlacklistEntry[] };
  'POST /blacklist': BlacklistEntry;
  /** 204: no body. */
  'DELETE /blacklist/:address': void;
  'GET /notifications': { counts: Record<NotificationState, number>; notifications: NotificationView[] };
  'GET /notifications/:id': NotificationDetailView;
  'POST /notifications/:id/resend': NotificationView;
  'POST /notifications/resend-failed': ResendAllView;
  'GET /audit': LedgerAuditView;
  'POST /audit': LedgerAuditView;
  'GET /audit/operators': OperatorAuditPage;
  'GET /audit/operators/verify': OperatorAuditVerdict;
  'GET /change-requests': { change_requests: ChangeRequestView[] };
  'GET /change-requests/:id': ChangeRequestView;
  'POST /change-requests/:id/approve': ChangeRequestView;
  'POST /change-requests/:id/reject': ChangeRequestView;
  'GET /overview': OverviewView;
  'GET /chains': { chains: ChainStatus[] };
  'GET /chains/audit': ChainAuditView;
  'GET /alerts': { alerts: AlertView[] };
  'POST /alerts/:id/resolve': { id: number; resolved: true };
  'GET /chain-txs': { transactions: ChainTxView[] };
  'GET /sweeps': { sweeps: SweepView[] };
  'POST /sweeps/:id/retry': SweepView;
}

/** The response body of route `R`. */
export type OperatorResponse<R extends OperatorRoute> = OperatorResponses[R];

/** The request pieces of route `R` as its schemas parse them. */
export type OperatorRequest<R extends OperatorRoute> = {
  [K in 'params' | 'query' | 'body' as K extends keyof (typeof operatorEndpoints)[R] ? K : never]: (typeof operatorEndpoints)[R][K & keyof (typeof operatorEndpoints)[R]] extends z.ZodType<infer T>
    ? T
    : never;
};

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** Every route in the table has a response type and the other way round (a compile error otherwise). */
export const routeTableMatchesResponses: Same<OperatorRoute, keyof OperatorResponses> = true;

/** The vocabulary lists name exactly the values the store and the domain know (a compile error otherwise). */
export const vocabularyMatchesDomain: [
  Same<(typeof sweepStates)[number], SweepState>,
  Same<(typeof chainTxPurposes)[number], ChainTxPurpose>,
  Same<(typeof chainTxStates)[number], ChainTxState>,
  Same<(typeof auditors)[number], Auditor>,
  Same<(typeof reviewSides)[number], ReviewSide>,
  Same<(typeof notificationStates)[number], NotificationState>,
  Same<(typeof velocityScopes)[number], VelocityScope>,
  Same<(typeof auditOutcomes)[number], AuditOutcome>,
  Same<(typeof operatorRoles)[number], OperatorRole>,
  Same<(typeof changeRequestStates)[number], ChangeRequestState>,
] = [true, true, true, true, true, true, true, true, true, true];
