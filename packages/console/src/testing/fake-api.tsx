/**
 * Component tests' operator API: a fetch that answers each contract route with a fixture typed
 * by that route's response view, and records what was sent. Not a mock of the service's rules:
 * a test states the answers the service would give and asserts what an operator then sees.
 */
import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { operatorBasePath, operatorEndpoints, type ChangeRequestView, type OperatorEndpoint, type OperatorResponse, type OperatorRoute } from '../../../server/src/contracts/operator.js';
import type { OperatorRole } from '../../../server/src/modules/operators/index.js';
import { SessionProvider } from '../api/session.js';
import { matchPath } from '../routing.js';

export interface SentRequest {
  route: OperatorRoute;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
}

/** An answer that is not the route's success: its status and error body. */
export class Refusal {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly message: string,
  ) {}
}

/** A four-eyed route's 202: the change request that waits for a second admin. */
export class Accepted {
  constructor(readonly request: ChangeRequestView) {}
}

/** A route's answer, or a function of the request giving it (a Refusal to refuse; 202 with a change request via `accepted`). */
export type Answer<R extends OperatorRoute> = OperatorResponse<R> | Refusal | Accepted | ((req: SentRequest) => OperatorResponse<R> | Refusal | Accepted | Promise<OperatorResponse<R> | Refusal | Accepted>);
export type Answers = { [R in OperatorRoute]?: Answer<R> };

// Literal paths before patterns: "/withdrawals/review" is not withdrawal ":id" = "review".
const routes = (Object.keys(operatorEndpoints) as OperatorRoute[]).sort((a, b) => (a.includes(':') ? 1 : 0) - (b.includes(':') ? 1 : 0));

export function fakeApi(answers: Answers) {
  const sent: SentRequest[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://console.test');
    const method = (init?.method ?? 'GET').toUpperCase();
    const path = url.pathname.slice(operatorBasePath.length);
    for (const route of routes) {
      const [m, template] = route.split(' ') as [string, string];
      if (m !== method) continue;
      const params = matchPath(template, path);
      if (!params) continue;
      const req: SentRequest = { route, params, query: Object.fromEntries(url.searchParams), body: init?.body ? JSON.parse(String(init.body)) : undefined };
      sent.push(req);
      const answer = answers[route] as Answer<typeof route> | undefined;
      if (!(route in answers)) return json(404, { error: 'not_found', message: `no fixture for ${route}` });
      const value = typeof answer === 'function' ? await answer(req) : answer;
      if (value instanceof Refusal) return json(value.status, { error: value.error, message: value.message });
      if (value instanceof Accepted) return json(202, value.request);
      const status = (operatorEndpoints[route] as OperatorEndpoint).status ?? 200;
      return status === 204 ? new Response(null, { status: 204 }) : json(status, value);
    }
    return json(404, { error: 'not_found', message: `no route ${method} ${path}` });
  }) as typeof fetch;
  return { fetchImpl, sent };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** Renders `ui` signed in as an operator holding `roles`, on `answers`. */
export function renderAs(roles: OperatorRole[], ui: ReactElement, answers: Answers) {
  sessionStorage.setItem('openwaas.console.session', JSON.stringify({ token: 'test-token', expiresAt: Date.now() + 3_600_000, operator: { id: 1, name: 'alice', roles } }));
  const api = fakeApi(answers);
  const view = render(<SessionProvider fetchImpl={api.fetchImpl}>{ui}</SessionProvider>);
  return { ...view, sent: api.sent };
}

/** Sent requests of `route`. */
export function sentTo(sent: SentRequest[], route: OperatorRoute): SentRequest[] {
  return sent.filter((s) => s.route === route);
}

/** A pending change request as a four-eyed route answers it. */
export function pendingChange(id: number, kind: string, target: string, change: unknown): ChangeRequestView {
  return {
    id,
    kind,
    target,
    change,
    before: null,
    state: 'pending',
    requested_by: { id: 1, name: 'alice' },
    decided_by: null,
    reason: null,
    result: null,
    error: null,
    created_at: 1_765_000_000_000,
    decided_at: null,
  };
}
