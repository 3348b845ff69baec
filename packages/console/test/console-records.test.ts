/**
 * The overview, deposits and withdrawals pages in Chromium against a real service on a real
 * anvil node: a deposit sent on chain to a user's deposit address appears in the deposits list
 * while confirming and turns credited, and shows in the overview's daily volume, all without a
 * reload (the pages poll); a withdrawal needing two platform approvals is approved by two
 * reviewers, each signed in with their own account and TOTP in a browser context of their own,
 * the quorum shown between the two, and is then seen paid with its transaction id.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WithdrawStatus } from '@openwaas/sdk';
import type { Browser, Page } from 'playwright-core';
import type { OperatorEnrolment } from '../../server/src/contracts/operator.js';
import { axeCheck, browserSkip, launchBrowser, openPage, screenshot, unexpectedErrors } from './support/browser.js';
import { loginAs, startConsoleService, type ConsoleService } from './support/console.js';

const title = 'console: overview, deposits and withdrawals on a real chain';
const skip = browserSkip(title);

/** More digits than a float holds: shown exactly or not at all. */
const depositEth = '1.234567890123456789';

describe(title, { skip }, () => {
  let service: ConsoleService;
  let browser: Browser;
  let rae: OperatorEnrolment;
  let rob: OperatorEnrolment;
  let vic: OperatorEnrolment;

  before(async () => {
    service = await startConsoleService({ chain: true });
    rae = await service.account('rae', ['reviewer']);
    rob = await service.account('rob', ['reviewer']);
    vic = await service.account('vic', ['viewer']);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  /** The operator API as the test's admin (setup the console is not under test for). */
  async function operatorApi(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${service.t.operatorUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${service.t.operatorToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  }

  it('a deposit sent on chain shows in the deposits list, turns credited and counts in the overview, without a reload', async () => {
    const world = service.world!;
    const chainId = `evm:${world.anvil.chainId}`;
    const uid = await world.newUser();
    const address = await world.depositAddress(uid, 'ETH');

    const watcher = await openPage(browser);
    await loginAs(watcher.page, service.consoleUrl, vic);
    await watcher.page.goto(`${service.consoleUrl}#/`);
    const volumes = watcher.page.getByRole('region', { name: 'Volume per day (last 30 days)' });
    await volumes.getByLabel('Coin').selectOption(`${chainId} ETH`);
    const credited = volumes.getByRole('figure', { name: 'Credited deposits of ETH' });
    await credited.getByText(/nothing on any day/).waitFor();
    await watcher.page.getByRole('article', { name: `Chain ${chainId}` }).getByText('Head').waitFor();

    const lister = await openPage(browser);
    await loginAs(lister.page, service.consoleUrl, rae);
    await lister.page.goto(`${service.consoleUrl}#/deposits?address=${address}`);
    await lister.page.getByText('No deposit matches.').waitFor();

    const txid = await world.sendEth(address, depositEth);
    const row = lister.page.getByRole('row').filter({ hasText: `${depositEth} ETH` });
    await row.waitFor();
    assert.match((await row.textContent()) ?? '', /confirming \(0\)/);
    await axeCheck(lister.page, 'the deposits list');
    await screenshot(lister.page, 'deposits', { phoneToo: true });

    await world.mine(3);
    await row.filter({ hasText: 'credited (1)' }).waitFor();
    await credited.getByText(`total ${depositEth} ETH`, { exact: false }).waitFor();
    await axeCheck(watcher.page, 'the overview');
    await screenshot(watcher.page, 'overview', { phoneToo: true });

    await row.getByRole('link', { name: /^deposit \d+$/ }).click();
    await lister.page.getByRole('heading', { level: 1, name: /^Deposit \d+$/ }).waitFor();
    const history = lister.page.getByRole('list', { name: /^History of deposit \d+$/ });
    await history.waitFor();
    assert.ok((await history.getByRole('listitem').count()) >= 1);
    assert.equal(await lister.page.getByRole('button', { name: 'Copy transaction id' }).count(), 1);
    assert.ok(((await lister.page.locator('main').textContent()) ?? '').includes(txid));
    await axeCheck(lister.page, 'a deposit');
    await screenshot(lister.page, 'deposit', { phoneToo: true });

    assert.deepEqual(unexpectedErrors([...watcher.errors, ...lister.errors]), []);
    await watcher.context.close();
    await lister.context.close();
  });

  it('a withdrawal needing two approvals is approved by two reviewers in two browser contexts, then seen paid with its txid', async () => {
    const { t } = service;
    const world = service.world!;
    await operatorApi('PUT', '/policies/approval/ETH', { above_amount: '10', approvals_required: 2, company_review: false });
    const uid = await world.newUser();
    await t.credit({ symbol: 'ETH', amount: '50', uid });
    // Through the merchant API, as a merchant asks: its confirm_url confirms the merchant's side.
    const w = await t.client.withdraw({ request_id: 'console-two-approvals', from_uid: uid, to_address: '0x' + '3'.repeat(40), amount: '12', symbol: 'ETH' });
    assert.equal(Number(w.status), WithdrawStatus.Review);

    const first = await openPage(browser);
    await loginAs(first.page, service.consoleUrl, rae);
    await first.page.goto(`${service.consoleUrl}#/withdrawals/review`);
    const queued = first.page.getByRole('row').filter({ hasText: '12 ETH' });
    await queued.filter({ hasText: '0 of 2' }).waitFor();
    await axeCheck(first.page, 'the review queue');
    await screenshot(first.page, 'withdrawals-review', { phoneToo: true });
    await queued.getByRole('link', { name: String(w.id) }).click();
    await approve(first.page);
    const quorumOf = (page: Page) => page.getByRole('region', { name: 'Approval quorum' });
    await quorumOf(first.page).getByText('1 more needed').waitFor();
    await quorumOf(first.page).getByText('Approved by: rae').waitFor();
    await axeCheck(first.page, 'a withdrawal with one of two approvals');
    await screenshot(first.page, 'withdrawal-quorum');

    const second = await openPage(browser);
    await loginAs(second.page, service.consoleUrl, rob);
    await second.page.goto(`${service.consoleUrl}#/withdrawals/${w.id}`);
    await quorumOf(second.page).getByText('1 more needed').waitFor();
    await approve(second.page);
    await quorumOf(second.page).getByText('quorum reached').waitFor();
    await quorumOf(second.page).getByText('Approved by: rae, rob').waitFor();

    // The payer broadcasts; the page polls and shows the transaction, then its confirmations.
    await second.page.getByRole('button', { name: 'Copy transaction id' }).waitFor();
    const paid = await world.until('the withdrawal paid', async () => {
      await world.mine(1);
      const v = (await operatorApi('GET', `/withdrawals/${w.id}`)) as { status: number; txid: string };
      return v.status === WithdrawStatus.Succeeded ? v : undefined;
    });
    assert.match(paid.txid, /^0x[0-9a-f]{64}$/);
    const fields = second.page.locator('main .fields');
    await fields.getByText('succeeded (5)').waitFor();
    await fields.getByText(paid.txid).waitFor();
    const receipt = await world.client.getTransactionReceipt({ hash: paid.txid as `0x${string}` });
    assert.equal(receipt.status, 'success');
    const history = second.page.getByRole('list', { name: `History of withdrawal ${w.id}` });
    await history.getByText(/rob/).first().waitFor();
    await axeCheck(second.page, 'a paid withdrawal');
    await screenshot(second.page, 'withdrawal', { phoneToo: true });

    await second.page.goto(`${service.consoleUrl}#/withdrawals?request_id=console-two-approvals`);
    await second.page.getByRole('row').filter({ hasText: 'succeeded (5)' }).filter({ hasText: '12 ETH' }).waitFor();
    await axeCheck(second.page, 'the withdrawals list');
    await screenshot(second.page, 'withdrawals', { phoneToo: true });

    assert.deepEqual(unexpectedErrors([...first.errors, ...second.errors]), []);
    await first.context.close();
    await second.context.close();
  });
});

/** Approves the withdrawal on the page for the platform, confirming the question. */
async function approve(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Approve for the platform' }).click();
  await page.getByRole('button', { name: 'Confirm: Approve for the platform' }).click();
  await page.getByRole('status').filter({ hasText: /^Done: withdrawal \d+ is now/ }).waitFor();
}
