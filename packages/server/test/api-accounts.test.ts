import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ErrorCode, WaasError } from '@openwaas/sdk';
import { mnemonicToAccount } from 'viem/accounts';
import { setMerchantCoin, upsertCoin } from '../src/modules/coins/index.js';
import { HdAddressAllocator } from '../src/keys/address-allocator.js';
import { eachDatabase, startTestService, testCoins, type TestService } from './support/service.js';
import { rejectsWith } from './support/assertions.js';


describe('HD address allocator', () => {
  it('derives the same addresses as viem’s mnemonicToAccount (account 1)', () => {
    const mnemonic = 'test test test test test test test test test test test junk';
    const allocator = new HdAddressAllocator(mnemonic);
    for (const index of [0, 1, 2, 17, 1000]) {
      assert.equal(allocator.deriveAddress('evm:31337', index), mnemonicToAccount(mnemonic, { accountIndex: 1, addressIndex: index }).address.toLowerCase());
    }
    assert.throws(() => allocator.deriveAddress('btc:main', 1), /no address derivation/);
  });
});

eachDatabase('API coins and accounts (#4 #5 #6 #7 #19 #20)', (kind) => {
  let t: TestService;
  before(async () => {
    t = await startTestService({ kind });
  });
  after(() => t?.close());

  it('#4 getCoinList lists the enabled coins, every field a string but margin_symbol (a boolean)', async () => {
    const coins = await t.client.getCoinList();
    assert.deepEqual(coins.map((c) => c.symbol), ['ETH', 'USDT', 'TKN']);
    for (const coin of coins) {
      for (const [k, v] of Object.entries(coin)) assert.equal(typeof v, k === 'margin_symbol' ? 'boolean' : 'string', `${coin.symbol}.${k}`);
      assert.deepEqual(Object.keys(coin).sort(), [
        'address_link', 'address_regex', 'address_tag_regex', 'base_symbol', 'coin_net', 'contract_address', 'decimals', 'deposit_confirmation',
        'explorer', 'icon', 'margin_symbol', 'merge_address_symbol', 'min_deposit', 'name', 'real_symbol', 'support_memo', 'support_token', 'symbol',
        'symbol_alias', 'txid_link', 'withdraw_confirmation',
      ]);
    }
    const [eth, usdt] = coins;
    assert.deepEqual(
      { ...eth },
      {
        symbol: 'ETH', icon: testCoins.ETH.icon, real_symbol: 'ETH', decimals: '18', name: 'Ether', base_symbol: 'ETH', contract_address: '',
        deposit_confirmation: '2', explorer: testCoins.ETH.explorer, address_regex: '^0x[0-9a-fA-F]{40}$', address_tag_regex: '', support_memo: '0', support_token: '1',
        min_deposit: '0', withdraw_confirmation: '2', txid_link: testCoins.ETH.explorer, address_link: '', coin_net: 'evm:31337', symbol_alias: 'ETH',
        margin_symbol: true, merge_address_symbol: 'ETH',
      },
    );
    assert.equal(usdt!.decimals, '6');
    assert.equal(usdt!.base_symbol, 'ETH');
    assert.equal(usdt!.contract_address, testCoins.USDT.contractAddress);
    assert.match('0x' + 'aB'.repeat(20), new RegExp(usdt!.address_regex));
    // A merchant with one coin sees one coin; a disabled coin disappears.
    const one = await t.addMerchant({ symbols: ['USDT'] });
    assert.deepEqual((await one.client.getCoinList()).map((c) => c.symbol), ['USDT']);
    await t.ctx.store.db.updateTable('coins').set({ enabled: 0 }).where('symbol', '=', 'USDT').execute();
    try {
      assert.deepEqual(await one.client.getCoinList(), []);
    } finally {
      await t.ctx.store.db.updateTable('coins').set({ enabled: 1 }).where('symbol', '=', 'USDT').execute();
    }
  });

  it('#5 getDepositAddress issues one address per user per chain, idempotently', async () => {
    const { uid } = await t.client.registerEmail({ email: 'addr-a@example.com' });
    const eth = await t.client.getDepositAddress({ uid, symbol: 'ETH' });
    assert.equal(eth.uid, uid);
    assert.match(eth.address, /^0x[0-9a-f]{40}$/);
    assert.deepEqual(await t.client.getDepositAddress({ uid: String(uid), symbol: 'ETH' }), eth);
    // Tokens of the same chain share the chain address.
    assert.equal((await t.client.getDepositAddress({ uid, symbol: 'USDT' })).address, eth.address);
    const other = await t.client.registerEmail({ email: 'addr-b@example.com' });
    const ethB = await t.client.getDepositAddress({ uid: other.uid, symbol: 'ETH' });
    assert.notEqual(ethB.address, eth.address);
    // The address is the allocator's at the recorded HD index.
    const row = await t.ctx.store.db.selectFrom('chain_addresses').selectAll().where('uid', '=', uid).executeTakeFirstOrThrow();
    assert.equal(t.ctx.addresses.deriveAddress('evm:31337', row.hd_index), eth.address);
    const rows = await t.ctx.store.db.selectFrom('user_addresses').selectAll().where('uid', '=', uid).orderBy('id').execute();
    assert.deepEqual(rows.map((r) => [r.symbol, r.address]), [['ETH', eth.address], ['USDT', eth.address]]);
  });

  it('#5 twenty parallel calls for one user give one address; parallel users get distinct HD indexes', async () => {
    const { uid } = await t.client.registerEmail({ email: 'racer@example.com' });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => t.client.getDepositAddress({ uid, symbol: i % 2 ? 'ETH' : 'TKN' })));
    assert.equal(new Set(answers.map((a) => a.address)).size, 1);
    const chainRows = await t.ctx.store.db.selectFrom('chain_addresses').selectAll().where('uid', '=', uid).execute();
    assert.equal(chainRows.length, 1);
    const userRows = await t.ctx.store.db.selectFrom('user_addresses').selectAll().where('uid', '=', uid).execute();
    assert.deepEqual(userRows.map((r) => r.symbol).sort(), ['ETH', 'TKN']);

    const users = await Promise.all(Array.from({ length: 12 }, (_, i) => t.client.registerEmail({ email: `crowd${i}@example.com` })));
    const issued = await Promise.all(users.map((u) => t.client.getDepositAddress({ uid: u.uid, symbol: 'ETH' })));
    assert.equal(new Set(issued.map((a) => a.address)).size, users.length);
    const all = await t.ctx.store.db.selectFrom('chain_addresses').select(['hd_index']).execute();
    assert.equal(new Set(all.map((r) => r.hd_index)).size, all.length);
  });

  it('#5 a user has the same address on every EVM chain; HD indexes stay unique across the family', async () => {
    // A second EVM chain's coin (no node needed to issue addresses).
    const bnb = await upsertCoin(t.ctx.store.db, { symbol: 'BNB', name: 'BNB', chain: 'evm:56', decimals: 18, confirmations: 15, nowMs: Date.now() });
    const m = await t.addMerchant({ symbols: ['ETH'] });
    await setMerchantCoin(t.ctx.store.db, Number(m.merchant.id), Number(bnb.id), true);
    const a = await m.client.registerEmail({ email: 'family-a@example.com' });
    const b = await m.client.registerEmail({ email: 'family-b@example.com' });
    const aEth = await m.client.getDepositAddress({ uid: a.uid, symbol: 'ETH' });
    const bBnb = await m.client.getDepositAddress({ uid: b.uid, symbol: 'BNB' });
    assert.notEqual(bBnb.address, aEth.address, 'first address on another chain: a fresh index, not one a user holds elsewhere');
    assert.equal((await m.client.getDepositAddress({ uid: a.uid, symbol: 'BNB' })).address, aEth.address);
    assert.equal((await m.client.getDepositAddress({ uid: b.uid, symbol: 'ETH' })).address, bBnb.address);

    // Users asking for both chains at once: each gets one address, every user a different one.
    const users = await Promise.all(Array.from({ length: 10 }, (_, i) => m.client.registerEmail({ email: `family-crowd${i}@example.com` })));
    const pairs = await Promise.all(users.map((u, i) => Promise.all((i % 2 ? ['ETH', 'BNB'] : ['BNB', 'ETH']).map((symbol) => m.client.getDepositAddress({ uid: u.uid, symbol })))));
    for (const [x, y] of pairs) assert.equal(x!.address, y!.address);
    assert.equal(new Set(pairs.map(([x]) => x!.address)).size, users.length);
    const rows = await t.ctx.store.db.selectFrom('chain_addresses').select(['uid', 'hd_index']).execute();
    const owners = new Map<number, Set<number>>();
    for (const r of rows) owners.set(r.hd_index, (owners.get(r.hd_index) ?? new Set()).add(Number(r.uid)));
    for (const [index, uids] of owners) assert.equal(uids.size, 1, `HD index ${index} belongs to one user`);
  });

  it('#5 errors: 110065 unknown or foreign uid, 120202 unknown or not-enabled symbol, 100004 bad fields', async () => {
    const { uid } = await t.client.registerEmail({ email: 'addr-err@example.com' });
    await rejectsWith(t.client.getDepositAddress({ uid: 987654321, symbol: 'ETH' }), ErrorCode.UserNotFound);
    const other = await t.addMerchant();
    await rejectsWith(other.client.getDepositAddress({ uid, symbol: 'ETH' }), ErrorCode.UserNotFound);
    await rejectsWith(t.client.getDepositAddress({ uid, symbol: 'DOGE' }), ErrorCode.CurrencyNotSupported);
    await rejectsWith(t.client.getDepositAddress({ uid, symbol: 'OFF' }), ErrorCode.CurrencyNotSupported);
    // Symbols match case-insensitively (api-fields.test.ts): 'eth' is ETH, so it is no refusal here.
    await rejectsWith(t.client.getDepositAddress({ uid: '', symbol: 'ETH' }), ErrorCode.InvalidParameter, /^uid/);
    await rejectsWith(t.client.getDepositAddress({ uid } as never), ErrorCode.InvalidParameter, /^symbol/);
    const written = await t.ctx.store.db.selectFrom('user_addresses').selectAll().where('uid', '=', uid).execute();
    assert.equal(written.length, 0);
  });

  it('#6 getByUidAndSymbol: balances formatted with the coin’s decimals, deposit address or ""', async () => {
    const { uid } = await t.client.registerEmail({ email: 'balance@example.com' });
    assert.deepEqual(await t.client.getByUidAndSymbol({ uid, symbol: 'USDT' }), { normal_balance: '0', lock_balance: '0', deposit_address: '' });
    await t.credit({ uid, symbol: 'USDT', amount: '1234.5' });
    await t.credit({ uid, symbol: 'ETH', amount: '0.000000000000000001' });
    const usdtAccount = { kind: 'user' as const, merchantId: Number(t.merchant.id), uid, coinId: Number(t.coins.USDT.id) };
    // Lock part of the balance the way a withdrawal does (normal → lock).
    const { postJournal } = await import('../src/modules/ledger/index.js');
    const { inTransaction } = await import('../src/store/tx.js');
    await inTransaction(t.ctx.store, (tx) =>
      postJournal(tx, {
        refType: 'adjustment', refId: 0, reason: 'test.lock', nowMs: Date.now(),
        postings: [{ account: usdtAccount, bucket: 'normal', delta: -200_250_000n }, { account: usdtAccount, bucket: 'lock', delta: 200_250_000n }],
      }),
    );
    const { address } = await t.client.getDepositAddress({ uid, symbol: 'USDT' });
    assert.deepEqual(await t.client.getByUidAndSymbol({ uid, symbol: 'USDT' }), { normal_balance: '1034.25', lock_balance: '200.25', deposit_address: address });
    assert.deepEqual(await t.client.getByUidAndSymbol({ uid: String(uid), symbol: 'ETH' }), { normal_balance: '0.000000000000000001', lock_balance: '0', deposit_address: '' });
    await rejectsWith(t.client.getByUidAndSymbol({ uid: 987654321, symbol: 'ETH' }), ErrorCode.UserNotFound);
    await rejectsWith(t.client.getByUidAndSymbol({ uid, symbol: 'OFF' }), ErrorCode.CurrencyNotSupported);
    await rejectsWith(t.client.getByUidAndSymbol({ uid: 'x', symbol: 'ETH' }), ErrorCode.InvalidParameter, /^uid/);
  });

  it('#7 getCompanyBySymbol: the merchant’s collection balance', async () => {
    const m = await t.addMerchant();
    const company = (balance: string) => ({ balance, fee_account_balance: '0', total_balance: balance });
    assert.deepEqual(await m.client.getCompanyBySymbol({ symbol: 'ETH' }), { symbol: 'ETH', ...company('0') });
    await t.credit({ symbol: 'ETH', amount: '12.000000000000000001', merchant: m.merchant });
    await t.credit({ symbol: 'TKN', amount: '0.5', merchant: m.merchant });
    assert.deepEqual(await m.client.getCompanyBySymbol({ symbol: 'ETH' }), { symbol: 'ETH', ...company('12.000000000000000001') });
    assert.deepEqual(await m.client.getCompanyBySymbol({ symbol: 'TKN' }), { symbol: 'TKN', ...company('0.5') });
    // Another merchant's collection account is its own.
    assert.deepEqual(await t.client.getCompanyBySymbol({ symbol: 'TKN' }), { symbol: 'TKN', ...company('0') });
    await rejectsWith(m.client.getCompanyBySymbol({ symbol: 'OFF' }), ErrorCode.CurrencyNotSupported);
    await rejectsWith(m.client.getCompanyBySymbol({} as never), ErrorCode.InvalidParameter, /^symbol/);
  });

  it('#19 getDepositAddressInfo: the owner of one of our addresses, 110055 otherwise', async () => {
    const { uid } = await t.client.registerEmail({ email: 'owner@example.com' });
    const { address } = await t.client.getDepositAddress({ uid, symbol: 'TKN' });
    await t.client.getDepositAddress({ uid, symbol: 'ETH' });
    assert.deepEqual(await t.client.getDepositAddressInfo({ address }), { uid, symbol: 'TKN', address });
    // Checksummed (mixed-case) input still matches.
    const mixed = '0x' + [...address.slice(2)].map((ch, i) => (i % 2 ? ch.toUpperCase() : ch)).join('');
    assert.deepEqual(await t.client.getDepositAddressInfo({ address: mixed }), { uid, symbol: 'TKN', address });
    await rejectsWith(t.client.getDepositAddressInfo({ address: '0x' + '1'.repeat(40) }), ErrorCode.InvalidAddress);
    // Another merchant's user address is not ours.
    const other = await t.addMerchant();
    await rejectsWith(other.client.getDepositAddressInfo({ address }), ErrorCode.InvalidAddress);
    await rejectsWith(t.client.getDepositAddressInfo({} as never), ErrorCode.InvalidParameter, /^address/);
  });

  it('#20 syncAddressList pages issued addresses by id, ascending, 100 at most, this merchant only', async () => {
    const m = await t.addMerchant();
    const users = await Promise.all(Array.from({ length: 52 }, (_, i) => m.client.registerEmail({ email: `a${i}@example.com` })));
    await Promise.all(users.map(async (u) => {
      for (const symbol of ['ETH', 'USDT']) await m.client.getDepositAddress({ uid: u.uid, symbol });
    }));
    await t.client.getDepositAddress({ uid: (await t.client.registerEmail({ email: 'noise@example.com' })).uid, symbol: 'ETH' });
    const expected = await t.ctx.store.db
      .selectFrom('user_addresses')
      .select(['id', 'uid', 'symbol', 'address'])
      .where('merchant_id', '=', Number(m.merchant.id))
      .orderBy('id')
      .execute();
    assert.equal(expected.length, 104);
    const first = await m.client.syncAddressList({ max_id: 0 });
    assert.equal(first.length, 100);
    const second = await m.client.syncAddressList({ max_id: first.at(-1)!.id });
    assert.equal(second.length, 4);
    const all = [...first, ...second];
    assert.deepEqual(all, expected.map((r) => ({ id: Number(r.id), uid: Number(r.uid), symbol: r.symbol, address: r.address })));
    const ids = all.map((r) => r.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b));
    assert.deepEqual(Object.keys(first[0]!).sort(), ['address', 'id', 'symbol', 'uid']);
    assert.deepEqual(await m.client.syncAddressList({ max_id: ids.at(-1)! }), []);
  });
});
