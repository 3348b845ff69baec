import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { UserPage, UsersPage } from './users.js';
import { Refusal, renderAs, sentTo } from '../testing/fake-api.js';
import { user } from '../testing/fixtures.js';

afterEach(() => {
  cleanup();
  window.location.hash = '';
});

describe('Users', () => {
  it('looks a user up by uid', async () => {
    renderAs(['viewer'], <UsersPage />, {});
    const show = screen.getByRole('button', { name: 'Show user' });
    expect(show.hasAttribute('disabled')).toBe(true);
    fireEvent.change(screen.getByLabelText('User id (uid)'), { target: { value: '42' } });
    fireEvent.click(show);
    await waitFor(() => expect(window.location.hash).toBe('#/users/42'));
  });

  it('shows balances exactly; a viewer cannot freeze', async () => {
    renderAs(['viewer'], <UserPage params={{ uid: '42' }} />, { 'GET /users/:uid': user() });
    const table = await screen.findByRole('table', { name: 'balances of user 42' });
    expect(within(table).getAllByRole('row')[1]!.textContent).toBe('ETH99,999,999,999,999.9999999999999999990');
    expect(within(table).getAllByRole('row')[2]!.textContent).toBe('USDT10.52.25');
    expect(screen.queryByRole('button', { name: 'Freeze' })).toBeNull();
  });

  it('lets a reviewer freeze and then unfreeze', async () => {
    let current = user();
    const { sent } = renderAs(['reviewer'], <UserPage params={{ uid: '42' }} />, {
      'GET /users/:uid': () => current,
      'POST /users/:uid/freeze': () => (current = user({ frozen: true })),
      'POST /users/:uid/unfreeze': () => (current = user({ frozen: false })),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Freeze' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Freeze' })));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('User 42 is now frozen.'));
    expect(await screen.findByRole('button', { name: 'Unfreeze' })).toBeTruthy();
    expect(sentTo(sent, 'POST /users/:uid/freeze')).toHaveLength(1);
  });

  it('shows an unknown uid as an error', async () => {
    renderAs(['viewer'], <UserPage params={{ uid: '5' }} />, { 'GET /users/:uid': new Refusal(404, 'not_found', 'user 5') });
    expect((await screen.findByRole('alert')).textContent).toContain('user 5');
  });
});
