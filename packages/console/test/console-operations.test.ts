/**
 * Operations in Chromium against a real service on a real anvil node: a notification the
 * merchant refused (HTTP 500) is seen failed with every attempt, then resent once the merchant
 * answers SUCCESS and seen delivered with the new attempt; the ledger audit, the chain audit
 * (after a deposit arrived on chain) and the operator trail's hash-chain verification come out
 * clean on the audit pages; a merchant's key rotation waits for a second admin, and once approved
 * the new public key downloads as a PEM file.
 */
import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { DepositStatus } from '@openwaas/sdk';
import type { Browser } from 'playwright-core';
import { updateMerchant } from '../../server/src/modules/merchants/index.js';
import { enqueueDeposits, notificationRow, startMerchantServer, waitFor, type MerchantServer } from '../../server/test/ops-helpers.js';
import { untilDeposit } from '../../server/test/support/deposits.js';
import { axeCheck, browserSkip, launchBrowser, openPage, screenshot, unexpectedErrors } from './support/browser.js';
import { loginAs, startConsoleService, type ConsoleService } from './support/console.js';

const title = 'console: notifications resent and audits run';
const skip = browserSkip(title);

describe(title, { skip }, () => {
  let service: ConsoleService;
  let browser: Browser;
  let merchantServer: MerchantServer;
  /** What the merchant's notify endpoint answers now. */
  let answer: { status: number; body: string } = { status: 500, body: 'internal error, try later' };

  before(async () => {
    service = await startConsoleService({ chain: true });
    browser = await launchBrowser();
    merchantServer = await startMerchantServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = answer.status;
        res.end(answer.body);
      });
    });
  });
  after(async () => {
    await browser?.close();
    await merchantServer?.close();
    await service?.close();
  });

  it('shows a failed notification with its attempts, and after a resend sees it delivered with the new attempt', async () => {
    const { t } = service;
    const m = await t.addMerchant({ name: 'Flaky Shop' });
    await updateMerchant(t.ctx.store.db, m.appId, { notifyUrl: merchantServer.url });
    const [id] = await enqueueDeposits(t.ctx, Number(m.merchant.id), 1);
    t.ctx.notifier.wake();
    // Every retry of the schedule answered 500: the notification gives up (failed).
    await waitFor('the notification to fail', async () => (await notificationRow(t.ctx, id!)).state === 'failed', 60_000);

    const tess = await service.account('tess', ['treasurer']);
    const { context, page, errors } = await openPage(browser);
    await loginAs(page, service.consoleUrl, tess);
    await page.goto(`${service.consoleUrl}#/notifications?state=failed&app_id=${m.appId}`);
    await page.getByRole('table', { name: 'notifications' }).getByRole('link', { name: String(id) }).click();
    await page.getByRole('heading', { name: `Notification ${id}` }).waitFor();
    const state = page.locator('dt', { hasText: /^State$/ }).locator('xpath=following-sibling::dd');
    await state.filter({ hasText: /^failed$/ }).waitFor();
    const attempts = page.getByRole('table', { name: 'delivery attempts, oldest first' });
    const rows = attempts.locator('tbody tr');
    await rows.first().waitFor();
    const failedCount = await rows.count();
    assert.ok(failedCount >= 2, `${failedCount} attempts before giving up`);
    for (let i = 0; i < failedCount; i++) {
      const text = await rows.nth(i).textContent();
      assert.match(text ?? '', new RegExp(`^${i + 1}.*UTC500internal error, try laterHTTP 500\\d+ ms$`));
    }
    await axeCheck(page, 'a failed notification');
    await screenshot(page, 'notification-failed', { phoneToo: true });

    // The merchant is fixed; the operator resends.
    answer = { status: 200, body: 'SUCCESS' };
    await page.getByRole('button', { name: 'Resend', exact: true }).click();
    await page.getByRole('button', { name: 'Confirm: Resend' }).click();
    await page.getByRole('status').filter({ hasText: `Queued again: notification ${id}` }).waitFor();
    // The page asks again on its own: the delivery shows up without a reload.
    await state.filter({ hasText: /^delivered$/ }).waitFor();
    await rows.nth(failedCount).filter({ hasText: 'SUCCESS' }).waitFor();
    assert.equal(await rows.count(), failedCount + 1);
    assert.match((await rows.nth(failedCount).textContent()) ?? '', new RegExp(`^${failedCount + 1}.*UTC200SUCCESSnone \\(delivered\\)\\d+ ms$`));
    await screenshot(page, 'notification-delivered');
    assert.equal((await notificationRow(t.ctx, id!)).state, 'delivered');
    assert.deepEqual(unexpectedErrors(errors), []);
    await context.close();
  });

  it('runs the ledger and the chain audit clean after a deposit, and verifies the operator trail intact', async () => {
    const { world } = service;
    assert.ok(world);
    // A deposit on chain, credited: the audits have something to compare.
    const uid = await world.newUser();
    const address = await world.depositAddress(uid, 'ETH');
    const txid = await world.sendEth(address, '1.25');
    await world.mine(2);
    await untilDeposit(world, txid, 'the deposit credited', (d) => d.status === DepositStatus.Succeeded);

    const vic = await service.account('vic', ['viewer']);
    const { context, page, errors } = await openPage(browser);
    await loginAs(page, service.consoleUrl, vic);
    await page.goto(`${service.consoleUrl}#/audit`);
    await page.getByRole('heading', { name: 'Audit', exact: true }).waitFor();
    const ledger = page.getByRole('region', { name: 'Ledger audit' });
    await ledger.getByRole('button', { name: 'Run the ledger audit' }).click();
    await ledger.getByRole('status').filter({ hasText: 'No finding' }).waitFor();
    const chains = page.getByRole('region', { name: 'Ledger against the chains' });
    await chains.getByRole('button', { name: 'Run the chain audit' }).click();
    await chains.getByRole('status').filter({ hasText: 'Ledger and chains agree' }).waitFor();
    const perCoin = chains.getByRole('table', { name: 'chain audit per coin' });
    const eth = perCoin.locator('tbody tr').filter({ hasText: 'ETH' }).first();
    await eth.waitFor();
    // Agreeing (or not comparable this instant while a sweep of the deposit is in flight), never a mismatch.
    assert.doesNotMatch((await eth.textContent()) ?? '', /mismatch/);
    await axeCheck(page, 'the audit page after both audits');
    await screenshot(page, 'audit-clean', { phoneToo: true });

    await page.goto(`${service.consoleUrl}#/audit/operators`);
    await page.getByRole('heading', { name: 'Operator audit trail' }).waitFor();
    const verify = page.getByRole('region', { name: 'Hash-chain verification' });
    await verify.getByRole('button', { name: 'Verify the trail' }).click();
    await verify.getByRole('status').filter({ hasText: /^Intact: \d+ entries$/ }).waitFor();
    await axeCheck(page, 'the verified operator trail');
    await screenshot(page, 'audit-trail-verified');
    assert.deepEqual(unexpectedErrors(errors), []);
    await context.close();
  });

  it('rotates a merchant\'s keys: held for a second admin, then the new public key downloads as PEM', async () => {
    const { t } = service;
    const m = await t.addMerchant({ name: 'Rotating Shop' });
    const before = m.walletPublicKeyPem;
    // A second admin besides the service's test-admin: four eyes are engaged from now on.
    const rhea = await service.account('rhea', ['admin']);
    const { context, page, errors } = await openPage(browser);
    await loginAs(page, service.consoleUrl, rhea);
    await page.goto(`${service.consoleUrl}#/merchants/${m.appId}`);
    const card = page.getByRole('region', { name: 'Wallet key' });
    await card.getByRole('button', { name: 'Rotate keys' }).click();
    await card.getByRole('button', { name: 'Confirm: Rotate keys' }).click();
    const waiting = card.getByRole('status').filter({ hasText: 'Waiting for a second admin' });
    await waiting.waitFor();
    const link = waiting.getByRole('link', { name: /^change request #\d+$/ });
    const id = Number(((await link.textContent()) ?? '').replace(/\D/g, ''));
    await screenshot(page, 'merchant-rotate-waiting');

    // The other admin approves it; the merchant page then offers the new key.
    const approved = await fetch(`${t.operatorUrl}/change-requests/${id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${t.operatorToken}`, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(approved.status, 200, await approved.clone().text());
    const shown = (await (await fetch(`${t.operatorUrl}/merchants/${m.appId}`, { headers: { authorization: `Bearer ${t.operatorToken}` } })).json()) as { rsa_wallet_pub: string };
    assert.notEqual(shown.rsa_wallet_pub.replace(/\s+/g, ''), before.replace(/\s+/g, ''));
    await page.reload();
    await page.getByText('Show the wallet public key').click();
    const pem = page.getByLabel('wallet public key', { exact: true });
    await pem.waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Download wallet public key (.pem)' }).click()]);
    assert.equal(download.suggestedFilename(), `${m.appId}-wallet-public-key.pem`);
    const file = await readFile((await download.path())!, 'utf8');
    assert.equal(file, await pem.textContent());
    assert.match(file, /^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+-----END PUBLIC KEY-----\n$/);
    // The downloaded key is the one the service now seals with: it reads as the same public key.
    const asDer = (text: string) => createPublicKey(text.includes('BEGIN') ? text : `-----BEGIN PUBLIC KEY-----\n${text}\n-----END PUBLIC KEY-----\n`).export({ type: 'spki', format: 'der' }).toString('base64');
    assert.equal(asDer(file), asDer(shown.rsa_wallet_pub));
    await axeCheck(page, 'a merchant with its wallet key shown');
    assert.deepEqual(unexpectedErrors(errors), []);
    await context.close();
  });
});
