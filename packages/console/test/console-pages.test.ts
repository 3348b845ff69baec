/**
 * Every page of the console's registry, opened by an admin in Chromium against a real service
 * on a real anvil node seeded with what the pages show: a merchant, users, a deposit credited
 * on chain (and its notifications), a withdrawal in review, an alert and a change request
 * waiting for a second admin. Each page must load without an error state, pass axe-core, and
 * is shot into docs/console/<page>.png at 1280×800 (a handful also at phone width). The test
 * loops over the registry: a new page is shot without changing it, once it has a sample here
 * for its path parameters.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DepositStatus, WithdrawStatus } from '@openwaas/sdk';
import type { Browser } from 'playwright-core';
import { raiseAlert } from '../../server/src/modules/alerts/index.js';
import { findMerchantByAppId } from '../../server/src/modules/merchants/index.js';
import { requestWithdrawal } from '../../server/src/modules/withdrawals/index.js';
import { untilDeposit } from '../../server/test/support/deposits.js';
import { pages } from '../src/pages/registry.js';
import { axeCheck, browserSkip, launchBrowser, openPage, screenshot, stateTimeoutMs, unexpectedErrors } from './support/browser.js';
import { loginAs, startConsoleService, type ConsoleService } from './support/console.js';

const title = 'console: every page, checked and shot';
const skip = browserSkip(title);

/** The screenshot's name of a page pattern: "/" is the overview; a path parameter is "detail" ("/withdrawals/:id" → withdrawals-detail). */
function shotName(pattern: string): string {
  if (pattern === '/') return 'overview';
  return pattern
    .slice(1)
    .split('/')
    .map((segment) => (segment.startsWith(':') ? 'detail' : segment))
    .join('-');
}

/** Pages also shot at phone width. */
const phonePages = new Set(['/', '/withdrawals', '/withdrawals/:id', '/deposits', '/users', '/merchants/:appId', '/notifications/:id', '/chains']);

describe(title, { skip }, () => {
  let service: ConsoleService;
  let browser: Browser;
  /** The record each detail page shows, by the pattern's first segment(s), and the queries of list pages. */
  const samples: { ids: Record<string, number>; appId: string; uid: number; queries: Record<string, string> } = { ids: {}, appId: '', uid: 0, queries: {} };

  before(async () => {
    service = await startConsoleService({ chain: true });
    browser = await launchBrowser();
    const { t, world } = service;
    assert.ok(world);
    const db = t.ctx.store.db;

    // Users of the demo merchant; one deposits ETH on chain, credited at 2 confirmations.
    const depositor = await world.newUser();
    await world.newUser();
    const address = await world.depositAddress(depositor, 'ETH');
    const txid = await world.sendEth(address, '1.25');
    await world.mine(2);
    const deposit = await untilDeposit(world, txid, 'the deposit credited', (d) => d.status === DepositStatus.Succeeded);

    // A withdrawal above the coin's auto-approve amount: it waits for review.
    await t.credit({ symbol: 'ETH', amount: '50', uid: depositor });
    const merchant = (await findMerchantByAppId(db, t.appId))!;
    const w = await requestWithdrawal(t.ctx, merchant, { requestId: 'pages-review-1', fromUid: depositor, toAddress: '0x' + '2'.repeat(40), amount: '20', symbol: 'ETH' });
    assert.equal(w.status, WithdrawStatus.Review);

    await raiseAlert(db, { kind: 'hot_wallet_low', key: 'hot_wallet_low:demo', message: 'hot wallet ETH below its threshold of 60', nowMs: Date.now() });
    const notification = await world.until('a notification of the deposit', async () => (await db.selectFrom('notifications').select('id').where('record_id', '=', Number(deposit.id)).executeTakeFirst())?.id);

    samples.ids = { withdrawals: w.id, deposits: Number(deposit.id), notifications: Number(notification) };
    samples.appId = t.appId;
    samples.uid = depositor;
    samples.queries = { '/users': `app_id=${encodeURIComponent(t.appId)}` };
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  /** The hash path that opens `pattern` on the seeded records. */
  function samplePath(pattern: string): string {
    const path = pattern.replace(/:(\w+)/g, (_, name: string) => {
      if (name === 'appId') return encodeURIComponent(samples.appId);
      if (name === 'uid') return String(samples.uid);
      const owner = pattern.slice(1, pattern.indexOf('/:'));
      const id = samples.ids[owner];
      assert.ok(id !== undefined, `no sample record for ${pattern}: seed one and name it in samples.ids`);
      return String(id);
    });
    const query = samples.queries[pattern];
    return query ? `${path}?${query}` : path;
  }

  it('opens every page of the registry without an error, passing axe, and shoots it', async () => {
    // Four eyes engaged (the service's test-admin and this admin): a key rotation waits for a second admin.
    const ada = await service.account('ada', ['admin']);
    const held = await fetch(`${service.t.operatorUrl}/merchants/${service.t.appId}/rotate-key`, { method: 'POST', headers: { authorization: `Bearer ${service.t.operatorToken}` } });
    assert.equal(held.status, 202, await held.clone().text());
    samples.ids['operators/changes'] = ((await held.json()) as { id: number }).id;

    const { context, page, errors } = await openPage(browser);
    await loginAs(page, service.consoleUrl, ada);
    const shot: string[] = [];
    for (const entry of pages) {
      const path = samplePath(entry.pattern);
      await page.goto(`${service.consoleUrl}#${path}`);
      const main = page.getByRole('main');
      await main.locator('h1').first().waitFor();
      // Loaded: no loading state left, and no error state (every page opens on the real service).
      await page.waitForFunction(() => document.querySelectorAll('main .state-loading').length === 0, undefined, { timeout: stateTimeoutMs });
      assert.deepEqual(await main.locator('.state-error').allTextContents(), [], `${entry.pattern} (${path}) shows an error`);
      assert.ok(!(await main.textContent())?.includes('Not found'), `${entry.pattern} is not found`);
      await axeCheck(page, `${entry.title} (${path})`);
      await screenshot(page, shotName(entry.pattern), { phoneToo: phonePages.has(entry.pattern) });
      shot.push(shotName(entry.pattern));
    }
    assert.equal(new Set(shot).size, pages.length, 'one screenshot name per page');
    assert.deepEqual(unexpectedErrors(errors), []);
    await context.close();
  });
});
