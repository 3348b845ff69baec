import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OverviewPage, overviewRefreshMs } from './overview.js';
import { Refusal, renderAs, sentTo } from '../testing/fake-api.js';
import { overview, overviewChain } from '../testing/fixtures.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('Overview', () => {
  it('shows each chain with its wallets against their thresholds, the open alerts and the queues with links', async () => {
    renderAs(['admin'], <OverviewPage />, {
      'GET /overview': overview({
        chains: [
          overviewChain(),
          overviewChain({
            chain: 'tron:main',
            head: null,
            lag: null,
            node: { ok: false, error: 'connection refused' },
            last_scanner_error: { block: 77, error: 'timeout', since: 1, at: 2 },
            hot_wallet: { address: 'TXYZ', balances: {}, levels: {}, low: false },
          }),
        ],
      }),
    });
    const eth = await screen.findByRole('article', { name: 'Chain evm:1' });
    expect(eth.textContent).toContain('node ok');
    expect(within(eth).getByText('Lag (blocks)').nextSibling?.textContent).toBe('10');
    const hot = within(eth).getByRole('group', { name: 'Hot wallet' });
    expect(hot.textContent).toContain('12.000000000000000001 ETH');
    expect(hot.textContent).toContain('(low below 10 ETH)');
    expect(hot.textContent).toContain('1,000,000 USDT (no threshold)');
    expect(hot.querySelectorAll('.badge-bad')).toHaveLength(0);
    const fee = within(eth).getByRole('group', { name: 'Fee wallet' });
    expect(within(fee).getByRole('heading').textContent).toContain('low');
    expect(fee.textContent).toContain('0.5 ETH (low below 1 ETH) ETH low');
    expect(within(eth).getByRole('button', { name: 'Copy Hot wallet address' })).toBeTruthy();
    const tron = screen.getByRole('article', { name: 'Chain tron:main' });
    expect(tron.textContent).toContain('node error');
    expect(tron.textContent).toContain('Node: connection refused');
    expect(tron.textContent).toContain('Scanner cannot read block 77: timeout');

    const alerts = screen.getByRole('region', { name: 'Open alerts (1)' });
    expect(alerts.textContent).toContain('hot wallet ETH below 20');
    expect(within(alerts).getByRole('link', { name: 'All alerts' }).getAttribute('href')).toBe('#/alerts');

    const queues = screen.getByRole('region', { name: 'Waiting for an operator' });
    expect(queues.textContent).toContain('Withdrawals in review: 2');
    expect(queues.textContent).toContain('Deposits held by KYT: 1');
    expect(queues.textContent).toContain('Pending change requests: 3');
    expect(within(queues).getByRole('link', { name: 'Withdrawals in review' }).getAttribute('href')).toBe('#/withdrawals/review');
    expect(within(queues).getByRole('link', { name: 'Pending change requests' }).getAttribute('href')).toBe('#/operators/changes');
    expect(within(queues).getByRole('link', { name: 'Failed notifications' }).getAttribute('href')).toBe('#/notifications?state=failed');
  });

  it('charts the daily volumes of the coin picked, exactly, and the notification deliveries', async () => {
    renderAs(['viewer'], <OverviewPage />, { 'GET /overview': overview() });
    const volumes = await screen.findByRole('region', { name: 'Volume per day (last 30 days)' });
    const deposits = within(volumes).getByRole('figure', { name: 'Credited deposits of ETH' });
    expect(deposits.textContent).toContain('total 12,345,678,901,234,567.250000000000000001 ETH, highest 12,345,678,901,234,567.000000000000000001 ETH on 2026-12-06');
    expect(within(volumes).getByRole('figure', { name: 'Paid withdrawals of ETH' }).textContent).toContain('total 1.5 ETH');
    fireEvent.change(within(volumes).getByLabelText('Coin'), { target: { value: 'evm:1 USDT' } });
    expect(within(volumes).getByRole('figure', { name: 'Paid withdrawals of USDT' }).textContent).toContain('total 700.000001 USDT, highest 700.000001 USDT on 2026-12-05');
    expect(within(volumes).getByRole('figure', { name: 'Credited deposits of USDT' }).textContent).toContain('nothing on any day');
    const deliveries = screen.getByRole('region', { name: 'Notification delivery per day' });
    expect(within(deliveries).getByRole('figure', { name: 'Notifications delivered' }).textContent).toContain('total 33 notifications');
    expect(within(deliveries).getByRole('figure', { name: 'Notifications failed' }).textContent).toContain('total 3 notifications, highest 2 notifications on 2026-12-07');
  });

  it('says when nothing is open, and shows an error when the overview fails', async () => {
    renderAs(['viewer'], <OverviewPage />, { 'GET /overview': overview({ alerts: { open: 0, latest: [], route: 'GET /alerts', query: {} }, chains: [], volumes: [] }) });
    expect(await screen.findByText('No open alerts.')).toBeTruthy();
    expect(screen.getByText('No chain is configured.')).toBeTruthy();
    expect(screen.getByText('No coin is configured.')).toBeTruthy();
    cleanup();
    renderAs(['viewer'], <OverviewPage />, { 'GET /overview': new Refusal(503, 'unavailable', 'database unavailable') });
    expect((await screen.findByRole('alert')).textContent).toContain('database unavailable');
  });

  it('asks again every few seconds and shows the new figures', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let head = 1200;
    const { sent } = renderAs(['viewer'], <OverviewPage />, { 'GET /overview': () => overview({ chains: [overviewChain({ head: head++ })] }) });
    const card = await screen.findByRole('article', { name: 'Chain evm:1' });
    expect(within(card).getByText('Head').nextSibling?.textContent).toBe('1200');
    await act(async () => {
      vi.advanceTimersByTime(overviewRefreshMs);
    });
    await waitFor(() => expect(within(screen.getByRole('article', { name: 'Chain evm:1' })).getByText('Head').nextSibling?.textContent).toBe('1201'));
    expect(sentTo(sent, 'GET /overview').length).toBeGreaterThanOrEqual(2);
  });
});
