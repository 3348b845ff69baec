import { cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { OperatorRole } from '../../../../server/src/modules/operators/actor.js';
import { SessionProvider } from '../../api/session.js';
import { OperatorsPage } from './accounts.js';

const operators = [
  { id: 1, name: 'alice', roles: ['admin'], disabled: false, locked_until: null, created_at: 1_700_000_000_000 },
  { id: 2, name: 'bob', roles: ['viewer'], disabled: false, locked_until: null, created_at: 1_700_000_000_000 },
];

function renderAs(roles: OperatorRole[]) {
  sessionStorage.setItem('openwaas.console.session', JSON.stringify({ token: 't', expiresAt: Date.now() + 3_600_000, operator: { id: 9, name: 'me', roles } }));
  const fetchImpl = async (input: RequestInfo | URL) => {
    if (String(input).endsWith('/operator/v1/operators')) return new Response(JSON.stringify({ operators }), { status: 200 });
    return new Response(JSON.stringify({ error: 'not_found', message: 'no' }), { status: 404 });
  };
  return render(
    <SessionProvider fetchImpl={fetchImpl as typeof fetch}>
      <OperatorsPage />
    </SessionProvider>,
  );
}

afterEach(() => {
  cleanup();
  sessionStorage.clear();
});

describe('OperatorsPage', () => {
  it('shows an admin every action', async () => {
    renderAs(['admin']);
    expect(await screen.findByRole('button', { name: 'Change roles of bob' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Disable bob' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Reset bob' })).toBeTruthy();
    expect(screen.getByRole('form', { name: 'Create an operator account' })).toBeTruthy();
  });

  it('leaves out every button a viewer may not use', async () => {
    renderAs(['viewer', 'reviewer']);
    expect(await screen.findByText('bob')).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Change roles|Disable|Reset/ })).toBeNull();
    expect(screen.queryByRole('form', { name: 'Create an operator account' })).toBeNull();
  });
});
