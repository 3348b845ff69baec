/**
 * Four eyes for sensitive admin changes: the routes listed in `sensitiveRoutes` (a merchant's
 * callback URLs or key, a rotation of its wallet key pair, coins, blacklist removals, roles,
 * policies, manual adjustments above config.adjustmentReviewAbove) store a change request (modules/change-requests) instead of
 * applying, once two enabled admins exist; a second admin's approval applies the stored
 * request through the same `apply` the direct route uses, in the transaction that marks the
 * request approved. With fewer than two admins (a first installation, the sandbox) they apply
 * directly, still audited, and `serve` and `operator list` say so. The CLI's commands of these
 * changes run the same table (cli/sensitive.ts).
 */
import type { ServiceContext } from '../context.js';
import { operatorEndpoints, type OperatorRequest, type OperatorResponse } from '../contracts/operator.js';
import { fourEyesEngagedAt, noteFourEyesEngaged, requestChange, type ChangeRequestView } from '../modules/change-requests/index.js';
import { adjustBalance, type AdjustmentResult } from '../modules/ledger/index.js';
import { disableOperator, enabledAdmins, findOperator, setOperatorRoles, type Actor } from '../modules/operators/index.js';
import {
  addAllowlistedDestination,
  clearApprovalPolicy,
  clearDestinationSettings,
  clearVelocityLimit,
  listAllowlist,
  listApprovalPolicies,
  listDestinationSettings,
  listVelocityLimits,
  setApprovalPolicy,
  setDestinationSettings,
  setVelocityLimit,
} from '../modules/policies/index.js';
import { listBlacklist, removeFromBlacklist } from '../modules/withdrawals/index.js';
import { fourEyesAdminsMin } from '../limits.js';
import { parseAmount } from '../money/amount.js';
import type { Tx } from '../store/tx.js';
import { listCoinsAction, rotateMerchantKeyAction, showMerchantAction, updateCoinAction, updateMerchantAction, upsertCoinAction } from './actions.js';
import { asAdminError } from './errors.js';
import { coinSettingsOf, merchantSettingsOf } from './request-translation.js';

/** A route's answer when its change waits for a second admin: 202 with the change request. */
export class PendingChange {
  constructor(readonly request: ChangeRequestView) {}
}

/**
 * True once two enabled admins have existed: until then sensitive changes apply directly. The
 * first time two are seen is recorded, and four eyes stay engaged from then on: disabling or
 * demoting admins never brings back one-person changes (a pending request then waits for the
 * next second admin, whose account and role are themselves four-eyed).
 */
export async function fourEyesActive(ctx: Pick<ServiceContext, 'store' | 'clock'>): Promise<boolean> {
  if ((await fourEyesEngagedAt(ctx.store.db)) !== undefined) return true;
  if ((await enabledAdmins(ctx)).length < fourEyesAdminsMin) return false;
  await noteFourEyesEngaged(ctx.store.db, ctx.clock.nowMs());
  return true;
}

/** What the routes and the CLI say while changes are not four-eyed yet (null once they are). */
export async function fourEyesNotice(ctx: Pick<ServiceContext, 'store' | 'clock'>): Promise<string | null> {
  if (await fourEyesActive(ctx)) return null;
  return `admin changes are not four-eyed yet: fewer than ${fourEyesAdminsMin} enabled admins have existed, so sensitive changes apply without a second admin's approval`;
}

/** The service context whose queries run in `tx` (an approved request applies its change there). */
export function inTx(ctx: ServiceContext, tx: Tx): ServiceContext {
  return { ...ctx, store: { ...ctx.store, db: tx } };
}

/** The parsed request of a route: what a change request stores and re-parses on approval. */
type Input<R extends SensitiveRoute> = OperatorRequest<R>;

interface Sensitive<R extends SensitiveRoute> {
  /** The record before the change (null: none yet). */
  before(ctx: ServiceContext, input: Input<R>): Promise<unknown>;
  /** Whether this request waits for a second admin (default: always). */
  needsReview?(ctx: ServiceContext, input: Input<R>, before: unknown): Promise<boolean> | boolean;
  /** The record a request changes, when its path does not name it. */
  target?(input: Input<R>): string;
  /** Applies the change; `beforeCommit` runs inside a money move's transaction (the direct route's audit entry). */
  apply(ctx: ServiceContext, input: Input<R>, actor: Actor, beforeCommit?: (tx: Tx, result: AdjustmentResult) => Promise<void>): Promise<OperatorResponse<R>>;
}

