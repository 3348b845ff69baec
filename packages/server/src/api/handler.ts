import type { EndpointName, EndpointTypes, ExtensionEndpointName, ExtensionEndpointTypes } from '@openwaas/sdk';
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

/** The response `data` of an endpoint, as the SDK types it. */
export type EndpointResponse<E extends EndpointName> = EndpointTypes[E]['response'];

/**
 * The implementation of endpoint `E`: returns the response `data` (sealed into the envelope by
 * the caller) typed by the SDK's endpoint table, so a handler that drops or renames a field of
 * the response fails to compile; or throws ApiError for an API code. Anything else thrown
 * answers 100001.
 */
export type Handler<E extends EndpointName> = (ctx: ServiceContext, call: ApiCall) => Promise<EndpointResponse<E>>;

/** The handler of every endpoint of the SDK's table, each typed by its own endpoint. */
export type HandlerTable = { readonly [E in EndpointName]: Handler<E> };

/** Any endpoint's handler, as the gateway runs it (it only seals what comes back). */
export type AnyHandler = (ctx: ServiceContext, call: ApiCall) => Promise<unknown>;

/** The implementation of extension endpoint `E` (docs/api-extensions.md), typed by the SDK's extension table. */
export type ExtensionHandler<E extends ExtensionEndpointName> = (ctx: ServiceContext, call: ApiCall) => Promise<ExtensionEndpointTypes[E]['response']>;

/** The handler of every extension endpoint. */
export type ExtensionHandlerTable = { readonly [E in ExtensionEndpointName]: ExtensionHandler<E> };
