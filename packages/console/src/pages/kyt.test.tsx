import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { KytPage } from './kyt.js';
import { renderAs, sentTo } from '../testing/fake-api.js';
import { heldDeposit, heldWithdrawal } from '../testing/fixtures.js';

afterEach(cleanup);

describe('KYT holds', () => {
  it('lists held deposits and withdrawals; a viewer sees no decisions', async () => {
    renderAs(['viewer'], <KytPage />, {
      'GET /kyt': (req) => (req.query.side === 'deposit' ? { deposits: [heldDeposit()], withdrawals: [] } : { deposits: [], withdrawals: [heldWithdrawal()] }),
    });
    const deposits = await screen.findByRole('table', { name: 'held deposits' });
    expect(deposits.textContent).toContain('5,000.123456 USDT');
    expect(deposits.textContent).toContain('KYT risk score 80');
    const withdrawals = await screen.findByRole('table', { name: 'held withdrawals' });
    expect(withdrawals.textContent).toContain('sanctioned counterparty');
    expect(screen.queryByRole('button', { name: 'Release' })).toBeNull();
  });

  it('releases a held deposit after confirming and the list shows what is left', async () => {
    let held = [heldDeposit()];
    const { sent } = renderAs(['reviewer'], <KytPage />, {
      'GET /kyt': (req) => (req.query.side === 'deposit' ? { deposits: held, withdrawals: [] } : { deposits: [], withdrawals: [] }),
      'POST /kyt/deposits/:id/release': () => {
        held = [];
        return { ...heldDeposit(), status: 1 };
      },
    });
    const deposits = await screen.findByRole('table', { name: 'held deposits' });
    fireEvent.click(within(deposits).getByRole('button', { name: 'Release' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Release' })));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Done: deposit 31 is now credited (1).'));
    expect(await screen.findByText('No deposit is held.')).toBeTruthy();
    expect(sentTo(sent, 'POST /kyt/deposits/:id/release')[0]?.params).toEqual({ id: '31' });
  });

  it('rejects a held withdrawal with its reason', async () => {
    const { sent } = renderAs(['reviewer'], <KytPage />, {
      'GET /kyt': (req) => (req.query.side === 'deposit' ? { deposits: [], withdrawals: [] } : { deposits: [], withdrawals: [heldWithdrawal()] }),
      'POST /kyt/withdrawals/:id/reject': { ...heldWithdrawal(), status: 2 },
    });
    const table = await screen.findByRole('table', { name: 'held withdrawals' });
    fireEvent.click(within(table).getByRole('button', { name: 'Reject' }));
    fireEvent.change(screen.getByLabelText('Reason'), { target: { value: 'sanctions hit confirmed' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Reject' })));
    await waitFor(() => expect(sentTo(sent, 'POST /kyt/withdrawals/:id/reject')[0]?.body).toEqual({ reason: 'sanctions hit confirmed' }));
  });
});
