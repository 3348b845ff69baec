import type { KeyObject } from 'node:crypto';
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { decodeBase64Url, EnvelopeError, openText, parsePublicKey, type EndpointName, type ExtensionEndpointName } from '@openwaas/sdk';
import { ErrorCode, errorMessages, errorRegistry } from '../contracts/errors.js';
import { appIdLengthMax, gatewayCacheEntriesMax, numericTextDigitsMax } from '../limits.js';
import type { Logger } from 'pino';
import type { ServiceContext } from '../context.js';
import { ApiError } from '../errors/api-error.js';
import { ReplayGuard } from '../modules/envelopes/index.js';
import { findMerchantByAppId, merchantWalletKey } from '../modules/merchants/index.js';
import type { Merchant } from '../store/schema.js';
import type { AnyHandler } from './handler.js';
import { assertCleanFields, forbiddenCharacter } from '../input-rules.js';

/** What the transport layer extracted from a request: the two form fields and the peer address. */
export interface RawApiRequest {
  appId: unknown;
  data: unknown;
  /** Socket peer address as Node reports it (may be IPv4-mapped IPv6). */
  ip: string;
  /** The request's logger (carries its request id); the service logger when absent. */
  log?: Logger;
}

/** An HTTP answer: status and JSON body (`{"data":"<envelope>"}` or a plain `{code,msg}`). */
export interface ApiReply {
  status: number;
  /** The API code answered (for the access log). */
  code: ErrorCode;
  body: Record<string, unknown>;
}

/** Millisecond timestamp as text: digits with optional surrounding space. */
const timeText = new RegExp(`^\\s*\\d{1,${numericTextDigitsMax}}\\s*$`);

/** "::ffff:127.0.0.1" → "127.0.0.1": IPv4 clients on a dual-stack socket. */
export function normaliseIp(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  return mapped ? mapped[1]! : ip;
}

/** A merchant's IP allowlist (JSON array of IPv4, IPv4 CIDR, IPv6, IPv6 CIDR); empty = any. */
export class IpAllowlist {
  readonly any: boolean;
  readonly #list = new BlockList();
  /** Entries that did not parse (reported by the operator tooling; never widen access). */
  readonly invalid: string[] = [];

  constructor(json: string) {
    let entries: unknown;
    try {
      entries = JSON.parse(json);
    } catch {
      entries = [json];
    }
    const items = Array.isArray(entries) ? entries : [entries];
    this.any = items.length === 0;
    for (const raw of items) {
      const item = typeof raw === 'string' ? normaliseIp(raw.trim()) : '';
      const [net, prefixText] = item.split('/');
      const type = isIPv4(net ?? '') ? 'ipv4' : isIPv6(net ?? '') ? 'ipv6' : undefined;
      const prefix = prefixText === undefined ? undefined : Number(prefixText);
      if (!type || (prefix !== undefined && (!/^\d{1,3}$/.test(prefixText!) || prefix > (type === 'ipv4' ? 32 : 128)))) {
        this.invalid.push(String(raw));
        continue;
      }
      if (prefix === undefined) this.#list.addAddress(net!, type);
      else this.#list.addSubnet(net!, prefix, type);
    }
  }

  allows(ip: string): boolean {
    if (this.any) return true;
    const address = normaliseIp(ip);
    const type = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
    return type !== undefined && this.#list.check(address, type);
  }
}

/** A small map that forgets its oldest entry beyond a bound. */
class BoundedCache<V> {
  readonly #map = new Map<number, V>();
  get(key: number): V | undefined {
    return this.#map.get(key);
  }
  set(key: number, value: V): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > gatewayCacheEntriesMax) this.#map.delete(this.#map.keys().next().value!);
  }
}

/** Why a request was refused before its handler ran (logged, never sent in full). */
type Refusal = { code: ErrorCode; msg: string; reason: string; enveloped: false; status: number } | { code: ErrorCode; msg: string; reason: string; enveloped: true; merchant: Merchant };

/**
 * The request pipeline of every endpoint (API.md §1): app_id → merchant active → IP allowed →
 * `data` decrypts to a JSON object → `time` within the window → envelope not seen on another
 * endpoint → handler. Refusals are logged and answered without a stack trace; nothing but the
 * envelope's fingerprint (domain/envelope-replay.ts) is written before the handler runs.
 */
