import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { UserPage, UsersPage } from './users.js';
import { Refusal, renderAs, sentTo } from '../testing/fake-api.js';
import { user } from '../testing/fixtures.js';
import type { UserView } from '../../../server/src/contracts/operator.js';

afterEach(() => {
  cleanup();
  window.location.hash = '';
});

describe('Users', () => {
  it('asks what to search for, then finds a merchant\'s users page by page with balances', async () => {
    const { sent, unmount } = renderAs(['viewer'], <UsersPage query={new URLSearchParams()} />, {});
    expect(screen.getByText(/Give a merchant app id/)).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Merchant app id'), { target: { value: 'shop1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(window.location.hash).toBe('#/users?app_id=shop1'));
    expect(sent).toHaveLength(0);
    unmount();

    const pages: Record<string, UserView[]> = { '0': [user(), user({ uid: 43, nickname: 'dave', frozen: true, balances: [] })], '43': [user({ uid: 44, nickname: 'erin' })] };
    const view = renderAs(['viewer'], <UsersPage query={new URLSearchParams('app_id=shop1')} />, {
      'GET /users': (req) => ({ users: pages[req.query.after_id ?? '0'] ?? [], next_after_id: (req.query.after_id ?? '0') === '0' ? 43 : null }),
    });
    const table = await screen.findByRole('table', { name: 'users found' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(rows[1]!.textContent).toContain('99,999,999,999,999.999999999999999999 ETH');
    expect(rows[1]!.textContent).toContain('10.5 USDT (locked 2.25)');
    expect(rows[2]!.textContent).toContain('frozen');
    expect(within(table).getByRole('link', { name: '43' }).getAttribute('href')).toBe('#/users/43');
    // A viewer may not freeze.
    expect(screen.queryByRole('button', { name: /Freeze|Unfreeze/ })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(within(screen.getByRole('table', { name: 'users found' })).getAllByRole('row')).toHaveLength(2));
    expect(sentTo(view.sent, 'GET /users').map((r) => r.query)).toEqual([
      { limit: '50', app_id: 'shop1' },
      { limit: '50', app_id: 'shop1', after_id: '43' },
    ]);
  });

  it('finds the owner of a deposit address, and a reviewer freezes it from the list', async () => {
    let current = user();
    const { sent } = renderAs(['reviewer'], <UsersPage query={new URLSearchParams('address=0xabc')} />, {
      'GET /users': () => ({ users: [current], next_after_id: null }),
      'POST /users/:uid/freeze': () => (current = user({ frozen: true })),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Freeze' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Freeze' })));
    expect(await screen.findByRole('button', { name: 'Unfreeze' })).toBeTruthy();
    expect(sentTo(sent, 'GET /users').map((r) => r.query)).toEqual([
      { limit: '50', address: '0xabc' },
      { limit: '50', address: '0xabc' },
    ]);
    expect(sentTo(sent, 'POST /users/:uid/freeze')[0]?.params).toEqual({ uid: '42' });
  });

  it('says a uid must be a number, and that nothing matched', async () => {
    renderAs(['viewer'], <UsersPage query={new URLSearchParams('uid=abc')} />, {});
    expect(screen.getByRole('alert').textContent).toBe('A uid is a positive whole number.');
    cleanup();
    renderAs(['viewer'], <UsersPage query={new URLSearchParams('uid=9')} />, { 'GET /users': { users: [], next_after_id: null } });
    expect(await screen.findByText('No user matches.')).toBeTruthy();
  });

  it('looks a user up by uid from a user page', async () => {
    renderAs(['viewer'], <UserPage params={{ uid: '42' }} />, { 'GET /users/:uid': user() });
    const show = screen.getByRole('button', { name: 'Show user' });
    fireEvent.change(screen.getByLabelText('User id (uid)'), { target: { value: '43' } });
    fireEvent.click(show);
    await waitFor(() => expect(window.location.hash).toBe('#/users/43'));
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
