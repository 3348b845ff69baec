import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditPage, OperatorAuditPage } from './audit.js';
import { Refusal, renderAs, sentTo } from '../testing/fake-api.js';
import { auditEntry, coin } from '../testing/fixtures.js';

afterEach(cleanup);

describe('Audit', () => {
  it('runs the ledger audit and the chain audit and shows their findings', async () => {
    renderAs(['viewer'], <AuditPage />, {
      'GET /coins': { coins: [coin()] },
      'POST /audit': { ok: false, journals: 10, entries: 40, accounts: 6, findings: [{ kind: 'balance-mismatch', detail: 'account 3 USDT: 5 ≠ 4' }] },
      'GET /chains/audit': {
        ok: true,
        findings: [],
        lines: [{ chain: 'evm:1', symbol: 'ETH', block: 1190, addresses: 4, decimals: 18, holdings: '123456789012345678901', expected: '123456789012345678901', status: 'ok' }],
      },
    });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Run the ledger audit' })));
    const findings = await screen.findByRole('table', { name: 'ledger audit findings' });
    expect(findings.textContent).toContain('account 3 USDT: 5 ≠ 4');
    expect(document.body.textContent).toContain('1 finding(s)');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Run the chain audit' })));
    const lines = await screen.findByRole('table', { name: 'chain audit per coin' });
    expect(lines.textContent).toContain('123.456789012345678901 ETH');
    expect(document.body.textContent).toContain('Ledger and chains agree');
  });

  it('shows why an audit could not run', async () => {
    renderAs(['viewer'], <AuditPage />, { 'POST /audit': new Refusal(503, 'unavailable', 'database down') });
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Run the ledger audit' })));
    expect((await screen.findByRole('alert')).textContent).toBe('Could not run it: (unavailable) database down');
  });
});

describe('Operator audit trail', () => {
  it('lists entries filtered by the hash query (a day range in UTC) and pages by next_after_id', async () => {
    const { sent } = renderAs(['viewer'], <OperatorAuditPage query={new URLSearchParams('outcome=refused&from=2026-12-01&to=2026-12-07')} />, {
      'GET /audit/operators': (req) => (req.query.after_id ? { entries: [auditEntry({ id: 60, action: 'PATCH /coins/:symbol' })], next_after_id: null } : { entries: [auditEntry({ outcome: 'refused', error_code: 'forbidden' })], next_after_id: 59 }),
    });
    const table = await screen.findByRole('table', { name: 'operator audit entries, oldest first' });
    expect(table.textContent).toContain('refused (forbidden)');
    expect(sentTo(sent, 'GET /audit/operators')[0]?.query).toEqual({ limit: '50', outcome: 'refused', from: String(Date.UTC(2026, 11, 1)), to: String(Date.UTC(2026, 11, 8)) });
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await waitFor(() => expect(screen.getByRole('table').textContent).toContain('PATCH /coins/:symbol'));
    expect(sentTo(sent, 'GET /audit/operators').at(-1)?.query.after_id).toBe('59');
  });

  it('verifies the hash chain and names the first broken entry', async () => {
    renderAs(['viewer'], <OperatorAuditPage query={new URLSearchParams()} />, {
      'GET /audit/operators': { entries: [], next_after_id: null },
      'GET /audit/operators/verify': { ok: false, entries: 11, head: { id: 20, hash: 'ff' }, broken: { id: 12, kind: 'modified', detail: 'stored hash differs' } },
    });
    expect(await screen.findByText('No entry matches.')).toBeTruthy();
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Verify the trail' })));
    const section = screen.getByRole('region', { name: 'Hash-chain verification' });
    await waitFor(() => expect(within(section).getByText(/First broken entry 12/).textContent).toBe('First broken entry 12 (modified): stored hash differs. 11 entries before it check out.'));
  });
});
