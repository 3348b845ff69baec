/**
 * The operator HTTP API: JSON in and out, `Authorization: Bearer <token>` where the token is an
 * operator's login session (POST /auth/login) or API token (`openwaas operator token create`),
 * mounted under /operator/v1 on its own listener (operator/app.ts), never the merchant port.
 * Every route names the least role that may call it (contracts/operator.ts; the table is in
 * docs/operators.md), checked before its handler runs: 401 without a valid token, 403
 * `forbidden` without the role. Repeated failures from one address answer 429 (see
 * auth-throttle.ts); repeated failed logins of one account lock it for a while. Expected
 * failures answer `{error, message}` with a 4xx status (the registry in
 * contracts/operator-errors.ts, listed in docs/errors.md); anything else is logged and answers
 * 500 without details.
 */
import { chainOperatorRoutes } from './chain-routes.js';
import { chainTxOperatorRoutes } from './chain-tx-routes.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  authenticateToken,
  createApiToken,
  listApiTokens,
  listOperators,
  login,
  LoginRefused,
  logout,
  reportAuthFailure,
  revokeApiToken,
  roleAllows,
  type AuthFailure,
} from '../modules/operators/index.js';
import { authOf, setActorOf } from './actor-of.js';
import type { ServiceContext } from '../context.js';
import { AdminError } from '../errors/admin-errors.js';
import { operatorErrorRegistry } from '../contracts/operator-errors.js';
import { listAdjustments } from '../modules/ledger/index.js';
import { addToBlacklist, listBlacklist } from '../modules/withdrawals/index.js';
import { getNotification, getNotificationDetail, resendAllFailed, resendNotification } from '../modules/notifications/index.js';
import { listWithdrawalsForReview } from '../modules/withdrawals/index.js';
import {
  auditAction,
  createMerchantAction,
  decideWithdrawalAction,
  listCoinsAction,
  listMerchantsAction,
  requireMerchant,
  setMerchantCoinAction,
  searchUsersAction,
  setUserFlagsAction,
  showMerchantAction,
  showUserAction,
  showWithdrawalAction,
  type UserView,
} from './actions.js';
import { actorOf } from './actor-of.js';
import { addOperatorChecked, checkTokenFor, resetOperatorChecked } from './identity-guards.js';
import { asAdminError } from './errors.js';
import { noteAudit, useOperatorAudit } from './audit-trail.js';
import { authFailureEvent, forbiddenEvent, recordOperatorEvent } from '../modules/operator-audit/index.js';
import { operatorAuditRoutes } from './audit-routes.js';
import { operatorRoute, type OperatorRouteConfig } from './typed-route.js';
import { notificationsView } from './views.js';
import { operatorBasePath } from '../contracts/operator.js';
import { AuthThrottle } from './auth-throttle.js';
import { registerKytRoutes } from './kyt-routes.js';
import { registerPolicyRoutes } from './policy-routes.js';
import { registerRecordRoutes } from './record-routes.js';
import { registerChangeRequestRoutes } from './change-request-routes.js';
import { registerOverviewRoutes } from './overview-routes.js';
import { sensitiveRoute } from './sensitive-route.js';
import { merchantSettingsOf } from './request-translation.js';
import { assertStorableFields } from '../input-rules.js';

export interface OperatorRoutesOptions {
  ctx: ServiceContext;
  /** Back-off of failed authentications; default: one of this plugin's own on ctx.clock. */
  throttle?: AuthThrottle;
  /** Told of every failed login and refused token (the audit trail records them); they are logged either way. */
  onAuthFailure?: (failure: AuthFailure) => void;
}

/** The prefix the service mounts this plugin under. */
export { operatorBasePath } from '../contracts/operator.js';

function send(reply: FastifyReply, error: AdminError) {
  return reply.code(error.status).send({ error: error.code, message: error.message });
}

/** A refused login that also starts a wait (the account's lockout or the address's back-off). */
class RetryAfter extends Error {
  constructor(
    readonly refusal: LoginRefused,
    readonly waitMs: number,
  ) {
    super(refusal.message);
  }
}

