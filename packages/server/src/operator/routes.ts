/**
 * The operator HTTP API: JSON in and out, `Authorization: Bearer <config.operatorToken>`,
 * mounted under /operator/v1 on its own listener (operator/app.ts), never the merchant port.
 * With no token configured every route answers 404 `disabled`. Only the token's sha256 is
 * held (config.operatorTokenHash); repeated failures from one address answer 429 (see
 * auth-throttle.ts). Expected failures answer `{error, message}` with a 4xx status (codes in
 * domain/admin-errors.ts); anything else is logged and answers 500 without details.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { chainOperatorRoutes } from './chain-routes.js';
import { chainTxOperatorRoutes } from './chain-tx-routes.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ServiceContext } from '../context.js';
import type { ServiceConfig } from '../config/config.js';
import { AdminError } from '../domain/admin-errors.js';
import { operatorErrorRegistry } from '../contracts/operator-errors.js';
import { adjustBalance, listAdjustments } from '../domain/adjustments.js';
import { addToBlacklist, listBlacklist, removeFromBlacklist } from '../domain/blacklist.js';
import { countNotifications, getNotification, listNotifications, notificationStates, resendAllFailed, resendNotification } from '../domain/notifications-admin.js';
import { listWithdrawalsForReview } from '../domain/withdrawals.js';
import {
  auditAction,
  createMerchantAction,
  decideWithdrawalAction,
  listCoinsAction,
  listMerchantsAction,
  requireMerchant,
  setMerchantCoinAction,
  setUserFlagsAction,
  showMerchantAction,
  showUserAction,
  showWithdrawalAction,
  updateCoinAction,
  updateMerchantAction,
  upsertCoinAction,
} from './actions.js';
import { asAdminError } from './errors.js';
import { AuthThrottle } from './auth-throttle.js';
import { registerKytRoutes } from './kyt-routes.js';
import { assertStorableFields } from '../domain/input-rules.js';

export interface OperatorRoutesOptions {
  ctx: ServiceContext;
  /** Back-off of failed authentications; default: one of this plugin's own on ctx.clock. */
  throttle?: AuthThrottle;
}

/** The prefix the service mounts this plugin under. */
export const operatorBasePath = '/operator/v1';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** Compares the presented token's sha256 with the configured one in constant time. */
function tokenMatches(header: string | undefined, expected: Buffer): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match !== null && timingSafeEqual(digest(match[1]!.trim()), expected);
}

/** The configured token's sha256, or undefined when the operator API is off. */
export function operatorTokenDigest(config: Pick<ServiceConfig, 'operatorToken' | 'operatorTokenHash'>): Buffer | undefined {
  // A hand-built configuration may still hold the plaintext; loadConfig has replaced it by its hash.
  if (config.operatorTokenHash !== '') return Buffer.from(config.operatorTokenHash, 'hex');
  if (config.operatorToken !== '') return digest(config.operatorToken);
  return undefined;
}

function send(reply: FastifyReply, error: AdminError) {
  return reply.code(error.status).send({ error: error.code, message: error.message });
}

function tooMany(reply: FastifyReply, waitMs: number) {
  const seconds = Math.max(1, Math.ceil(waitMs / 1_000));
  reply.header('retry-after', String(seconds));
  return send(reply, new AdminError('too_many_attempts', `too many failed authentications from this address: retry after ${seconds} s`));
}

// ---- request shapes ---------------------------------------------------------------------------

const id = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);
const decimal = z.string().trim().regex(/^\d+(\.\d+)?$/, 'must be a decimal number like "1.5"');
const appIdParams = z.object({ appId: z.string().min(1).max(64) });
const idParams = z.object({ id });
const uidParams = z.object({ uid: id });
const limitQuery = { after_id: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().positive().max(1_000).optional() };

const merchantSettings = {
  name: z.string().optional(),
  merchant_public_key: z.string().min(1).optional(),
  notify_url: z.string().nullable().optional(),
  confirm_url: z.string().nullable().optional(),
  ip_allowlist: z.array(z.string()).optional(),
  auto_collect: z.boolean().optional(),
  user_limit: z.number().int().optional(),
  active: z.boolean().optional(),
};
const createMerchantBody = z.strictObject({ ...merchantSettings, name: z.string(), app_id: z.string().optional() });
const updateMerchantBody = z.strictObject(merchantSettings);

