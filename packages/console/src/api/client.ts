/**
 * The console's only way to the service: one typed call per operator route. Route keys,
 * request pieces and response views come from the operator contract, so a renamed field or
 * route fails to compile here rather than in an operator's browser.
 */
import type { z } from 'zod';
import { operatorBasePath, operatorEndpoints, type ChangeRequestView, type OperatorResponse, type OperatorRoute } from '../../../server/src/contracts/operator.js';
import { roleAllows } from '../../../server/src/modules/operators/roles.js';
import type { OperatorRole } from '../../../server/src/modules/operators/actor.js';

type Endpoint<R extends OperatorRoute> = (typeof operatorEndpoints)[R];
type Input<R extends OperatorRoute, K extends string> = K extends keyof Endpoint<R> ? (Endpoint<R>[K] extends z.ZodType ? z.input<Endpoint<R>[K]> : never) : never;

/** What a call sends: the route's path params, query and body as its schemas accept them. */
export type CallInput<R extends OperatorRoute> = {
  [K in 'params' | 'query' | 'body' as K extends keyof Endpoint<R> ? K : never]: Input<R, K>;
};

/** An answer of the operator API that is not a success: its code is the contract's error code. */
export class OperatorApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds the server asks to wait (Retry-After of a 429), when it says. */
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'OperatorApiError';
  }
}

/** Where the token comes from and what happens when the server no longer accepts it. */
export interface ClientSession {
  token(): string | null;
  onUnauthorized(): void;
}

/** The path of route `route` with its params filled in, e.g. "/operator/v1/withdrawals/7". */
export function routePath(route: OperatorRoute, params: Record<string, unknown> = {}): { method: string; path: string } {
  const [method, template] = route.split(' ') as [string, string];
  const path = template.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined || value === null || value === '') throw new Error(`route ${route} needs param ${name}`);
    return encodeURIComponent(String(value));
  });
  return { method, path: `${operatorBasePath}${path}` };
}

function queryString(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** The routes that may wait for a second admin (202 with a change request) once four eyes are engaged. */
export type FourEyesRoute = { [R in OperatorRoute]: (typeof operatorEndpoints)[R] extends { fourEyes: true } ? R : never }[OperatorRoute];

/** What a four-eyed route did: applied at once, or waiting for a second admin's decision. */
export type Guarded<R extends OperatorRoute> = { applied: OperatorResponse<R> } | { pending: ChangeRequestView };

/**
 * A client bound to a session: `call('GET /withdrawals/:id', { params: { id: 7 } })`, and
 * `call.guarded('PUT /operators/:name/roles', …)` for a four-eyed route, which tells an applied
 * change from one that waits (202).
 */
export function operatorClient(session: ClientSession, fetchImpl: typeof fetch = (...args) => fetch(...args)) {
  async function send<R extends OperatorRoute>(route: R, input?: CallInput<R>): Promise<{ status: number; body: unknown }> {
    const pieces = (input ?? {}) as { params?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };
    const { method, path } = routePath(route, pieces.params);
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = session.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (pieces.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetchImpl(`${path}${queryString(pieces.query)}`, {
      method,
      headers,
      ...(pieces.body !== undefined ? { body: JSON.stringify(pieces.body) } : {}),
    });
    if (response.status === 204) return { status: 204, body: undefined };
    const text = await response.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // A proxy's HTML error page: reported below with the status.
    }
    if (!response.ok) {
      const body = (parsed ?? {}) as { error?: string; message?: string };
      if (response.status === 401 && token) session.onUnauthorized();
      const retryAfter = Number(response.headers.get('retry-after') ?? '');
      throw new OperatorApiError(response.status, body.error ?? 'http_error', body.message ?? `HTTP ${response.status}`, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined);
    }
    return { status: response.status, body: parsed };
  }
  async function call<R extends OperatorRoute>(route: R, input?: CallInput<R>): Promise<OperatorResponse<R>> {
    return (await send(route, input)).body as OperatorResponse<R>;
  }
  async function guarded<R extends FourEyesRoute>(route: R, input?: CallInput<R>): Promise<Guarded<R>> {
    const { status, body } = await send(route, input);
    return status === 202 ? { pending: body as ChangeRequestView } : { applied: body as OperatorResponse<R> };
  }
  return Object.assign(call, { guarded });
}

/** The bound call function. */
export type OperatorCall = ReturnType<typeof operatorClient>;

/**
 * Whether an operator holding `roles` may call `route`, by the server's own rule and the
 * contract's least role: the console leaves out what the server would refuse (and the server
 * refuses it anyway).
 */
export function mayCall(roles: readonly OperatorRole[], route: OperatorRoute): boolean {
  const least = operatorEndpoints[route].role;
  return least === null || roleAllows(roles, least);
}
