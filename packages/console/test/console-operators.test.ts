/**
 * The admin pages in Chromium against a real service with four eyes engaged (three admins): an
 * admin creates an account and sees its one-time credentials with the TOTP QR code; a role
 * change waits for a second admin, its asker sees it waiting, and a second admin in another
 * browser context approves it. The account, tokens and policies pages are checked and shot too.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { OperatorEnrolment } from '../../server/src/contracts/operator.js';
import { setVelocityLimit } from '../../server/src/modules/policies/index.js';
import { axeCheck, browserSkip, launchBrowser, openPage, screenshot, unexpectedErrors } from './support/browser.js';
import { loginAs, startConsoleService, type ConsoleService } from './support/console.js';

const title = 'console: the operators pages (admin)';
const skip = browserSkip(title);

describe(title, { skip }, () => {
  let service: ConsoleService;
  let browser: Browser;
  let ann: OperatorEnrolment;
  let ben: OperatorEnrolment;

  before(async () => {
    service = await startConsoleService();
    // With test-admin, three admins: admin changes wait for a second admin.
    ann = await service.account('ann', ['admin']);
    ben = await service.account('ben', ['admin']);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await service?.close();
  });

  it('creates an account (QR enrolment shown once), and a role change waits for a second admin who approves it', async () => {
    const first = await openPage(browser);
    const page = first.page;
    await loginAs(page, service.consoleUrl, ann);
    await page.goto(`${service.consoleUrl}#/operators`);
    await page.getByRole('cell', { name: 'ann (you)' }).waitFor();
    await axeCheck(page, 'the operators page');
    await screenshot(page, 'operators-admin', { phoneToo: true });

    const create = page.getByRole('form', { name: 'Create an operator account' });
    await create.getByLabel('Account name').fill('carol');
    await create.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Credentials of carol' }).waitFor();
    const qr = page.getByRole('img', { name: /QR code to enrol .*carol/ });
    await qr.waitFor();
    assert.equal(await qr.evaluate((el) => el.tagName.toLowerCase()), 'svg');
    await page.getByRole('button', { name: 'Copy TOTP secret' }).waitFor();
    await page.getByRole('button', { name: 'Copy password' }).waitFor();
    await axeCheck(page, 'a new account with its credentials');
    await screenshot(page, 'operators-new-account', { phoneToo: true });
    await page.getByRole('button', { name: 'Done, hide them' }).click();
    await page.getByRole('cell', { name: 'carol', exact: true }).waitFor();

    await page.getByRole('button', { name: 'Change roles of carol' }).click();
    const roles = page.getByRole('form', { name: 'Roles of carol' });
    await roles.getByLabel('reviewer').check();
    await roles.getByRole('button', { name: 'Save roles' }).click();
    const waiting = page.getByRole('status').filter({ hasText: 'Waiting for a second admin' });
    await waiting.waitFor();
    await screenshot(page, 'operators-waiting');
    await waiting.getByRole('link', { name: /change request #\d+/ }).click();
    await page.getByText('You asked for this change: it is waiting for another admin').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Approve' }).count(), 0);
    const requestUrl = page.url();
    await axeCheck(page, 'a change request of ones own');
    await screenshot(page, 'change-request-own');

    // A second admin, in a browser context of its own.
    const second = await openPage(browser);
    await loginAs(second.page, service.consoleUrl, ben);
    await second.page.goto(`${service.consoleUrl}#/operators/changes`);
    await second.page.getByRole('cell', { name: '/operators/carol' }).waitFor();
    await axeCheck(second.page, 'the change requests page');
    await screenshot(second.page, 'change-requests', { phoneToo: true });
    await second.page.goto(requestUrl);
    await second.page.getByRole('button', { name: 'Approve' }).click();
    await second.page.getByTestId('change-state').filter({ hasText: 'approved' }).waitFor();
    await screenshot(second.page, 'change-request-approved');

    const list = await fetch(`${service.t.operatorUrl}/operators`, { headers: { authorization: `Bearer ${service.t.operatorToken}` } });
    const carol = ((await list.json()) as { operators: { name: string; roles: string[] }[] }).operators.find((o) => o.name === 'carol');
    assert.deepEqual([...carol!.roles].sort(), ['reviewer', 'viewer']);

    // A reset shows new credentials with their QR code; carol's roles beyond viewer wait for a second admin again.
    await page.goto(`${service.consoleUrl}#/operators`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Reset carol' }).click();
    await page.getByRole('heading', { name: 'Credentials of carol' }).waitFor();
    await page.getByRole('img', { name: /QR code to enrol .*carol/ }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Waiting for a second admin' }).first().waitFor();
    await screenshot(page, 'operators-reset');
    assert.deepEqual(unexpectedErrors(first.errors), []);
    assert.deepEqual(unexpectedErrors(second.errors), []);
    await first.context.close();
    await second.context.close();
  });

  it('the account, API tokens and policies pages: own token shown once, revoked; a policy change waits for a second admin', async () => {
    const { context, page, errors } = await openPage(browser);
    await loginAs(page, service.consoleUrl, ben);
    await page.goto(`${service.consoleUrl}#/account`);
    await page.getByText('You have no API tokens.').waitFor();
    await page.getByRole('button', { name: 'Create API token' }).click();
    await page.getByRole('button', { name: 'Copy API token' }).waitFor();
    await page.getByRole('button', { name: /Revoke token #\d+/ }).waitFor();
    await axeCheck(page, 'the account page');
    await screenshot(page, 'account-tokens', { phoneToo: true });
    await page.getByRole('button', { name: 'Hide' }).click();

    await page.goto(`${service.consoleUrl}#/operators/tokens`);
    const revoke = page.getByRole('button', { name: /Revoke token #\d+ of ben/ });
    await revoke.waitFor();
    await axeCheck(page, 'the API tokens page');
    await screenshot(page, 'tokens');
    await revoke.click();
    await page.getByRole('status').filter({ hasText: /Token #\d+ of ben revoked/ }).waitFor();
    assert.equal(await page.getByRole('button', { name: /Revoke token #\d+ of ben/ }).count(), 0);

    // A velocity limit with more digits than a float holds: shown and edited exactly.
    await setVelocityLimit(service.t.ctx.store.db, { symbol: 'ETH', scope: 'user', windowS: 86_400, maxAmount: '9007199254740993.000000000000000001', actor: { operatorId: 1, name: 'test-admin', roles: ['admin'], sourceIp: '127.0.0.1' }, nowMs: Date.now() });
    await page.goto(`${service.consoleUrl}#/policies`);
    await page.getByRole('heading', { name: 'Approval policies' }).waitFor();
    await page.getByRole('cell', { name: '9,007,199,254,740,993.000000000000000001 ETH' }).waitFor();
    await page.getByRole('button', { name: 'Edit the user velocity limit of ETH over 86400 s for all merchants' }).click();
    const velocity = page.getByRole('form', { name: 'Set a velocity limit' });
    assert.equal(await velocity.getByLabel('Max amount').inputValue(), '9007199254740993.000000000000000001');
    assert.equal(await velocity.getByLabel('Window (seconds)').inputValue(), '86400');
    const approval = page.getByRole('form', { name: 'Set an approval policy' });
    await approval.getByLabel('Coin').fill('ETH');
    await approval.getByLabel('Above amount').fill('5.000000000000000001');
    await approval.getByLabel('Approvals required').fill('2');
    await approval.getByRole('button', { name: 'Set approval policy' }).click();
    // Setting a policy is four-eyed: it waits.
    await page.getByRole('status').filter({ hasText: 'Waiting for a second admin' }).waitFor();
    await axeCheck(page, 'the policies page');
    await screenshot(page, 'policies-edited', { phoneToo: true });
    const pending = await fetch(`${service.t.operatorUrl}/change-requests?state=pending`, { headers: { authorization: `Bearer ${service.t.operatorToken}` } });
    const requests = ((await pending.json()) as { change_requests: { kind: string; change: unknown }[] }).change_requests;
    assert.ok(
      requests.some((r) => JSON.stringify(r.change).includes('5.000000000000000001')),
      JSON.stringify(requests),
    );
    assert.deepEqual(unexpectedErrors(errors), []);
    await context.close();
  });
});
