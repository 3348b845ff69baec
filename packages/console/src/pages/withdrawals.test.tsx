import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ReviewQueuePage, WithdrawalPage, reviewPageSize } from './withdrawals.js';
import { Refusal, renderAs, sentTo } from '../testing/fake-api.js';
import { coin, reviewItem, withdrawal } from '../testing/fixtures.js';

afterEach(cleanup);

describe('Withdrawals in review', () => {
  it('lists the queue with exact amounts and pages on after the last id', async () => {
    const first = Array.from({ length: reviewPageSize }, (_, i) => reviewItem({ id: i + 1 }));
    const { sent } = renderAs(['viewer'], <ReviewQueuePage />, {
      'GET /withdrawals/review': (req) => ({ withdrawals: req.query.after_id ? [reviewItem({ id: 99, amount: '0.000000000000000001' })] : first }),
    });
    const table = await screen.findByRole('table', { name: 'withdrawals in review' });
    expect(within(table).getAllByRole('row')).toHaveLength(reviewPageSize + 1);
    expect(table.textContent).toContain('1,234.000000000000000001 ETH');
    expect(table.textContent).toContain('1 of 2');
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(screen.getByRole('table').textContent).toContain('0.000000000000000001 ETH'));
    expect(sentTo(sent, 'GET /withdrawals/review').at(-1)?.query).toEqual({ limit: String(reviewPageSize), after_id: String(reviewPageSize) });
  });

  it('says when nothing waits', async () => {
    renderAs(['viewer'], <ReviewQueuePage />, { 'GET /withdrawals/review': { withdrawals: [] } });
    expect(await screen.findByText('No withdrawal waits for review.')).toBeTruthy();
  });
});

describe('Withdrawal detail', () => {
  it('shows every field, the quorum and an explorer link; a viewer gets no decision buttons', async () => {
    renderAs(['viewer'], <WithdrawalPage params={{ id: '7' }} />, {
      'GET /withdrawals/:id': withdrawal({ txid: '0xbeef', status: 1, saas_status: 1 }),
      'GET /coins': { coins: [coin()] },
    });
    await screen.findByText('Request id');
    const main = document.body;
    expect(main.textContent).toContain('1,234.000000000000000001 ETH');
    expect(main.textContent).toContain('paying (1)');
    expect(main.textContent).toContain('1 of 2 platform approvals');
    expect(screen.getByRole('link', { name: /View on explorer/ }).getAttribute('href')).toBe('https://etherscan.io/tx/0xbeef');
    expect(screen.getByRole('button', { name: 'Copy transaction id' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Approve/ })).toBeNull();
  });

  it('lets a reviewer approve for the platform after confirming, and shows the new state', async () => {
    let current = withdrawal();
    const { sent } = renderAs(['reviewer'], <WithdrawalPage params={{ id: '7' }} />, {
      'GET /withdrawals/:id': () => current,
      'GET /coins': { coins: [coin({ explorer: '' })] },
      'POST /withdrawals/:id/approve': () => (current = withdrawal({ approvals_given: 2, status: 1, saas_status: 1 })),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Approve for the platform' }));
    expect(sentTo(sent, 'POST /withdrawals/:id/approve')).toHaveLength(0);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Approve for the platform' })));
    await waitFor(() => expect(document.body.textContent).toContain('Done: withdrawal 7 is now paying (1) (2 of 2 approvals).'));
    expect(sentTo(sent, 'POST /withdrawals/:id/approve')[0]?.body).toEqual({ by: 'saas' });
    await waitFor(() => expect(document.body.textContent).toContain('quorum reached'));
  });

  it('rejects with a reason and shows a refusal', async () => {
    const { sent } = renderAs(['reviewer'], <WithdrawalPage params={{ id: '7' }} />, {
      'GET /withdrawals/:id': withdrawal(),
      'GET /coins': { coins: [] },
      'POST /withdrawals/:id/reject': new Refusal(409, 'conflict', 'withdrawal 7 is no longer in review'),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Reject' }));
    fireEvent.change(screen.getByLabelText('Reason'), { target: { value: 'wrong chain' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Reject' })));
    expect((await screen.findByRole('alert')).textContent).toBe('Refused (conflict): withdrawal 7 is no longer in review');
    expect(sentTo(sent, 'POST /withdrawals/:id/reject')[0]?.body).toEqual({ by: 'saas', reason: 'wrong chain' });
  });

  it('shows an unknown withdrawal as an error', async () => {
    renderAs(['viewer'], <WithdrawalPage params={{ id: '9' }} />, { 'GET /withdrawals/:id': new Refusal(404, 'not_found', 'withdrawal 9') });
    expect((await screen.findByRole('alert')).textContent).toContain('(not_found): withdrawal 9');
  });
});