function merchantSettingsOf(b: z.infer<typeof updateMerchantBody>) {
  return {
    ...(b.name !== undefined ? { name: b.name } : {}),
    ...(b.merchant_public_key !== undefined ? { merchantPublicKey: b.merchant_public_key } : {}),
    ...(b.notify_url !== undefined ? { notifyUrl: b.notify_url === '' ? null : b.notify_url } : {}),
    ...(b.confirm_url !== undefined ? { confirmUrl: b.confirm_url === '' ? null : b.confirm_url } : {}),
    ...(b.ip_allowlist !== undefined ? { ipAllowlist: b.ip_allowlist } : {}),
    ...(b.auto_collect !== undefined ? { autoCollect: b.auto_collect } : {}),
    ...(b.user_limit !== undefined ? { userLimit: b.user_limit } : {}),
    ...(b.active !== undefined ? { active: b.active } : {}),
  };
}

const coinFields = {
  name: z.string().min(1).max(100).optional(),
  chain: z.string(),
  base_symbol: z.string().max(32).optional(),
  contract_address: z.string().max(128).optional(),
  decimals: z.number().int(),
  confirmations: z.number().int().optional(),
  min_withdraw: decimal.optional(),
  max_withdraw: decimal.optional(),
  withdraw_fee: decimal.optional(),
  withdraw_fee_symbol: z.string().optional(),
  auto_approve_max: decimal.optional(),
  daily_limit: decimal.optional(),
  min_deposit: decimal.optional(),
  icon: z.string().max(2_048).optional(),
  explorer: z.string().max(2_048).optional(),
  enabled: z.boolean().optional(),
};
const upsertCoinBody = z.strictObject(coinFields);
const patchCoinBody = z.strictObject({ ...coinFields, chain: coinFields.chain.optional(), decimals: coinFields.decimals.optional() });

function coinSettingsOf(b: Partial<z.infer<typeof upsertCoinBody>>) {
  const map = {
    name: 'name', chain: 'chain', base_symbol: 'baseSymbol', contract_address: 'contractAddress', decimals: 'decimals',
    confirmations: 'confirmations', min_withdraw: 'minWithdraw', max_withdraw: 'maxWithdraw', withdraw_fee: 'withdrawFee',
    withdraw_fee_symbol: 'withdrawFeeSymbol', auto_approve_max: 'autoApproveMax', daily_limit: 'dailyLimit',
    min_deposit: 'minDeposit', icon: 'icon', explorer: 'explorer', enabled: 'enabled',
  } as const;
  const out: Record<string, unknown> = {};
  for (const [wire, key] of Object.entries(map)) {
    const v = (b as Record<string, unknown>)[wire];
    if (v !== undefined) out[key] = v;
  }
  return out;
}

const userFlagsBody = z.strictObject({ frozen: z.boolean().optional(), at_risk: z.boolean().optional() });
const adjustmentBody = z
  .strictObject({
    uid: id.optional(),
    app_id: z.string().min(1).optional(),
    symbol: z.string().min(1),
    amount: z.string().min(1),
    reason: z.string(),
    by: z.string().max(100).optional(),
  })
  .refine((b) => (b.uid === undefined) !== (b.app_id === undefined), 'give either uid (a user) or app_id (the collection account)');
const auditorBody = z.strictObject({ by: z.enum(['saas', 'company']).default('saas') });
const rejectBody = z.strictObject({ by: z.enum(['saas', 'company']).default('saas'), reason: z.string().max(500).default('') });
const blacklistBody = z.strictObject({ address: z.string(), reason: z.string().optional() });
const notificationsQuery = z.object({ state: z.enum(notificationStates).optional(), app_id: z.string().optional(), ...limitQuery });
const resendAllBody = z.strictObject({ app_id: z.string().optional() });

/** Empty bodies (POST without content) read as {}. */
const body = (request: FastifyRequest) => (request.body === undefined || request.body === null || request.body === '' ? {} : request.body);

// ---- the plugin -------------------------------------------------------------------------------

