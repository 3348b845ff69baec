import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { CursorTable, type CursorPage } from './cursor-table.js';
import { FilterBar, dayStartMs } from './filter-bar.js';
import { Timeline } from './timeline.js';
import { DailyChart, barHeights, fromFixedPoint, toFixedPoint } from './daily-chart.js';
import { Quorum } from './quorum.js';
import { Action } from './action.js';
import { Amount } from './amount.js';
import { pendingChange } from '../testing/fake-api.js';
import { OperatorApiError } from '../api/client.js';

afterEach(() => {
  cleanup();
  window.location.hash = '';
});

interface Row {
  id: number;
  amount: string;
}

describe('CursorTable', () => {
  const pages: Record<string, CursorPage<Row>> = {
    first: { rows: [{ id: 1, amount: '12345678901234567890.000000000000000001' }, { id: 2, amount: '0.5' }], next: 'c2' },
    c2: { rows: [{ id: 3, amount: '7' }], next: null },
  };
  const columns = [
    { header: 'Id', cell: (r: Row) => r.id },
    { header: 'Amount', cell: (r: Row) => <Amount value={r.amount} symbol="ETH" />, num: true },
  ];

  it('shows rows with column headers and pages on by cursor and back to the first page', async () => {
    const asked: Array<string | undefined> = [];
    render(
      <CursorTable
        caption="test rows"
        columns={columns}
        rowKey={(r) => r.id}
        load={async (cursor) => {
          asked.push(cursor);
          return pages[cursor ?? 'first']!;
        }}
      />,
    );
    expect(screen.getByRole('status').textContent).toContain('Loading test rows');
    const table = await screen.findByRole('table', { name: 'test rows' });
    expect(within(table).getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Id', 'Amount']);
    expect(table.textContent).toContain('12,345,678,901,234,567,890.000000000000000001 ETH');
    expect(screen.getByRole('button', { name: 'First page' }).hasAttribute('disabled')).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(screen.getByRole('table').textContent).toContain('7 ETH'));
    expect(screen.getByRole('button', { name: 'Next page' }).hasAttribute('disabled')).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'First page' }));
    await waitFor(() => expect(screen.getByRole('table').textContent).toContain('0.5 ETH'));
    expect(asked).toEqual([undefined, 'c2', undefined]);
  });

  it('says when there is nothing, and shows an error with a retry', async () => {
    render(<CursorTable caption="quiet rows" columns={columns} rowKey={(r) => r.id} load={async () => ({ rows: [], next: null })} empty="Nothing waits." />);
    expect((await screen.findByText('Nothing waits.')).tagName).toBe('P');
    expect(screen.queryByRole('button', { name: 'Next page' })).toBeNull();
    cleanup();
    let fail = true;
    render(
      <CursorTable
        caption="rows"
        columns={columns}
        rowKey={(r) => r.id}
        load={async () => {
          if (fail) throw new OperatorApiError(503, 'unavailable', 'database down');
          return pages.c2!;
        }}
      />,
    );
    expect((await screen.findByRole('alert')).textContent).toContain('(unavailable): database down');
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByRole('table');
  });
});

