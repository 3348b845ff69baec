import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { NotificationPage, NotificationsPage } from './notifications.js';
import { renderAs, sentTo } from '../testing/fake-api.js';
import { notification, notificationDetail } from '../testing/fixtures.js';

afterEach(() => {
  cleanup();
  window.location.hash = '';
});

describe('Notifications', () => {
  it('shows counts, lists by the state in the hash query, and a viewer cannot resend', async () => {
    const { sent } = renderAs(['viewer'], <NotificationsPage query={new URLSearchParams('state=failed')} />, {
      'GET /notifications': { counts: { pending: 2, delivered: 30, failed: 1 }, notifications: [notification()] },
    });
    const counts = await screen.findByRole('list', { name: 'Notifications per state' });
    expect(counts.textContent).toBe('pending: 2delivered: 30failed: 1');
    const table = await screen.findByRole('table', { name: 'notifications' });
    expect(table.textContent).toContain('HTTP 500 from https://shop1.example/notify');
    expect((screen.getByLabelText('State') as HTMLSelectElement).value).toBe('failed');
    await waitFor(() => expect(sentTo(sent, 'GET /notifications').some((s) => s.query.state === 'failed' && s.query.limit === '50')).toBe(true));
    expect(screen.queryByRole('button', { name: 'Resend all failed' })).toBeNull();
  });

  it('says when none matches, and a treasurer resends every failed one of a merchant', async () => {
    const { sent } = renderAs(['treasurer'], <NotificationsPage query={new URLSearchParams()} />, {
      'GET /notifications': { counts: { pending: 0, delivered: 0, failed: 0 }, notifications: [] },
      'POST /notifications/resend-failed': { count: 3 },
    });
    expect(await screen.findByText('No notification matches.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Only of merchant (app id, optional)'), { target: { value: 'shop1' } });
    fireEvent.click(screen.getByRole('button', { name: 'Resend all failed' }));
    expect(screen.getByText('Deliver every failed notification of shop1 again?')).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Resend all failed' })));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('3 notifications queued again.'));
    expect(sentTo(sent, 'POST /notifications/resend-failed')[0]?.body).toEqual({ app_id: 'shop1' });
  });
});

describe('Notification detail', () => {
  it('shows payload, attempts and the last error, and resends one', async () => {
    let current = notificationDetail();
    renderAs(['treasurer'], <NotificationPage params={{ id: '5' }} />, {
      'GET /notifications/:id': () => current,
      'POST /notifications/:id/resend': () => (current = notificationDetail({ state: 'pending', attempts: 0 })),
    });
    const payload = await screen.findByRole('table', { name: 'payload fields as sent' });
    expect(within(payload).getAllByRole('row').map((r) => r.textContent)).toEqual(['FieldValue', 'id31', 'amount5000.123456', 'symbolUSDT']);
    expect(document.body.textContent).toContain('Attempts8');
    const attempts = screen.getByRole('table', { name: 'delivery attempts, oldest first' });
    expect(within(attempts).getAllByRole('row').map((r) => r.textContent)).toEqual([
      'AttemptTimeHTTP statusAnswer (excerpt)ErrorDuration',
      '12026-12-07 09:30:01 UTC500upstream downHTTP 50012 ms',
      '22026-12-07 09:32:01 UTCno answer—connect ECONNREFUSED3 ms',
    ]);
    fireEvent.click(screen.getByRole('button', { name: 'Resend' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Resend' })));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Queued again: notification 5 is pending.'));
  });

  it('says when a notification was not attempted yet, and links its merchant\'s failed ones', async () => {
    renderAs(['viewer'], <NotificationPage params={{ id: '5' }} />, { 'GET /notifications/:id': notificationDetail({ state: 'pending', attempts: 0, attempts_log: [] }) });
    expect(await screen.findByText('Not attempted yet.')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'shop1 (its failed notifications)' }).getAttribute('href')).toBe('#/notifications?state=failed&app_id=shop1');
    expect(screen.queryByRole('button', { name: 'Resend' })).toBeNull();
  });
});

describe('Resend failed of the filtered merchant', () => {
  it('starts from the merchant of the list\'s filter', async () => {
    renderAs(['treasurer'], <NotificationsPage query={new URLSearchParams('app_id=shop2')} />, { 'GET /notifications': { counts: { pending: 0, delivered: 0, failed: 0 }, notifications: [] } });
    expect((screen.getByLabelText('Only of merchant (app id, optional)') as HTMLInputElement).value).toBe('shop2');
  });
});