/** Registers the operator routes; mount with `app.register(operatorRoutes, { prefix: operatorBasePath, ctx })`. */
export async function operatorRoutes(app: FastifyInstance, options: OperatorRoutesOptions): Promise<void> {
  const { ctx } = options;
  const expected = operatorTokenDigest(ctx.config);
  const throttle = options.throttle ?? new AuthThrottle({ clock: ctx.clock });

  app.addHook('onRequest', async (request, reply) => {
    if (expected === undefined) {
      return send(reply, new AdminError('disabled', 'the operator API is disabled: set OPENWAAS_OPERATOR_TOKEN (operatorToken) or operatorTokenHash to enable it'));
    }
    // A backed-off address waits, whatever token it sends.
    const waitMs = throttle.waitMs(request.ip);
    if (waitMs > 0) return tooMany(reply, waitMs);
    if (!tokenMatches(request.headers.authorization, expected)) {
      const backoffMs = throttle.failed(request.ip);
      if (backoffMs > 0) {
        request.log.warn({ ip: request.ip, backoff_ms: backoffMs }, 'operator API: repeated failed authentication, backing off');
        return tooMany(reply, backoffMs);
      }
      reply.header('www-authenticate', 'Bearer');
      return send(reply, new AdminError('unauthorized', 'missing or wrong operator token (Authorization: Bearer <token>)'));
    }
    throttle.succeeded(request.ip);
  });

  // Bad strings never reach the database: NUL in a path, query or body is refused (400 invalid), not a 500.
  app.addHook('preHandler', async (request) => {
    assertStorableFields({ params: request.params, query: request.query, body: request.body });
  });

  app.setErrorHandler((error: Error & { statusCode?: number }, request, reply) => {
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

  // Merchants
  app.get('/merchants', async () => ({ merchants: await listMerchantsAction(ctx) }));
  app.post('/merchants', async (request, reply) => {
    const b = createMerchantBody.parse(body(request));
    const view = await createMerchantAction(ctx, { ...merchantSettingsOf(b), name: b.name, ...(b.app_id !== undefined ? { appId: b.app_id } : {}) });
    return reply.code(201).send(view);
  });
  app.get('/merchants/:appId', async (request) => showMerchantAction(ctx, appIdParams.parse(request.params).appId));
  app.patch('/merchants/:appId', async (request) => {
    const { appId } = appIdParams.parse(request.params);
    return updateMerchantAction(ctx, appId, merchantSettingsOf(updateMerchantBody.parse(body(request))));
  });
  app.put('/merchants/:appId/coins/:symbol', async (request) => {
    const p = z.object({ appId: z.string(), symbol: z.string() }).parse(request.params);
    return setMerchantCoinAction(ctx, p.appId, p.symbol, true);
  });
  app.delete('/merchants/:appId/coins/:symbol', async (request) => {
    const p = z.object({ appId: z.string(), symbol: z.string() }).parse(request.params);
    return setMerchantCoinAction(ctx, p.appId, p.symbol, false);
  });

  // Coins
  app.get('/coins', async () => ({ coins: await listCoinsAction(ctx) }));
  app.put('/coins/:symbol', async (request) => {
    const { symbol } = z.object({ symbol: z.string() }).parse(request.params);
    const settings = coinSettingsOf(upsertCoinBody.parse(body(request)));
    return upsertCoinAction(ctx, { ...(settings as { chain: string; decimals: number }), symbol });
  });
  app.patch('/coins/:symbol', async (request) => {
    const { symbol } = z.object({ symbol: z.string() }).parse(request.params);
    return updateCoinAction(ctx, symbol, coinSettingsOf(patchCoinBody.parse(body(request))));
  });

  // Users
  app.get('/users/:uid', async (request) => showUserAction(ctx, uidParams.parse(request.params).uid));
  app.patch('/users/:uid', async (request) => {
    const { uid } = uidParams.parse(request.params);
    const b = userFlagsBody.parse(body(request));
    return setUserFlagsAction(ctx, uid, { ...(b.frozen !== undefined ? { frozen: b.frozen } : {}), ...(b.at_risk !== undefined ? { atRisk: b.at_risk } : {}) });
  });
  app.post('/users/:uid/freeze', async (request) => setUserFlagsAction(ctx, uidParams.parse(request.params).uid, { frozen: true }));
  app.post('/users/:uid/unfreeze', async (request) => setUserFlagsAction(ctx, uidParams.parse(request.params).uid, { frozen: false }));

  // Balance adjustments
  for (const direction of ['credit', 'debit'] as const) {
    app.post(`/balances/${direction}`, async (request) => {
      const b = adjustmentBody.parse(body(request));
      return adjustBalance(ctx, {
        target: b.uid !== undefined ? { uid: b.uid } : { collectionAppId: b.app_id! },
        symbol: b.symbol,
        amount: b.amount,
        direction,
        reason: b.reason,
        by: b.by ?? 'operator-api',
      });
    });
  }
  app.get('/adjustments', async () => ({ adjustments: await listAdjustments(ctx) }));

  // Withdrawals
  app.get('/withdrawals/review', async (request) => {
    const q = z.object(limitQuery).parse(request.query);
    return { withdrawals: await listWithdrawalsForReview(ctx, { ...(q.after_id !== undefined ? { afterId: q.after_id } : {}), ...(q.limit !== undefined ? { limit: q.limit } : {}) }) };
  });
  app.get('/withdrawals/:id', async (request) => showWithdrawalAction(ctx, idParams.parse(request.params).id));
  app.post('/withdrawals/:id/approve', async (request) => {
    const { by } = auditorBody.parse(body(request));
    return decideWithdrawalAction(ctx, { withdrawalId: idParams.parse(request.params).id, action: 'approve', by });
  });
  app.post('/withdrawals/:id/reject', async (request) => {
    const b = rejectBody.parse(body(request));
    return decideWithdrawalAction(ctx, { withdrawalId: idParams.parse(request.params).id, action: 'reject', by: b.by, reason: b.reason });
  });
  app.post('/withdrawals/:id/cancel', async (request) => decideWithdrawalAction(ctx, { withdrawalId: idParams.parse(request.params).id, action: 'cancel' }));

  // KYT holds: deposits 4/5/6 and withdrawals 7/8 (operator/kyt-routes.ts)
  registerKytRoutes(app, ctx);

  // Blacklist
  app.get('/blacklist', async () => ({ addresses: await listBlacklist(ctx.store.db) }));
  app.post('/blacklist', async (request, reply) => {
    const b = blacklistBody.parse(body(request));
    return reply.code(201).send(await addToBlacklist(ctx.store.db, { address: b.address, ...(b.reason !== undefined ? { reason: b.reason } : {}), nowMs: ctx.clock.nowMs() }));
  });
  app.delete('/blacklist/:address', async (request, reply) => {
    const { address } = z.object({ address: z.string() }).parse(request.params);
    await removeFromBlacklist(ctx.store.db, address);
    return reply.code(204).send();
  });

  // Notifications
  app.get('/notifications', async (request) => {
    const q = notificationsQuery.parse(request.query);
    const merchantId = q.app_id !== undefined ? Number((await requireMerchant(ctx.store.db, q.app_id)).id) : undefined;
    const filter = {
      ...(q.state !== undefined ? { state: q.state } : {}),
      ...(merchantId !== undefined ? { merchantId } : {}),
      ...(q.after_id !== undefined ? { afterId: q.after_id } : {}),
      ...(q.limit !== undefined ? { limit: q.limit } : {}),
    };
    return { counts: await countNotifications(ctx.store.db, merchantId), notifications: await listNotifications(ctx.store.db, filter) };
  });
  app.get('/notifications/:id', async (request) => getNotification(ctx.store.db, idParams.parse(request.params).id));
  app.post('/notifications/:id/resend', async (request) => resendNotification(ctx, idParams.parse(request.params).id));
  app.post('/notifications/resend-failed', async (request) => {
    const b = resendAllBody.parse(body(request));
    const merchantId = b.app_id !== undefined ? Number((await requireMerchant(ctx.store.db, b.app_id)).id) : undefined;
    return resendAllFailed(ctx, merchantId !== undefined ? { merchantId } : {});
  });

  // Audit: always 200; `ok` and `findings` carry the verdict.
  app.get('/audit', async () => auditAction(ctx));
  app.post('/audit', async () => auditAction(ctx));

  // Chains, on-chain audit and operator alerts
  await chainOperatorRoutes(app, ctx);
  await chainTxOperatorRoutes(app, ctx);
}

/** Every error code the operator API may answer, with its status (the registry in contracts/operator-errors.ts). */
export { operatorErrorStatus } from '../contracts/operator-errors.js';