const scoped = (appId: string | undefined) => (appId !== undefined ? { appId } : {});
const sameScope = (appId: string | undefined) => (p: { app_id: string | null }) => p.app_id === (appId ?? null);
const urlsOrKey = ['notify_url', 'confirm_url', 'merchant_public_key'] as const;

async function adjustmentNeedsReview(ctx: ServiceContext, b: Input<'POST /balances/credit'>['body']): Promise<boolean> {
  const coin = (await listCoinsAction(ctx)).find((c) => c.symbol === b.symbol);
  // An unknown coin or a malformed amount is refused by the action itself, with its own error.
  if (!coin) return false;
  let amount: bigint;
  try {
    amount = parseAmount(b.amount, coin.decimals);
  } catch {
    return false;
  }
  const above = ctx.config.adjustmentReviewAbove[b.symbol];
  return amount > (above === undefined ? 0n : parseAmount(above, coin.decimals));
}

function adjustment(direction: 'credit' | 'debit'): Sensitive<'POST /balances/credit'> & Sensitive<'POST /balances/debit'> {
  return {
    before: async () => null,
    needsReview: (ctx, { body }) => adjustmentNeedsReview(ctx, body),
    target: ({ body: b }) => (b.uid !== undefined ? `/users/${b.uid}` : `/merchants/${encodeURIComponent(b.app_id!)}/collection`),
    apply: (ctx, { body: b }, actor, beforeCommit) =>
      adjustBalance(ctx, {
        target: b.uid !== undefined ? { uid: b.uid } : { collectionAppId: b.app_id! },
        symbol: b.symbol,
        amount: b.amount,
        direction,
        reason: b.reason,
        actor,
        ...(beforeCommit ? { beforeCommit } : {}),
      }),
  };
}

const coinBefore = async (ctx: ServiceContext, symbol: string) => (await listCoinsAction(ctx)).find((c) => c.symbol === symbol) ?? null;

