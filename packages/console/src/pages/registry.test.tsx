import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../app.js';
import { pages } from './registry.js';
import { PageLink, pageOfRoute } from '../ui/links.js';
import { pendingChange, renderAs, type Answers } from '../testing/fake-api.js';
import { alert, auditEntry, chainStatus, chainTx, coin, depositDetail, depositListItem, depositTimeline, heldDeposit, merchant, notification, notificationDetail, overview, reviewItem, sweep, t0, user, withdrawal, withdrawalListItem, withdrawalTimeline } from '../testing/fixtures.js';

afterEach(() => {
  cleanup();
  window.location.hash = '';
});

const answers: Answers = {
  'GET /chains': { chains: [chainStatus()] },
  'GET /alerts': { alerts: [alert()] },
  'GET /withdrawals/review': { withdrawals: [reviewItem()] },
  'GET /overview': overview(),
  'GET /withdrawals': { withdrawals: [withdrawalListItem()], next_cursor: null },
  'GET /withdrawals/:id': withdrawal(),
  'GET /withdrawals/:id/timeline': withdrawalTimeline(),
  'GET /deposits': { deposits: [depositListItem()], next_cursor: null },
  'GET /deposits/:id': depositDetail(),
  'GET /deposits/:id/timeline': depositTimeline(),
  'GET /kyt': { deposits: [heldDeposit()], withdrawals: [] },
  'GET /change-requests': { change_requests: [] },
  'GET /notifications': { counts: { pending: 0, delivered: 1, failed: 1 }, notifications: [notification()] },
  'GET /notifications/:id': notificationDetail(),
  'GET /merchants': { merchants: [merchant()] },
  'GET /merchants/:appId': merchant(),
  'GET /merchants/:appId/allowlist': { destinations: [] },
  'GET /coins': { coins: [coin()] },
  'GET /users/:uid': user(),
  'GET /chain-txs': { transactions: [chainTx()] },
  'GET /sweeps': { sweeps: [sweep()] },
  'GET /audit/operators': { entries: [auditEntry()], next_after_id: null },
  'GET /blacklist': { addresses: [] },
  'GET /users': { users: [user()], next_after_id: null },
  'GET /auth/me': { operator: { id: 1, name: 'alice', roles: ['admin'] }, token: { id: 1, kind: 'session' } },
  'GET /operators': { operators: [{ id: 1, name: 'alice', roles: ['admin'], disabled: false, locked_until: null, created_at: t0 }] },
  'GET /operator-tokens': { tokens: [] },
  'GET /change-requests/:id': pendingChange(7, 'merchant_rotate_key', 'shop1', {}),
  'GET /policies': { approval: [], velocity: [], destinations: [] },
};

const samplePath = (pattern: string) => pattern.replace(':id', '7').replace(':appId', 'shop1').replace(':uid', '42');

describe('Page registry', () => {
  it('has one entry per pattern', () => {
    expect(new Set(pages.map((p) => p.pattern)).size).toBe(pages.length);
  });

  it('lists the menu pages for a viewer', () => {
    renderAs(['viewer'], <App />, answers);
    const menu = screen.getByRole('navigation', { name: 'Main' });
    expect(within(menu).getAllByRole('link').map((a) => a.textContent)).toEqual(pages.filter((p) => p.menu).map((p) => p.title));
  });

  for (const page of pages) {
    it(`opens ${page.pattern} with its heading and without an error`, async () => {
      window.location.hash = `#${samplePath(page.pattern)}`;
      renderAs(['admin'], <App />, answers);
      await act(async () => {});
      const main = screen.getByRole('main');
      await waitFor(() => expect(within(main).getAllByRole('heading', { level: 1 })).toHaveLength(1));
      expect(main.textContent).not.toContain('Not found');
      await waitFor(() => expect(within(main).queryAllByRole('status').filter((s) => s.textContent?.startsWith('Loading'))).toHaveLength(0));
      expect(within(main).queryAllByRole('alert')).toHaveLength(0);
    });
  }

  it('links an API list path to the page that lists it (the change requests queue to the operators\' change requests)', () => {
    expect(pageOfRoute('GET /change-requests')).toBe('/operators/changes');
    expect(pageOfRoute('GET /withdrawals/review')).toBe('/withdrawals/review');
    renderAs(['viewer'], <PageLink path="/change-requests" query={{ state: 'pending' }}>Pending change requests</PageLink>, answers);
    expect(screen.getByRole('link', { name: 'Pending change requests' }).getAttribute('href')).toBe('#/operators/changes?state=pending');
  });

  it('shows the overview\'s pending change requests queue as a link to the change requests page', async () => {
    renderAs(['viewer'], <App />, answers);
    const main = screen.getByRole('main');
    const link = await within(main).findByRole('link', { name: /change requests/i });
    expect(link.getAttribute('href')).toMatch(/^#\/operators\/changes/);
  });
});