export class ApiGateway {
  readonly #publicKeys = new BoundedCache<{ pem: string; key: KeyObject }>();
  readonly #allowlists = new BoundedCache<{ json: string; list: IpAllowlist }>();
  readonly #replays: ReplayGuard;

  constructor(private readonly ctx: ServiceContext) {
    this.#replays = new ReplayGuard({ store: ctx.store, clock: ctx.clock, log: ctx.log, windowMs: ctx.config.requestTimeWindowMs });
  }

  async handle(endpoint: EndpointName | ExtensionEndpointName, handler: AnyHandler, raw: RawApiRequest): Promise<ApiReply> {
    const ip = normaliseIp(raw.ip);
    const appId = raw.appId;
    const log = raw.log ?? this.ctx.log;
    // A control character cannot be in any app_id, and PostgreSQL refuses NUL in a query: never looked up.
    if (typeof appId !== 'string' || appId === '' || appId.length > appIdLengthMax || forbiddenCharacter(appId) !== undefined) {
      return this.#refuse(log, endpoint, ip, { code: ErrorCode.InvalidAppId, msg: errorMessages[ErrorCode.InvalidAppId], reason: 'app_id missing or malformed', enveloped: false, status: errorRegistry.InvalidAppId.httpStatus });
    }
    const merchant = await findMerchantByAppId(this.ctx.store.db, appId);
    if (!merchant) {
      return this.#refuse(log, endpoint, ip, { code: ErrorCode.InvalidAppId, msg: errorMessages[ErrorCode.InvalidAppId], reason: `unknown app_id ${appId}`, enveloped: false, status: errorRegistry.InvalidAppId.httpStatus });
    }
    if (merchant.active !== 1) {
      return this.#refuse(log, endpoint, ip, { code: ErrorCode.MerchantExpired, msg: errorMessages[ErrorCode.MerchantExpired], reason: 'merchant disabled', enveloped: true, merchant });
    }
    if (!this.#allowlist(merchant).allows(ip)) {
      return this.#refuse(log, endpoint, ip, { code: ErrorCode.IllegalIp, msg: `${errorMessages[ErrorCode.IllegalIp]}: ${ip}`, reason: `ip ${ip} not in allowlist`, enveloped: true, merchant });
    }
    const opened = this.#open(merchant, raw.data);
    if (!opened.ok) {
      return this.#refuse(log, endpoint, ip, { code: ErrorCode.DecryptFailed, msg: `${errorMessages[ErrorCode.DecryptFailed]}: ${opened.why}`, reason: opened.why, enveloped: false, status: errorRegistry.DecryptFailed.httpStatus });
    }
    // It decrypted, so the merchant wrote it: a well-formed request with bad parameters (100004).
    const notObject = opened.value === null || typeof opened.value !== 'object' || Array.isArray(opened.value);
    if (notObject) {
      return this.#refuse(log, endpoint, ip, { code: ErrorCode.InvalidParameter, msg: 'data must be a JSON object', reason: 'decrypted data is not a JSON object', enveloped: true, merchant });
    }
    const fields = opened.value as Record<string, unknown>;
    try {
      assertCleanFields(fields);
    } catch (error) {
      const msg = error instanceof ApiError ? error.message : 'data is not valid';
      return this.#refuse(log, endpoint, ip, { code: ErrorCode.InvalidParameter, msg, reason: msg, enveloped: true, merchant });
    }
    const timeProblem = this.#checkTime(fields['time']);
    if (timeProblem) {
      return this.#refuse(log, endpoint, ip, { code: ErrorCode.InvalidParameter, msg: `time ${timeProblem}`, reason: `time ${timeProblem}`, enveloped: true, merchant });
    }
    // Recorded before the handler runs, reads included: a replay may start from a read.
    const sighting = await this.#replays.sight({ merchantId: Number(merchant.id), ciphertext: decodeBase64Url(raw.data as string), endpoint });
    if (sighting.kind === 'replayed') {
      return this.#refuse(log, endpoint, ip, { code: ErrorCode.InvalidParameter, msg: 'envelope replayed', reason: `envelope replayed, first accepted on ${sighting.firstEndpoint}`, enveloped: true, merchant });
    }

    let envelope: { code: ErrorCode; msg: string; data?: unknown };
    try {
      const data = await handler(this.ctx, { merchant, fields, ip });
      envelope = { code: ErrorCode.Success, msg: errorMessages[ErrorCode.Success], data: data ?? null };
    } catch (error) {
      if (error instanceof ApiError) {
        log.info({ endpoint, app_id: merchant.app_id, code: error.code, msg: error.message }, 'api error');
        envelope = { code: error.code, msg: error.message };
        if (error.data !== undefined) envelope.data = error.data;
      } else {
        log.error({ err: error, endpoint, app_id: merchant.app_id }, 'unexpected error in handler');
        envelope = { code: ErrorCode.SystemError, msg: errorMessages[ErrorCode.SystemError] };
      }
    }
    return this.#sealed(log, merchant, envelope);
  }