describe('FilterBar', () => {
  it('starts from the hash query, writes the filters into it and clears them', async () => {
    window.location.hash = '#/things?state=failed&keepme=1';
    const query = new URLSearchParams('state=failed&keepme=1');
    render(
      <FilterBar
        path="/things"
        query={query}
        keep={['keepme']}
        fields={[
          { name: 'state', label: 'State', type: 'select', options: ['pending', 'failed'] },
          { name: 'app_id', label: 'Merchant app id' },
        ]}
      />,
    );
    const state = screen.getByLabelText('State') as HTMLSelectElement;
    expect(state.value).toBe('failed');
    fireEvent.change(screen.getByLabelText('Merchant app id'), { target: { value: ' app1 ' } });
    fireEvent.change(state, { target: { value: 'pending' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    await waitFor(() => expect(window.location.hash).toBe('#/things?keepme=1&state=pending&app_id=app1'));
    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    await waitFor(() => expect(window.location.hash).toBe('#/things?keepme=1'));
  });

  it('reads a day as its start in UTC', () => {
    expect(dayStartMs('2026-12-07')).toBe(Date.UTC(2026, 11, 7));
    expect(dayStartMs('')).toBeUndefined();
    expect(dayStartMs('7 Dec')).toBeUndefined();
  });
});

describe('Timeline', () => {
  it('lists events with time, kind, summary, actor and detail', () => {
    render(
      <Timeline
        events={[
          { at_ms: Date.UTC(2026, 11, 7, 10, 0, 0), kind: 'requested', summary: 'withdrawal of 1.5 ETH requested' },
          { at_ms: Date.UTC(2026, 11, 7, 10, 5, 0), kind: 'approved', summary: 'approved for the platform', actor: 'bob', detail: 'looks fine' },
          { at_ms: Date.UTC(2026, 11, 7, 10, 6, 0), kind: 'broadcast', summary: 'sent', detail: { nonce: 4 } },
        ]}
      />,
    );
    const items = within(screen.getByRole('list', { name: 'History' })).getAllByRole('listitem');
    expect(items).toHaveLength(3);
    expect(items[0]!.textContent).toContain('2026-12-07 10:00:00 UTC');
    expect(items[1]!.textContent).toContain('approved for the platform — by bob');
    expect(items[1]!.textContent).toContain('looks fine');
    expect(items[2]!.textContent).toContain('"nonce": 4');
  });

  it('says when nothing happened yet', () => {
    render(<Timeline events={[]} />);
    expect(screen.getByText('Nothing has happened to this record yet.')).toBeTruthy();
  });
});

describe('DailyChart', () => {
  it('computes bar heights in BigInt from decimal strings beyond float precision', () => {
    // 2^53 + 1 units would round as a float; the heights stay exact in BigInt.
    expect(barHeights(['9007199254740993', '9007199254740992.5', '0'], 100)).toEqual([100, 99, 0]);
    expect(barHeights(['0.000000000000000001', '0.000000000000000002'], 120)).toEqual([60, 120]);
    expect(barHeights(['0', '0'], 120)).toEqual([0, 0]);
    expect(toFixedPoint(['1.5', '2', '0.25'])).toEqual({ units: [150n, 200n, 25n], scale: 2 });
    expect(fromFixedPoint(375n, 2)).toBe('3.75');
    expect(fromFixedPoint(5n, 3)).toBe('0.005');
  });

  it('draws one bar per day with a summary and an exact table', () => {
    const { container } = render(
      <DailyChart
        title="Deposits of USDT"
        unit="USDT"
        heightPx={100}
        days={[
          { day: '2026-12-05', value: '100.000001' },
          { day: '2026-12-06', value: '0' },
          { day: '2026-12-07', value: '50.0000004' },
        ]}
      />,
    );
    const bars = container.querySelectorAll('rect.bar');
    expect([...bars].map((b) => b.getAttribute('height'))).toEqual(['100', '0', '49']);
    expect(screen.getByRole('img').getAttribute('aria-label')).toBe(
      'Deposits of USDT over 3 days from 2026-12-05 to 2026-12-07: total 150.0000014 USDT, highest 100.000001 USDT on 2026-12-05.',
    );
    const table = screen.getByRole('table', { name: 'Deposits of USDT per day' });
    expect(within(table).getAllByRole('row').map((r) => r.textContent)).toEqual(['DayAmount (USDT)', '2026-12-05100.000001', '2026-12-060', '2026-12-0750.0000004']);
  });
});

describe('Quorum', () => {
  it('shows required, given, who approved and how many more', () => {
    render(
      <Quorum
        required={3}
        given={1}
        decisions={[
          { side: 'saas', decision: 'approve', operator_name: 'bob', reason: '', created_at: Date.UTC(2026, 11, 7, 9) },
          { side: 'company', decision: 'approve', operator_name: 'merchant-carol', reason: 'ok', created_at: Date.UTC(2026, 11, 7, 10) },
        ]}
      />,
    );
    const q = screen.getByRole('region', { name: 'Approval quorum' });
    expect(q.textContent).toContain('1 of 3 platform approvals');
    expect(q.textContent).toContain('2 more needed');
    expect(q.textContent).toContain('Approved by: bob');
    expect(q.textContent).toContain('merchant-carol approved for the merchant: ok');
  });

  it('says when the quorum is reached', () => {
    render(<Quorum required={1} given={1} decisions={[{ side: 'saas', decision: 'approve', operator_name: 'bob', reason: '', created_at: 1 }]} />);
    expect(screen.getByText('quorum reached')).toBeTruthy();
  });
});

describe('Action', () => {
  it('asks before sending, requires the reason, and shows the answer', async () => {
    const sent: string[] = [];
    render(<Action label="Reject" confirm="Reject withdrawal 7?" reason={{ label: 'Reason', required: true }} send={async (reason) => sent.push(reason)} done={() => 'Rejected.'} danger />);
    fireEvent.click(screen.getByRole('button', { name: 'Reject' }));
    expect(screen.getByText('Reject withdrawal 7?')).toBeTruthy();
    expect((screen.getByLabelText('Reason') as HTMLInputElement).required).toBe(true);
    fireEvent.change(screen.getByLabelText('Reason'), { target: { value: ' wrong address ' } });
    await act(async () => {
      fireEvent.click(screen.getByRole('button', { name: 'Confirm: Reject' }));
    });
    expect(sent).toEqual(['wrong address']);
    expect((await screen.findByRole('status')).textContent).toBe('Rejected.');
  });

  it('cancels without sending, shows a refusal, and a change request as waiting for a second admin', async () => {
    let calls = 0;
    render(
      <Action
        label="Save"
        confirm="Save?"
        send={async () => {
          calls++;
          if (calls === 1) throw new OperatorApiError(403, 'forbidden', 'needs admin');
          return pendingChange(12, 'merchant.update', '/merchants/app1', {});
        }}
        done={() => 'Saved.'}
      />,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Confirm: Save' }));
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(calls).toBe(0);
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Save' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Save' })));
    expect((await screen.findByRole('alert')).textContent).toBe('Refused (forbidden): needs admin');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Save' })));
    expect((await screen.findByRole('status')).textContent).toContain('Waiting for a second admin: change request #12');
  });
});