/** Every route whose change a second admin approves, and how it is applied (a missing route is a compile error). */
export const sensitiveRoutes: { readonly [R in SensitiveRoute]: Sensitive<R> } = {
  'PATCH /merchants/:appId': {
    before: (ctx, { params }) => showMerchantAction(ctx, params.appId),
    // Only the callback URLs and the merchant's key are four-eyed; other settings apply directly.
    needsReview: (_ctx, { body }, before) => urlsOrKey.some((k) => body[k] !== undefined && (body[k] === '' ? null : body[k]) !== (before as Record<string, unknown>)[k]),
    apply: (ctx, { params, body }) => updateMerchantAction(ctx, params.appId, merchantSettingsOf(body)),
  },
  'POST /merchants/:appId/rotate-key': {
    // The public key before (the private key is never shown); the merchant needs the new one from the answer.
    before: async (ctx, { params }) => {
      const m = await showMerchantAction(ctx, params.appId);
      return { app_id: m.app_id, rsa_wallet_pub: m.rsa_wallet_pub };
    },
    apply: (ctx, { params }) => rotateMerchantKeyAction(ctx, params.appId),
  },
  'PUT /coins/:symbol': {
    before: (ctx, { params }) => coinBefore(ctx, params.symbol),
    apply: (ctx, { params, body }) => upsertCoinAction(ctx, { ...(coinSettingsOf(body) as { chain: string; decimals: number }), symbol: params.symbol }),
  },
  'PATCH /coins/:symbol': {
    before: (ctx, { params }) => coinBefore(ctx, params.symbol),
    apply: (ctx, { params, body }) => updateCoinAction(ctx, params.symbol, coinSettingsOf(body)),
  },
  'DELETE /blacklist/:address': {
    // The entry in its listed form (the blacklist module folds case; an address given otherwise shows no before).
    before: async (ctx, { params }) => (await listBlacklist(ctx.store.db)).find((e) => e.address === params.address.trim()) ?? null,
    apply: async (ctx, { params }) => {
      await removeFromBlacklist(ctx.store.db, params.address);
    },
  },
  'PUT /operators/:name/roles': {
    before: async (ctx, { params }) => (await findOperator(ctx, params.name)) ?? null,
    apply: (ctx, { params, body }) => setOperatorRoles(ctx, params.name, body.roles),
  },
  'POST /merchants/:appId/allowlist': {
    // The merchant's allowlist as it stands (the entry is stored in its chain's canonical form, decided on apply).
    before: async (ctx, { params }) => ({ destinations: await listAllowlist(ctx.store.db, params.appId) }),
    apply: (ctx, { params, body: b }, actor) =>
      addAllowlistedDestination(ctx.store.db, {
        appId: params.appId,
        symbol: b.symbol,
        address: b.address,
        ...(b.label !== undefined ? { label: b.label } : {}),
        actor,
        nowMs: ctx.clock.nowMs(),
      }),
  },
  'POST /operators/:name/disable': {
    before: async (ctx, { params }) => (await findOperator(ctx, params.name)) ?? null,
    // Disabling an enabled admin takes away one of the four eyes; anyone else is disabled at once.
    needsReview: (_ctx, _input, before) => {
      const o = before as { disabled: boolean; roles: string[] } | null;
      return o !== null && !o.disabled && o.roles.includes('admin');
    },
    apply: (ctx, { params }) => disableOperator(ctx, params.name),
  },
  'PUT /policies/approval/:symbol': {
    before: async (ctx, { params, body }) => (await listApprovalPolicies(ctx.store.db)).find((p) => p.symbol === params.symbol && sameScope(body.app_id)(p)) ?? null,
    apply: (ctx, { params, body: b }, actor) =>
      setApprovalPolicy(ctx.store.db, {
        ...scoped(b.app_id),
        symbol: params.symbol,
        aboveAmount: b.above_amount,
        approvalsRequired: b.approvals_required,
        ...(b.company_review !== undefined ? { companyReview: b.company_review } : {}),
        actor,
        nowMs: ctx.clock.nowMs(),
      }),
  },
  'DELETE /policies/approval/:symbol': {
    before: async (ctx, { params, query }) => (await listApprovalPolicies(ctx.store.db)).find((p) => p.symbol === params.symbol && sameScope(query.app_id)(p)) ?? null,
    apply: (ctx, { params, query: q }) => clearApprovalPolicy(ctx.store.db, { ...scoped(q.app_id), symbol: params.symbol }),
  },
  'PUT /policies/velocity/:symbol': {
    before: async (ctx, { params, body: b }) =>
      (await listVelocityLimits(ctx.store.db)).find((v) => v.symbol === params.symbol && v.scope === b.scope && v.window_s === b.window_s && sameScope(b.app_id)(v)) ?? null,
    apply: (ctx, { params, body: b }, actor) =>
      setVelocityLimit(ctx.store.db, {
        ...scoped(b.app_id),
        symbol: params.symbol,
        scope: b.scope,
        windowS: b.window_s,
        ...(b.max_amount !== undefined ? { maxAmount: b.max_amount } : {}),
        ...(b.max_count !== undefined ? { maxCount: b.max_count } : {}),
        actor,
        nowMs: ctx.clock.nowMs(),
      }),
  },
  'DELETE /policies/velocity/:symbol': {
    before: async (ctx, { params, query: q }) =>
      (await listVelocityLimits(ctx.store.db)).find((v) => v.symbol === params.symbol && v.scope === q.scope && v.window_s === q.window_s && sameScope(q.app_id)(v)) ?? null,
    apply: (ctx, { params, query: q }) => clearVelocityLimit(ctx.store.db, { ...scoped(q.app_id), symbol: params.symbol, scope: q.scope, windowS: q.window_s }),
  },
  'PUT /policies/destinations': {
    before: async (ctx, { body: b }) => (await listDestinationSettings(ctx.store.db)).find(sameScope(b.app_id)) ?? null,
    target: ({ body: b }) => (b.app_id !== undefined ? `/policies/destinations?app_id=${encodeURIComponent(b.app_id)}` : '/policies/destinations'),
    apply: (ctx, { body: b }, actor) =>
      setDestinationSettings(ctx.store.db, {
        ...scoped(b.app_id),
        ...(b.allowlist_enabled !== undefined ? { allowlistEnabled: b.allowlist_enabled } : {}),
        ...(b.new_address_cooldown_s !== undefined ? { newAddressCooldownS: b.new_address_cooldown_s } : {}),
        actor,
        nowMs: ctx.clock.nowMs(),
      }),
  },
  'DELETE /policies/destinations': {
    before: async (ctx, { query: q }) => (await listDestinationSettings(ctx.store.db)).find(sameScope(q.app_id)) ?? null,
    target: ({ query: q }) => (q.app_id !== undefined ? `/policies/destinations?app_id=${encodeURIComponent(q.app_id)}` : '/policies/destinations'),
    apply: (ctx, { query: q }) => clearDestinationSettings(ctx.store.db, scoped(q.app_id)),
  },
  'POST /balances/credit': adjustment('credit'),
  'POST /balances/debit': adjustment('debit'),
};

