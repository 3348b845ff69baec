import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { BlacklistPage, CoinsPage } from './coins.js';
import { Accepted, pendingChange, renderAs, sentTo } from '../testing/fake-api.js';
import { coin } from '../testing/fixtures.js';

afterEach(cleanup);

describe('Coins', () => {
  it('lists coins with exact limits; a viewer cannot change them', async () => {
    renderAs(['viewer'], <CoinsPage />, { 'GET /coins': { coins: [coin({ daily_limit: '1000000.000000000000000001' })] } });
    const table = await screen.findByRole('table', { name: 'coins' });
    expect(table.textContent).toContain('1,000,000.000000000000000001');
    expect(screen.queryByText('Change ETH')).toBeNull();
  });

  it('an admin changes a limit: only it is sent, and the change waits for a second admin', async () => {
    const { sent } = renderAs(['admin'], <CoinsPage />, {
      'GET /coins': { coins: [coin()] },
      'PATCH /coins/:symbol': (req) => new Accepted(pendingChange(8, 'coin.update', '/coins/ETH', req.body)),
    });
    fireEvent.click(await screen.findByText('Change ETH'));
    fireEvent.change(screen.getByLabelText('Auto-approve up to (ETH)'), { target: { value: '2.5' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save ETH' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Save ETH' })));
    await waitFor(() => expect(screen.getByRole('status').textContent).toContain('change request #8'));
    expect(sentTo(sent, 'PATCH /coins/:symbol')[0]?.body).toEqual({ auto_approve_max: '2.5' });
  });
});

describe('Blacklist', () => {
  it('says when empty and an admin adds an address', async () => {
    const { sent } = renderAs(['admin'], <BlacklistPage />, {
      'GET /blacklist': { addresses: [] },
      'POST /blacklist': { address: '0xbad', reason: 'scam', created_at: 1 },
    });
    expect(await screen.findByText('No address is blacklisted.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Address'), { target: { value: '0xBAD' } });
    fireEvent.change(screen.getByLabelText('Reason'), { target: { value: 'scam' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add to blacklist' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Add to blacklist' })));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('0xbad is blacklisted.'));
    expect(sentTo(sent, 'POST /blacklist')[0]?.body).toEqual({ address: '0xBAD', reason: 'scam' });
  });

  it('removes an address; a viewer cannot', async () => {
    renderAs(['viewer'], <BlacklistPage />, { 'GET /blacklist': { addresses: [{ address: '0xbad', reason: 'scam', created_at: 1 }] } });
    expect((await screen.findByRole('table', { name: 'blacklisted withdrawal addresses' })).textContent).toContain('scam');
    expect(screen.queryByRole('button', { name: 'Remove' })).toBeNull();
    cleanup();
    const { sent } = renderAs(['admin'], <BlacklistPage />, { 'GET /blacklist': { addresses: [{ address: '0xbad', reason: 'scam', created_at: 1 }] }, 'DELETE /blacklist/:address': undefined });
    const table = await screen.findByRole('table', { name: 'blacklisted withdrawal addresses' });
    fireEvent.click(within(table).getByRole('button', { name: 'Remove' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Remove' })));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('0xbad removed.'));
    expect(sentTo(sent, 'DELETE /blacklist/:address')[0]?.params).toEqual({ address: '0xbad' });
  });
});
