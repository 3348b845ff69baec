import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DepositPage, DepositsPage, recordPageSize } from './deposits.js';
import { Refusal, renderAs, sentTo } from '../testing/fake-api.js';
import { coin, depositDetail, heldDeposit, depositListItem, depositTimeline } from '../testing/fixtures.js';

afterEach(() => {
  cleanup();
  window.location.hash = '';
});

describe('Deposits list', () => {
  it('sends the hash query as filters, shows exact amounts and pages with the next cursor', async () => {
    const query = new URLSearchParams('app_id=shop1&symbol=ETH&status=0,1&from=2026-12-01&to=2026-12-07&address=0x4444&txid=0xabc1');
    const { sent } = renderAs(['viewer'], <DepositsPage query={query} />, {
      'GET /deposits': (req) => (req.query.cursor ? { deposits: [depositListItem({ id: 2, amount: '7.5' })], next_cursor: null } : { deposits: [depositListItem()], next_cursor: 'c1' }),
    });
    const table = await screen.findByRole('table', { name: 'deposits' });
    expect(table.textContent).toContain('0.000000000000000001 ETH');
    expect(table.textContent).toContain('confirming (0)');
    expect(within(table).getByRole('link', { name: 'deposit 31' }).getAttribute('href')).toBe('#/deposits/31');
    expect(sentTo(sent, 'GET /deposits')[0]?.query).toEqual({
      app_id: 'shop1',
      symbol: 'ETH',
      status: '0,1',
      from_ms: String(Date.UTC(2026, 11, 1)),
      to_ms: String(Date.UTC(2026, 11, 8)),
      address: '0x4444',
      txid: '0xabc1',
      limit: String(recordPageSize),
    });
    expect((screen.getByLabelText('Coin') as HTMLInputElement).value).toBe('ETH');
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(screen.getByRole('table').textContent).toContain('7.5 ETH'));
    expect(sentTo(sent, 'GET /deposits').at(-1)?.query.cursor).toBe('c1');
  });

  it('writes the filters into the hash query on Apply', async () => {
    renderAs(['viewer'], <DepositsPage query={new URLSearchParams()} />, { 'GET /deposits': { deposits: [], next_cursor: null } });
    expect(await screen.findByText('No deposit matches.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Transaction id'), { target: { value: '0xfeed' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(window.location.hash).toBe('#/deposits?txid=0xfeed');
  });

  it('shows a refused filter as an error', async () => {
    renderAs(['viewer'], <DepositsPage query={new URLSearchParams('status=x')} />, { 'GET /deposits': new Refusal(400, 'invalid', 'a status is a whole number like 1') });
    expect((await screen.findByRole('alert')).textContent).toContain('(invalid): a status is a whole number like 1');
  });
});

describe('Deposit detail', () => {
  it('shows the chain position, the explorer link and the timeline; a viewer gets no KYT buttons', async () => {
    renderAs(['viewer'], <DepositPage params={{ id: '31' }} />, {
      'GET /deposits/:id': depositDetail({ status: 5, kyt_reason: 'KYT risk score 80' }),
      'GET /deposits/:id/timeline': depositTimeline(),
      'GET /coins': { coins: [coin()] },
    });
    await screen.findByText('Block hash');
    expect(document.body.textContent).toContain('KYT manual review (5)');
    expect(document.body.textContent).toContain('KYT risk score 80');
    expect(screen.getByRole('link', { name: /View on explorer/ }).getAttribute('href')).toBe('https://etherscan.io/tx/0xabc1');
    const timeline = screen.getByRole('list', { name: 'History of deposit 31' });
    expect(within(timeline).getAllByRole('listitem')).toHaveLength(2);
    expect(timeline.textContent).toContain('merchant notified: confirming');
    expect(screen.queryByRole('button', { name: 'Release' })).toBeNull();
  });

  it('lets a reviewer release a held deposit from its page', async () => {
    let current = depositDetail({ status: 5 });
    const { sent } = renderAs(['reviewer'], <DepositPage params={{ id: '31' }} />, {
      'GET /deposits/:id': () => current,
      'GET /deposits/:id/timeline': depositTimeline(),
      'GET /coins': { coins: [] },
      'POST /kyt/deposits/:id/release': () => {
        current = depositDetail({ status: 1 });
        return heldDeposit({ status: 1 });
      },
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Release' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Release' })));
    await waitFor(() => expect(document.body.textContent).toContain('Done: deposit 31 is now credited (1).'));
    expect(sentTo(sent, 'POST /kyt/deposits/:id/release')[0]?.params).toEqual({ id: '31' });
    await waitFor(() => expect(screen.queryByRole('button', { name: 'Release' })).toBeNull());
  });
});
