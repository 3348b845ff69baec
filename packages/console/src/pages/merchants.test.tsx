import { act, cleanup, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { MerchantPage, MerchantsPage } from './merchants.js';
import { Accepted, pendingChange, renderAs, sentTo, type Answers } from '../testing/fake-api.js';
import { coin, merchant } from '../testing/fixtures.js';

afterEach(cleanup);

describe('Merchants', () => {
  it('lists merchants; a viewer gets no create form', async () => {
    renderAs(['viewer'], <MerchantsPage />, { 'GET /merchants': { merchants: [merchant(), merchant({ id: 2, app_id: 'shop2', name: 'Shop Two', active: false, coins: [] })] } });
    const table = await screen.findByRole('table', { name: 'merchants' });
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(within(table).getByRole('link', { name: 'shop2' }).getAttribute('href')).toBe('#/merchants/shop2');
    expect(screen.queryByRole('heading', { name: 'Create a merchant' })).toBeNull();
  });

  it('says when there is none, and an admin creates one after confirming', async () => {
    const { sent } = renderAs(['admin'], <MerchantsPage />, {
      'GET /merchants': { merchants: [] },
      'POST /merchants': (req) => merchant({ app_id: 'new1', name: (req.body as { name: string }).name }),
    });
    expect(await screen.findByText('No merchant yet.')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Create merchant' }).hasAttribute('disabled')).toBe(true);
    expect(screen.getByText('Give the merchant a name.')).toBeTruthy();
    fireEvent.change(screen.getByLabelText('Name'), { target: { value: 'New Shop' } });
    fireEvent.change(screen.getByLabelText('Notify URL'), { target: { value: 'https://new.example/notify' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create merchant' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Create merchant' })));
    await waitFor(() => expect(screen.getByRole('status').textContent).toBe('Created new1.'));
    expect(sentTo(sent, 'POST /merchants')[0]?.body).toEqual({ name: 'New Shop', notify_url: 'https://new.example/notify' });
  });
});

describe('Merchant detail', () => {
  const answers = {
    'GET /merchants/:appId': merchant(),
    'GET /coins': { coins: [coin(), coin({ id: 2, symbol: 'USDT', contract_address: '0xdac17f958d2ee523a2206206994597c13d831ec7', decimals: 6 })] },
    'GET /merchants/:appId/allowlist': { destinations: [{ app_id: 'shop1', chain: 'evm:1', address: '0x9999999999999999999999999999999999999999', label: 'cold', created_by: 'alice', created_at: 1 }] },
  } satisfies Answers;

  it('shows settings, coins and allowlist; a viewer sees no changes', async () => {
    renderAs(['viewer'], <MerchantPage params={{ appId: 'shop1' }} />, answers);
    await screen.findByText('Shop One');
    expect(document.body.textContent).toContain('203.0.113.0/24');
    const coins = screen.getByRole('table', { name: 'coins of shop1' });
    expect(within(coins).getAllByRole('row')[2]!.textContent).toContain('USDTevm:1no');
    expect(await screen.findByRole('table', { name: 'allowlisted destinations of shop1' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: /Enable|Disable|Remove|Save/ })).toBeNull();
  });

  it("sends only the changed settings and shows a four-eyed answer as waiting for a second admin", async () => {
    const { sent } = renderAs(['admin'], <MerchantPage params={{ appId: 'shop1' }} />, {
      ...answers,
      'PATCH /merchants/:appId': (req) => new Accepted(pendingChange(4, 'merchant.update', '/merchants/shop1', req.body)),
    });
    const settings = await screen.findByRole('region', { name: 'Settings' });
    expect(within(settings).getByText('Change a setting to save it.')).toBeTruthy();
    fireEvent.change(within(settings).getByLabelText('Notify URL'), { target: { value: '' } });
    fireEvent.click(within(settings).getByLabelText('Auto-collect deposits'));
    fireEvent.click(within(settings).getByRole('button', { name: 'Save settings' }));
    expect(within(settings).getByText('Change notify_url, auto_collect of merchant shop1?')).toBeTruthy();
    await act(async () => fireEvent.click(within(settings).getByRole('button', { name: 'Confirm: Save settings' })));
    await waitFor(() => expect(within(settings).getByRole('status').textContent).toContain('Waiting for a second admin: change request #4'));
    expect(sentTo(sent, 'PATCH /merchants/:appId')[0]?.body).toEqual({ notify_url: null, auto_collect: false });
  });

  it('enables a coin and removes an allowlisted destination by the coin of its chain', async () => {
    const { sent } = renderAs(['admin'], <MerchantPage params={{ appId: 'shop1' }} />, {
      ...answers,
      'PUT /merchants/:appId/coins/:symbol': { app_id: 'shop1', coins: ['ETH', 'USDT'] },
      'DELETE /merchants/:appId/allowlist': undefined,
    });
    fireEvent.click(await screen.findByRole('button', { name: 'Enable USDT' }));
    await act(async () => fireEvent.click(screen.getByRole('button', { name: 'Confirm: Enable USDT' })));
    await waitFor(() => expect(sentTo(sent, 'PUT /merchants/:appId/coins/:symbol')[0]?.params).toEqual({ appId: 'shop1', symbol: 'USDT' }));
    const list = await screen.findByRole('table', { name: 'allowlisted destinations of shop1' });
    fireEvent.click(within(list).getByRole('button', { name: 'Remove' }));
    await act(async () => fireEvent.click(within(list).getByRole('button', { name: 'Confirm: Remove' })));
    await waitFor(() => expect(sentTo(sent, 'DELETE /merchants/:appId/allowlist')[0]?.query).toEqual({ symbol: 'ETH', address: '0x9999999999999999999999999999999999999999' }));
    await waitFor(() => expect(within(list).getByRole('status').textContent).toBe('Removed.'));
  });

  it('rotates the wallet keys and offers the new public key as PEM to copy and download', async () => {
    const fresh = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA' + 'x'.repeat(40);
    let current = merchant();
    const { sent } = renderAs(['admin'], <MerchantPage params={{ appId: 'shop1' }} />, {
      ...answers,
      'GET /merchants/:appId': () => current,
      'POST /merchants/:appId/rotate-key': () => (current = merchant({ rsa_wallet_pub: fresh })),
    });
    const card = await screen.findByRole('region', { name: 'Wallet key' });
    fireEvent.click(within(card).getByRole('button', { name: 'Rotate keys' }));
    await act(async () => fireEvent.click(within(card).getByRole('button', { name: 'Confirm: Rotate keys' })));
    await waitFor(() => expect(within(card).getByRole('status').textContent).toContain('New wallet key pair in use'));
    const pem = within(card).getByLabelText('new wallet public key');
    expect(pem.textContent).toBe(`-----BEGIN PUBLIC KEY-----\n${fresh.slice(0, 64)}\n${fresh.slice(64)}\n-----END PUBLIC KEY-----\n`);
    const download = within(card).getByRole('link', { name: 'Download new wallet public key (.pem)' });
    expect(download.getAttribute('download')).toBe('shop1-wallet-public-key.pem');
    expect(download.getAttribute('href')).toMatch(/^blob:/);
    expect(within(card).getByRole('button', { name: 'Copy new wallet public key' })).toBeTruthy();
    expect(sentTo(sent, 'POST /merchants/:appId/rotate-key')[0]?.params).toEqual({ appId: 'shop1' });
  });

  it('shows a rotation held for a second admin with a link to its change request', async () => {
    renderAs(['admin'], <MerchantPage params={{ appId: 'shop1' }} />, {
      ...answers,
      'POST /merchants/:appId/rotate-key': new Accepted(pendingChange(9, 'merchant.rotate_key', '/merchants/shop1', {})),
    });
    const card = await screen.findByRole('region', { name: 'Wallet key' });
    fireEvent.click(within(card).getByRole('button', { name: 'Rotate keys' }));
    await act(async () => fireEvent.click(within(card).getByRole('button', { name: 'Confirm: Rotate keys' })));
    await waitFor(() => expect(within(card).getByRole('status').textContent).toContain('Waiting for a second admin: change request #9'));
    expect(within(card).getByRole('link', { name: 'change request #9' }).getAttribute('href')).toBe('#/operators/changes/9');
    expect(within(card).queryByLabelText('new wallet public key')).toBeNull();
  });

  it('a viewer gets no key rotation', async () => {
    renderAs(['viewer'], <MerchantPage params={{ appId: 'shop1' }} />, answers);
    await screen.findByText('Shop One');
    expect(screen.queryByRole('button', { name: 'Rotate keys' })).toBeNull();
  });
});
