import type { ServiceContext } from '../context.js';
import type { Merchant } from '../store/schema.js';

/** One authenticated API call, after the envelope checks (app_id, IP, decryption, time) passed. */
export interface ApiCall {
  /** The calling merchant (active, IP allowed). */
  merchant: Merchant;
  /** The decrypted request fields (a JSON object; values as the client sent them). */
  fields: Record<string, unknown>;
  /** The caller's IP address (IPv4-mapped IPv6 already unmapped). */
  ip: string;
}

/**
 * An endpoint implementation: returns the response `data` (sealed into the envelope by the
 * caller), or throws ApiError for an API code. Anything else thrown answers 100001.
 */
export type Handler = (ctx: ServiceContext, call: ApiCall) => Promise<unknown>;