  /** Seals an envelope for the merchant; when sealing itself fails, a plain 100001 is all we can say. */
  async #sealed(log: Logger, merchant: Merchant, envelope: { code: ErrorCode; msg: string; data?: unknown }): Promise<ApiReply> {
    try {
      const data = await this.ctx.sealer.seal(Number(merchant.id), await merchantWalletKey(this.ctx.secrets, merchant), envelope);
      return { status: 200, code: envelope.code, body: { data } };
    } catch (error) {
      log.error({ err: error, app_id: merchant.app_id }, 'cannot seal response');
      return { status: 503, code: ErrorCode.SystemError, body: { code: ErrorCode.SystemError, msg: errorMessages[ErrorCode.SystemError] } };
    }
  }

  #refuse(log: Logger, endpoint: EndpointName | ExtensionEndpointName, ip: string, refusal: Refusal): Promise<ApiReply> | ApiReply {
    const appId = refusal.enveloped ? refusal.merchant.app_id : undefined;
    log.warn({ endpoint, app_id: appId, ip, code: refusal.code, reason: refusal.reason }, 'request refused');
    if (refusal.enveloped) return this.#sealed(log, refusal.merchant, { code: refusal.code, msg: refusal.msg });
    return { status: refusal.status, code: refusal.code, body: { code: refusal.code, msg: refusal.msg } };
  }

  #allowlist(merchant: Merchant): IpAllowlist {
    const id = Number(merchant.id);
    const cached = this.#allowlists.get(id);
    if (cached && cached.json === merchant.ip_allowlist) return cached.list;
    const list = new IpAllowlist(merchant.ip_allowlist);
    if (list.invalid.length > 0) this.ctx.log.warn({ app_id: merchant.app_id, invalid: list.invalid }, 'ip allowlist holds entries that are not IPs or CIDRs');
    this.#allowlists.set(id, { json: merchant.ip_allowlist, list });
    return list;
  }

  #publicKey(merchant: Merchant): KeyObject | undefined {
    const pem = merchant.merchant_public_key;
    if (!pem) return undefined;
    const id = Number(merchant.id);
    const cached = this.#publicKeys.get(id);
    if (cached && cached.pem === pem) return cached.key;
    const key = parsePublicKey(pem, 'merchant public key');
    this.#publicKeys.set(id, { pem, key });
    return key;
  }

  #open(merchant: Merchant, data: unknown): { ok: true; value: unknown } | { ok: false; why: string } {
    let key: KeyObject | undefined;
    try {
      key = this.#publicKey(merchant);
    } catch {
      return { ok: false, why: 'the registered merchant public key does not parse' };
    }
    if (!key) return { ok: false, why: 'no merchant public key is registered' };
    if (typeof data !== 'string' || data.trim() === '') return { ok: false, why: 'data is missing' };
    let text: string;
    try {
      text = openText(data, key);
    } catch (error) {
      return { ok: false, why: error instanceof EnvelopeError ? error.message : 'data does not decrypt' };
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false, why: 'decrypted data is not JSON' };
    }
    return { ok: true, value };
  }

  /** undefined when `time` (ms, number or numeric string) is within the window; otherwise why not. */
  #checkTime(time: unknown): string | undefined {
    if (time === undefined || time === null || time === '') return 'is required';
    let ms: number;
    if (typeof time === 'number') ms = time;
    else if (typeof time === 'string' && timeText.test(time)) ms = Number(time);
    else return 'must be a millisecond timestamp';
    if (!Number.isFinite(ms)) return 'must be a millisecond timestamp';
    const skew = Math.abs(this.ctx.clock.nowMs() - ms);
    if (skew > this.ctx.config.requestTimeWindowMs) return `is outside the accepted window of ±${this.ctx.config.requestTimeWindowMs} ms`;
    return undefined;
  }
}
