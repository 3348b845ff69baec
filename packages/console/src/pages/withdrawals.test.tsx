import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { ReviewQueuePage, WithdrawalPage, WithdrawalsPage, reviewPageSize } from './withdrawals.js';
import { recordPageSize } from './deposits.js';
import { Refusal, renderAs, sentTo } from '../testing/fake-api.js';
import { coin, heldWithdrawal, reviewItem, withdrawal, withdrawalListItem, withdrawalTimeline } from '../testing/fixtures.js';

afterEach(() => {
  cleanup();
  window.location.hash = '';
});

describe('Withdrawals list', () => {
  it('sends the hash query as filters (request id too), shows exact amounts and pages with the next cursor', async () => {
    const { sent } = renderAs(['viewer'], <WithdrawalsPage query={new URLSearchParams('request_id=req-7&status=5&to=2026-12-07')} />, {
      'GET /withdrawals': (req) =>
        req.query.cursor ? { withdrawals: [withdrawalListItem({ id: 3, amount: '0.000000000000000001', status: 5, txid: '0xpaid' })], next_cursor: null } : { withdrawals: [withdrawalListItem()], next_cursor: 'w1' },
    });
    const table = await screen.findByRole('table', { name: 'withdrawals' });
    expect(table.textContent).toContain('1,234.000000000000000001 ETH');
    expect(table.textContent).toContain('req-7');
    expect(within(table).getByRole('link', { name: 'withdrawal 7' }).getAttribute('href')).toBe('#/withdrawals/7');
    expect(sentTo(sent, 'GET /withdrawals')[0]?.query).toEqual({ request_id: 'req-7', status: '5', to_ms: String(Date.UTC(2026, 11, 8)), limit: String(recordPageSize) });
    expect((screen.getByLabelText('Request id') as HTMLInputElement).value).toBe('req-7');
    expect(screen.getByRole('link', { name: 'Waiting for review →' }).getAttribute('href')).toBe('#/withdrawals/review');
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(screen.getByRole('table').textContent).toContain('succeeded (5)'));
    expect(sentTo(sent, 'GET /withdrawals').at(-1)?.query.cursor).toBe('w1');
  });

  it('writes the filters into the hash query on Apply and clears them', async () => {
    renderAs(['viewer'], <WithdrawalsPage query={new URLSearchParams()} />, { 'GET /withdrawals': { withdrawals: [], next_cursor: null } });
    expect(await screen.findByText('No withdrawal matches.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Merchant (app id)'), { target: { value: 'shop1' } });
    fireEvent.change(screen.getByLabelText('From day'), { target: { value: '2026-12-01' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(window.location.hash).toBe('#/withdrawals?app_id=shop1&from=2026-12-01');
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(window.location.hash).toBe('#/withdrawals');
  });
});

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
      'GET /withdrawals/:id/timeline': withdrawalTimeline(),
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
    const quorum = screen.getByRole('region', { name: 'Approval quorum' });
    expect(quorum.textContent).toContain('1 more needed');
    expect(quorum.textContent).toContain('Approved by: bob');
    const timeline = screen.getByRole('list', { name: 'History of withdrawal 7' });
    expect(within(timeline).getAllByRole('listitem')).toHaveLength(3);
    expect(timeline.textContent).toContain('approved for the platform — by bob');
  });

  it('lets a reviewer approve for the platform after confirming, and shows the new state', async () => {
    let current = withdrawal();
    const { sent } = renderAs(['reviewer'], <WithdrawalPage params={{ id: '7' }} />, {
      'GET /withdrawals/:id': () => current,
      'GET /withdrawals/:id/timeline': () => withdrawalTimeline({ quorum: { approvals_required: 2, approvals_given: current.approvals_given, approvals_needed: 2 - current.approvals_given, approved_by: ['bob', 'alice'].slice(0, current.approvals_given) } }),
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
      'GET /withdrawals/:id/timeline': withdrawalTimeline(),
      'GET /coins': { coins: [] },
      'POST /withdrawals/:id/reject': new Refusal(409, 'conflict', 'withdrawal 7 is no longer in review'),
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Reject' }));
    fireEvent.change(screen.getByLabelText('Reason'), { target: { value: 'wrong chain' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Reject' })));
    expect((await screen.findByRole('alert')).textContent).toBe('Refused (conflict): withdrawal 7 is no longer in review');
    expect(sentTo(sent, 'POST /withdrawals/:id/reject')[0]?.body).toEqual({ by: 'saas', reason: 'wrong chain' });
  });

  it('lets a reviewer reject a withdrawal held by KYT from its page, with a reason', async () => {
    let current = withdrawal({ status: 8 });
    const { sent } = renderAs(['reviewer'], <WithdrawalPage params={{ id: '8' }} />, {
      'GET /withdrawals/:id': () => current,
      'GET /withdrawals/:id/timeline': withdrawalTimeline(),
      'GET /coins': { coins: [] },
      'POST /kyt/withdrawals/:id/reject': () => {
        current = withdrawal({ status: 2 });
        return heldWithdrawal({ status: 2 });
      },
    });
    const hold = await screen.findByRole('region', { name: 'KYT hold' });
    expect(within(hold).getByRole('button', { name: 'Release' })).toBeTruthy();
    fireEvent.click(within(hold).getByRole('button', { name: 'Reject' }));
    fireEvent.change(within(hold).getByLabelText('Reason'), { target: { value: 'sanctioned' } });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Reject' })));
    await waitFor(() => expect(document.body.textContent).toContain('Done: withdrawal 8 is now rejected (2).'));
    expect(sentTo(sent, 'POST /kyt/withdrawals/:id/reject')[0]?.body).toEqual({ reason: 'sanctioned' });
  });

  it('shows an unknown withdrawal as an error', async () => {
    renderAs(['viewer'], <WithdrawalPage params={{ id: '9' }} />, { 'GET /withdrawals/:id': new Refusal(404, 'not_found', 'withdrawal 9'), 'GET /withdrawals/:id/timeline': new Refusal(404, 'not_found', 'withdrawal 9') });
    expect((await screen.findByRole('alert')).textContent).toContain('(not_found): withdrawal 9');
  });
});