export type SensitiveRoute =
  | 'PATCH /merchants/:appId'
  | 'POST /merchants/:appId/rotate-key'
  | 'PUT /coins/:symbol'
  | 'PATCH /coins/:symbol'
  | 'DELETE /blacklist/:address'
  | 'PUT /operators/:name/roles'
  | 'POST /operators/:name/disable'
  | 'POST /merchants/:appId/allowlist'
  | 'PUT /policies/approval/:symbol'
  | 'DELETE /policies/approval/:symbol'
  | 'PUT /policies/velocity/:symbol'
  | 'DELETE /policies/velocity/:symbol'
  | 'PUT /policies/destinations'
  | 'DELETE /policies/destinations'
  | 'POST /balances/credit'
  | 'POST /balances/debit';

export function isSensitiveRoute(key: string): key is SensitiveRoute {
  return Object.hasOwn(sensitiveRoutes, key);
}

function sensitive<R extends SensitiveRoute>(key: R): Sensitive<R> {
  return sensitiveRoutes[key] as Sensitive<R>;
}

/** The outcome of a sensitive request: applied (with the record before), or waiting as a change request. */
export type SensitiveOutcome<R extends SensitiveRoute> = { applied: OperatorResponse<R>; before: unknown; target?: string } | { pending: ChangeRequestView; before: unknown; target?: string };

/**
 * Runs a sensitive request of `actor`: stored as a change request while four eyes are active
 * and the request needs them, applied directly otherwise. `beforeCommit` is the direct money
 * move's audit step.
 */
export async function runSensitive<R extends SensitiveRoute>(
  ctx: ServiceContext,
  key: R,
  input: Input<R>,
  actor: Actor,
  beforeCommit?: (tx: Tx, result: AdjustmentResult) => Promise<void>,
): Promise<SensitiveOutcome<R>> {
  const s = sensitive(key);
  const before = await s.before(ctx, input);
  const target = s.target?.(input);
  const review = (await fourEyesActive(ctx)) && (s.needsReview ? await s.needsReview(ctx, input, before) : true);
  if (!review) return { applied: await s.apply(ctx, input, actor, beforeCommit), before, ...(target !== undefined ? { target } : {}) };
  const pending = await requestChange(ctx.store.db, { kind: key, target: target ?? targetOfInput(key, input), change: input, before, actor, nowMs: ctx.clock.nowMs() });
  return { pending, before, ...(target !== undefined ? { target } : {}) };
}

/** The record path of a route's input: "/merchants/app1" for PATCH /merchants/:appId. */
function targetOfInput(key: string, input: unknown): string {
  const params = ((input as { params?: Record<string, unknown> }).params ?? {}) as Record<string, unknown>;
  return key.slice(key.indexOf(' ') + 1).replace(/:([A-Za-z]+)/g, (whole, name: string) => (params[name] === undefined ? whole : encodeURIComponent(String(params[name]))));
}

/**
 * Applies an approved request inside `tx`: its stored input is parsed again with the route's
 * schemas, then handed to the route's own action, acting as the approving admin.
 */
export async function applyChangeRequest(ctx: ServiceContext, tx: Tx, request: ChangeRequestView, actor: Actor): Promise<unknown> {
  if (!isSensitiveRoute(request.kind)) throw new Error(`change request ${request.id} has an unknown kind ${request.kind}`);
  const input = parseSensitiveInput(request.kind, request.change);
  const result = await sensitive(request.kind).apply(inTx(ctx, tx), input, actor);
  return result === undefined ? null : result;
}

/** An expected refusal of an approved change: the request records it as failed. */
export const refusalOf = (error: unknown) => {
  const known = asAdminError(error);
  return known && known.status < 500 ? { code: known.code, message: known.message } : undefined;
};

/** A route's request pieces ({params, query, body}) parsed with its schemas: a CLI command's input, or a stored change on approval. */
export function parseSensitiveInput<R extends SensitiveRoute>(key: R, raw: unknown): Input<R> {
  const endpoint = operatorEndpoints[key] as { params?: { parse(v: unknown): unknown }; query?: { parse(v: unknown): unknown }; body?: { parse(v: unknown): unknown } };
  const stored = (raw ?? {}) as Record<string, unknown>;
  const input: Record<string, unknown> = {};
  for (const part of ['params', 'query', 'body'] as const) {
    const schema = endpoint[part];
    if (schema) input[part] = schema.parse(stored[part] ?? {});
  }
  return input as Input<R>;
}
