/**
 * The fields the vendor's newer SDKs read (docs/fields.md), each with its real value, and one
 * rule for symbol case: symbols match case-insensitively wherever they are looked up and are
 * answered in the coin's configured case; two coins may not differ only by case.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ErrorCode, WaasError } from '@openwaas/sdk';
import { SymbolCaseConflictError, upsertCoin } from '../src/modules/coins/index.js';
import { startConfirmEndpoint, type ConfirmEndpoint } from './money-fixtures.js';
import { eachDatabase, startTestService, testCoins, type TestMerchant, type TestService } from './support/service.js';

let seq = 0;
const nextId = (prefix: string) => `${prefix}-${++seq}-${Date.now()}`;
const anAddress = '0x' + '2'.repeat(40);

eachDatabase('API: the newer SDKs’ fields, one rule for symbol case', (kind) => {
  let t: TestService;
  let other: TestMerchant;
  const endpoints: ConfirmEndpoint[] = [];

  async function operator(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
    const headers: Record<string, string> = { authorization: `Bearer ${t.operatorToken}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(t.operatorUrl + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : undefined };
  }

  async function withConfirmation(m: TestMerchant): Promise<void> {
    const endpoint = await startConfirmEndpoint({ walletPublicKey: m.walletPublicKeyPem, privateKey: m.merchantPrivateKeyPem });
    endpoints.push(endpoint);
    await t.ctx.store.db.updateTable('merchants').set({ confirm_url: endpoint.url }).where('id', '=', Number(m.merchant.id)).execute();
  }

  before(async () => {
    t = await startTestService({ kind, config: { operatorApi: true } });
    other = await t.addMerchant({ name: 'Receiver' });
    await withConfirmation(t);
  });
  after(async () => {
    for (const e of endpoints) await e.close();
    await t?.close();
  });

  test('#4 getCoinList: minimum deposit, withdrawal confirmations, explorer links, network, alias, margin and merged-address symbols', async () => {
    // The address-link template and the minimum deposit are coin settings (changed here as "eth").
    const patched = await operator('PATCH', '/coins/eth', { address_explorer: 'https://explorer.test/address/{address}', min_deposit: '0.05' });
    assert.equal(patched.status, 200, JSON.stringify(patched.json));
    assert.equal(patched.json.symbol, 'ETH');
    assert.equal(patched.json.address_explorer, 'https://explorer.test/address/{address}');
    const coins = await t.client.getCoinList();
    const eth = coins.find((c) => c.symbol === 'ETH')!;
    const usdt = coins.find((c) => c.symbol === 'USDT')!;
    const pick = (c: typeof eth) => ({
      min_deposit: c.min_deposit, withdraw_confirmation: c.withdraw_confirmation, txid_link: c.txid_link, address_link: c.address_link,
      coin_net: c.coin_net, symbol_alias: c.symbol_alias, margin_symbol: c.margin_symbol, merge_address_symbol: c.merge_address_symbol,
    });
    assert.deepEqual(pick(eth), {
      min_deposit: '0.05', withdraw_confirmation: '2', txid_link: testCoins.ETH.explorer, address_link: 'https://explorer.test/address/{address}',
      coin_net: 'evm:31337', symbol_alias: 'ETH', margin_symbol: true, merge_address_symbol: 'ETH',
    });
    // A token: its chain's native coin pays its miner fees and owns the address it is received at.
    assert.deepEqual(pick(usdt), {
      min_deposit: '0', withdraw_confirmation: '2', txid_link: '', address_link: '', coin_net: 'evm:31337', symbol_alias: 'USDT',
      margin_symbol: false, merge_address_symbol: 'ETH',
    });
    // The token's address is indeed the native coin's.
    const { uid } = await t.client.registerEmail({ email: `${nextId('merge')}@example.com` });
    assert.equal((await t.client.getDepositAddress({ uid, symbol: 'USDT' })).address, (await t.client.getDepositAddress({ uid, symbol: 'ETH' })).address);
    const undo = await operator('PATCH', '/coins/ETH', { address_explorer: '', min_deposit: '0' });
    assert.equal(undo.status, 200);
  });

  test('#7 getCompanyBySymbol: the fee account (withdrawal fees of the merchant’s users) and the total', async () => {
    const m = await t.addMerchant({ name: 'Fees' });
    await withConfirmation(m);
    const { uid } = await m.client.registerEmail({ email: `${nextId('payer')}@example.com` });
    const receiver = (await other.client.registerEmail({ email: `${nextId('rcv')}@example.com` })).uid;
    const { address } = await other.client.getDepositAddress({ uid: receiver, symbol: 'ETH' });
    await t.credit({ symbol: 'ETH', amount: '5', uid, merchant: m.merchant });
    await t.credit({ symbol: 'ETH', amount: '2.5', merchant: m.merchant });
    // Two alliance withdrawals settle at once; each charges the 0.001 ETH fee into the merchant's fee account.
    for (let i = 0; i < 2; i++) {
      const r = await m.client.withdraw({ request_id: nextId('fee'), from_uid: uid, to_address: address, amount: '1', symbol: 'ETH' });
      assert.equal(r.status, 5);
    }
    assert.deepEqual(await m.client.getCompanyBySymbol({ symbol: 'eth' }), { symbol: 'ETH', balance: '2.5', fee_account_balance: '0.002', total_balance: '2.502' });
    // Another coin's fee account is its own.
    assert.deepEqual(await m.client.getCompanyBySymbol({ symbol: 'USDT' }), { symbol: 'USDT', balance: '0', fee_account_balance: '0', total_balance: '0' });
  });

  test('#8–#12 withdrawal and deposit records: base coin, contract, email, fee, txid_type, is_mining', async () => {
    const email = `${nextId('rec')}@example.com`;
    const { uid } = await t.client.registerEmail({ email });
    const phoneUser = (await other.client.createUser({ country: '86', mobile: `139${String(Date.now()).slice(-8)}` })).uid;
    const { address } = await other.client.getDepositAddress({ uid: phoneUser, symbol: 'ETH' });
    await t.credit({ symbol: 'ETH', amount: '3', uid });
    await t.credit({ symbol: 'USDT', amount: '50', uid });

    // On chain, asked as "usdt": the record answers the configured case.
    const chainRequest = nextId('chain');
    const onChain = await t.client.withdraw({ request_id: chainRequest, from_uid: uid, to_address: anAddress, amount: '20', symbol: 'usdt' });
    assert.equal(onChain.withdraw_type, 1);
    // To an alliance address: internal.
    const internalRequest = nextId('internal');
    const internal = await t.client.withdraw({ request_id: internalRequest, from_uid: uid, to_address: address, amount: '1.5', symbol: 'ETH' });
    assert.equal(internal.status, 5);

    const [usdtRecord, ethRecord] = await t.client.withdrawList({ ids: [chainRequest, internalRequest] });
    const newer = (w: NonNullable<typeof usdtRecord>) => ({
      symbol: w.symbol, base_symbol: w.base_symbol, contract_address: w.contract_address, email: w.email, fee: w.fee, withdraw_fee: w.withdraw_fee, txid_type: w.txid_type,
    });
    assert.deepEqual(newer(usdtRecord!), { symbol: 'USDT', base_symbol: 'ETH', contract_address: testCoins.USDT.contractAddress, email, fee: '1', withdraw_fee: '1', txid_type: '0' });
    assert.deepEqual(newer(ethRecord!), { symbol: 'ETH', base_symbol: 'ETH', contract_address: '', email, fee: '0.001', withdraw_fee: '0.001', txid_type: '1' });
    // The withdrawal's notification carries them too, as strings like every notification field.
    const notified = await t.ctx.store.db.selectFrom('notifications').select('payload').where('side', '=', 'withdraw').where('record_id', '=', internal.id).orderBy('id', 'desc').executeTakeFirstOrThrow();
    const payload = JSON.parse(notified.payload) as Record<string, unknown>;
    assert.deepEqual(
      [payload.base_symbol, payload.contract_address, payload.email, payload.fee, payload.txid_type],
      ['ETH', '', email, '0.001', '1'],
    );
    // The sync list carries the same records.
    const synced = await t.client.syncWithdrawList({ max_id: onChain.id - 1 });
    assert.deepEqual(synced.find((w) => w.id === onChain.id), usdtRecord);

    // The receiver's deposit of the internal withdrawal: internal, the receiver has no email.
    const deposits = await other.client.syncDepositList({ max_id: 0 });
    const received = deposits.find((d) => d.txid === `internal:${internal.id}`)!;
    assert.deepEqual(
      { base_symbol: received.base_symbol, contract_address: received.contract_address, email: received.email, txid_type: received.txid_type, is_mining: received.is_mining },
      { base_symbol: 'ETH', contract_address: '', email: '', txid_type: '1', is_mining: 0 },
    );
    // An on-chain token deposit of the email user.
    const row = await t.ctx.store.db
      .insertInto('deposits')
      .values({
        merchant_id: Number(t.merchant.id), uid, coin_id: Number(t.coins.USDT.id), symbol: 'USDT', amount: '7000000', address_from: '0x' + 'f'.repeat(40),
        address_to: '0x' + 'a'.repeat(40), txid: nextId('0xdep'), tx_index: '0', confirmations: 2, status: 1, to_collection: 0, withdrawal_id: null,
        created_at: Date.now(), updated_at: Date.now(),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const [onChainDeposit] = await t.client.depositList({ ids: [Number(row.id)] });
    assert.deepEqual(
      { amount: onChainDeposit!.amount, base_symbol: onChainDeposit!.base_symbol, contract_address: onChainDeposit!.contract_address, email: onChainDeposit!.email, txid_type: onChainDeposit!.txid_type, is_mining: onChainDeposit!.is_mining },
      { amount: '7', base_symbol: 'ETH', contract_address: testCoins.USDT.contractAddress, email, txid_type: '0', is_mining: 0 },
    );
  });

  test('symbols match case-insensitively on the merchant API and answer the configured case', async () => {
    const { uid } = await t.client.registerEmail({ email: `${nextId('case')}@example.com` });
    await t.credit({ symbol: 'ETH', amount: '1.25', uid });
    assert.deepEqual(await t.client.getByUidAndSymbol({ uid, symbol: 'Eth' }), { normal_balance: '1.25', lock_balance: '0', deposit_address: '' });
    const { address } = await t.client.getDepositAddress({ uid, symbol: 'eth' });
    assert.equal((await t.client.getDepositAddress({ uid, symbol: 'ETH' })).address, address);
    assert.equal((await t.client.getByUidAndSymbol({ uid, symbol: 'eTH' })).deposit_address, address);
    assert.deepEqual(await t.client.getDepositAddressInfo({ address }), { uid, symbol: 'ETH', address });
    // One address row for the coin, in its configured case.
    const rows = await t.ctx.store.db.selectFrom('user_addresses').select('symbol').where('uid', '=', uid).execute();
    assert.deepEqual(rows.map((r) => r.symbol), ['ETH']);
    // A withdrawal asked as "eth" is an ETH withdrawal.
    const requestId = nextId('eth');
    const w = await t.client.withdraw({ request_id: requestId, from_uid: uid, to_address: anAddress, amount: '0.5', symbol: 'eth' });
    const [record] = await t.client.withdrawList({ ids: requestId });
    assert.equal(record!.id, w.id);
    assert.equal(record!.symbol, 'ETH');
    assert.equal((await t.client.getByUidAndSymbol({ uid, symbol: 'ETH' })).lock_balance, '0.5');
    // An unknown symbol is still unknown in any case.
    await assert.rejects(t.client.getByUidAndSymbol({ uid, symbol: 'doge' }), (e: unknown) => e instanceof WaasError && e.code === ErrorCode.CurrencyNotSupported);
  });

  test('operator API: PUT /coins/eth conflicts with ETH, PATCH and merchant coin routes find it, record filters fold case', async () => {
    const put = await operator('PUT', '/coins/eth', { chain: 'evm:31337', decimals: 18 });
    assert.equal(put.status, 409, JSON.stringify(put.json));
    assert.match(JSON.stringify(put.json), /ETH exists already/);
    const coins = (await operator('GET', '/coins')).json.coins as Array<{ symbol: string }>;
    assert.equal(coins.filter((c) => c.symbol.toUpperCase() === 'ETH').length, 1);
    // PUT in the configured case replaces the coin, as before.
    const same = await operator('PUT', '/coins/ETH', { name: 'Ether', chain: 'evm:31337', decimals: 18, confirmations: 2, min_withdraw: '0.01', max_withdraw: '100', withdraw_fee: '0.001', auto_approve_max: '10', icon: testCoins.ETH.icon, explorer: testCoins.ETH.explorer });
    assert.equal(same.status, 200, JSON.stringify(same.json));
    // Enabling "tkn" for a merchant enables TKN.
    const m = await t.addMerchant({ symbols: ['ETH'] });
    const enabled = await operator('PUT', `/merchants/${m.appId}/coins/tkn`);
    assert.equal(enabled.status, 200, JSON.stringify(enabled.json));
    assert.deepEqual(enabled.json.coins, ['ETH', 'TKN']);
    // Record lists filter by symbol in any case.
    const { uid } = await t.client.registerEmail({ email: `${nextId('filter')}@example.com` });
    await t.credit({ symbol: 'USDT', amount: '30', uid });
    const requestId = nextId('filter');
    await t.client.withdraw({ request_id: requestId, from_uid: uid, to_address: anAddress, amount: '15', symbol: 'USDT' });
    const listed = await operator('GET', `/withdrawals?symbol=usdt&request_id=${requestId}`);
    assert.equal(listed.status, 200, JSON.stringify(listed.json));
    assert.deepEqual(listed.json.withdrawals.map((w: { request_id: string; symbol: string }) => [w.request_id, w.symbol]), [[requestId, 'USDT']]);
  });

  test('coins module and store: a symbol differing only by case is refused', async () => {
    await assert.rejects(upsertCoin(t.ctx.store.db, { symbol: 'Usdt', chain: 'evm:31337', decimals: 6, nowMs: Date.now() }), SymbolCaseConflictError);
    // Even around the module, the store keeps one coin per folded symbol.
    await assert.rejects(
      t.ctx.store.db
        .insertInto('coins')
        .values({
          symbol: 'tkn', name: 'x', chain: 'evm:31337', base_symbol: 'ETH', contract_address: '', decimals: 8, confirmations: 1, min_withdraw: '0', max_withdraw: '0',
          withdraw_fee: '0', withdraw_fee_symbol: 'tkn', auto_approve_max: '0', daily_limit: '0', min_deposit: '0', icon: '', explorer: '', enabled: 1, created_at: Date.now(),
        })
        .execute(),
    );
    // The fee coin given in another case is stored in the fee coin's case.
    const dai = await upsertCoin(t.ctx.store.db, { symbol: 'DAI', chain: 'evm:31337', decimals: 18, withdrawFeeSymbol: 'eth', withdrawFee: '0.001', nowMs: Date.now() });
    assert.equal(dai.withdraw_fee_symbol, 'ETH');
  });
});