function tooMany(reply: FastifyReply, waitMs: number) {
  const seconds = Math.max(1, Math.ceil(waitMs / 1_000));
  reply.header('retry-after', String(seconds));
  return send(reply, new AdminError('too_many_attempts', `too many failed authentications from this address: retry after ${seconds} s`));
}

// ---- the plugin -------------------------------------------------------------------------------

/** Registers the operator routes; mount with `app.register(operatorRoutes, { prefix: operatorBasePath, ctx })`. */
export async function operatorRoutes(app: FastifyInstance, options: OperatorRoutesOptions): Promise<void> {
  const { ctx } = options;
  const throttle = options.throttle ?? new AuthThrottle({ clock: ctx.clock });
  useOperatorAudit(app, ctx);

  // Every failure is in the log and in the audit trail (who it claimed to be, from where, why refused).
  const reportFailure = async (request: FastifyRequest, failure: AuthFailure) => {
    request.log.warn({ auth_failure: failure.kind, reason: failure.reason, operator: failure.name, ip: failure.sourceIp }, 'operator API: authentication failed');
    options.onAuthFailure?.(failure);
    reportAuthFailure(failure);
    await recordOperatorEvent(ctx.store.db, authFailureEvent(failure));
  };
  // Each failure counts against the address; past the free ones the address waits.
  const refuse = (reply: FastifyReply, address: string) => {
    const backoffMs = throttle.failed(address);
    if (backoffMs > 0) return tooMany(reply, backoffMs);
    reply.header('www-authenticate', 'Bearer');
    return send(reply, new AdminError('unauthorized', 'missing, wrong, expired or revoked operator token (Authorization: Bearer <token>)'));
  };

  app.addHook('onRequest', async (request, reply) => {
    if (!ctx.config.operatorApi) {
      return send(reply, new AdminError('disabled', 'the operator API is disabled: set operatorApi (OPENWAAS_OPERATOR_API=1) to enable it'));
    }
    // A backed-off address waits, whatever it sends.
    const waitMs = throttle.waitMs(request.ip);
    if (waitMs > 0) return tooMany(reply, waitMs);
    // A path outside the contract has no role: only an operator learns that it is not there.
    const config = request.routeOptions.config as Partial<OperatorRouteConfig> | undefined;
    const least = config?.operatorRole === undefined ? 'viewer' : config.operatorRole;
    if (least === null) return; // logging in: the route checks the credentials itself
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match) return refuse(reply, request.ip);
    const auth = await authenticateToken(ctx, match[1]!, request.ip);
    if ('failure' in auth) {
      await reportFailure(request, auth.failure);
      return refuse(reply, request.ip);
    }
    throttle.succeeded(request.ip);
    if (!roleAllows(auth.actor.roles, least)) {
      const route = request.routeOptions.url ?? request.url;
      const action = `${request.method} ${route.startsWith(operatorBasePath) ? route.slice(operatorBasePath.length) : route}`;
      await recordOperatorEvent(ctx.store.db, forbiddenEvent({ actor: auth.actor, action, target: request.url.split('?')[0]!.slice(operatorBasePath.length), nowMs: ctx.clock.nowMs() }));
      return send(reply, new AdminError('forbidden', `${request.method} ${request.url.split('?')[0]} needs the ${least} role; ${auth.actor.name} holds ${auth.actor.roles.join(', ')}`));
    }
    setActorOf(request, auth);
  });

  // Logging in: the only route without a token. Failures count per address and per account.
  operatorRoute(app, 'POST /auth/login', async ({ body }, request) => {
    try {
      const result = await login(ctx, { name: body.name, password: body.password, totp: body.totp, sourceIp: request.ip });
      throttle.succeeded(request.ip);
      // The login is the new session's first action: the audit trail names who logged in (never the token).
      const { operator } = result;
      setActorOf(request, { actor: { operatorId: operator.id, name: operator.name, roles: operator.roles, sourceIp: request.ip }, tokenId: result.id, kind: 'session' });
      noteAudit(request, { target: `/operators/${operator.name}` });
      return result;
    } catch (error) {
      if (!(error instanceof LoginRefused)) throw error;
      await reportFailure(request, error.failure);
      const backoffMs = throttle.failed(request.ip);
      if (error.lockedForMs > 0 || backoffMs > 0) throw new RetryAfter(error, Math.max(error.lockedForMs, backoffMs));
      throw error;
    }
  });
  operatorRoute(app, 'POST /auth/logout', async (_input, request) => {
    const auth = authOf(request);
    if (auth.kind !== 'session') throw new AdminError('conflict', "this is an API token, not a session: revoke it with 'openwaas operator token revoke <id>'");
    await logout(ctx, auth.tokenId);
  });
  operatorRoute(app, 'GET /auth/me', async (_input, request) => {
    const { actor, tokenId, kind } = authOf(request);
    return { operator: { id: actor.operatorId, name: actor.name, roles: [...actor.roles] }, token: { id: tokenId, kind } };
  });

  // Bad strings never reach the database: NUL in a path, query or body is refused (400 invalid), not a 500.
  app.addHook('preHandler', async (request) => {
    assertStorableFields({ params: request.params, query: request.query, body: request.body });
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
    if (error instanceof RetryAfter) {
      reply.header('retry-after', String(Math.max(1, Math.ceil(error.waitMs / 1_000))));
      return send(reply, new AdminError('too_many_attempts', error.refusal.lockedForMs > 0 ? error.refusal.message : 'too many failed authentications from this address'));
    }
    const known = asAdminError(error);
    if (known) return send(reply, known);
    // Fastify's own 4xx (bad JSON body, too large): the client's fault, said plainly.
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: 'invalid', message: error.message });
    }
    request.log.error({ err: error, url: request.url }, 'operator API: unexpected error');
    const internal = operatorErrorRegistry.internal;
    return reply.code(internal.httpStatus).send({ error: internal.code, message: internal.message });
  });

  // Operator accounts and API tokens (the one-time secrets are in the creating answer only)
  operatorRoute(app, 'GET /operators', async () => ({ operators: await listOperators(ctx) }));
  operatorRoute(app, 'POST /operators', async ({ body: b }, request) => {
    const created = await addOperatorChecked(ctx, { name: b.name, roles: b.roles }, actorOf(request));
    // Never the one-time secrets: the account, and the role change that waits, if any.
    noteAudit(request, { target: `/operators/${created.operator.name}`, after: { operator: created.operator, pending_roles: created.pending_roles?.id ?? null } });
    return created;
  });
  sensitiveRoute(app, ctx, 'PUT /operators/:name/roles');
  sensitiveRoute(app, ctx, 'POST /operators/:name/disable');
  operatorRoute(app, 'POST /operators/:name/reset', async ({ params }, request) => {
    const reset = await resetOperatorChecked(ctx, params.name, actorOf(request));
    noteAudit(request, { after: { operator: reset.operator, pending_roles: reset.pending_roles?.id ?? null } });
    return reset;
  });
  operatorRoute(app, 'GET /operator-tokens', async ({ query: q }) => ({ tokens: await listApiTokens(ctx, q.name !== undefined ? { name: q.name } : {}) }));
  operatorRoute(app, 'POST /operators/:name/tokens', async ({ params, body: b }, request) => {
    await checkTokenFor(ctx, params.name, actorOf(request));
    return createApiToken(ctx, { name: params.name, sourceIp: request.ip, ...(b.expires_days !== undefined ? { expiresDays: b.expires_days } : {}) });
  });
  operatorRoute(app, 'POST /auth/tokens', async ({ body: b }, request) =>
    createApiToken(ctx, { name: actorOf(request).name, sourceIp: request.ip, ...(b.expires_days !== undefined ? { expiresDays: b.expires_days } : {}) }),
  );
  operatorRoute(app, 'DELETE /operator-tokens/:id', async ({ params }) => revokeApiToken(ctx, params.id));

  // Merchants
  operatorRoute(app, 'GET /merchants', async () => ({ merchants: await listMerchantsAction(ctx) }));
  operatorRoute(app, 'POST /merchants', async ({ body: b }, request) => {
    const created = await createMerchantAction(ctx, { ...merchantSettingsOf(b), name: b.name, ...(b.app_id !== undefined ? { appId: b.app_id } : {}) });
    noteAudit(request, { target: `/merchants/${created.app_id}`, after: created });
    return created;
  });
  operatorRoute(app, 'GET /merchants/:appId', async ({ params }) => showMerchantAction(ctx, params.appId));
  // Callback URLs and the merchant's key wait for a second admin (four-eyes.ts); other settings apply directly.
  sensitiveRoute(app, ctx, 'PATCH /merchants/:appId');
  // A new wallet key pair: the merchant must switch to the new public key, so a second admin agrees first.
  sensitiveRoute(app, ctx, 'POST /merchants/:appId/rotate-key');
  for (const [method, enabled] of [['PUT', true], ['DELETE', false]] as const) {
    operatorRoute(app, `${method} /merchants/:appId/coins/:symbol`, async ({ params: p }, request) => {
      const before = { coins: (await showMerchantAction(ctx, p.appId)).coins };
      const after = await setMerchantCoinAction(ctx, p.appId, p.symbol, enabled);
      noteAudit(request, { before, after: { coins: after.coins } });
      return after;
    });
  }

  // Coins
  operatorRoute(app, 'GET /coins', async () => ({ coins: await listCoinsAction(ctx) }));
  sensitiveRoute(app, ctx, 'PUT /coins/:symbol');
  sensitiveRoute(app, ctx, 'PATCH /coins/:symbol');

  // Users
  operatorRoute(app, 'GET /users', async ({ query: q }) =>
    searchUsersAction(ctx, {
      ...(q.app_id !== undefined ? { appId: q.app_id } : {}),
      ...(q.uid !== undefined ? { uid: q.uid } : {}),
      ...(q.address !== undefined ? { address: q.address } : {}),
      ...(q.after_id !== undefined ? { afterId: q.after_id } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    }),
  );
  operatorRoute(app, 'GET /users/:uid', async ({ params }) => showUserAction(ctx, params.uid));
  const userFlags = async (request: FastifyRequest, uid: number, flags: { frozen?: boolean; atRisk?: boolean }) => {
    const flagsOf = (u: UserView) => ({ frozen: u.frozen, at_risk: u.at_risk });
    const before = flagsOf(await showUserAction(ctx, uid));
    const after = await setUserFlagsAction(ctx, uid, flags);
    noteAudit(request, { before, after: flagsOf(after) });
    return after;
  };
  operatorRoute(app, 'PATCH /users/:uid', async ({ params, body: b }, request) =>
    userFlags(request, params.uid, { ...(b.frozen !== undefined ? { frozen: b.frozen } : {}), ...(b.at_risk !== undefined ? { atRisk: b.at_risk } : {}) }),
  );
  operatorRoute(app, 'POST /users/:uid/freeze', async ({ params }, request) => userFlags(request, params.uid, { frozen: true }));
  operatorRoute(app, 'POST /users/:uid/unfreeze', async ({ params }, request) => userFlags(request, params.uid, { frozen: false }));

  // Balance adjustments
  // Above config.adjustmentReviewAbove they wait for a second admin; the journal names the operator.
  sensitiveRoute(app, ctx, 'POST /balances/credit');
  sensitiveRoute(app, ctx, 'POST /balances/debit');
  operatorRoute(app, 'GET /adjustments', async () => ({ adjustments: await listAdjustments(ctx) }));

  // Withdrawals
  operatorRoute(app, 'GET /withdrawals/review', async ({ query: q }) => ({
    withdrawals: await listWithdrawalsForReview(ctx, { ...(q.after_id !== undefined ? { afterId: q.after_id } : {}), ...(q.limit !== undefined ? { limit: q.limit } : {}) }),
  }));
  operatorRoute(app, 'GET /withdrawals/:id', async ({ params }) => showWithdrawalAction(ctx, params.id));
  const decide = async (request: FastifyRequest, input: Parameters<typeof decideWithdrawalAction>[1]) => {
    const before = await showWithdrawalAction(ctx, input.withdrawalId);
    const after = await decideWithdrawalAction(ctx, input);
    noteAudit(request, { before, after });
    return after;
  };
  operatorRoute(app, 'POST /withdrawals/:id/approve', async ({ params, body }, request) => decide(request, { withdrawalId: params.id, actor: actorOf(request), action: 'approve', by: body.by }));
  operatorRoute(app, 'POST /withdrawals/:id/reject', async ({ params, body: b }, request) =>
    decide(request, { withdrawalId: params.id, actor: actorOf(request), action: 'reject', by: b.by, reason: b.reason }),
  );
  operatorRoute(app, 'POST /withdrawals/:id/cancel', async ({ params }, request) => decide(request, { withdrawalId: params.id, actor: actorOf(request), action: 'cancel' }));

  // Withdrawal and deposit lists, deposit details, record timelines (operator/record-routes.ts)
  registerRecordRoutes(app, ctx);

  // Approval and spending policies (operator/policy-routes.ts)
  registerPolicyRoutes(app, ctx);

  // KYT holds: deposits 4/5/6 and withdrawals 7/8 (operator/kyt-routes.ts)
  registerKytRoutes(app, ctx);

  // Blacklist
  operatorRoute(app, 'GET /blacklist', async () => ({ addresses: await listBlacklist(ctx.store.db) }));
  operatorRoute(app, 'POST /blacklist', async ({ body: b }, request) => {
    noteAudit(request, { target: `/blacklist/${encodeURIComponent(b.address)}` });
    const entry = await addToBlacklist(ctx.store.db, { address: b.address, ...(b.reason !== undefined ? { reason: b.reason } : {}), nowMs: ctx.clock.nowMs() });
    noteAudit(request, { target: `/blacklist/${encodeURIComponent(entry.address)}`, after: entry });
    return entry;
  });
  sensitiveRoute(app, ctx, 'DELETE /blacklist/:address');

  // Notifications
  operatorRoute(app, 'GET /notifications', async ({ query: q }) =>
    notificationsView(ctx.store.db, {
      ...(q.state !== undefined ? { state: q.state } : {}),
      ...(q.app_id !== undefined ? { appId: q.app_id } : {}),
      ...(q.after_id !== undefined ? { afterId: q.after_id } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    }),
  );
  operatorRoute(app, 'GET /notifications/:id', async ({ params }) => getNotificationDetail(ctx.store.db, params.id));
  operatorRoute(app, 'POST /notifications/:id/resend', async ({ params }, request) => {
    const stateOf = (n: Awaited<ReturnType<typeof getNotification>>) => ({ state: n.state, attempts: n.attempts });
    const before = stateOf(await getNotification(ctx.store.db, params.id));
    const after = await resendNotification(ctx, params.id);
    noteAudit(request, { before, after: stateOf(after) });
    return after;
  });
  operatorRoute(app, 'POST /notifications/resend-failed', async ({ body: b }, request) => {
    const merchantId = b.app_id !== undefined ? Number((await requireMerchant(ctx.store.db, b.app_id)).id) : undefined;
    if (b.app_id !== undefined) noteAudit(request, { target: `/merchants/${encodeURIComponent(b.app_id)}/notifications` });
    const result = await resendAllFailed(ctx, merchantId !== undefined ? { merchantId } : {});
    noteAudit(request, { after: result });
    return result;
  });

  // Audit: always 200; `ok` and `findings` carry the verdict.
  operatorRoute(app, 'GET /audit', async () => auditAction(ctx));
  operatorRoute(app, 'POST /audit', async () => auditAction(ctx));

  // The console's overview: chains, alerts, queues, daily figures in one answer (operator/overview-routes.ts)
  registerOverviewRoutes(app, ctx);

  // Chains, on-chain audit and operator alerts
  await chainOperatorRoutes(app, ctx);
  await chainTxOperatorRoutes(app, ctx);

  // The operator audit trail (viewers)
  operatorAuditRoutes(app, ctx);

  // Change requests: a second admin approves or rejects sensitive changes (four-eyes.ts)
  registerChangeRequestRoutes(app, ctx);
}

/** Every error code the operator API may answer, with its status (the registry in contracts/operator-errors.ts). */
export { operatorErrorStatus } from '../contracts/operator-errors.js';
