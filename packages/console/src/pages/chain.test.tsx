import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AlertsPage, ChainTxsPage, ChainsPage, SweepsPage } from './chain.js';
import { renderAs, sentTo } from '../testing/fake-api.js';
import { alert, chainStatus, chainTx, coin, sweep } from '../testing/fixtures.js';

afterEach(cleanup);

const coins = { coins: [coin(), coin({ id: 2, symbol: 'USDT', contract_address: '0xdac17f958d2ee523a2206206994597c13d831ec7', decimals: 6 })] };

describe('Chain pages', () => {
  it('shows every chain', async () => {
    renderAs(['viewer'], <ChainsPage />, { 'GET /chains': { chains: [chainStatus()] } });
    expect((await screen.findByRole('article', { name: 'Chain evm:1' })).textContent).toContain('12.000000000000000001 ETH');
  });

  it('lists outgoing transactions with amounts from base units, filters from the hash query and pages by before_id', async () => {
    const page = Array.from({ length: 50 }, (_, i) => chainTx({ id: 100 - i }));
    const { sent } = renderAs(['viewer'], <ChainTxsPage query={new URLSearchParams('purpose=withdrawal&state=broadcast')} />, {
      'GET /coins': coins,
      'GET /chain-txs': (req) => ({ transactions: req.query.before_id ? [chainTx({ id: 1, value: '1', hash: '0xold' })] : page }),
    });
    const table = await screen.findByRole('table', { name: 'outgoing transactions, newest first' });
    await waitFor(() => expect(table.textContent).toContain('1,234.000000000000000001 ETH'));
    expect(within(table).getAllByRole('link', { name: 'withdrawal 7' })[0]!.getAttribute('href')).toBe('#/withdrawals/7');
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(screen.getByRole('table').textContent).toContain('0.000000000000000001 ETH'));
    expect(sentTo(sent, 'GET /chain-txs').at(-1)?.query).toEqual({ limit: '50', purpose: 'withdrawal', state: 'broadcast', before_id: '51' });
  });

  it('retries a failed sweep (treasurer) and shows its amount in the coin', async () => {
    const { sent } = renderAs(['treasurer'], <SweepsPage query={new URLSearchParams('state=failed')} />, {
      'GET /coins': coins,
      'GET /sweeps': { sweeps: [sweep()] },
      'POST /sweeps/:id/retry': sweep({ state: 'topup' }),
    });
    const table = await screen.findByRole('table', { name: 'collection sweeps, newest first' });
    await waitFor(() => expect(table.textContent).toContain('5,000.123456 USDT'));
    fireEvent.click(within(table).getByRole('button', { name: 'Retry' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Retry' })));
    await waitFor(() => expect(sentTo(sent, 'POST /sweeps/:id/retry')[0]?.params).toEqual({ id: '9' }));
    expect(sentTo(sent, 'GET /sweeps')[0]?.query).toEqual({ limit: '50', state: 'failed' });
  });

  it('lists alerts; a viewer cannot resolve, a treasurer can', async () => {
    renderAs(['viewer'], <AlertsPage query={new URLSearchParams()} />, { 'GET /alerts': { alerts: [alert()] } });
    expect((await screen.findByRole('table', { name: 'alerts' })).textContent).toContain('hot wallet ETH below 20');
    expect(screen.queryByRole('button', { name: 'Resolve' })).toBeNull();
    cleanup();
    const { sent } = renderAs(['treasurer'], <AlertsPage query={new URLSearchParams('all=1')} />, { 'GET /alerts': { alerts: [alert()] }, 'POST /alerts/:id/resolve': { id: 1, resolved: true } });
    fireEvent.click(await screen.findByRole('button', { name: 'Resolve' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Resolve' })));
    await waitFor(() => expect(sentTo(sent, 'POST /alerts/:id/resolve')).toHaveLength(1));
    expect(sentTo(sent, 'GET /alerts')[0]?.query).toEqual({ all: '1' });
  });

  it('says when there is no alert', async () => {
    renderAs(['viewer'], <AlertsPage query={new URLSearchParams()} />, { 'GET /alerts': { alerts: [] } });
    expect(await screen.findByText('No open alerts.')).toBeTruthy();
  });
});
