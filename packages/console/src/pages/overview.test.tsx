import { act, cleanup, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OverviewPage, overviewRefreshMs } from './overview.js';
import { Refusal, renderAs } from '../testing/fake-api.js';
import { alert, chainStatus, heldDeposit, reviewItem } from '../testing/fixtures.js';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

describe('Overview', () => {
  it('shows each chain, the open alerts and the queues with their counts', async () => {
    const { sent } = renderAs(['viewer'], <OverviewPage />, {
      'GET /chains': {
        chains: [
          chainStatus(),
          chainStatus({ chain: 'tron:main', head: null, behind: null, node_error: 'connection refused', scanner_error: { block: 77, error: 'timeout', since: 1, at: 2 }, hot_wallet: { address: 'TXYZ', balances: {}, levels: {}, low: false } }),
        ],
      },
      'GET /alerts': { alerts: [alert()] },
      'GET /withdrawals/review': { withdrawals: [reviewItem({ id: 1 }), reviewItem({ id: 2 })] },
      'GET /kyt': { deposits: [heldDeposit()], withdrawals: [] },
      'GET /change-requests': { change_requests: [] },
      'GET /notifications': { counts: { pending: 1, delivered: 10, failed: 4 }, notifications: [] },
    });
    const eth = await screen.findByRole('article', { name: 'Chain evm:1' });
    expect(eth.textContent).toContain('node ok');
    expect(within(eth).getByText('Lag (blocks)').nextSibling?.textContent).toBe('10');
    expect(eth.textContent).toContain('12.000000000000000001 ETH');
    expect(eth.textContent).toContain('1,000,000 USDT');
    expect(within(eth).getByRole('button', { name: 'Copy Hot wallet address' })).toBeTruthy();
    const tron = screen.getByRole('article', { name: 'Chain tron:main' });
    expect(tron.textContent).toContain('node error');
    expect(tron.textContent).toContain('Node: connection refused');
    expect(tron.textContent).toContain('Scanner cannot read block 77: timeout');
    expect(await screen.findByText(/hot wallet ETH below 20/)).toBeTruthy();
    const queues = screen.getByRole('region', { name: 'Waiting for an operator' });
    await waitFor(() => expect(queues.textContent).toContain('Withdrawals in review: 2'));
    await waitFor(() => expect(queues.textContent).toContain('KYT holds: 1'));
    await waitFor(() => expect(queues.textContent).toContain('Pending change requests: 0'));
    await waitFor(() => expect(queues.textContent).toContain('Failed notifications: 4'));
    expect(sent.find((s) => s.route === 'GET /change-requests')?.query).toEqual({ state: 'pending', limit: '100' });
  });

  it('says when nothing is open and shows an error where a part fails', async () => {
    renderAs(['viewer'], <OverviewPage />, {
      'GET /chains': new Refusal(503, 'unavailable', 'database unavailable'),
      'GET /alerts': { alerts: [] },
      'GET /withdrawals/review': { withdrawals: [] },
      'GET /kyt': { deposits: [], withdrawals: [] },
      'GET /change-requests': { change_requests: [] },
      'GET /notifications': { counts: { pending: 0, delivered: 0, failed: 0 }, notifications: [] },
    });
    expect((await screen.findByRole('alert')).textContent).toContain('database unavailable');
    expect(await screen.findByText('No open alerts.')).toBeTruthy();
  });

  it('asks again every few seconds and shows the new figures', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let head = 1200;
    renderAs(['viewer'], <OverviewPage />, {
      'GET /chains': () => ({ chains: [chainStatus({ head: head++ })] }),
      'GET /alerts': { alerts: [] },
      'GET /withdrawals/review': { withdrawals: [] },
      'GET /kyt': { deposits: [], withdrawals: [] },
      'GET /change-requests': { change_requests: [] },
      'GET /notifications': { counts: { pending: 0, delivered: 0, failed: 0 }, notifications: [] },
    });
    const card = await screen.findByRole('article', { name: 'Chain evm:1' });
    expect(within(card).getByText('Head').nextSibling?.textContent).toBe('1200');
    await act(async () => {
      vi.advanceTimersByTime(overviewRefreshMs);
    });
    await waitFor(() => expect(within(screen.getByRole('article', { name: 'Chain evm:1' })).getByText('Head').nextSibling?.textContent).toBe('1201'));
  });
});
