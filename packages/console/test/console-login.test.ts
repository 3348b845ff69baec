/**
 * The console in Chromium against a real service: signing in with password and TOTP (a wrong
 * code refused, the right one in), the session ending when the server revokes it or when it
 * expires, and an operator's roles deciding which buttons exist — with the server refusing a
 * forced call anyway.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createWithdrawConfirmation, toNodeHttpHandler, WithdrawStatus } from '@openwaas/sdk';
import type { Browser } from 'playwright-core';
import { requestWithdrawal } from '../../server/src/modules/withdrawals/index.js';
import { findMerchantByAppId } from '../../server/src/modules/merchants/index.js';
import { startMerchantServer, type MerchantServer } from '../../server/test/ops-helpers.js';
import { totpCodeAt } from '../../server/test/support/operators.js';
import { axeCheck, browserSkip, launchBrowser, openPage, screenshot, unexpectedErrors } from './support/browser.js';
import { freshTotp, loginAs, startConsoleService, type ConsoleService } from './support/console.js';

const title = 'console: signing in and out';
const skip = browserSkip(title);

describe(title, { skip }, () => {
  let service: ConsoleService;
  let browser: Browser;
  let confirmServer: MerchantServer;

  before(async () => {
    // On a real chain (anvil), as the service runs in production: the scanner and payer are on.
    service = await startConsoleService({ chain: true });
    browser = await launchBrowser();
    const confirm = createWithdrawConfirmation({ walletPublicKey: service.t.walletPublicKeyPem, privateKey: service.t.merchantPrivateKeyPem, approve: () => true });
    confirmServer = await startMerchantServer(toNodeHttpHandler(confirm));
    await service.t.ctx.store.db.updateTable('merchants').set({ confirm_url: confirmServer.url }).where('id', '=', Number(service.t.merchant.id)).execute();
  });
  after(async () => {
    await browser?.close();
    await confirmServer?.close();
    await service?.close();
  });

  it('refuses a wrong authenticator code in words, and signs in with the right one', async () => {
    const dana = await service.account('dana', ['viewer']);
    const { context, page, errors } = await openPage(browser);
    await page.goto(service.consoleUrl);
    await page.getByRole('heading', { name: 'OpenWaaS console' }).waitFor();
    await axeCheck(page, 'the login page');
    await screenshot(page, 'login', { phoneToo: true });

    await page.getByLabel('Account').fill('dana');
    await page.getByLabel('Password').fill(dana.password);
    // A code of another time step: a real authenticator's code, just not now's.
    await page.getByLabel('Authenticator code').fill(totpCodeAt(dana.otpauth_uri, Date.now(), 10));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Wrong account name, password or authenticator code.' }).waitFor();
    await screenshot(page, 'login-refused');

    // The right code, by keyboard alone: the account field has the focus, Tab moves on, Enter signs in.
    await page.reload();
    await page.getByLabel('Account').waitFor();
    await page.keyboard.type('dana');
    await page.keyboard.press('Tab');
    await page.keyboard.type(dana.password);
    await page.keyboard.press('Tab');
    await page.keyboard.type(await freshTotp(dana));
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: /^dana · viewer/ }).waitFor();
    await page.goto(`${service.consoleUrl}#/account`);
    await page.getByRole('heading', { name: 'Account' }).waitFor();
    await page.getByText('You have no API tokens.').waitFor();
    assert.deepEqual(unexpectedErrors(errors), []);
    await context.close();
  });

  it('shows the login page with the reason once the server revoked the session, or when it expired', async () => {
    const erin = await service.account('erin', ['viewer']);
    const { context, page } = await openPage(browser);
    await loginAs(page, service.consoleUrl, erin);
    // The server ends the session (as signing out elsewhere does); the next call answers 401.
    const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('openwaas.console.session')!).token as string);
    const logout = await fetch(`${service.t.operatorUrl}/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal(logout.status, 204);
    await page.goto(`${service.consoleUrl}#/operators/tokens`);
    await page.getByRole('status').filter({ hasText: 'Your session ended' }).waitFor();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await screenshot(page, 'session-ended');

    // A session whose expiry comes while the page is open: signed out then, without a call.
    await loginAs(page, service.consoleUrl, erin);
    await page.evaluate(() => {
      const stored = JSON.parse(sessionStorage.getItem('openwaas.console.session')!);
      sessionStorage.setItem('openwaas.console.session', JSON.stringify({ ...stored, expiresAt: Date.now() + 1_500 }));
    });
    await page.reload();
    await page.getByRole('status').filter({ hasText: 'Your session expired' }).waitFor();
    await context.close();
  });

  it('a viewer sees no decision buttons, and the server refuses the viewer a forced approval (403); a reviewer sees them', async () => {
    const { t } = service;
    const { uid } = await t.client.registerEmail({ email: 'review@example.test' });
    await t.credit({ symbol: 'ETH', amount: '50', uid: Number(uid) });
    const merchant = (await findMerchantByAppId(t.ctx.store.db, t.appId))!;
    // Above the coin's auto-approve amount (10 ETH): the withdrawal waits for review.
    const w = await requestWithdrawal(t.ctx, merchant, { requestId: 'console-review-1', fromUid: Number(uid), toAddress: '0x' + '2'.repeat(40), amount: '20', symbol: 'ETH' });
    assert.equal(w.status, WithdrawStatus.Review);

    const fay = await service.account('fay', ['viewer']);
    const { context, page } = await openPage(browser);
    await loginAs(page, service.consoleUrl, fay);
    await page.goto(`${service.consoleUrl}#/withdrawals/${w.id}`);
    await page.locator('main h1').first().waitFor();
    assert.equal(await page.getByRole('button', { name: /approve|reject|cancel/i }).count(), 0);
    await page.goto(`${service.consoleUrl}#/operators`);
    await page.getByRole('cell', { name: 'fay (you)' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Change roles|Disable|Reset/ }).count(), 0);
    assert.equal(await page.getByRole('form', { name: 'Create an operator account' }).count(), 0);
    await screenshot(page, 'operators-viewer');

    const token = await page.evaluate(() => JSON.parse(sessionStorage.getItem('openwaas.console.session')!).token as string);
    const forced = await fetch(`${t.operatorUrl}/withdrawals/${w.id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ by: 'saas' }) });
    assert.equal(forced.status, 403);
    assert.equal(((await forced.json()) as { error: string }).error, 'forbidden');
    const still = await fetch(`${t.operatorUrl}/withdrawals/${w.id}`, { headers: { authorization: `Bearer ${t.operatorToken}` } });
    assert.equal(((await still.json()) as { status: number }).status, WithdrawStatus.Review);
    await context.close();

    // A reviewer on the same withdrawal has the decision buttons the viewer lacked.
    const gus = await service.account('gus', ['reviewer']);
    const second = await openPage(browser);
    await loginAs(second.page, service.consoleUrl, gus);
    await second.page.goto(`${service.consoleUrl}#/withdrawals/${w.id}`);
    await second.page.getByRole('button', { name: /^Approve/ }).first().waitFor();
    await second.page.getByRole('button', { name: /^Reject/ }).first().waitFor();
    await second.context.close();
  });
});
